/*
 * check_chart.c - the SVG chart module (report/chart.c): escaping of
 * hostile text, numbers as the JSON prints them, scales and ticks, and
 * every chart kind well-formed XML (checked by xmllint, a real parser)
 * with its title, description and the numbers in data- attributes.
 */
#include <math.h>

#include "chart.h"
#include "testutil.h"

/* What fn writes to a memory stream, as a string (caller frees). */
#define CAPTURE(buf, stmt)                       \
    do {                                         \
        size_t len_;                             \
        FILE *f = open_memstream(&(buf), &len_); \
        stmt;                                    \
        fclose(f);                               \
    } while (0)

START_TEST(chart__escape_hostile_text)
{
    char *s = NULL;
    CAPTURE(s, imv_chart_escape(f, "<script>alert(\"x\")</script> & 'q'", 0));
    ck_assert_str_eq(s, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
    free(s);
    /* RLO, LRI, PDI, ALM and a C1 control are shown, never passed on */
    CAPTURE(s, imv_chart_escape(f,
                                "a\xE2\x80\xAE"
                                "b\xE2\x81\xA6"
                                "c\xE2\x81\xA9\xD8\x9C\xC2\x85"
                                "d",
                                0));
    ck_assert_str_eq(s, "a[U+202E]b[U+2066]c[U+2069][U+061C][U+0085]d");
    free(s);
    /* bytes that are not UTF-8: overlong, surrogate, truncated, stray continuation */
    CAPTURE(s, imv_chart_escape(f,
                                "x\xC0\xAFy\xED\xA0\x80z\xE2\x82"
                                "w\x80",
                                0));
    ck_assert_ptr_null(strchr(s, '\xC0'));
    ck_assert_ptr_nonnull(strstr(s, "x&#xFFFD;&#xFFFD;y"));
    ck_assert_ptr_null(strstr(s, "\xED\xA0"));
    free(s);
    /* control characters (XML forbids most) */
    CAPTURE(s, imv_chart_escape(f,
                                "a\x01"
                                "b\x1B[31mc",
                                0));
    ck_assert_str_eq(s, "a[U+0001]b[U+001B][31mc");
    free(s);
    /* legitimate non-Latin text passes as it is */
    CAPTURE(s,
            imv_chart_escape(f, "Conseil d\xC3\xA9partemental \xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A", 0));
    ck_assert_str_eq(s, "Conseil d\xC3\xA9partemental \xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A");
    free(s);
}
END_TEST

START_TEST(chart__escape_cuts_at_characters)
{
    char *s = NULL;
    CAPTURE(s, imv_chart_escape(f, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 2));
    ck_assert_str_eq(s, "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
    free(s);
    CAPTURE(s, imv_chart_escape(f, "&&&", 2)); /* an entity counts as one character */
    ck_assert_str_eq(s, "&amp;&amp;\xE2\x80\xA6");
    free(s);
    CAPTURE(s, imv_chart_escape(f, "abc", 3));
    ck_assert_str_eq(s, "abc");
    free(s);
    CAPTURE(s, imv_chart_escape(f, NULL, 0));
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

START_TEST(chart__numbers_as_json)
{
    char b[40];
    imv_chart_num(b, sizeof b, 59.5);
    ck_assert_str_eq(b, "59.5");
    imv_chart_num(b, sizeof b, 3);
    ck_assert_str_eq(b, "3");
    imv_chart_num(b, sizeof b, -0.0);
    ck_assert_str_eq(b, "0");
    imv_chart_num(b, sizeof b, 0.7066666666666667);
    ck_assert(strtod(b, NULL) == 0.7066666666666667);
    imv_chart_num(b, sizeof b, NAN);
    ck_assert_str_eq(b, "null");
}
END_TEST

START_TEST(chart__scale_and_ticks)
{
    imv_chart_scale s = {0, 100, 200, 600};
    ck_assert(imv_chart_map(&s, 50) == 400);
    ck_assert(imv_chart_map(&s, -10) == 200); /* clamped */
    ck_assert(imv_chart_map(&s, 1e9) == 600);
    double t[16];
    size_t n = imv_chart_ticks(0, 100, 8, t);
    ck_assert_uint_ge(n, 3);
    ck_assert(t[0] == 0 && t[n - 1] == 100);
    for (size_t i = 1; i < n; i++)
        ck_assert(t[i] > t[i - 1]);
    n = imv_chart_ticks(0, 4, 8, t);
    ck_assert(t[0] == 0 && t[n - 1] == 4);
    double lo = -23, hi = 61;
    imv_chart_nice(&lo, &hi);
    ck_assert(lo <= -23 && hi >= 61 && lo > -100 && hi < 200);
    lo = hi = 5; /* an empty domain is widened, never divided by */
    imv_chart_nice(&lo, &hi);
    ck_assert(hi > lo);
}
END_TEST

START_TEST(chart__palette_reads_on_its_fills)
{
    ck_assert_str_eq(imv_chart_text_on("#08306B"), "#FFFFFF");
    ck_assert_str_eq(imv_chart_text_on("#DEEBF7"), "#000000");
    ck_assert_str_eq(imv_chart_text_on("#F0E442"), "#000000");
    /* the ramp darkens with rank: the first is the darkest */
    ck_assert_str_eq(imv_chart_ramp(0, 7), "#08306B");
    ck_assert_str_ne(imv_chart_ramp(0, 7), imv_chart_ramp(6, 7));
}
END_TEST

/* Write svg to a file and ask xmllint whether it is well-formed. */
static void expect_well_formed(const char *svg)
{
    char *path = tu_write_temp_str(svg, ".svg");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
    char *err = NULL;
    int rc = tu_run(cmd, NULL, &err);
    ck_assert_msg(rc == 0, "xmllint: %s\n%.400s", err, svg);
    free(err);
    unlink(path);
    free(path);
    ck_assert_ptr_nonnull(strstr(svg, "role=\"img\""));
    ck_assert_ptr_nonnull(strstr(svg, "<title id=\"c-t\">T &lt;&amp;&gt;</title>"));
    ck_assert_ptr_nonnull(strstr(svg, "<desc id=\"c-d\">"));
    ck_assert_ptr_null(strstr(svg, "http"));
}

static const imv_chart_meta meta = {"c", "T <&>", "D \"quoted\"", "axis <x>"};
static const char hostile[] = "<b>\"&'\xE2\x80\xAE</b>";

START_TEST(chart__every_kind_is_well_formed_xml)
{
    char *s = NULL;
    imv_chart_dot dots[] = {{"a", hostile, 59.5, 46.1, 60.9, 55.0, 0},
                            {"b", "B", 18.1, NAN, NAN, NAN, 1},
                            {"c", "C", NAN, NAN, NAN, NAN, 1}};
    CAPTURE(s, imv_chart_dot_interval(f, &meta, dots, 3, 0, 100));
    expect_well_formed(s);
    ck_assert_ptr_nonnull(strstr(s, "data-key=\"a\" data-score=\"59.5\" data-viable=\"true\""));
    ck_assert_ptr_nonnull(strstr(s, "data-p05=\"46.1\" data-p95=\"60.9\""));
    free(s);

    imv_chart_stack rows[] = {{"a", hostile}, {"b", "B"}};
    double shares[] = {0.5, 0.5, 0.5, 0.5};
    const char *const series[] = {"1st", "2nd"};
    CAPTURE(s, imv_chart_stacked100(f, &meta, rows, 2, shares, series, 2));
    expect_well_formed(s);
    ck_assert_ptr_nonnull(strstr(s, "data-key=\"b\" data-rank=\"2\" data-share=\"0.5\""));
    free(s);

    imv_chart_step steps[] = {{hostile, 10}, {"down", -3.5}};
    CAPTURE(s, imv_chart_waterfall(f, &meta, "m&", "base", 35, steps, 2, "score", 41.5));
    expect_well_formed(s);
    ck_assert_ptr_nonnull(strstr(s, "data-key=\"m&amp;\" data-step=\"3\" data-score=\"41.5\""));
    ck_assert_ptr_nonnull(strstr(s, "data-points=\"-3.5\""));
    free(s);

    double v[] = {5, -3, 0, -10};
    CAPTURE(s, imv_chart_diverging(f, &meta, rows, 2, v, series, 2));
    expect_well_formed(s);
    ck_assert_ptr_nonnull(strstr(s, "data-series=\"2nd\" data-points=\"-10\""));
    free(s);

    imv_chart_tip tips[] = {{"failure_extent", hostile, 3.5, 3, 4, 3.49, NAN, hostile, NULL},
                            {"x", "X", 1, NAN, NAN, NAN, NAN, NULL, NULL}};
    CAPTURE(s, imv_chart_tipping(f, &meta, tips, 2, 0, 4));
    expect_well_formed(s);
    ck_assert_ptr_nonnull(strstr(s, "data-direction=\"down\" data-value=\"3.5\" data-to=\"3.49\""));
    free(s);

    double ends[] = {3, 23, 60, NAN, NAN, NAN};
    double lo[] = {NAN, 20, 50, NAN, NAN, NAN}, hi[] = {NAN, 26, 70, NAN, NAN, NAN};
    const char *const phases[] = {"set-up", "to fair", "to good"};
    CAPTURE(s, imv_chart_timeline(f, &meta, rows, 2, ends, lo, hi, phases, 3));
    expect_well_formed(s);
    ck_assert_ptr_nonnull(strstr(s, "data-phase=\"to good\" data-start=\"23\" data-end=\"60\""));
    ck_assert_ptr_nonnull(strstr(s, "data-low=\"50\" data-high=\"70\""));
    ck_assert_ptr_nonnull(strstr(s, "the model gives no timeline"));
    free(s);

    CAPTURE(s, imv_chart_dot_interval(f, &meta, NULL, 0, 0, 100)); /* nothing to draw */
    expect_well_formed(s);
    free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("chart");
    TCase *tc = tcase_create("chart");
    tcase_add_test(tc, chart__escape_hostile_text);
    tcase_add_test(tc, chart__escape_cuts_at_characters);
    tcase_add_test(tc, chart__numbers_as_json);
    tcase_add_test(tc, chart__scale_and_ticks);
    tcase_add_test(tc, chart__palette_reads_on_its_fills);
    tcase_add_test(tc, chart__every_kind_is_well_formed_xml);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
