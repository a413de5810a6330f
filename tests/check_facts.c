/*
 * check_facts.c - the facts the engine derives for every model
 * (core/facts.c): persistent failure from dated judgements (and "undated"
 * when it cannot tell), systemic failure from the key judgements of the
 * inspection's date, the trajectory under the intervention in place, the
 * rules in force at the profile's date, and the same facts reaching a C
 * plugin in-process, an isolated one and a Lua model.
 */
#include <cjson/cJSON.h>
#include <math.h>

#include "imeval_aux.h"
#include "testutil.h"

static const char ratings[] =
    "\"ratings\":{\"senior_leadership\":2,\"middle_leadership\":2,\"leadership_stability\":2,"
    "\"political_commitment\":2,\"corporate_leadership\":2,\"acceptance\":2,\"governance\":2,"
    "\"partnerships\":2,\"self_assessment\":2,\"workforce_stability\":2,"
    "\"financial_resilience\":2,\"failure_extent\":2,\"initial_response\":2}";

/* A profile dated as_of with the given ofsted object and extra members. */
static imv_profile *make(const char *as_of, const char *ofsted, const char *extra)
{
    char text[8192];
    snprintf(text, sizeof text,
             "{\"format\":\"imeval-profile/1\",\"id\":\"f\",\"name\":\"F\",\"as_of\":\"%s\",%s,"
             "\"ofsted\":%s%s%s}",
             as_of, ratings, ofsted, extra ? "," : "", extra ? extra : "");
    cJSON *j = cJSON_Parse(text);
    ck_assert_msg(j != NULL, "bad JSON %s", text);
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    int rc = imv_profile_from_json(j, "f.json", 1, 0, &p, &d);
    char msg[600] = "";
    if (d.n)
        imv_diag_format(&d.v[0], msg, sizeof msg);
    ck_assert_msg(rc == 0, "refused: %s", msg);
    imv_diags_free(&d);
    cJSON_Delete(j);
    return p;
}

static imv_profile_view view(const imv_profile *p)
{
    imv_profile_view v;
    imv_profile_view_init(p, &v, NULL);
    return v;
}

START_TEST(facts__persistent_failure_from_dated_judgements)
{
    imv_profile *p = make("2015-06",
                          "{\"grade\":\"inadequate\",\"inspected\":\"2015-03\","
                          "\"previous\":[{\"grade\":\"inadequate\",\"date\":\"2013-06\"}]}",
                          NULL);
    imv_profile_view v = view(p);
    ck_assert_int_eq(v.persistent_failure, IMV_FACT_YES);
    ck_assert_str_eq(v.persistent_since, "2013-06");
    ck_assert_double_eq_tol(v.persistent_gap_months, 21, 1e-9);
    imv_profile_free(p);
    /* Ten years apart is not "more than once in five years". */
    p = make("2015-06",
             "{\"grade\":\"inadequate\",\"inspected\":\"2015-03\","
             "\"previous\":[{\"grade\":\"good\",\"date\":\"2012-01\"},"
             "{\"grade\":\"inadequate\",\"date\":\"2005-03\"},\"inadequate\"]}",
             NULL);
    v = view(p);
    ck_assert_int_eq(v.persistent_failure, IMV_FACT_NO); /* the undated one is older still */
    ck_assert_ptr_null(v.persistent_since);
    ck_assert_double_eq(v.persistent_gap_months, IMV_UNKNOWN);
    imv_profile_free(p);
    /* Exactly five years (60 months) counts; a month more does not. */
    p = make("2015-06",
             "{\"grade\":\"inadequate\",\"inspected\":\"2015-03\","
             "\"previous\":[{\"grade\":\"inadequate\",\"date\":\"2010-03\"}]}",
             NULL);
    ck_assert_int_eq(view(p).persistent_failure, IMV_FACT_YES);
    imv_profile_free(p);
    p = make("2015-06",
             "{\"grade\":\"inadequate\",\"inspected\":\"2015-03\","
             "\"previous\":[{\"grade\":\"inadequate\",\"date\":\"2010-02\"}]}",
             NULL);
    ck_assert_int_eq(view(p).persistent_failure, IMV_FACT_NO);
    imv_profile_free(p);
    /* Undated: imeval cannot tell, and says so. */
    p = make("2015-06", "{\"grade\":\"inadequate\",\"previous\":[\"good\",\"inadequate\"]}", NULL);
    ck_assert_int_eq(view(p).persistent_failure, IMV_FACT_UNDATED);
    imv_profile_free(p);
    /* Without inspected the current judgement is dated as_of. */
    p = make("2015-06",
             "{\"grade\":\"inadequate\",\"previous\":[{\"grade\":\"inadequate\","
             "\"date\":\"2011-01\"}]}",
             NULL);
    v = view(p);
    ck_assert_int_eq(v.persistent_failure, IMV_FACT_YES);
    ck_assert_double_eq_tol(v.persistent_gap_months, 53, 1e-9);
    imv_profile_free(p);
    /* Not inadequate now: no persistent failure, whatever came before. */
    p = make("2015-06",
             "{\"grade\":\"requires_improvement\",\"previous\":[{\"grade\":"
             "\"inadequate\",\"date\":\"2013-06\"}]}",
             NULL);
    ck_assert_int_eq(view(p).persistent_failure, IMV_FACT_NO);
    imv_profile_free(p);
}
END_TEST

