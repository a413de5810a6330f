/*
 * check_history.c - the profile format's history, key judgements and
 * progress (PROFILE-FORMAT.md "History, key judgements and progress"):
 * dated and undated earlier grades side by side, the inspection date, the
 * judgements, the kind of intervention and its monitoring findings, in
 * JSON and in CSV, and every way they can be wrong, each with the path and
 * a message that says what was expected.
 */
#include <cjson/cJSON.h>

#include "testutil.h"

static const char base_fmt[] =
    "{\"format\":\"imeval-profile/1\",\"id\":\"h\",\"name\":\"H\",\"as_of\":\"2015-06\","
    "\"ratings\":{\"senior_leadership\":2,\"middle_leadership\":2,\"leadership_stability\":2,"
    "\"political_commitment\":2,\"corporate_leadership\":2,\"acceptance\":2,\"governance\":2,"
    "\"partnerships\":2,\"self_assessment\":2,\"workforce_stability\":2,"
    "\"financial_resilience\":2,\"failure_extent\":2,\"initial_response\":2},"
    "\"ofsted\":%s%s%s}";

/* Parse a profile with the given ofsted object and optional extra members
 * (",\"current_intervention\":..."); returns rc, the profile in *out. */
static int parse(const char *ofsted, const char *extra, imv_profile **out, imv_diags *d)
{
    char text[8192];
    snprintf(text, sizeof text, base_fmt, ofsted, extra ? "," : "", extra ? extra : "");
    cJSON *j = cJSON_Parse(text);
    ck_assert_msg(j != NULL, "bad test JSON: %s", text);
    int rc = imv_profile_from_json(j, "h.json", 1, 0, out, d);
    cJSON_Delete(j);
    return rc;
}

static imv_profile *parse_ok(const char *ofsted, const char *extra)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    int rc = parse(ofsted, extra, &p, &d);
    char msg[600] = "";
    if (d.n)
        imv_diag_format(&d.v[0], msg, sizeof msg);
    ck_assert_msg(rc == 0 && p, "refused: %s", msg);
    imv_diags_free(&d);
    return p;
}

/* The profile is refused with message text at path. */
static void expect_error(const char *ofsted, const char *extra, const char *path, const char *text)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    int rc = parse(ofsted, extra, &p, &d);
    ck_assert_msg(rc != 0 && !p, "accepted: %s %s", ofsted, extra ? extra : "");
    int found = 0;
    char all[2000] = "";
    size_t k = 0;
    for (size_t i = 0; i < d.n; i++) {
        if (!d.v[i].warning && d.v[i].where && strcmp(d.v[i].where, path) == 0 &&
            strstr(d.v[i].message, text))
            found = 1;
        k += (size_t)snprintf(all + k, sizeof all - k, "[%s: %s] ",
                              d.v[i].where ? d.v[i].where : "", d.v[i].message);
        if (k >= sizeof all)
            k = sizeof all - 1;
    }
    ck_assert_msg(found, "no error at %s containing \"%s\": %s", path, text, all);
    imv_diags_free(&d);
}

START_TEST(history__dated_and_plain_previous_side_by_side)
{
    imv_profile *p = parse_ok("{\"grade\":\"inadequate\",\"inspected\":\"2015-03\","
                              "\"previous\":[{\"grade\":\"inadequate\",\"date\":\"2013-06\"},"
                              "\"good\",{\"grade\":\"adequate\",\"date\":\"2010-11\"}]}",
                              NULL);
    ck_assert_uint_eq(p->n_previous, 3);
    ck_assert_int_eq(p->previous[0], IMV_G_INADEQUATE);
    ck_assert_str_eq(p->previous_date[0], "2013-06");
    ck_assert_int_eq(p->previous[1], IMV_G_GOOD);
    ck_assert_ptr_null(p->previous_date[1]);
    ck_assert_int_eq(p->previous[2], IMV_G_REQUIRES_IMPROVEMENT);
    ck_assert_str_eq(p->previous_date[2], "2010-11");
    ck_assert_str_eq(p->inspected, "2015-03");
    imv_profile_free(p);
    /* The old plain form alone, as before. */
    p = parse_ok("{\"grade\":\"inadequate\",\"previous\":[\"adequate\",\"inadequate\"]}", NULL);
    ck_assert_uint_eq(p->n_previous, 2);
    ck_assert_ptr_null(p->previous_date[0]);
    ck_assert_ptr_null(p->inspected);
    imv_profile_free(p);
}
END_TEST

