/* check_monitor.c - an intervention in place is on track, stalling (and
 * escalated) or done (step down), as DOMAIN.md's rules in force say. */
#include "testutil.h"
#include <cjson/cJSON.h>
#include "monitor.h"

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

int main(void)
{
    Suite *s = suite_create("monitor");
    TCase *tc = tcase_create("monitor");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, monitor__within_expected_time_is_on_track);
    tcase_add_test(tc, monitor__past_expected_time_is_stalling_and_escalates);
    tcase_add_test(tc, monitor__no_longer_inadequate_steps_down);
    tcase_add_test(tc, monitor__json_result_carries_the_status);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
