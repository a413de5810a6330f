/* tip_a.c - a rule the sensitivity tests can reason about
 * (tests/check_sensitivity.c):
 *     score = 10 * acceptance        (never non-viable)
 * Against tip_b (25, non-viable when failure_extent > 3.5), with every
 * other rating irrelevant, the first model changes exactly where
 * 10 * acceptance reaches 25: acceptance 2.5 (a tie goes to the smaller
 * id, tip_a). */
#include "imeval_plugin.h"

static int score(const imv_profile_view *p, const double *params, imv_result *r, const imv_host *h)
{
    (void)params;
    h->set_score(r, 10 * p->ratings[IMV_R_ACCEPTANCE]);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "tip_a",
    .name = "Tipping fixture A",
    .version = "1.0.0",
    .summary = "10 points per point of acceptance",
    .evidence = "none (test)",
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
