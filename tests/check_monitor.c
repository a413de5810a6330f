/* check_monitor.c - an intervention in place is on track, stalling (and
 * escalated) or done (step down), as DOMAIN.md's rules in force say. */
#include "imeval_aux.h"
#include "monitor.h"
#include "testutil.h"
#include <cjson/cJSON.h>

static imv_registry *reg;
static imv_worker *worker;

static void setup(void)
{
    imv_diags d;
    imv_diags_init(&d);
    reg = imv_registry_new(NULL);
    ck_assert_int_eq(imv_registry_load_dir(reg, TU_MODELS, 1, &d), 0);
    worker = imv_worker_new(reg);
    imv_diags_free(&d);
}

static void teardown(void)
{
    imv_worker_free(worker);
    imv_registry_free(reg);
}

/* A council with decent member and officer capacity under an improvement
 * board since `since`, judged `grade` at 2020-01. */
static imv_profile *board_profile(const char *grade, const char *since)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"format\":\"imeval-profile/1\",\"id\":\"m\",\"name\":\"M\",\"as_of\":\"2020-01\","
             "\"ofsted\":{\"grade\":\"%s\"},\"ratings\":{"
             "\"senior_leadership\":2.5,\"middle_leadership\":2.5,\"leadership_stability\":2.5,"
             "\"political_commitment\":3,\"corporate_leadership\":3,\"acceptance\":3,"
             "\"governance\":2.5,\"partnerships\":2.5,\"self_assessment\":2.5,"
             "\"workforce_stability\":2.5,\"financial_resilience\":2.5,\"failure_extent\":2,"
             "\"initial_response\":2.5},"
             "\"current_intervention\":{\"model\":\"improvement_board\",\"since\":\"%s\"}}",
             grade, since);
    imv_diags d;
    imv_diags_init(&d);
    cJSON *j = cJSON_Parse(json);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_profile_from_json(j, "t.json", 1, 0, &p, &d), 0);
    cJSON_Delete(j);
    imv_diags_free(&d);
    return p;
}

static imv_monitor assess(const char *grade, const char *since)
{
    imv_profile *p = board_profile(grade, since);
    imv_evaluation e;
    imv_evaluate(worker, p, &e);
    imv_monitor m;
    imv_monitor_assess(&e, &m);
    /* The monitor borrows from e; keep only what the tests read. */
    static char escalate[64];
    if (m.escalate_to) {
        snprintf(escalate, sizeof escalate, "%s", m.escalate_to);
        m.escalate_to = escalate;
    }
    m.reason = NULL;
    m.model = "improvement_board";
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    return m;
}

START_TEST(monitor__within_expected_time_is_on_track)
{
    imv_monitor m = assess("inadequate", "2019-01");
    ck_assert_int_eq(m.status, IMV_MON_ON_TRACK);
    ck_assert(m.months >= 12 && m.months < 13);
    ck_assert_ptr_null(m.escalate_to);
}
END_TEST

START_TEST(monitor__past_expected_time_is_stalling_and_escalates)
{
    imv_monitor m = assess("inadequate", "2016-01");
    ck_assert_int_eq(m.status, IMV_MON_STALLING);
    ck_assert(m.months >= 48);
    ck_assert_ptr_nonnull(m.escalate_to);
    ck_assert_str_ne(m.escalate_to, "improvement_board");
}
END_TEST

START_TEST(monitor__no_longer_inadequate_steps_down)
{
    imv_monitor m = assess("requires_improvement", "2016-01");
    ck_assert_int_eq(m.status, IMV_MON_IMPROVED);
    char buf[400];
    imv_monitor_sentence(&m, buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "stepping down"));
}
END_TEST