START_TEST(facts__systemic_failure_from_the_key_judgements)
{
    static const struct {
        const char *as_of, *judgements;
        imv_fact_state want;
        unsigned key;
    } c[] = {
        {"2015-06",
         "\"leadership\":\"inadequate\",\"help_and_protection\":\"inadequate\","
         "\"children_in_care\":\"inadequate\",\"adoption\":\"good\"",
         IMV_FACT_YES, 0x7},
        /* before 2023 care leavers is a sub-judgement and does not count */
        {"2019-06",
         "\"leadership\":\"inadequate\",\"help_and_protection\":\"inadequate\","
         "\"children_in_care\":\"inadequate\",\"care_leavers\":\"requires_improvement\"",
         IMV_FACT_YES, 0x7},
        /* from 2023 it is a key judgement of its own */
        {"2023-06",
         "\"leadership\":\"inadequate\",\"help_and_protection\":\"inadequate\","
         "\"children_in_care\":\"inadequate\",\"care_leavers\":\"requires_improvement\"",
         IMV_FACT_NO, 0xf},
        {"2015-06", "\"leadership\":\"inadequate\",\"help_and_protection\":\"requires_improvement\"",
         IMV_FACT_NO, 0x3},
        {"2015-06", "\"adoption\":\"inadequate\"", IMV_FACT_UNKNOWN, 0},
        {"2015-06", "", IMV_FACT_UNKNOWN, 0},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char ofsted[600];
        snprintf(ofsted, sizeof ofsted, "{\"grade\":\"inadequate\",\"judgements\":{%s}}",
                 c[i].judgements);
        imv_profile *p = make(c[i].as_of, ofsted, NULL);
        imv_profile_view v = view(p);
        ck_assert_msg(v.systemic_failure == c[i].want, "case %zu: %d", i, v.systemic_failure);
        ck_assert_uint_eq(v.key_judgements_given, c[i].key);
        imv_profile_free(p);
    }
}
END_TEST

static imv_profile *under_board(const char *ofsted, const char *progress)
{
    char iv[1200];
    snprintf(iv, sizeof iv,
             "\"current_intervention\":{\"model\":\"improvement_board\","
             "\"since\":\"2013-10\",\"kind\":\"notice\"%s%s}",
             progress ? ",\"progress\":" : "", progress ? progress : "");
    return make("2015-06", ofsted, iv);
}

START_TEST(facts__trajectory_under_the_intervention)
{
    /* Re-inspected at inadequate after the notice: static. */
    imv_profile *p = under_board("{\"grade\":\"inadequate\",\"inspected\":\"2015-03\","
                                 "\"previous\":[{\"grade\":\"inadequate\",\"date\":\"2013-06\"}]}",
                                 NULL);
    imv_profile_view v = view(p);
    ck_assert_int_eq(v.judgement_trend, IMV_TREND_STATIC);
    ck_assert_int_eq(v.trajectory, IMV_TREND_STATIC);
    ck_assert_str_eq(v.trajectory_date, "2015-03");
    ck_assert_uint_eq(v.judgements_since, 1);
    ck_assert_int_eq(v.intervention_kind, IMV_KIND_NOTICE);
    imv_profile_free(p);
    /* Fallen from requires improvement to inadequate under the notice. */
    p = under_board("{\"grade\":\"inadequate\",\"inspected\":\"2015-03\","
                    "\"previous\":[{\"grade\":\"requires_improvement\",\"date\":\"2013-06\"}]}",
                    NULL);
    ck_assert_int_eq(view(p).trajectory, IMV_TREND_DETERIORATING);
    imv_profile_free(p);
    /* Out of inadequate. */
    p = under_board("{\"grade\":\"requires_improvement\",\"inspected\":\"2015-03\"}", NULL);
    ck_assert_int_eq(view(p).judgement_trend, IMV_TREND_IMPROVING); /* baseline inadequate */
    imv_profile_free(p);
    /* Without inspected the current grade may be the one that brought
     * the notice: it is not evidence of the trajectory. */
    p = under_board("{\"grade\":\"inadequate\",\"previous\":[{\"grade\":\"good\","
                    "\"date\":\"2011-01\"}]}",
                    NULL);
    v = view(p);
    ck_assert_int_eq(v.trajectory, IMV_TREND_UNKNOWN);
    ck_assert_ptr_null(v.trajectory_date);
    ck_assert_uint_eq(v.judgements_since, 0);
    imv_profile_free(p);
    /* A later monitoring finding is newer evidence than the judgement. */
    p = under_board("{\"grade\":\"inadequate\",\"inspected\":\"2014-03\"}",
                    "[{\"date\":\"2015-01\",\"finding\":\"improving\",\"by\":\"ofsted_monitoring\"},"
                    "{\"date\":\"2014-09\",\"finding\":\"static\",\"by\":\"board\"}]");
    v = view(p);
    ck_assert_int_eq(v.judgement_trend, IMV_TREND_STATIC);
    ck_assert_int_eq(v.latest_finding, IMV_TREND_IMPROVING);
    ck_assert_int_eq(v.trajectory, IMV_TREND_IMPROVING);
    ck_assert_str_eq(v.trajectory_date, "2015-01");
    ck_assert_uint_eq(v.n_progress, 2);
    ck_assert_str_eq(v.progress[1]->date, "2014-09");
    imv_profile_free(p);
    /* Findings only. */
    p = under_board("{\"grade\":\"inadequate\"}",
                    "[{\"date\":\"2015-01\",\"finding\":\"deteriorating\",\"by\":\"dfe\"}]");
    ck_assert_int_eq(view(p).trajectory, IMV_TREND_DETERIORATING);
    imv_profile_free(p);
    /* No intervention: no trajectory. */
    p = make("2015-06", "{\"grade\":\"inadequate\",\"inspected\":\"2015-03\"}", NULL);
    ck_assert_int_eq(view(p).trajectory, IMV_TREND_UNKNOWN);
    imv_profile_free(p);
}
END_TEST

