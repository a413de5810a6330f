/*
 * check_hints.c - help for profile authors (issue 9): "did you mean" for
 * an unknown field (JSON and CSV headers) and for a model in place that
 * is not loaded, the percentage hint for shares, UTF-16 and
 * semicolon-separated CSV named as such, and the profile id in every
 * message about one profile of a JSON Lines or CSV file.
 */
#include "testutil.h"

#define RATINGS_HDR                                                                     \
    "ratings.senior_leadership,ratings.middle_leadership,ratings.leadership_stability," \
    "ratings.political_commitment,ratings.corporate_leadership,ratings.acceptance,"     \
    "ratings.governance,ratings.partnerships,ratings.self_assessment,"                  \
    "ratings.workforce_stability,ratings.financial_resilience,ratings.failure_extent,"  \
    "ratings.initial_response"
#define HDR "id,name,as_of,ofsted.grade," RATINGS_HDR
#define TWOS "2,2,2,2,2,2,2,2,2,2,2,2,2"

/* Read every profile of a file written from text; the diagnostics, each
 * formatted as the command prints it, joined by newlines (caller frees);
 * *bad is how many profiles failed. */
static char *read_all(const char *text, size_t len, const char *suffix, int *good, int *bad)
{
    char *path = tu_write_temp(text, len, suffix);
    imv_diags d;
    imv_diags_init(&d);
    imv_read_opts o = {0};
    imv_reader *r = imv_reader_open(path, &o, &d);
    ck_assert_ptr_nonnull(r);
    *good = *bad = 0;
    for (int guard = 0; guard < 50; guard++) {
        imv_profile *p = NULL;
        int rc = imv_reader_next(r, &p, &d);
        if (rc == 0)
            break;
        if (rc > 0) {
            ++*good;
            imv_profile_free(p);
        } else {
            ++*bad;
        }
    }
    imv_reader_close(r);
    size_t cap = 1 + d.n * 1300, at = 0;
    char *all = calloc(1, cap);
    for (size_t i = 0; i < d.n; i++) {
        char buf[1200];
        imv_diag_format(&d.v[i], buf, sizeof buf);
        at += (size_t)snprintf(all + at, cap - at, "%s%s\n", d.v[i].warning ? "warning: " : "", buf);
    }
    imv_diags_free(&d);
    unlink(path);
    free(path);
    return all;
}

static char *read_str(const char *text, const char *suffix, int *good, int *bad)
{
    return read_all(text, strlen(text), suffix, good, bad);
}

#define HAS(all, s) ck_assert_msg(strstr((all), (s)) != NULL, "no \"%s\" in:\n%s", (s), (all))

START_TEST(nearest__within_a_third_of_the_word)
{
    const char *names[] = {"political_commitment", "corporate_leadership", "acceptance", "id"};
    ck_assert_str_eq(imv_nearest("politcal_commitment", names, 4), "political_commitment");
    ck_assert_str_eq(imv_nearest("Acceptance", names, 4), "acceptance");
    ck_assert_str_eq(imv_nearest("acceptence", names, 4), "acceptance");
    ck_assert_ptr_null(imv_nearest("foo", names, 4));
    ck_assert_ptr_null(imv_nearest("acceptance", names, 4)); /* itself is no suggestion */
    ck_assert_ptr_null(imv_nearest("", names, 4));
}
END_TEST

START_TEST(unknown_field__did_you_mean_in_json)
{
    char *p = tu_profile_json("typo-1", "inadequate", 2);
    char *at = strstr(p, "\"political_commitment\"");
    ck_assert_ptr_nonnull(at);
    memmove(at + 6, at + 7, strlen(at + 7) + 1); /* "politcal_commitment" */
    int good, bad;
    char *all = read_str(p, ".json", &good, &bad);
    HAS(all, "warning: ");
    /* a lone profile: the contract form, without the id */
    HAS(all, "ratings.politcal_commitment: unknown field kept, not used; did you mean "
             "political_commitment?\n");
    free(all);
    /* JSON Lines: the id, from the first line on */
    all = read_str(p, ".jsonl", &good, &bad);
    HAS(all, "ratings.politcal_commitment: unknown field kept, not used; did you mean "
             "political_commitment? (profile typo-1)\n");
    free(all);
    /* a top-level "rating" for "ratings", a rating outside its section */
    char *q = tu_profile_json("typo-2", "inadequate", 2);
    char text[4096];
    snprintf(text, sizeof text, "%.*s,\"rating\":{},\"acceptence\":2}", (int)strlen(q) - 1, q);
    all = read_str(text, ".json", &good, &bad);
    HAS(all, "rating: unknown field kept, not used; did you mean ratings?");
    HAS(all, "acceptence: unknown field kept, not used; did you mean ratings.acceptance?");
    free(all);
    free(q);
    free(p);
}
END_TEST