START_TEST(history__dates_checked_against_the_current_judgement)
{
    expect_error("{\"grade\":\"inadequate\",\"inspected\":\"2015-03\","
                 "\"previous\":[{\"grade\":\"inadequate\",\"date\":\"2015-09\"}]}",
                 NULL, "ofsted.previous[0].date",
                 "2015-09 is later than ofsted.inspected 2015-03: earlier judgements come before "
                 "the current one");
    /* Without inspected, as_of (2015-06) is the current judgement's date. */
    expect_error("{\"grade\":\"inadequate\",\"previous\":[{\"grade\":\"inadequate\","
                 "\"date\":\"2016\"}]}",
                 NULL, "ofsted.previous[0].date", "2016 is later than as_of 2015-06");
    expect_error("{\"grade\":\"inadequate\",\"previous\":[{\"grade\":\"good\",\"date\":\"2010\"},"
                 "\"good\",{\"grade\":\"inadequate\",\"date\":\"2013-06\"}]}",
                 NULL, "ofsted.previous[2].date",
                 "2013-06 is later than ofsted.previous[0] (2010): list earlier judgements newest first");
    expect_error("{\"grade\":\"inadequate\",\"inspected\":\"2015-09\"}", NULL, "ofsted.inspected",
                 "2015-09 is later than as_of 2015-06");
    expect_error("{\"grade\":\"inadequate\",\"inspected\":\"March 2015\"}", NULL, "ofsted.inspected",
                 "\"March 2015\" is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD");
    expect_error("{\"grade\":\"inadequate\",\"previous\":[{\"grade\":\"inadequate\"}]}", NULL,
                 "ofsted.previous[0]",
                 "an object needs a \"date\"; give an undated grade as a plain string");
    expect_error("{\"grade\":\"inadequate\",\"previous\":[{\"grade\":\"awful\",\"date\":\"2013\"}]}",
                 NULL, "ofsted.previous[0].grade", "\"awful\" is not a grade");
    expect_error("{\"grade\":\"inadequate\",\"previous\":[{\"date\":\"2013\"}]}", NULL,
                 "ofsted.previous[0].grade", "missing (required)");
    expect_error("{\"grade\":\"inadequate\",\"previous\":[{\"grade\":\"good\",\"date\":\"2013\","
                 "\"by\":\"x\"}]}",
                 NULL, "ofsted.previous[0].by",
                 "unknown field: a dated grade has only \"grade\" and \"date\"");
    expect_error("{\"grade\":\"inadequate\",\"previous\":[{\"grade\":\"good\",\"date\":\"13-06\"}]}",
                 NULL, "ofsted.previous[0].date", "\"13-06\" is not a date");
}
END_TEST

START_TEST(history__judgements_read_and_checked)
{
    imv_profile *p = parse_ok("{\"grade\":\"inadequate\",\"judgements\":{"
                              "\"help_and_protection\":\"inadequate\",\"children_in_care\":"
                              "\"requires_improvement\",\"care_leavers\":\"inadequate\","
                              "\"adoption\":\"good\",\"leadership\":\"inadequate\"}}",
                              NULL);
    ck_assert_uint_eq(p->judgements_present, (1u << IMV_J_COUNT) - 1);
    ck_assert_int_eq(p->judgements[IMV_J_LEADERSHIP], IMV_G_INADEQUATE);
    ck_assert_int_eq(p->judgements[IMV_J_CHILDREN_IN_CARE], IMV_G_REQUIRES_IMPROVEMENT);
    ck_assert_int_eq(p->judgements[IMV_J_ADOPTION], IMV_G_GOOD);
    imv_profile_free(p);
    p = parse_ok("{\"grade\":\"inadequate\",\"judgements\":{\"leadership\":\"adequate\"}}", NULL);
    ck_assert_uint_eq(p->judgements_present, 1u << IMV_J_LEADERSHIP);
    ck_assert_int_eq(p->judgements[IMV_J_LEADERSHIP], IMV_G_REQUIRES_IMPROVEMENT);
    imv_profile_free(p);
    expect_error("{\"grade\":\"inadequate\",\"judgements\":{\"leadership\":\"weak\"}}", NULL,
                 "ofsted.judgements.leadership", "\"weak\" is not a grade");
    expect_error("{\"grade\":\"inadequate\",\"judgements\":[\"inadequate\"]}", NULL,
                 "ofsted.judgements", "expected an object of judgements");
    /* An unknown judgement is kept and warned about, like any unknown field. */
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *q = NULL;
    ck_assert_int_eq(parse("{\"grade\":\"inadequate\",\"judgements\":{\"leadersip\":\"good\"}}",
                           NULL, &q, &d),
                     0);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(d.v[0].where, "ofsted.judgements.leadersip");
    ck_assert(d.v[0].warning);
    ck_assert_uint_eq(q->judgements_present, 0);
    imv_profile_free(q);
    imv_diags_free(&d);
}
END_TEST

