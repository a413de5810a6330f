/*
 * check_csv.c - CSV profiles (PROFILE-FORMAT.md "CSV"): the header maps
 * columns to JSON paths, ranges are 1..3 or 1..2..3, ofsted.previous is
 * ;-separated, RFC 4180 quoting through libcsv, and every problem names
 * the line of the row it is in.
 */
#include <math.h>

#include "testutil.h"

#define RATINGS_HDR                                                                     \
    "ratings.senior_leadership,ratings.middle_leadership,ratings.leadership_stability," \
    "ratings.political_commitment,ratings.corporate_leadership,ratings.acceptance,"     \
    "ratings.governance,ratings.partnerships,ratings.self_assessment,"                  \
    "ratings.workforce_stability,ratings.financial_resilience,ratings.failure_extent,"  \
    "ratings.initial_response"
#define HDR "id,name,as_of,ofsted.grade," RATINGS_HDR
#define TWOS "2,2,2,2,2,2,2,2,2,2,2,2,2"

typedef struct readall {
    imv_profile *p[16];
    size_t n, bad;
    imv_diags d;
} readall;

static void read_csv(const char *text, int strict, readall *ra)
{
    memset(ra, 0, sizeof *ra);
    imv_diags_init(&ra->d);
    char *path = tu_write_temp_str(text, ".csv");
    imv_read_opts o = {.strict = strict};
    imv_reader *r = imv_reader_open(path, &o, &ra->d);
    ck_assert_ptr_nonnull(r);
    for (int guard = 0; guard < 50; guard++) {
        imv_profile *p = NULL;
        int rc = imv_reader_next(r, &p, &ra->d);
        if (rc == 0)
            break;
        if (rc == 1) {
            ck_assert_uint_lt(ra->n, 16);
            ra->p[ra->n++] = p;
        } else if (rc == -1) {
            ra->bad++;
        } else {
            break;
        }
    }
    imv_reader_close(r);
    unlink(path);
    free(path);
}

static void readall_free(readall *ra)
{
    for (size_t i = 0; i < ra->n; i++)
        imv_profile_free(ra->p[i]);
    imv_diags_free(&ra->d);
}

static const char *dump(const imv_diags *d)
{
    static char buf[3000];
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n && k < sizeof buf - 1; i++) {
        char line[600];
        imv_diag_format(&d->v[i], line, sizeof line);
        k += (size_t)snprintf(buf + k, sizeof buf - k, "[%s] ", line);
    }
    return buf;
}

static long find_diag(const imv_diags *d, const char *where, const char *text)
{
    for (size_t i = 0; i < d->n; i++)
        if ((!where || (d->v[i].where && strcmp(d->v[i].where, where) == 0)) &&
            strstr(d->v[i].message, text))
            return (long)i;
    return -1;
}

/* ---- reading ----------------------------------------------------------------- */