/* the two rules of 2013: commissioners' reviews and the first trust */
#define R13 (IMV_RULE_COMMISSIONER_REVIEWS | IMV_RULE_TRUSTS)

START_TEST(facts__rules_in_force_at_the_profiles_date)
{
    static const struct {
        const char *as_of;
        unsigned want;
    } c[] = {
        {"2012-12", 0},
        {"2013-01", R13},
        {"2013-12", R13},
        {"2014-01", R13 | IMV_RULE_PROFIT_RESTRICTION},
        {"2015", R13 | IMV_RULE_PROFIT_RESTRICTION},
        {"2015-12-31", R13 | IMV_RULE_PROFIT_RESTRICTION},
        {"2016-01", R13 | IMV_RULE_PROFIT_RESTRICTION | IMV_RULE_COMMISSIONER},
        {"2017-01", R13 | 0x0f},
        {"2022-12", R13 | 0x0f},
        {"2023-01", R13 | 0x1f},
        {"2024", R13 | 0x1f},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        imv_profile *p = make(c[i].as_of, "{\"grade\":\"inadequate\"}", NULL);
        imv_profile_view v = view(p);
        ck_assert_msg(v.rules_in_force == c[i].want, "%s: %x", c[i].as_of, v.rules_in_force);
        ck_assert_int_eq(imv_rule_in_force(&v, IMV_RULE_COMMISSIONER),
                         (c[i].want & IMV_RULE_COMMISSIONER) != 0);
        imv_profile_free(p);
    }
    for (int i = 0; i < IMV_RULE_COUNT; i++) {
        ck_assert(strncmp(imv_rule(i)->evidence, "DOMAIN rules in force", 21) == 0);
        ck_assert_str_eq(imv_rule_evidence(imv_rule(i)->bit), imv_rule(i)->evidence);
    }
    ck_assert_ptr_null(imv_rule(IMV_RULE_COUNT));
}
END_TEST

static const char rich_ofsted[] =
    "{\"grade\":\"inadequate\",\"inspected\":\"2017-03\",\"judgements\":{\"leadership\":"
    "\"inadequate\",\"help_and_protection\":\"inadequate\",\"children_in_care\":\"inadequate\","
    "\"adoption\":\"good\"},\"previous\":[{\"grade\":\"requires_improvement\",\"date\":"
    "\"2015-01\"},\"inadequate\"]}";
static const char rich_iv[] =
    "\"current_intervention\":{\"model\":\"commissioner\",\"since\":\"2015-06\",\"kind\":"
    "\"direction\",\"progress\":[{\"date\":\"2016-11\",\"finding\":\"mixed\",\"by\":"
    "\"commissioner\",\"note\":\"front door better\"}]}";

