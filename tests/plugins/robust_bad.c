/* robust_bad.c - a native plugin that hands back one kind of bad output,
 * chosen by its parameter `mode`, for tests/check_robust.c: whatever a
 * plugin returns must be checked, become that model's error, and never
 * reach the output.  Mode 0 is a good result. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imeval_plugin.h"

static int score(const imv_profile_view *p, const double *params, imv_result *r, const imv_host *h)
{
    int mode = (int)params[0];
    char text[1600];
    (void)p;
    if (mode != 8)
        h->set_score(r, 60);
    switch (mode) {
    case 0:
        h->add_reason(r, "ratings.acceptance", 10, "a good reason", "test fixture");
        h->set_timeline(r, 3, 20, 40);
        break;
    case 1: h->set_score(r, NAN); break;
    case 2: h->set_score(r, 150); break;
    case 3: h->set_score(r, -0.5); break;
    case 4: h->set_score(r, INFINITY); break;
    case 5: h->add_reason(r, "ratings.acceptance", 1, "caf\xC3 \xFF invalid", "x"); break;
    case 6: {
        char *big = malloc(1 << 20);
        if (!big)
            return 1;
        memset(big, 'x', (1 << 20) - 1);
        big[(1 << 20) - 1] = '\0';
        h->add_reason(r, "ratings.acceptance", 1, big, "x");
        free(big);
        break;
    }
    case 7:
        for (int i = 0; i < 5000; i++)
            h->add_reason(r, "ratings.acceptance", 0.01, "one of thousands", "x");
        break;
    case 8: break; /* no score */
    case 9: h->add_reason(r, "ratings.acceptance", NAN, "NaN points", "x"); break;
    case 10: h->set_timeline(r, NAN, 20, 40); break;
    case 11: h->set_timeline(r, 3, -20, 40); break;
    case 12: h->set_timeline(r, 3, 20, 1e9); break;
    case 13: h->add_reason(r, "ratings.acceptance", 1, NULL, "x"); break;
    case 14:
        /* 199 risks of 1500 bytes: each allowed, together over the cap. */
        memset(text, 'r', sizeof text - 1);
        text[1500] = '\0';
        for (int i = 0; i < 199; i++)
            h->add_risk(r, text);
        break;
    case 15: h->set_error(r, "broken \xE2\x82 message"); break;
    case 16: h->set_partner(r, "partner-1", NAN); break;
    case 17: return 3; /* failure without a message */
    case 18: h->add_unmet(r, "\xED\xA0\x80 a surrogate"); break;
    case 19: h->add_reason(r, "ratings.acceptance", INFINITY, "infinite points", "x"); break;
    case 20: h->set_partner(r, "partner-1", 101); break;
    case 21: h->add_reason(r, "ratings.\xC0\xAE", 1, "overlong in the fields", "x"); break;
    }
    return 0;
}

static const imv_param_def params[] = {
    {.name = "mode", .def = 0, .min = 0, .max = 21, .description = "which bad output"},
};

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "robust_bad",
    .name = "Robustness fixture",
    .version = "1.0.0",
    .summary = "returns one kind of bad output, chosen by mode",
    .evidence = "none",
    IMV_PARAMS(params),
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
