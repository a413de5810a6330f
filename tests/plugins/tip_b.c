/* tip_b.c - the other half of the sensitivity fixture (see tip_a.c):
 *     score = level (a parameter, default 25, range 0..100)
 *     not viable when failure_extent > 3.5
 * With acceptance 2 (tip_a 20) tip_b is first; it loses first place when
 * acceptance reaches 2.5, when failure_extent passes 3.5 (reported 3.51),
 * or when level falls to 20 (a tie, won by tip_a). */
#include "imeval_plugin.h"

static const imv_param_def params[] = {
    {"level", 25, 0, 100, "the score", .flags = IMV_PARAM_FIXED},
};

static int score(const imv_profile_view *p, const double *pv, imv_result *r, const imv_host *h)
{
    h->set_score(r, pv[0]);
    if (p->ratings[IMV_R_FAILURE_EXTENT] > 3.5)
        h->add_unmet(r, "the failure is too extensive");
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "tip_b",
    .name = "Tipping fixture B",
    .version = "1.0.0",
    .summary = "a constant level, not viable past failure_extent 3.5",
    .evidence = "none (test)",
    IMV_PARAMS(params),
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