START_TEST(csv__header_maps_columns_in_any_order)
{
    /* Columns shuffled, optional ones included, format left out. */
    const char *text = "ratings.initial_response,id,facts.agency_rate,name," RATINGS_HDR ",as_of,"
                       "ofsted.grade,size.child_population,source\n"
                       "0.5,barnsley-2012,0.12,Barnsley MBC,"
                       "1,1.5,0,3,4,2,2,2,2,1,2,3,0.5,2012-07,inadequate,52000,adviser\n";
    /* ratings.initial_response appears twice in that header: the header
     * check must catch it. Build the real header without the repeat. */
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 0);
    ck_assert_int_ge(find_diag(&ra.d, NULL, "column \"ratings.initial_response\" appears twice"), 0);
    ck_assert_int_eq(ra.d.v[0].line, 1);
    readall_free(&ra);

    text = "ratings.initial_response,id,facts.agency_rate,name,ratings.senior_leadership,"
           "ratings.middle_leadership,ratings.leadership_stability,ratings.political_commitment,"
           "ratings.corporate_leadership,ratings.acceptance,ratings.governance,ratings.partnerships,"
           "ratings.self_assessment,ratings.workforce_stability,ratings.financial_resilience,"
           "ratings.failure_extent,as_of,ofsted.grade,size.child_population,source\n"
           "0.5,barnsley-2012,0.12,Barnsley MBC,1,1.5,0,3,4,2,2,2,2,1,2,3,2012-07,inadequate,"
           "52000,adviser\n";
    read_csv(text, 0, &ra);
    ck_assert_msg(ra.n == 1 && ra.d.n == 0, "%s", dump(&ra.d));
    const imv_profile *p = ra.p[0];
    ck_assert_str_eq(p->id, "barnsley-2012");
    ck_assert_str_eq(p->name, "Barnsley MBC");
    ck_assert_str_eq(p->as_of, "2012-07");
    ck_assert_str_eq(p->src_note, "adviser");
    ck_assert_int_eq(p->grade, IMV_G_INADEQUATE);
    ck_assert_double_eq(p->ratings[IMV_R_INITIAL_RESPONSE].mode, 0.5);
    ck_assert_double_eq(p->ratings[IMV_R_SENIOR_LEADERSHIP].mode, 1);
    ck_assert_double_eq(p->ratings[IMV_R_MIDDLE_LEADERSHIP].mode, 1.5);
    ck_assert_double_eq(p->ratings[IMV_R_LEADERSHIP_STABILITY].mode, 0);
    ck_assert_double_eq(p->ratings[IMV_R_POLITICAL_COMMITMENT].mode, 3);
    ck_assert_double_eq(p->ratings[IMV_R_CORPORATE_LEADERSHIP].mode, 4);
    ck_assert_double_eq(p->ratings[IMV_R_WORKFORCE_STABILITY].mode, 1);
    ck_assert_double_eq(p->ratings[IMV_R_FAILURE_EXTENT].mode, 3);
    ck_assert_double_eq(p->facts[IMV_F_AGENCY_RATE], 0.12);
    ck_assert_uint_eq(p->facts_present, 1u << IMV_F_AGENCY_RATE);
    ck_assert_double_eq(p->child_population, 52000);
    ck_assert_double_eq(p->children_in_care, IMV_UNKNOWN);
    ck_assert_int_eq(p->line, 2);
    readall_free(&ra);
}
END_TEST

START_TEST(csv__ranges)
{
    const char *text = HDR "\n"
                           "r,R,2020,good,1..3,1..2..3,0..4,2,2,2,2,2,2,2,2,2,0.5..1..1.5\n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_msg(ra.n == 1 && ra.d.n == 0, "%s", dump(&ra.d));
    const imv_profile *p = ra.p[0];
    const imv_range *u = &p->ratings[IMV_R_SENIOR_LEADERSHIP];
    ck_assert_int_eq(u->kind, 1);
    ck_assert_double_eq(u->low, 1);
    ck_assert_double_eq(u->high, 3);
    ck_assert_double_eq(imv_range_point(u), 2);
    const imv_range *t = &p->ratings[IMV_R_MIDDLE_LEADERSHIP];
    ck_assert_int_eq(t->kind, 2);
    ck_assert_double_eq(t->low, 1);
    ck_assert_double_eq(t->mode, 2);
    ck_assert_double_eq(t->high, 3);
    ck_assert_double_eq(imv_range_point(&p->ratings[IMV_R_LEADERSHIP_STABILITY]), 2);
    const imv_range *d = &p->ratings[IMV_R_INITIAL_RESPONSE];
    ck_assert_double_eq(d->low, 0.5);
    ck_assert_double_eq(d->mode, 1);
    ck_assert_double_eq(d->high, 1.5);
    ck_assert_int_eq(p->uncertain, 1);
    readall_free(&ra);
}
END_TEST

