/* reg_good.c - a well-behaved native plugin for tests/check_registry.c:
 * every host function used once, the score a plain function of one
 * rating and one parameter so tests can predict it:
 *     score = weight * acceptance + bonus
 * (defaults weight 10, bonus 20: acceptance 2 scores 40). */
#include "imeval_plugin.h"

static const imv_param_def params[] = {
    {"weight", 10, 0, 20, "points per point of acceptance", IMV_PLAUSIBLE(8, 12)},
    {"bonus", 20, -10, 20, "points added to every profile", .flags = IMV_PARAM_FIXED},
};

static int score(const imv_profile_view *p, const double *params_v, imv_result *r, const imv_host *h)
{
    double acc = p->ratings[IMV_R_ACCEPTANCE];
    h->set_score(r, params_v[0] * acc + params_v[1]);
    h->add_reason(r, "ratings.acceptance", params_v[0] * acc, "acceptance counts", "test fixture");
    if (acc < 1)
        h->add_unmet(r, "the council must accept the judgement");
    h->add_risk(r, "a test risk");
    h->set_timeline(r, 2, 20, IMV_UNKNOWN);
    if (p->n_partners > 0)
        h->set_partner(r, p->partners[0]->id, 75);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "reg_good",
    .name = "Registry fixture",
    .version = "2.1.0",
    .summary = "a predictable model for the registry tests",
    .evidence = "none (test)",
    IMV_PARAMS(params),
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
