/* host_all.c - a plugin that calls every host function, for comparing the
 * isolated path with the in-process one (tests/check_isolate.c,
 * tests/e2e/robust_isolate.sh).  Driven by the acceptance rating a, so that
 * uncertainty draws cross every branch:
 *   a < 1 (or an id starting "err"): set_error, no score;
 *   a < 2: a score and an unmet precondition (not viable);
 *   always: a score, two reasons, a risk, a timeline from journey(), and
 *   the first partner when there is one. */
#include <stdio.h>
#include <string.h>

#include "imeval_plugin.h"

static const imv_param_def params[] = {
    {"bonus", 10, 0, 20, "points added to every score", IMV_PLAUSIBLE(5, 15)},
};

static int score(const imv_profile_view *p, const double *prm, imv_result *r, const imv_host *h)
{
    double a = p->ratings[IMV_R_ACCEPTANCE];
    char buf[200];
    if (strncmp(p->id, "err", 3) == 0 || a < 1) {
        snprintf(buf, sizeof buf, "%s %.2f is below 1", h->rating_name(IMV_R_ACCEPTANCE), a);
        h->set_error(r, buf);
        return 1;
    }
    h->set_score(r, 10 * a + 5 * p->ratings[IMV_R_SENIOR_LEADERSHIP] + prm[0]);
    snprintf(buf, sizeof buf, "%s counts ten points a step (engine %s, ABI %u)",
             h->rating_name(IMV_R_ACCEPTANCE), h->engine_version, (unsigned)h->abi);
    h->add_reason(r, "ratings.acceptance", 10 * a, buf, "fixture, chapter 1");
    h->add_reason(r, "ratings.senior_leadership", 5 * p->ratings[IMV_R_SENIOR_LEADERSHIP],
                  "leadership five", "fixture, chapter 2");
    if (a < 2) {
        snprintf(buf, sizeof buf, "%s of at least 2 with a grade of %s",
                 h->rating_name(IMV_R_ACCEPTANCE), h->grade_name(p->grade));
        h->add_unmet(r, buf);
    }
    snprintf(buf, sizeof buf, "%s may rise", h->fact_name(IMV_F_AGENCY_RATE));
    h->add_risk(r, buf);
    imv_journey j = {sizeof j, 0, 0, 0};
    h->journey(p, &j);
    h->set_timeline(r, 3, j.months_to_fair, j.months_to_good);
    if (p->n_partners > 0) {
        /* the parts of the partner named, and of one that is not (dropped) */
        h->partner_component(r, p->partners[0]->id, "base", 40, "fixture, chapter 3");
        h->partner_component(r, "not-named", "base", 1, "");
        h->set_partner(r, p->partners[0]->id, 40 + 10 * a);
        h->partner_component(r, p->partners[0]->id, "receiving_conditions", 10 * a, "");
    }
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "host_all",
    .name = "Every host function",
    .version = "1.0.0",
    .summary = "calls every host function",
    .evidence = "none",
    IMV_PARAMS(params),
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