START_TEST(csv__range_errors_name_the_column_and_line)
{
    const char *text = HDR "\n"
                           "a,A,2020,good,3..1," TWOS "\n" /* 14 ratings: one too many */
                           "b,B,2020,good,1..5,2,2,2,2,2,2,2,2,2,2,2,2\n"
                           "c,C,2020,good,1..2..3..4,2,2,2,2,2,2,2,2,2,2,2,2\n"
                           "d,D,2020,good,1..,2,2,2,2,2,2,2,2,2,2,2,2\n"
                           "e,E,2020,good,1..3..2,2,2,2,2,2,2,2,2,2,2,2,2\n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 0);
    ck_assert_uint_eq(ra.bad, 5);
    long i = find_diag(&ra.d, NULL, "row has 18 cells, the header has 17");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 2);
    i = find_diag(&ra.d, "ratings.senior_leadership.high", "5 is outside 0..4");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 3);
    i = find_diag(&ra.d, "ratings.senior_leadership",
                  "\"1..2..3..4\" is not a number or a range like 1..3 or 1..2..3");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 4);
    i = find_diag(&ra.d, "ratings.senior_leadership", "\"1..\" is not a number");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 5);
    i = find_diag(&ra.d, "ratings.senior_leadership", "mode 3 is not within low..high (1..2)");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 6);
    readall_free(&ra);
}
END_TEST

START_TEST(csv__previous_grades_semicolon_separated)
{
    const char *text = "id,name,as_of,ofsted.grade,ofsted.previous," RATINGS_HDR "\n"
                       "a,A,2020,inadequate,adequate;good; outstanding ," TWOS "\n"
                       "b,B,2020,inadequate,requires_improvement," TWOS "\n"
                       "c,C,2020,inadequate,good;superb," TWOS "\n"
                       "d,D,2020,adequate,," TWOS "\n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 3);
    ck_assert_uint_eq(ra.bad, 1);
    const imv_profile *a = ra.p[0];
    ck_assert_uint_eq(a->n_previous, 3);
    ck_assert_int_eq(a->previous[0], IMV_G_REQUIRES_IMPROVEMENT);
    ck_assert_int_eq(a->previous[1], IMV_G_GOOD);
    ck_assert_int_eq(a->previous[2], IMV_G_OUTSTANDING); /* spaces around it trimmed */
    ck_assert_uint_eq(ra.p[1]->n_previous, 1);
    ck_assert_int_eq(ra.p[1]->previous[0], IMV_G_REQUIRES_IMPROVEMENT);
    long i = find_diag(&ra.d, "ofsted.previous[1]", "\"superb\" is not a grade");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 4);
    /* An empty cell is no previous grades; "adequate" is RI. */
    ck_assert_str_eq(ra.p[2]->id, "d");
    ck_assert_uint_eq(ra.p[2]->n_previous, 0);
    ck_assert_int_eq(ra.p[2]->grade, IMV_G_REQUIRES_IMPROVEMENT);
    ck_assert_int_eq(ra.p[2]->grade_was_adequate, 1);
    readall_free(&ra);
}
END_TEST

START_TEST(csv__rfc4180_quoting)
{
    const char *text = "id,name,as_of,ofsted.grade,source," RATINGS_HDR "\n"
                       "bath,\"Bath, North East Somerset\",2020,good,\"the \"\"adviser\"\" said\"," TWOS
                       "\n"
                       "multi,\"Two\nLines\",2020,good,\"a,b\nc\"\"d\"," TWOS "\n"
                       "\"quoted-id\",Plain,2020,\"good\",," TWOS "\n"
                       "after,After,2020,good,x," TWOS "\n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_msg(ra.n == 4 && ra.d.n == 0, "%s", dump(&ra.d));
    ck_assert_str_eq(ra.p[0]->name, "Bath, North East Somerset");
    ck_assert_str_eq(ra.p[0]->src_note, "the \"adviser\" said");
    ck_assert_double_eq(ra.p[0]->ratings[IMV_R_INITIAL_RESPONSE].mode, 2);
    ck_assert_str_eq(ra.p[1]->name, "Two\nLines");
    ck_assert_str_eq(ra.p[1]->src_note, "a,b\nc\"d");
    ck_assert_str_eq(ra.p[2]->id, "quoted-id");
    ck_assert_ptr_null(ra.p[2]->src_note); /* empty cell: absent */
    /* Lines: header 1, bath 2, multi 3-5 (two quoted newlines), quoted-id
     * 6, after 7. */
    ck_assert_int_eq(ra.p[0]->line, 2);
    ck_assert_int_eq(ra.p[1]->line, 3);
    ck_assert_int_eq(ra.p[2]->line, 6);
    ck_assert_int_eq(ra.p[3]->line, 7);
    readall_free(&ra);
}
END_TEST