START_TEST(monitor__json_result_carries_the_status)
{
    char *json = NULL;
    char cmd[1024];
    char *path = tu_write_temp_str(
        "{\"format\":\"imeval-profile/1\",\"id\":\"s\",\"name\":\"S\",\"as_of\":\"2020-01\","
        "\"ofsted\":{\"grade\":\"inadequate\"},\"ratings\":{"
        "\"senior_leadership\":2.5,\"middle_leadership\":2.5,\"leadership_stability\":2.5,"
        "\"political_commitment\":3,\"corporate_leadership\":3,\"acceptance\":3,"
        "\"governance\":2.5,\"partnerships\":2.5,\"self_assessment\":2.5,"
        "\"workforce_stability\":2.5,\"financial_resilience\":2.5,\"failure_extent\":2,"
        "\"initial_response\":2.5},"
        "\"current_intervention\":{\"model\":\"improvement_board\",\"since\":\"2016-01\"}}",
        ".json");
    snprintf(cmd, sizeof cmd, "%s evaluate --format json %s", TU_BIN, path);
    ck_assert_int_eq(tu_run(cmd, &json, NULL), 0);
    cJSON *doc = cJSON_Parse(json);
    ck_assert_ptr_nonnull(doc);
    cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    cJSON *iv = cJSON_GetObjectItem(res, "intervention");
    ck_assert_ptr_nonnull(iv);
    ck_assert_str_eq(cJSON_GetObjectItem(iv, "status")->valuestring, "stalling");
    ck_assert_str_eq(cJSON_GetObjectItem(iv, "model")->valuestring, "improvement_board");
    cJSON *esc = cJSON_GetObjectItem(iv, "escalate_to");
    ck_assert(cJSON_IsString(esc));
    ck_assert_str_eq(esc->valuestring, cJSON_GetObjectItem(res, "recommended")->valuestring);
    cJSON_Delete(doc);
    free(json);
    unlink(path);
    free(path);
}
END_TEST

/* ---- the trajectory (core/facts.c: the engine's one decision) ----------- */

typedef struct traj_out {
    imv_iv_status status;
    int past_expected;
    char why[400];
} traj_out;

/* The view's decision on a board in place since `since` at 2016-06,
 * expected to take 24 months. */
static traj_out traj(int grade, const char *inspected, const char *since, int prev_grade,
                     const char *prev_date, int finding, const char *finding_date)
{
    imv_profile *p = tu_history_profile("2016-06", grade, inspected, since, prev_grade, prev_date,
                                        finding, finding_date);
    ck_assert_ptr_nonnull(p);
    imv_profile_view v;
    imv_profile_view_init(p, &v, NULL);
    imv_profile_view_status(&v, p, 24);
    traj_out o = {.status = v.intervention_status,
                  .past_expected = (int)v.intervention_past_expected};
    imv_intervention_why(&v, o.why, sizeof o.why);
    imv_profile_free(p);
    return o;
}

/* Issue 11.2: re-inspected inadequate 16 months into a notice is stalled,
 * not "on track; hold your nerve", although 16 < 24 months. */
START_TEST(trajectory__reinspected_inadequate_after_the_first_year_is_stalled)
{
    traj_out r = traj(IMV_G_INADEQUATE, "2016-05", "2015-01", IMV_G_INADEQUATE, "2014-11", 0, NULL);
    ck_assert_int_eq(r.status, IMV_IV_STATUS_STALLED);
    ck_assert_ptr_nonnull(strstr(r.why, "re-inspected inadequate 16 months in"));
    /* ... but inside the first year (diagnostic and stabilising, 003 ch.1) it is not. */
    r = traj(IMV_G_INADEQUATE, "2015-09", "2015-01", IMV_G_INADEQUATE, "2014-11", 0, NULL);
    ck_assert_int_eq(r.status, IMV_IV_STATUS_ON_TRACK);
}
END_TEST

/* Issue 11.2: fallen from requires improvement to inadequate under a notice. */
START_TEST(trajectory__fall_under_a_notice_is_deteriorating)
{
    traj_out r = traj(IMV_G_INADEQUATE, "2016-03", "2014-06", IMV_G_REQUIRES_IMPROVEMENT, "2014-01",
                      0, NULL);
    ck_assert_int_eq(r.status, IMV_IV_STATUS_DETERIORATING);
    ck_assert_ptr_nonnull(strstr(r.why, "fallen from requires_improvement to inadequate"));
}
END_TEST