START_TEST(unknown_field__did_you_mean_in_csv_header)
{
    int good, bad;
    char *all = read_str("id,name,as_of,ofsted.grade,ratings.senior_leadership,"
                         "ratings.middle_leadership,ratings.leadership_stability,"
                         "ratings.politcal_commitment,ratings.corporate_leadership,"
                         "ratings.acceptance,ratings.governance,ratings.partnerships,"
                         "ratings.self_assessment,ratings.workforce_stability,"
                         "ratings.financial_resilience,ratings.failure_extent,"
                         "ratings.initial_response,facts.agency_rat\n"
                         "a-1,A,2020,good," TWOS ",0.2\n",
                         ".csv", &good, &bad);
    HAS(all, "ratings.politcal_commitment: unknown field kept, not used; did you mean "
             "political_commitment? (profile a-1 at line 2)");
    HAS(all, "facts.agency_rat: unknown field kept, not used; did you mean agency_rate?");
    free(all);
}
END_TEST

START_TEST(share__a_percentage_is_named)
{
    char *p = tu_profile_json("pct-1", "inadequate", 2);
    char text[4096];
    snprintf(text, sizeof text, "%.*s,\"facts\":{\"agency_rate\":22,\"vacancy_rate\":0.1}}",
             (int)strlen(p) - 1, p);
    int good, bad;
    char *all = read_str(text, ".json", &good, &bad);
    ck_assert_int_eq(bad, 1);
    HAS(all, "facts.agency_rate: 22 looks like a percentage: write 0.22");
    free(all);
    /* 150 is no percentage of a share: the range message */
    snprintf(text, sizeof text, "%.*s,\"facts\":{\"agency_rate\":150}}", (int)strlen(p) - 1, p);
    all = read_str(text, ".json", &good, &bad);
    HAS(all, "facts.agency_rate: 150 is outside 0..1");
    free(all);
    all = read_str(HDR ",facts.turnover_rate\nb-1,B,2020,good," TWOS ",35%\n", ".csv", &good, &bad);
    ck_assert_int_eq(bad, 1);
    HAS(all,
        "facts.turnover_rate: \"35%\" looks like a percentage: write 0.35 (profile b-1 at line 2)");
    free(all);
    free(p);
}
END_TEST