START_TEST(csv__crlf_line_ends)
{
    const char *text = HDR "\r\n"
                           "a,\"Alpha\r\nCouncil\",2020,good," TWOS "\r\n"
                           "b,Beta,2020,good,2,2,2,2,2,2,2,2,2,2,2,2,9\r\n"
                           "c,Gamma,2020,good," TWOS "\r\n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 2);
    ck_assert_uint_eq(ra.bad, 1);
    ck_assert_str_eq(ra.p[0]->id, "a");
    ck_assert_str_eq(ra.p[0]->name, "Alpha\r\nCouncil");
    ck_assert_str_eq(ra.p[1]->id, "c"); /* no stray \r on the last cell */
    ck_assert_double_eq(ra.p[1]->ratings[IMV_R_INITIAL_RESPONSE].mode, 2);
    long i = find_diag(&ra.d, "ratings.initial_response", "9 is outside 0..4");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 4);
    ck_assert_int_eq(ra.p[1]->line, 5);
    readall_free(&ra);
}
END_TEST

START_TEST(csv__too_few_and_too_many_cells)
{
    const char *text = HDR "\n"
                           "a,A,2020,good,2,2\n"
                           "b,B,2020,good," TWOS ",2,2\n"
                           "c,C,2020,good," TWOS "\n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 1);
    ck_assert_str_eq(ra.p[0]->id, "c");
    ck_assert_uint_eq(ra.bad, 2);
    ck_assert_uint_eq(ra.d.n_errors, 2);
    ck_assert_str_eq(ra.d.v[0].message, "row has 6 cells, the header has 17");
    ck_assert_int_eq(ra.d.v[0].line, 2);
    ck_assert_str_eq(ra.d.v[1].message, "row has 19 cells, the header has 17");
    ck_assert_int_eq(ra.d.v[1].line, 3);
    char buf[400];
    imv_diag_format(&ra.d.v[1], buf, sizeof buf);
    ck_assert_msg(strstr(buf, ":3: row has 19 cells") != NULL, "%s", buf);
    readall_free(&ra);
}
END_TEST

START_TEST(csv__empty_cells_are_absent_fields)
{
    const char *text = "id,name,as_of,ofsted.grade,facts.agency_rate,facts.failure_years,"
                       "size.children_in_care," RATINGS_HDR "\n"
                       "a,A,2020,good,,3,," TWOS "\n"
                       "b,,2020,good,,,," TWOS "\n"
                       "c,C,2020,good,,,,2,2,,2,2,2,2,2,2,2,2,2,2\n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 1);
    const imv_profile *a = ra.p[0];
    ck_assert_uint_eq(a->facts_present, 1u << IMV_F_FAILURE_YEARS);
    ck_assert_double_eq(a->facts[IMV_F_FAILURE_YEARS], 3);
    ck_assert_double_eq(a->children_in_care, IMV_UNKNOWN);
    /* An empty required cell is a missing required field. */
    long i = find_diag(&ra.d, "name", "missing (required)");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 3);
    i = find_diag(&ra.d, "ratings.leadership_stability", "missing (required)");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 4);
    readall_free(&ra);
}
END_TEST

