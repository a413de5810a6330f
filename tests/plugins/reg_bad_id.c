/* reg_bad_id.c - declares an id that is not [a-z0-9_]+: refused. */
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
    .id = "Bad Id",
    .name = "Bad id",
    .version = "1.0.0",
    .summary = "an id with a capital and a space",
    .evidence = "none",
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