/* What a native plugin sees, in-process and in an isolated child. */
static char *facts_risk(int isolate)
{
    imv_limits lim;
    imv_limits_default(&lim);
    lim.isolate = isolate;
    imv_registry *reg = imv_registry_new(&lim);
    imv_diags d;
    imv_diags_init(&d);
    char path[512];
    snprintf(path, sizeof path, "%s/sdk_facts.so", TU_FIXTURES);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    ck_assert_int_eq(imv_model_isolated(imv_registry_get(reg, 0)), isolate);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make("2017-06", rich_ofsted, rich_iv);
    imv_evaluation e;
    ck_assert_int_eq(imv_evaluate(w, p, &e), 0);
    ck_assert_msg(!e.results[0].error, "%s", e.results[0].error);
    ck_assert_uint_eq(e.results[0].n_risks, 1);
    char *s = strdup(e.results[0].risks[0]);
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
    imv_diags_free(&d);
    return s;
}

START_TEST(facts__reach_native_plugins_in_process_and_isolated)
{
    char *in = facts_risk(0), *out = facts_risk(1);
    ck_assert_str_eq(in, out);
    ck_assert_str_eq(in, "insp=2017-03 prev=2@2015-01,3@-, judg=17:3,3,3,-1,1, kind=3 "
                         "prog=2016-11/2/1/front door better; pers=2 since=- gap=-1 sys=1 key=7 traj=4 jt=4 lf=2 "
                         "tdate=2017-03 jsince=1 rules=6f st=3 sg=2 base=2 reinsp=21 past=0");
    free(in);
    free(out);
}
END_TEST

static const char lua_facts[] =
    "return { id = 'sdk_lua_facts', name = 'n', version = '1.0.0', summary = 's', evidence = 'e',\n"
    "  score = function(p)\n"
    "    local h, ci, r = {}, p.current_intervention, {}\n"
    "    for i, x in ipairs(p.history) do h[#h + 1] = x.grade .. '@' .. (x.date or '-') end\n"
    "    for k in pairs(p.rules_in_force) do r[#r + 1] = k end\n"
    "    local pr = ci.progress[1]\n"
    "    return { score = 50, risks = {\n"
    "      p.inspected, table.concat(h, ','), p.judgements.leadership, p.judgements.adoption,\n"
    "      tostring(p.judgements.care_leavers), ci.kind,\n"
    "      pr.date .. '/' .. pr.finding .. '/' .. pr.by .. '/' .. pr.note,\n"
    "      p.persistent_failure, tostring(p.persistent_since), p.systemic_failure,\n"
    "      table.concat(p.key_judgements_given, ','), p.trajectory, p.judgement_trend,\n"
    "      p.latest_finding, p.trajectory_date, tostring(p.judgements_since),\n"
    "      table.concat(r, ','), ci.status, ci.why,\n"
    "      p.rules.trajectory .. '/' .. p.rules.persistent .. '/' .. p.rules.systemic .. '/' ..\n"
    "        p.rules.n_key .. string.format('/%g/%g', p.rules.months, p.rules.commissioner_weight) } }\n"
    "  end }\n";

START_TEST(facts__reach_lua_models)
{
    char *f = tu_write_temp_str(lua_facts, ".lua");
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, f, 0, &d), 0);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make("2017-06", rich_ofsted, rich_iv);
    imv_evaluation e;
    ck_assert_int_eq(imv_evaluate(w, p, &e), 0);
    const imv_result *x = &e.results[0];
    ck_assert_msg(!x->error, "%s", x->error);
    static const char *const want[] = {
        "2017-03",
        "requires_improvement@2015-01,inadequate@-",
        "inadequate",
        "good",
        "nil",
        "direction",
        "2016-11/mixed/commissioner/front door better",
        "undated",
        "nil",
        "yes",
        "leadership,help_and_protection,children_in_care",
        "deteriorating",
        "deteriorating",
        "mixed",
        "2017-03",
        "1",
        "commissioner,commissioner_reviews,presumption_of_removal,profit_restriction,sector_led,trusts",
        "deteriorating",
        "fallen from requires_improvement to inadequate under it",
        "deteriorating/-1/1/3/24/1",
    };
    ck_assert_uint_eq(x->n_risks, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < x->n_risks; i++)
        ck_assert_msg(strcmp(x->risks[i], want[i]) == 0, "risk %zu: %s, expected %s", i,
                      x->risks[i], want[i]);
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
    imv_diags_free(&d);
    unlink(f);
    free(f);
}
END_TEST

static Suite *facts_suite(void)
{
    Suite *s = suite_create("facts");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, facts__persistent_failure_from_dated_judgements);
    tcase_add_test(tc, facts__systemic_failure_from_the_key_judgements);
    tcase_add_test(tc, facts__trajectory_under_the_intervention);
    tcase_add_test(tc, facts__rules_in_force_at_the_profiles_date);
    tcase_add_test(tc, facts__reach_native_plugins_in_process_and_isolated);
    tcase_add_test(tc, facts__reach_lua_models);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_main(facts_suite());
}