START_TEST(history__intervention_kind_and_progress)
{
    imv_profile *p =
        parse_ok("{\"grade\":\"inadequate\"}",
                 "\"current_intervention\":{\"model\":\"improvement_board\",\"since\":\"2013-10\","
                 "\"kind\":\"notice\",\"progress\":[{\"date\":\"2014-09\",\"finding\":\"static\","
                 "\"by\":\"ofsted_monitoring\",\"note\":\"little progress on the front door\"},"
                 "{\"date\":\"2014-03\",\"finding\":\"improving\",\"by\":\"board\"}]}");
    ck_assert_int_eq(p->iv_kind, IMV_KIND_NOTICE);
    ck_assert_uint_eq(p->n_progress, 2);
    ck_assert_str_eq(p->progress[0].date, "2014-09");
    ck_assert_int_eq(p->progress[0].finding, IMV_TREND_STATIC);
    ck_assert_int_eq(p->progress[0].by, IMV_BY_OFSTED_MONITORING);
    ck_assert_str_eq(p->progress[0].note, "little progress on the front door");
    ck_assert_int_eq(p->progress[1].finding, IMV_TREND_IMPROVING);
    ck_assert_int_eq(p->progress[1].by, IMV_BY_BOARD);
    ck_assert_ptr_null(p->progress[1].note);
    imv_profile_free(p);
    static const struct {
        const char *iv, *path, *msg;
    } bad[] = {
        {"\"kind\":\"order\"", "current_intervention.kind",
         "\"order\" is not a kind of intervention: expected voluntary, notice or direction"},
        {"\"progress\":[{\"date\":\"2014-09\",\"finding\":\"better\",\"by\":\"dfe\"}]",
         "current_intervention.progress[0].finding",
         "\"better\" is not a finding: expected improving, mixed, static or deteriorating"},
        {"\"progress\":[{\"date\":\"2014-09\",\"finding\":\"unknown\",\"by\":\"dfe\"}]",
         "current_intervention.progress[0].finding", "\"unknown\" is not a finding"},
        {"\"progress\":[{\"date\":\"2014-09\",\"finding\":\"mixed\",\"by\":\"ofsted\"}]",
         "current_intervention.progress[0].by",
         "\"ofsted\" is not a source of findings: expected ofsted_monitoring, commissioner, board, "
         "dfe or other"},
        {"\"progress\":[{\"finding\":\"mixed\",\"by\":\"dfe\"}]",
         "current_intervention.progress[0].date", "missing (required)"},
        {"\"progress\":[{\"date\":\"2014-09\",\"by\":\"dfe\"}]",
         "current_intervention.progress[0].finding", "missing (required)"},
        {"\"progress\":[{\"date\":\"2013-01\",\"finding\":\"mixed\",\"by\":\"dfe\"}]",
         "current_intervention.progress[0].date",
         "2013-01 is before current_intervention.since 2013-10: progress is what was found after "
         "the intervention began"},
        {"\"progress\":[{\"date\":\"2016-01\",\"finding\":\"mixed\",\"by\":\"dfe\"}]",
         "current_intervention.progress[0].date", "2016-01 is later than as_of 2015-06"},
        {"\"progress\":[{\"date\":\"2014-01\",\"finding\":\"mixed\",\"by\":\"dfe\"},"
         "{\"date\":\"2014-09\",\"finding\":\"static\",\"by\":\"dfe\"}]",
         "current_intervention.progress[1].date",
         "2014-09 is later than current_intervention.progress[0] (2014-01): list findings newest first"},
        {"\"progress\":{\"date\":\"2014-01\"}", "current_intervention.progress",
         "expected an array of findings, got an object"},
        {"\"progress\":[\"static\"]", "current_intervention.progress[0]",
         "expected {\"date\", \"finding\", \"by\"}, got a string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char iv[600];
        snprintf(iv, sizeof iv,
                 "\"current_intervention\":{\"model\":\"improvement_board\","
                 "\"since\":\"2013-10\",%s}",
                 bad[i].iv);
        expect_error("{\"grade\":\"inadequate\"}", iv, bad[i].path, bad[i].msg);
    }
}
END_TEST

/* The CSV forms: previous as grade@date;..., judgements and kind as
 * columns, an empty model meaning no intervention. */
START_TEST(history__csv_forms)
{
    static const char csv[] =
        "id,name,as_of,ofsted.grade,ofsted.inspected,ofsted.previous,"
        "ofsted.judgements.leadership,ofsted.judgements.help_and_protection,"
        "ofsted.judgements.children_in_care,current_intervention.model,"
        "current_intervention.since,current_intervention.kind,"
        "ratings.senior_leadership,ratings.middle_leadership,ratings.leadership_stability,"
        "ratings.political_commitment,ratings.corporate_leadership,ratings.acceptance,"
        "ratings.governance,ratings.partnerships,ratings.self_assessment,"
        "ratings.workforce_stability,ratings.financial_resilience,ratings.failure_extent,"
        "ratings.initial_response\n"
        "a,A,2015-06,inadequate,2015-03,inadequate@2013-06; adequate @ 2010-11;good,inadequate,"
        "inadequate,requires_improvement,improvement_board,2013-10,notice,1,1,1,2,2,2,2,2,2,2,2,3,2\n"
        "b,B,2015-06,inadequate,,inadequate,,,,,2013-10,,1,1,1,2,2,2,2,2,2,2,2,3,2\n"
        "c,C,2015-06,inadequate,,inadequate@2016-06,,,,,,,1,1,1,2,2,2,2,2,2,2,2,3,2\n"
        "d,D,2015-06,inadequate,,,,,,trust,2014,direct,1,1,1,2,2,2,2,2,2,2,2,3,2\n";
    char *path = tu_write_temp_str(csv, ".csv");
    imv_diags d;
    imv_diags_init(&d);
    imv_read_opts ro = {0};
    imv_reader *r = imv_reader_open(path, &ro, &d);
    ck_assert_ptr_nonnull(r);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_reader_next(r, &p, &d), 1);
    ck_assert_str_eq(p->id, "a");
    ck_assert_str_eq(p->inspected, "2015-03");
    ck_assert_uint_eq(p->n_previous, 3);
    ck_assert_str_eq(p->previous_date[0], "2013-06");
    ck_assert_int_eq(p->previous[1], IMV_G_REQUIRES_IMPROVEMENT);
    ck_assert_str_eq(p->previous_date[1], "2010-11");
    ck_assert_ptr_null(p->previous_date[2]);
    ck_assert_uint_eq(p->judgements_present, (1u << IMV_J_LEADERSHIP) |
                                                 (1u << IMV_J_HELP_AND_PROTECTION) |
                                                 (1u << IMV_J_CHILDREN_IN_CARE));
    ck_assert_int_eq(p->judgements[IMV_J_CHILDREN_IN_CARE], IMV_G_REQUIRES_IMPROVEMENT);
    ck_assert_str_eq(p->iv_model, "improvement_board");
    ck_assert_int_eq(p->iv_kind, IMV_KIND_NOTICE);
    imv_profile_free(p);
    ck_assert_int_eq(imv_reader_next(r, &p, &d), 1);
    ck_assert_str_eq(p->id, "b");
    ck_assert_ptr_null(p->iv_model); /* empty model: no intervention, since ignored */
    imv_profile_free(p);
    ck_assert_int_lt(imv_reader_next(r, &p, &d), 0);
    ck_assert_int_lt(imv_reader_next(r, &p, &d), 0);
    ck_assert_int_eq(imv_reader_next(r, &p, &d), 0);
    ck_assert_uint_eq(d.n_errors, 2);
    ck_assert_str_eq(d.v[0].where, "ofsted.previous[0].date");
    ck_assert_msg(strstr(d.v[0].message, "2016-06 is later than as_of 2015-06"), "%s",
                  d.v[0].message);
    ck_assert_str_eq(d.v[1].where, "current_intervention.kind");
    imv_reader_close(r);
    imv_diags_free(&d);
    unlink(path);
    free(path);
}
END_TEST

static Suite *history_suite(void)
{
    Suite *s = suite_create("history");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, history__dated_and_plain_previous_side_by_side);
    tcase_add_test(tc, history__dates_checked_against_the_current_judgement);
    tcase_add_test(tc, history__judgements_read_and_checked);
    tcase_add_test(tc, history__intervention_kind_and_progress);
    tcase_add_test(tc, history__csv_forms);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_main(history_suite());
}
