/* sdk_log.c - uses the debug channel (imv_host.log, ABI 2.1) as a model
 * author would, guarded by IMV_HOST_HAS: a plain line, a line that is not
 * UTF-8, an over-long line and more lines than are kept; fails after
 * logging when acceptance is below 1 (tests/check_sdk.c). */
#include <stdio.h>
#include <string.h>

#include "imeval_plugin.h"

static int score(const imv_profile_view *p, const double *w, imv_result *r, const imv_host *h)
{
    (void)w;
    double a = p->ratings[IMV_R_ACCEPTANCE];
    if (IMV_HOST_HAS(h, log)) {
        char buf[3001];
        snprintf(buf, sizeof buf, "acceptance %.1f", a);
        h->log(r, buf);
        h->log(r, "bad \xff byte");
        memset(buf, 'x', 3000);
        buf[3000] = '\0';
        h->log(r, buf);
        for (int i = 0; i < 110; i++) {
            snprintf(buf, sizeof buf, "line %d", i);
            h->log(r, buf);
        }
    }
    if (a < 1) {
        h->set_error(r, "acceptance below 1");
        return 1;
    }
    h->set_score(r, 50);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "sdk_log",
    .name = "Logs",
    .version = "1.0.0",
    .summary = "writes debug lines",
    .evidence = "none",
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
