/* sdk_no_param_size.c - declares parameters but leaves param_size 0 (the
 * mistake of porting an ABI 1 plugin by hand): refused with the fix. */
#include "imeval_plugin.h"

static const imv_param_def params[] = {
    {"alpha", 1, 0, 2, "units", .flags = IMV_PARAM_FIXED},
};

static int score(const imv_profile_view *p, const double *w, imv_result *r, const imv_host *h)
{
    (void)p;
    h->set_score(r, w[0]);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "sdk_no_param_size",
    .name = "No param_size",
    .version = "1.0.0",
    .summary = "param_size left out",
    .evidence = "none",
    .params = params,
    .n_params = 1,
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
