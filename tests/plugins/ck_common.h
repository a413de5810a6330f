/* ck_common.h - fixtures of `imeval check-model` (tests/e2e/check_model.sh):
 * one small, well-behaved model, and macros a fixture defines before
 * including this file to break exactly one rule of the plugin guide.
 *   CK_ID        the model id (required)
 *   CK_FIELDS    the fields its reason names (default ratings.acceptance)
 *   CK_EVIDENCE  the evidence of its reason (default a real citation)
 *   CK_NO_REASON defined: it gives no reason at all
 *   CK_STATEFUL  defined: each call adds one more point (state kept)
 *   CK_BAD_TIMELINE defined: fair comes after good
 *   CK_BAD_PARTNER defined: names a partner the profile does not list
 *   CK_GRADE_POINTS the "grade" component of the partner's fit (default 10:
 *                the components 40 + 10 sum to the fit 50)
 *   CK_SCORE_ONLY_DIFFERS defined: score-only calls score 1 higher
 *   CK_BRIEF_DIFFERS defined: brief calls (a CSV) give no timeline, as if
 *                they were score-only
 *   CK_BATCH     0 none, 1 a batch path that agrees, 2 one that does not
 *   CK_DIRECTIONS  the declared directions (default acceptance:+, political_commitment:0)
 * The score: 40 + 10 * (acceptance - 2), 0..100. */
#include "imeval_plugin.h"

#ifndef CK_FIELDS
#define CK_FIELDS "ratings.acceptance"
#endif
#ifndef CK_EVIDENCE
#define CK_EVIDENCE "003 ch.1: full and frank acknowledgement comes first"
#endif
#ifndef CK_GRADE_POINTS
#define CK_GRADE_POINTS 10
#endif
#ifndef CK_BATCH
#define CK_BATCH 0
#endif
#ifndef CK_DIRECTIONS
#define CK_DIRECTIONS "acceptance:+,political_commitment:0"
#endif
#ifndef CK_SUMMARY
#define CK_SUMMARY "a check-model fixture; more acceptance never lowers it"
#endif

static const imv_param_def params[] = {
    {"weight", 10, 0, 20, "points per rating point of acceptance above 2", IMV_PLAUSIBLE(8, 12)},
};

#ifdef CK_STATEFUL
static double drift;
#endif

static int score(const imv_profile_view *p, const double *w, imv_result *r, const imv_host *h)
{
    double pts = w[0] * (p->ratings[IMV_R_ACCEPTANCE] - 2);
    double s = 40 + pts;
#ifdef CK_STATEFUL
    s += drift;
    drift += 0.001;
#endif
#ifdef CK_SCORE_ONLY_DIFFERS
    if (p->flags & IMV_VIEW_SCORE_ONLY)
        s += 1;
#endif
#ifndef CK_NO_REASON
    h->add_reason(r, CK_FIELDS, pts, "leaders accept what went wrong", CK_EVIDENCE);
#endif
#ifdef CK_BAD_TIMELINE
    h->set_timeline(r, 2, 40, 30);
#elif defined CK_BRIEF_DIFFERS
    if (!(p->flags & IMV_VIEW_BRIEF))
        h->set_timeline(r, 2, 20, 40);
#else
    h->set_timeline(r, 2, 20, 40);
#endif
#ifdef CK_BAD_PARTNER
    h->set_partner(r, "nowhere-council", 50);
#else
    if (p->n_partners > 0) {
        h->set_partner(r, p->partners[0]->id, 50);
        h->partner_component(r, p->partners[0]->id, "base", 40, CK_EVIDENCE);
        h->partner_component(r, p->partners[0]->id, "grade", CK_GRADE_POINTS, CK_EVIDENCE);
    }
#endif
    h->set_score(r, s < 0 ? 0 : s > 100 ? 100 : s);
    return 0;
}

#if CK_BATCH
static int score_batch(const imv_profile_view *const *v, const double *const *w, size_t n,
                       imv_result *const *r, const imv_host *h)
{
    for (size_t i = 0; i < n; i++) {
        score(v[i], w[i], r[i], h);
        if (CK_BATCH == 2)
            h->set_score(r[i], 0.5);
    }
    return 0;
}
#endif

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = CK_ID,
    .name = "check-model fixture",
    .version = "1.0.0",
    .summary = CK_SUMMARY,
    .evidence = "003 ch.1 (recognition of weakness)",
    IMV_PARAMS(params),
    .directions = CK_DIRECTIONS,
    .score = score,
#if CK_BATCH
    .score_batch = score_batch,
#endif
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
