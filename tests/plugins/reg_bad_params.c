/* reg_bad_params.c - declares a parameter whose default lies outside its
 * own range: refused at load, naming the parameter. */
#include "imeval_plugin.h"

static const imv_param_def params[] = {
    {"ok", 1, 0, 2, "a good parameter", IMV_PLAUSIBLE(0.5, 1.5)},
    {"threshold", 5, 0, 1, "default 5 is outside 0..1", .flags = IMV_PARAM_FIXED},
};

static int score(const imv_profile_view *p, const double *params_v, imv_result *r, const imv_host *h)
{
    (void)p;
    (void)params_v;
    h->set_score(r, 50);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "reg_bad_params",
    .name = "Bad parameters",
    .version = "1.0.0",
    .summary = "a parameter default outside its range",
    .evidence = "none",
    IMV_PARAMS(params),
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
