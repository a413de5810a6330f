/* acceptance.c - the plugin guide's C example: a model that favours
 * councils that accept their judgement.  Build it with
 *   cc -std=c11 -O2 -fPIC -shared -fvisibility=hidden -I/usr/local/include/imeval \
 *      acceptance.c -o acceptance.so
 * and load it with  imeval evaluate --model ./acceptance.so PROFILE */
#include <imeval_plugin.h>

enum { P_WEIGHT, P_FLOOR };

static const imv_param_def params[] = {
    [P_WEIGHT] = {"weight", 10, 0, 25, "points per step of acceptance above 2", IMV_PLAUSIBLE(7, 13)},
    [P_FLOOR] = {"min_acceptance", 1, 0, 4, "below this the model is not viable",
                 IMV_PLAUSIBLE(0.75, 1.25)},
};

static int score(const imv_profile_view *p, const double *w, imv_result *r, const imv_host *h)
{
    double a = p->ratings[IMV_R_ACCEPTANCE];
    double pts = w[P_WEIGHT] * (a - 2);
    h->add_reason(r, "ratings.acceptance", pts,
                  pts >= 0 ? "leaders accept what went wrong" : "leaders dispute the judgement",
                  "003 ch.1: full and frank acknowledgement comes first");
    if (a < w[P_FLOOR])
        h->add_unmet(r, "leaders do not yet accept the judgement");
    imv_journey j = IMV_JOURNEY_INIT;
    h->journey(p, &j);
    h->set_timeline(r, 1, j.months_to_fair, j.months_to_good);
    double s = 50 + pts;
    h->set_score(r, s < 0 ? 0 : s > 100 ? 100 : s);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "acceptance_c",
    .name = "Acceptance (C example)",
    .version = "1.0.0",
    .summary = "scores acceptance of the judgement; more acceptance never lowers it",
    .evidence = "003 ch.1 (recognition of weakness)",
    IMV_PARAMS(params),
    .score = score,
    .directions = "acceptance:+",
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