START_TEST(csv__non_numeric_values)
{
    const char *text = "id,name,as_of,ofsted.grade,facts.agency_rate,size.child_population," RATINGS_HDR
                       "\n"
                       "a,A,2020,good,0.1,1000,2,high,2,2,2,2,2,2,2,2,2,2,2\n"
                       "b,B,2020,good,\"0,25\",1000," TWOS "\n"
                       "c,C,2020,good,0.1,lots," TWOS "\n"
                       "d,D,2020,good,0.1..0.2,1000," TWOS "\n"
                       "e,E,2020,good,0.1,1000,2,2,2,2,2,2,2,2,2,2,2,2,2a\n"
                       /* Blanks around an unquoted cell are not part of it
                        * (libcsv trims them), so " 3 " is the number 3. */
                       "f,F,2020,good,0.1,1000,2,2,2,2,2,2,2,2,2,2,2,2, 3 \n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 1);
    ck_assert_str_eq(ra.p[0]->id, "f");
    ck_assert_double_eq(ra.p[0]->ratings[IMV_R_INITIAL_RESPONSE].mode, 3);
    ck_assert_uint_eq(ra.bad, 5);
    long i = find_diag(&ra.d, "ratings.middle_leadership",
                       "\"high\" is not a number or a range like 1..3 or 1..2..3");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 2);
    i = find_diag(&ra.d, "facts.agency_rate", "\"0,25\" is not a number");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 3);
    /* Only ratings may be ranges: a fact column says "not a number"
     * without suggesting one. */
    ck_assert_ptr_null(strstr(ra.d.v[i].message, "range"));
    i = find_diag(&ra.d, "size.child_population", "\"lots\" is not a number");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 4);
    i = find_diag(&ra.d, "facts.agency_rate", "\"0.1..0.2\" is not a number");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 5);
    i = find_diag(&ra.d, "ratings.initial_response", "\"2a\" is not a number");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 6);
    /* The message format: file, the column's path, the message, and the
     * line of the row. */
    char buf[600];
    imv_diag_format(&ra.d.v[0], buf, sizeof buf);
    ck_assert_msg(strstr(buf, ".csv: ratings.middle_leadership: \"high\" is not a number") &&
                      strstr(buf, "line 2"),
                  "%s", buf);
    readall_free(&ra);
}
END_TEST

START_TEST(csv__validator_messages_carry_the_row_line)
{
    const char *text = HDR "\n"
                           "a,A,2020,good," TWOS "\n"
                           "\n" /* a blank line is skipped, but still counted */
                           "Bad Id,B,2020-13,great," TWOS "\n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 1);
    ck_assert_uint_eq(ra.bad, 1);
    ck_assert_uint_eq(ra.d.n_errors, 3);
    for (size_t i = 0; i < ra.d.n; i++)
        ck_assert_int_eq(ra.d.v[i].line, 4);
    ck_assert_int_ge(find_diag(&ra.d, "id", "not a valid id"), 0);
    ck_assert_int_ge(find_diag(&ra.d, "as_of", "\"2020-13\" is not a date"), 0);
    ck_assert_int_ge(find_diag(&ra.d, "ofsted.grade", "\"great\" is not a grade"), 0);
    readall_free(&ra);
}
END_TEST

START_TEST(csv__unknown_column_warned_or_strict_error)
{
    const char *text = "id,name,as_of,ofsted.grade,colour,facts.caseload," RATINGS_HDR "\n"
                       "a,A,2020,good,red,18," TWOS "\n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 1);
    ck_assert_uint_eq(ra.d.n_errors, 0);
    ck_assert_int_ge(find_diag(&ra.d, "colour", "unknown field"), 0);
    ck_assert_int_ge(find_diag(&ra.d, "facts.caseload", "unknown field"), 0);
    ck_assert_ptr_nonnull(ra.p[0]->extra_json);
    ck_assert_ptr_nonnull(strstr(ra.p[0]->extra_json, "\"colour\":\"red\""));
    readall_free(&ra);
    read_csv(text, 1, &ra);
    ck_assert_uint_eq(ra.n, 0);
    ck_assert_uint_eq(ra.bad, 1);
    ck_assert_int_ge(find_diag(&ra.d, "colour", "unknown field (--strict)"), 0);
    readall_free(&ra);
}
END_TEST