/* Months are one signal: a monitoring finding of improvement keeps an
 * intervention past its months on track; a static one stalls it early;
 * an improving inspection at re-inspection rescues it (Doncaster 2015). */
START_TEST(trajectory__findings_weigh_with_the_months)
{
    traj_out r = traj(IMV_G_INADEQUATE, NULL, "2013-01", -1, NULL, IMV_TREND_IMPROVING, "2016-04");
    ck_assert_int_eq(r.status, IMV_IV_STATUS_ON_TRACK);
    ck_assert(r.past_expected);
    ck_assert_ptr_nonnull(strstr(r.why, "though past its expected time"));
    r = traj(IMV_G_INADEQUATE, NULL, "2013-01", -1, NULL, 0, NULL);
    ck_assert_int_eq(r.status, IMV_IV_STATUS_STALLED);
    ck_assert_str_eq(r.why, "41 months in, past the expected 24, still inadequate");
    r = traj(IMV_G_INADEQUATE, NULL, "2015-12", -1, NULL, IMV_TREND_STATIC, "2016-05");
    ck_assert_int_eq(r.status, IMV_IV_STATUS_STALLED);
    r = traj(IMV_G_INADEQUATE, NULL, "2015-12", -1, NULL, IMV_TREND_DETERIORATING, "2016-05");
    ck_assert_int_eq(r.status, IMV_IV_STATUS_DETERIORATING);
    r = traj(IMV_G_INADEQUATE, "2016-04", "2015-03", -1, NULL, IMV_TREND_IMPROVING, "2016-04");
    ck_assert_int_eq(r.status, IMV_IV_STATUS_ON_TRACK);
    ck_assert_ptr_nonnull(strstr(r.why, "but found improving"));
}
END_TEST

/* A profile at 2016-06 judged inadequate (inspected 2016-03) with one
 * earlier inadequate judgement dated prev_date (NULL: undated) and key
 * judgements (NULL: none), as the models' rule facts read it. */
static imv_rule_facts rule_facts(const char *prev_date, const char *judgements)
{
    char json[2048], prev[128];
    if (prev_date)
        snprintf(prev, sizeof prev, "{\"grade\":\"inadequate\",\"date\":\"%s\"}", prev_date);
    else
        snprintf(prev, sizeof prev, "\"inadequate\"");
    snprintf(json, sizeof json,
             "{\"format\":\"imeval-profile/1\",\"id\":\"r\",\"name\":\"R\",\"as_of\":\"2016-06\","
             "\"ofsted\":{\"grade\":\"inadequate\",\"inspected\":\"2016-03\",\"previous\":[%s]%s%s},"
             "\"ratings\":{\"senior_leadership\":2,\"middle_leadership\":2,\"leadership_stability\":2,"
             "\"political_commitment\":2,\"corporate_leadership\":2,\"acceptance\":2,"
             "\"governance\":2,\"partnerships\":2,\"self_assessment\":2,"
             "\"workforce_stability\":2,\"financial_resilience\":2,\"failure_extent\":2,"
             "\"initial_response\":2}}",
             prev, judgements ? ",\"judgements\":" : "", judgements ? judgements : "");
    imv_diags d;
    imv_diags_init(&d);
    cJSON *j = cJSON_Parse(json);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_profile_from_json(j, "r.json", 1, 0, &p, &d), 0);
    cJSON_Delete(j);
    imv_diags_free(&d);
    imv_profile_view v;
    imv_profile_view_init(p, &v, NULL);
    imv_rule_facts ru;
    imv_rule_facts_of_view(&v, &ru);
    imv_profile_free(p);
    return ru;
}

/* "More than once in five years", from dates: not for judgements ten years
 * apart; undated earlier judgements leave it open. */
