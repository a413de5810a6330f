/*
 * @ID@.c - @TITLE@: an intervention model for imeval, written by
 * `imeval new-model @ID@ --lang c`.  Edit the rule in score() and the
 * parameters; keep every reason's evidence pointing at the research.
 *
 *   make            builds @ID@.so (the SDK's flags from pkg-config imeval-plugin)
 *   make try        evaluates example-council.json with the bundled models and this one
 *   make check      runs imeval check-model on @ID@.so
 *   make backtest   compares the ranking with expected.tsv
 *
 * Declared directions (.directions; check-model tests them): more
 * political_commitment or acceptance never lowers the score; no other
 * rating moves it.  imeval_plugin(3) and the plugin guide say what every
 * field means; imeval_aux.h holds the helpers used here.
 */
#include <imeval_aux.h> /* the SDK's helpers; includes imeval_plugin.h */

enum { P_BASE, P_W_COMMITMENT, P_W_ACCEPTANCE, P_MIN_ACCEPTANCE };

/* name, default, hard limits (a value outside is refused), meaning, and the
 * plausible range --vary-parameters draws from (the base is never drawn). */
static const imv_param_def params[] = {
    [P_BASE] = {"base", 50, 0, 100, "score of an authority with every rating at 2",
                .flags = IMV_PARAM_BASE},
    [P_W_COMMITMENT] = {"w_commitment", 10, 0, 20,
                        "points per rating point of political commitment above 2",
                        IMV_PLAUSIBLE(7.5, 12.5)},
    [P_W_ACCEPTANCE] = {"w_acceptance", 10, 0, 20,
                        "points per rating point of acceptance above 2", IMV_PLAUSIBLE(7.5, 12.5)},
    [P_MIN_ACCEPTANCE] = {"min_acceptance", 1, 0, 4,
                          "acceptance below which the model is not viable",
                          IMV_PLAUSIBLE(0.75, 1.25)},
};

static int score(const imv_profile_view *p, const double *w, imv_result *r, const imv_host *h)
{
    double commitment = p->ratings[IMV_R_POLITICAL_COMMITMENT];
    double acceptance = p->ratings[IMV_R_ACCEPTANCE];

    /* The base score is a reason of its own; each term adds its points and,
     * when they show, a reason citing the research. */
    imv_acc a;
    imv_acc_init(&a, w[P_BASE], p, r, h);
    imv_acc_base(&a, "the model's starting score", "003 ch.4: the choice of formal support");
    imv_acc_term(&a, "ratings.political_commitment", w[P_W_COMMITMENT] * (commitment - 2),
                 "members are committed to change", "members are not committed to change",
                 "003 ch.2: political and corporate commitment");
    imv_acc_term(&a, "ratings.acceptance", w[P_W_ACCEPTANCE] * (acceptance - 2),
                 "leaders accept what went wrong", "leaders dispute the judgement",
                 "003 ch.1: full and frank acknowledgement comes first");

    if (acceptance < w[P_MIN_ACCEPTANCE])
        h->add_unmet(r, "leaders do not yet accept the judgement");

    imv_journey j = IMV_JOURNEY_INIT;
    h->journey(p, &j); /* the baseline journey of report ch.1 */
    h->set_timeline(r, 1, j.months_to_fair, j.months_to_good);
    imv_acc_done(&a); /* sets the score, clamped to 0..100 */
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "@ID@",
    .name = "@TITLE@",
    .version = "0.1.0",
    .summary = "favours committed members and leaders who accept the judgement",
    .evidence = "003 ch.1 (recognition of weakness); 003 ch.2 (political commitment)",
    IMV_PARAMS(params),
    .score = score,
    /* How each rating moves the score (+ never lowers it, - never raises
     * it, 0 no effect): check-model tests every one over generated profiles. */
    .directions = "political_commitment:+,acceptance:+,senior_leadership:0,"
                  "middle_leadership:0,leadership_stability:0,corporate_leadership:0,"
                  "governance:0,partnerships:0,self_assessment:0,workforce_stability:0,"
                  "financial_resilience:0,failure_extent:0,initial_response:0",
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
