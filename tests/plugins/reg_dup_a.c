/* reg_dup_a.c - one of two plugins declaring the same id "reg_dup". */
#include "imeval_plugin.h"

static int score(const imv_profile_view *p, const double *params, imv_result *r, const imv_host *h)
{
    (void)p;
    (void)params;
    h->set_score(r, 50);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "reg_dup",
    .name = "Duplicate a",
    .version = "1.0.0",
    .summary = "shares its id with reg_dup_b",
    .evidence = "none",
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
