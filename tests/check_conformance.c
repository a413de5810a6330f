/*
 * check_conformance.c - the profile paths a reason may name
 * (imv_profile_path_valid, used by `imeval check-model`): every field of
 * PROFILE-FORMAT.md is accepted, with array indexes where the format has
 * arrays, and anything else is refused, "ratings.nonsense" first.
 */
#include "testutil.h"

static int ok(const char *path)
{
    return imv_profile_path_valid(path, strlen(path));
}

START_TEST(paths__every_field_of_the_format_is_accepted)
{
    static const char *const good[] = {
        "id",
        "name",
        "as_of",
        "source",
        "size",
        "size.child_population",
        "size.children_in_care",
        "ofsted",
        "ofsted.grade",
        "ofsted.previous",
        "ofsted.previous[0]",
        "ofsted.previous[12].grade",
        "ofsted.previous[1].date",
        "ofsted.inspected",
        "ofsted.judgements",
        "ofsted.judgements.leadership",
        "ofsted.judgements.help_and_protection",
        "ofsted.judgements.care_leavers",
        "ratings",
        "ratings.acceptance",
        "ratings.senior_leadership",
        "ratings.initial_response",
        "facts",
        "facts.agency_rate",
        "facts.additional_investment_gbp_m",
        "current_intervention",
        "current_intervention.model",
        "current_intervention.since",
        "current_intervention.partner",
        "current_intervention.kind",
        "current_intervention.progress",
        "current_intervention.progress[0]",
        "current_intervention.progress[2].finding",
        "current_intervention.progress[0].by",
        "partners",
        "partners[0]",
        "partners[3].grade",
        "partners.spare_leadership_capacity",
        "partners[1].current_commitments",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        ck_assert_msg(ok(good[i]), "%s refused", good[i]);
}
END_TEST

START_TEST(paths__anything_else_is_refused)
{
    static const char *const bad[] = {
        "",
        "ratings.nonsense",
        "ratings.",
        "ratings.acceptance.low",
        "facts.nonsense",
        "nonsense",
        "size.adults",
        "ofsted.previous[x]",
        "ofsted.previous[]",
        "ofsted.previous[0].nonsense",
        "ofsted.judgements.nonsense",
        "partners[0].nonsense",
        "partners[0]x",
        "current_intervention.progress[0].nonsense",
        "current_intervention.x",
        "Ratings.acceptance",
        " ratings.acceptance",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!ok(bad[i]), "\"%s\" accepted", bad[i]);
    /* The length is what counts: a list is split by the caller. */
    ck_assert(imv_profile_path_valid("ratings.acceptance,ratings.nonsense", 18));
    ck_assert(!imv_profile_path_valid("ratings.acceptance,ratings.nonsense", 35));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conformance");
    TCase *tc = tcase_create("paths");
    tcase_add_test(tc, paths__every_field_of_the_format_is_accepted);
    tcase_add_test(tc, paths__anything_else_is_refused);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
