/* sdk_abi1.c - a plugin that says it was built for plugin ABI 1 (before
 * partners became pointers): refused, naming both ABIs. */
#include "imeval_plugin.h"

static int score(const imv_profile_view *p, const double *w, imv_result *r, const imv_host *h)
{
    (void)p;
    (void)w;
    h->set_score(r, 50);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = 1,
    .id = "sdk_abi1",
    .name = "ABI 1",
    .version = "1.0.0",
    .summary = "an ABI 1 plugin",
    .evidence = "none",
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