START_TEST(rules__persistent_failure_is_dated)
{
    imv_rule_facts r = rule_facts("2013-06", NULL);
    ck_assert_int_eq(r.persistent, 1);
    ck_assert_int_eq(r.persistent_earlier_year, 2013);
    ck_assert_int_eq(r.persistent_year, 2016);
    ck_assert_int_eq(rule_facts("2006-06", NULL).persistent, 0);
    ck_assert_int_eq(rule_facts(NULL, NULL).persistent, -1);
    /* Systemic failure is the key judgements, not a rating. */
    r = rule_facts("2006-06", "{\"leadership\":\"inadequate\",\"help_and_protection\":"
                              "\"inadequate\",\"children_in_care\":\"inadequate\"}");
    ck_assert_int_eq(r.systemic, 1);
    ck_assert_int_eq(r.n_key, 3);
    r = rule_facts("2006-06", "{\"leadership\":\"inadequate\",\"help_and_protection\":"
                              "\"requires_improvement\",\"children_in_care\":\"inadequate\"}");
    ck_assert_int_eq(r.systemic, 0);
    /* one key judgement alone does not show that every one is inadequate */
    ck_assert_int_eq(rule_facts("2006-06", "{\"leadership\":\"inadequate\"}").systemic, 0);
    ck_assert_int_eq(rule_facts("2006-06", NULL).systemic, -1);
}
END_TEST

/* One date logic: the commissioner rule's weight by regime, from the
 * rules in force the engine set for the profile's date. */
START_TEST(rules__commissioner_weight_by_date)
{
    static const struct {
        const char *as_of;
        double w;
    } at[] = {
        {"2016-01", 1},
        {"2016", 1},
        {"2015-12", IMV_RULE_WEIGHT_PRACTICE},
        {"2013", IMV_RULE_WEIGHT_PRACTICE},
        {"2012-12", IMV_RULE_WEIGHT_EARLY},
        {"2006", IMV_RULE_WEIGHT_EARLY},
    };
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        char *json = tu_profile_json("w", "inadequate", 2);
        char *k = strstr(json, "2020-01");
        char buf[2048];
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)(k - json), json, at[i].as_of, k + 7);
        cJSON *j = cJSON_Parse(buf);
        imv_diags d;
        imv_diags_init(&d);
        imv_profile *p = NULL;
        ck_assert_int_eq(imv_profile_from_json(j, "w.json", 1, 0, &p, &d), 0);
        imv_profile_view v;
        imv_profile_view_init(p, &v, NULL);
        const char *t;
        ck_assert_msg(imv_commissioner_weight(&v, &t) == at[i].w, "%s", at[i].as_of);
        if (at[i].w == IMV_RULE_WEIGHT_PRACTICE)
            ck_assert_ptr_nonnull(strstr(t, "2013 review of Doncaster"));
        imv_profile_free(p);
        imv_diags_free(&d);
        cJSON_Delete(j);
        free(json);
    }
}
END_TEST

/* A commissioner in place that has had time to report is "reviewed" (its
 * work, a review, is done: act on it), with the likely outcome of its
 * review; one under a judgement that stalled stays "stalling". */
static cJSON *commissioner_in_place(const char *ofsted, const char *since)
{
    char text[2048], *json = NULL, cmd[1024];
    snprintf(text, sizeof text,
             "{\"format\":\"imeval-profile/1\",\"id\":\"c\",\"name\":\"C\",\"as_of\":\"2020-01\","
             "\"ofsted\":%s,\"ratings\":{"
             "\"senior_leadership\":1,\"middle_leadership\":1,\"leadership_stability\":2,"
             "\"political_commitment\":3,\"corporate_leadership\":3,\"acceptance\":3,"
             "\"governance\":2,\"partnerships\":2,\"self_assessment\":2,"
             "\"workforce_stability\":2,\"financial_resilience\":2,\"failure_extent\":3,"
             "\"initial_response\":2},"
             "\"current_intervention\":{\"model\":\"commissioner\",\"since\":\"%s\"}}",
             ofsted, since);
    char *path = tu_write_temp_str(text, ".json");
    snprintf(cmd, sizeof cmd, "%s evaluate --format json %s", TU_BIN, path);
    ck_assert_int_eq(tu_run(cmd, &json, NULL), 0);
    cJSON *doc = cJSON_Parse(json);
    ck_assert_ptr_nonnull(doc);
    free(json);
    unlink(path);
    free(path);
    return doc;
}