START_TEST(encoding__utf16_named_with_and_without_bom)
{
    static const char bom_le[] = "\xff\xfei\0d\0,\0n\0a\0m\0e\0\n\0";
    static const char bare_le[] = "i\0d\0,\0n\0a\0m\0e\0\n\0";
    static const char bom_be[] = "\xfe\xff\0{\0\"";
    const struct {
        const char *t;
        size_t n;
        const char *sfx, *why;
    } cases[] = {
        {bom_le, sizeof bom_le - 1, ".csv", "it starts with a UTF-16 byte order mark"},
        {bare_le, sizeof bare_le - 1, ".csv", "every other byte is NUL"},
        {bom_be, sizeof bom_be - 1, ".json", "it starts with a UTF-16 byte order mark"},
        {bare_le, sizeof bare_le - 1, "", "every other byte is NUL"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int good, bad;
        char *all = read_all(cases[i].t, cases[i].n, cases[i].sfx, &good, &bad);
        ck_assert_int_eq(good, 0);
        ck_assert_int_eq(bad, 1);
        HAS(all, "the file is UTF-16 (");
        HAS(all, cases[i].why);
        HAS(all, "save it as UTF-8");
        ck_assert_msg(!strstr(all, "NUL byte") && !strstr(all, "not a profile"), "%s", all);
        free(all);
    }
}
END_TEST

START_TEST(csv__semicolons_named)
{
    int good, bad;
    char *all = read_str("id;name;as_of;ofsted.grade;ratings.acceptance\nx;X;2020;good;2,5\n",
                         ".csv", &good, &bad);
    ck_assert_int_eq(good, 0);
    HAS(all, ":1: the columns are separated by \";\", not \",\"");
    ck_assert_msg(!strstr(all, "not a profile file"), "%s", all);
    free(all);
    /* a file with semicolons that is no profile at all is still that */
    all = read_str("a;b;c\n1;2;3\n", ".csv", &good, &bad);
    HAS(all, "not a profile file");
    free(all);
}
END_TEST

START_TEST(id__in_every_message_of_a_many_profile_file)
{
    char *a = tu_profile_json("first-1", "good", 2), *b = tu_profile_json("second-2", "good", 7);
    char text[8192];
    snprintf(text, sizeof text, "%s\n%s\n", a, b);
    int good, bad;
    char *all = read_str(text, ".jsonl", &good, &bad);
    ck_assert_int_eq(good, 1);
    ck_assert_int_eq(bad, 1);
    HAS(all, "ratings.acceptance: 7 is outside 0..4 (profile second-2 at line 2)");
    free(all);
    /* CSV: a cell that is not a number and a short row */
    all = read_str(HDR "\nc-1,C,2020,good," TWOS "\nc-2,C,2020,good,x,2,2,2,2,2,2,2,2,2,2,2,2\n"
                       "c-3,C,2020\n",
                   ".csv", &good, &bad);
    ck_assert_int_eq(good, 1);
    HAS(all, "ratings.senior_leadership: \"x\" is not a number or a range like 1..3 or 1..2..3 "
             "(profile c-2 at line 3)");
    HAS(all, ":4: row has 3 cells, the header has 17, in profile c-3");
    free(all);
    all = read_str(HDR "\nc-5,C\xff,2020,good," TWOS "\n", ".csv", &good, &bad);
    HAS(all, ":2: invalid UTF-8 in column 2: save the file as UTF-8, in profile c-5");
    free(all);
    free(a);
    free(b);
}
END_TEST

/* The command: a model in place that is not loaded is named, with the
 * nearest id and the ids there are; one left out by --only is not. */
START_TEST(intervention__unknown_model_warned)
{
    char *p = tu_profile_json("iv-1", "inadequate", 2);
    char text[4096];
    snprintf(text, sizeof text,
             "%.*s,\"current_intervention\":{\"model\":\"improvment_board\",\"since\":\"2019\"}}",
             (int)strlen(p) - 1, p);
    char *path = tu_write_temp_str(text, ".json");
    char cmd[1024], *out, *err;
    snprintf(cmd, sizeof cmd, "%s evaluate %s", TU_BIN, path);
    ck_assert_int_eq(tu_run(cmd, &out, &err), 0);
    HAS(err, "current_intervention.model: \"improvment_board\" is not a loaded model");
    HAS(err, "did you mean improvement_board?");
    HAS(err, "the models are: ");
    HAS(err, "commissioner");
    free(out);
    free(err);
    snprintf(text, sizeof text,
             "%.*s,\"current_intervention\":{\"model\":\"improvement_board\",\"since\":\"2019\"}}",
             (int)strlen(p) - 1, p);
    char *path2 = tu_write_temp_str(text, ".json");
    snprintf(cmd, sizeof cmd, "%s evaluate --only trust %s", TU_BIN, path2);
    ck_assert_int_eq(tu_run(cmd, &out, &err), 0);
    ck_assert_msg(!strstr(err, "current_intervention"), "%s", err);
    free(out);
    free(err);
    unlink(path);
    unlink(path2);
    free(path);
    free(path2);
    free(p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("hints");
    TCase *t = tcase_create("hints");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, nearest__within_a_third_of_the_word);
    tcase_add_test(t, unknown_field__did_you_mean_in_json);
    tcase_add_test(t, unknown_field__did_you_mean_in_csv_header);
    tcase_add_test(t, share__a_percentage_is_named);
    tcase_add_test(t, encoding__utf16_named_with_and_without_bom);
    tcase_add_test(t, csv__semicolons_named);
    tcase_add_test(t, id__in_every_message_of_a_many_profile_file);
    tcase_add_test(t, intervention__unknown_model_warned);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_main(suite());
}
