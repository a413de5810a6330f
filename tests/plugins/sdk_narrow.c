/* sdk_narrow.c - a plugin whose parameter struct stops after the
 * description (the first five fields): rows are read with its size and
 * the fields it lacks are zero, so nothing is drawn (tests/check_sdk.c). */
#include "imeval_plugin.h"

typedef struct narrow_param {
    const char *name;
    double def, min, max;
    const char *description;
} narrow_param;

static const narrow_param params[] = {
    {"alpha", 1, 0, 2, "units"},
    {"beta", 2, 0, 4, "tens"},
};

static int score(const imv_profile_view *p, const double *w, imv_result *r, const imv_host *h)
{
    (void)p;
    h->set_score(r, 50 + w[0] + 10 * w[1]);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "sdk_narrow",
    .name = "Narrow parameters",
    .version = "1.0.0",
    .summary = "parameters declared with a shorter struct",
    .evidence = "none",
    .params = (const imv_param_def *)(const void *)params,
    .n_params = sizeof params / sizeof params[0],
    .param_size = sizeof params[0],
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