START_TEST(monitor__commissioner_that_has_reported_is_reviewed)
{
    cJSON *doc = commissioner_in_place("{\"grade\":\"inadequate\"}", "2019-09");
    cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    cJSON *iv = cJSON_GetObjectItem(res, "intervention");
    ck_assert_str_eq(cJSON_GetObjectItem(iv, "status")->valuestring, "reviewed");
    ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(iv, "text")->valuestring, "reviewed"));
    /* committed members, thin officers: the review points to a partnership */
    cJSON *ol = cJSON_GetObjectItem(res, "commissioner_outlook");
    ck_assert_ptr_nonnull(ol);
    ck_assert_str_eq(cJSON_GetObjectItem(ol, "outcome")->valuestring, "partnership");
    cJSON_Delete(doc);
    /* re-inspected inadequate two years in: it has stalled, not merely reported */
    doc = commissioner_in_place("{\"grade\":\"inadequate\",\"inspected\":\"2019-11\"}", "2017-06");
    res = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    iv = cJSON_GetObjectItem(res, "intervention");
    ck_assert_str_eq(cJSON_GetObjectItem(iv, "status")->valuestring, "stalling");
    cJSON_Delete(doc);
}
END_TEST

/* When the commissioner comes first, the result says what its review is
 * likely to recommend, with reasons (issue 11.6). */
START_TEST(monitor__commissioner_outlook_in_the_json)
{
    char *json = NULL;
    char cmd[1024];
    char *path = tu_write_temp_str(
        "{\"format\":\"imeval-profile/1\",\"id\":\"c\",\"name\":\"C\",\"as_of\":\"2019-01\","
        "\"ofsted\":{\"grade\":\"inadequate\"},\"ratings\":{"
        "\"senior_leadership\":1,\"middle_leadership\":1,\"leadership_stability\":1,"
        "\"political_commitment\":1,\"corporate_leadership\":1,\"acceptance\":1,"
        "\"governance\":1,\"partnerships\":1,\"self_assessment\":1,"
        "\"workforce_stability\":1.5,\"financial_resilience\":1.5,\"failure_extent\":3.5,"
        "\"initial_response\":1}}",
        ".json");
    snprintf(cmd, sizeof cmd, "%s evaluate --format json %s", TU_BIN, path);
    ck_assert_int_eq(tu_run(cmd, &json, NULL), 0);
    cJSON *doc = cJSON_Parse(json);
    ck_assert_ptr_nonnull(doc);
    cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    ck_assert_str_eq(cJSON_GetObjectItem(res, "recommended")->valuestring, "commissioner");
    cJSON *ol = cJSON_GetObjectItem(res, "commissioner_outlook");
    ck_assert_ptr_nonnull(ol);
    ck_assert_str_eq(cJSON_GetObjectItem(ol, "outcome")->valuestring, "removal");
    ck_assert_int_ge(cJSON_GetArraySize(cJSON_GetObjectItem(ol, "reasons")), 1);
    ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(ol, "text")->valuestring, "denial"));
    cJSON_Delete(doc);
    free(json);
    unlink(path);
    free(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("monitor");
    TCase *tc = tcase_create("monitor");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, monitor__within_expected_time_is_on_track);
    tcase_add_test(tc, monitor__past_expected_time_is_stalling_and_escalates);
    tcase_add_test(tc, monitor__no_longer_inadequate_steps_down);
    tcase_add_test(tc, trajectory__reinspected_inadequate_after_the_first_year_is_stalled);
    tcase_add_test(tc, trajectory__fall_under_a_notice_is_deteriorating);
    tcase_add_test(tc, trajectory__findings_weigh_with_the_months);
    tcase_add_test(tc, rules__persistent_failure_is_dated);
    tcase_add_test(tc, rules__commissioner_weight_by_date);
    tcase_add_test(tc, monitor__commissioner_outlook_in_the_json);
    tcase_add_test(tc, monitor__commissioner_that_has_reported_is_reviewed);
    tcase_add_test(tc, monitor__json_result_carries_the_status);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