START_TEST(csv__explicit_format_column)
{
    const char *text = "format,id,name,as_of,ofsted.grade," RATINGS_HDR "\n"
                       "imeval-profile/1,a,A,2020,good," TWOS "\n"
                       "imeval-profile/2,b,B,2020,good," TWOS "\n"
                       ",c,C,2020,good," TWOS "\n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 2);
    ck_assert_str_eq(ra.p[0]->id, "a");
    ck_assert_str_eq(ra.p[1]->id, "c"); /* an empty format cell means version 1 */
    long i = find_diag(&ra.d, "format", "major version 2");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 3);
    readall_free(&ra);
}
END_TEST

START_TEST(csv__file_level_problems)
{
    readall ra;
    read_csv("", 0, &ra);
    ck_assert_uint_eq(ra.n, 0);
    ck_assert_int_ge(find_diag(&ra.d, NULL, "empty file: expected a CSV header row"), 0);
    readall_free(&ra);

    /* A quote never closed: the rows before it are still read. */
    const char *text = HDR "\n"
                           "a,A,2020,good," TWOS "\n"
                           "b,\"Beta,2020,good," TWOS "\n";
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 1);
    ck_assert_str_eq(ra.p[0]->id, "a");
    /* reported at the line where the row with the open quote starts */
    long q = find_diag(&ra.d, NULL, "is not closed at the end of the file");
    ck_assert_msg(q >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[q].line, 3);
    readall_free(&ra);

    /* A quote inside an unquoted field is not RFC 4180. */
    text = HDR "\n"
               "a,A,2020,good," TWOS "\n"
               "b,Be\"ta,2020,good," TWOS "\n";
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 1);
    long i = find_diag(&ra.d, NULL, "malformed CSV");
    ck_assert_msg(i >= 0, "%s", dump(&ra.d));
    ck_assert_int_eq(ra.d.v[i].line, 3);
    readall_free(&ra);
}
END_TEST

/* Spreadsheets (Excel's "CSV UTF-8") start files with a byte order mark:
 * the profiles must still be read, and the header's first column must
 * still be "id". */
START_TEST(csv__byte_order_mark)
{
    const char *text = "\xEF\xBB\xBF" HDR "\n"
                       "a,A,2020,good," TWOS "\n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_uint_eq(ra.n, 1);
    ck_assert_str_eq(ra.p[0]->id, "a");
    /* Said, but only as a warning: it is no reason to fail the run. */
    long i = find_diag(&ra.d, NULL, "byte order mark");
    ck_assert_int_ge(i, 0);
    ck_assert_int_eq(ra.d.v[i].warning, 1);
    ck_assert_uint_eq(ra.d.n_errors, 0);
    readall_free(&ra);
    /* JSON: an error (RFC 8259 forbids it), but the profile is still read. */
    char *j = tu_profile_json("bom", "good", 2);
    char *text2 = malloc(strlen(j) + 4);
    sprintf(text2, "\xEF\xBB\xBF%s", j);
    char *path = tu_write_temp_str(text2, ".json");
    imv_diags d;
    imv_diags_init(&d);
    imv_reader *r = imv_reader_open(path, NULL, &d);
    imv_profile *p;
    ck_assert_int_eq(imv_reader_next(r, &p, &d), 1);
    ck_assert_str_eq(p->id, "bom");
    ck_assert_uint_eq(d.n_errors, 1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.v[0].message, "byte order mark"));
    imv_profile_free(p);
    imv_reader_close(r);
    imv_diags_free(&d);
    unlink(path);
    free(path);
    free(text2);
    free(j);
}
END_TEST

START_TEST(csv__detected_by_content)
{
    /* No .csv extension: the first byte is not { or [, so it is CSV. */
    const char *text = HDR "\na,A,2020,good," TWOS "\n";
    char *path = tu_write_temp_str(text, ".txt");
    imv_diags d;
    imv_diags_init(&d);
    imv_reader *r = imv_reader_open(path, NULL, &d);
    imv_profile *p;
    ck_assert_int_eq(imv_reader_next(r, &p, &d), 1);
    ck_assert_str_eq(p->id, "a");
    imv_profile_free(p);
    imv_reader_close(r);
    imv_diags_free(&d);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(csv__case_dataset_matches_json)
{
    /* The same authority written as CSV and as JSON reads the same. */
    const char *text = HDR ",ofsted.previous,facts.failure_years,facts.agency_rate,"
                           "size.child_population,size.children_in_care\n"
                           "isle-of-wight-2013,Isle of Wight Council,2013-02,inadequate,"
                           "0.5..1..1.5,1,1,2.5..3..3.5,3,3,2,2,1,1,2,2.5..3..3.5,2,adequate,2,0.25,"
                           "27000,200\n";
    readall ra;
    read_csv(text, 0, &ra);
    ck_assert_msg(ra.n == 1 && ra.d.n == 0, "%s", dump(&ra.d));
    char path[512];
    snprintf(path, sizeof path, "%s/cases/isle-of-wight-2013.json", TU_DATASETS);
    imv_diags d;
    imv_diags_init(&d);
    imv_reader *r = imv_reader_open(path, NULL, &d);
    ck_assert_ptr_nonnull(r);
    imv_profile *j;
    ck_assert_int_eq(imv_reader_next(r, &j, &d), 1);
    const imv_profile *c = ra.p[0];
    ck_assert_str_eq(c->id, j->id);
    ck_assert_str_eq(c->name, j->name);
    ck_assert_int_eq(c->grade, j->grade);
    ck_assert_uint_eq(c->n_previous, j->n_previous);
    ck_assert_int_eq(c->previous[0], j->previous[0]);
    for (int i = 0; i < IMV_R_COUNT; i++) {
        ck_assert_int_eq(c->ratings[i].kind, j->ratings[i].kind);
        ck_assert_double_eq(c->ratings[i].low, j->ratings[i].low);
        ck_assert_double_eq(c->ratings[i].mode, j->ratings[i].mode);
        ck_assert_double_eq(c->ratings[i].high, j->ratings[i].high);
    }
    ck_assert_uint_eq(c->facts_present, j->facts_present);
    ck_assert_double_eq(c->facts[IMV_F_AGENCY_RATE], j->facts[IMV_F_AGENCY_RATE]);
    ck_assert_double_eq(c->child_population, j->child_population);
    ck_assert_double_eq(c->children_in_care, j->children_in_care);
    imv_profile_free(j);
    imv_reader_close(r);
    imv_diags_free(&d);
    readall_free(&ra);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("csv");
    tcase_add_test(tc, csv__header_maps_columns_in_any_order);
    tcase_add_test(tc, csv__ranges);
    tcase_add_test(tc, csv__range_errors_name_the_column_and_line);
    tcase_add_test(tc, csv__previous_grades_semicolon_separated);
    tcase_add_test(tc, csv__rfc4180_quoting);
    tcase_add_test(tc, csv__crlf_line_ends);
    tcase_add_test(tc, csv__too_few_and_too_many_cells);
    tcase_add_test(tc, csv__empty_cells_are_absent_fields);
    tcase_add_test(tc, csv__non_numeric_values);
    tcase_add_test(tc, csv__validator_messages_carry_the_row_line);
    tcase_add_test(tc, csv__unknown_column_warned_or_strict_error);
    tcase_add_test(tc, csv__explicit_format_column);
    tcase_add_test(tc, csv__file_level_problems);
    tcase_add_test(tc, csv__byte_order_mark);
    tcase_add_test(tc, csv__detected_by_content);
    tcase_add_test(tc, csv__case_dataset_matches_json);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
