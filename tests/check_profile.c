/*
 * check_profile.c - reading and validating JSON profiles against
 * PROFILE-FORMAT.md: every field read into the right place, every kind of
 * mistake reported with its JSON path (or line) and what was expected, and
 * the four JSON layouts (object, array, JSON Lines, concatenated objects).
 *
 * Expected values come from the profile text in each test, never from a
 * run of the program.
 */
#include <cjson/cJSON.h>
#include <math.h>

#include "../core/internal.h"
#include "json_same.h"
#include "testutil.h"

/* ---- helpers --------------------------------------------------------------- */

/* The example profile of PROFILE-FORMAT.md, with every optional field
 * filled in as well, so one read checks every field. */
static const char full_profile[] =
    "{\n"
    "  \"format\": \"imeval-profile/1\",\n"
    "  \"id\": \"isle-of-wight-2013\",\n"
    "  \"name\": \"Isle of Wight Council\",\n"
    "  \"as_of\": \"2013-02\",\n"
    "  \"source\": \"Ofsted report Jan 2013\",\n"
    "  \"size\": { \"child_population\": 27000, \"children_in_care\": 200 },\n"
    "  \"ofsted\": { \"grade\": \"inadequate\", \"previous\": [\"adequate\", \"good\"] },\n"
    "  \"ratings\": {\n"
    "    \"senior_leadership\": 1, \"middle_leadership\": 1.5, \"leadership_stability\": 0,\n"
    "    \"political_commitment\": 3, \"corporate_leadership\": 3.25, \"acceptance\": 4,\n"
    "    \"governance\": 2, \"partnerships\": { \"low\": 1, \"high\": 3 },\n"
    "    \"self_assessment\": { \"low\": 0.5, \"mode\": 1, \"high\": 2.5 },\n"
    "    \"workforce_stability\": 1, \"financial_resilience\": 2,\n"
    "    \"failure_extent\": 3, \"initial_response\": 2.5\n"
    "  },\n"
    "  \"facts\": { \"failure_years\": 2, \"agency_rate\": 0.25, \"vacancy_rate\": 0.1,\n"
    "             \"turnover_rate\": 0.3, \"leadership_changes_3y\": 4,\n"
    "             \"unallocated_cases\": 120, \"additional_investment_gbp_m\": 1.5 },\n"
    "  \"current_intervention\": { \"model\": \"improvement_board\", \"since\": \"2012-06-15\",\n"
    "                            \"partner\": \"hampshire\" },\n"
    "  \"partners\": [\n"
    "    { \"id\": \"hampshire\", \"name\": \"Hampshire County Council\", \"grade\": \"outstanding\",\n"
    "      \"neighbouring\": true, \"child_population\": 280000,\n"
    "      \"spare_leadership_capacity\": 3, \"current_commitments\": 0 },\n"
    "    { \"id\": \"west-sussex\", \"neighbouring\": false }\n"
    "  ]\n"
    "}\n";

/* Parse JSON text (the test's own, so it must parse). */
static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    ck_assert_msg(j != NULL, "test JSON does not parse: %s", text);
    return j;
}

/* The item at a dotted path, creating objects on the way when create. */
static cJSON *at_path(cJSON *root, const char *path, int create, cJSON **parent, char *leaf,
                      size_t leaflen)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    cJSON *o = root;
    char *save = NULL, *tok = strtok_r(buf, ".", &save), *nexttok;
    while ((nexttok = strtok_r(NULL, ".", &save))) {
        cJSON *c = cJSON_GetObjectItemCaseSensitive(o, tok);
        if (!c && create)
            c = cJSON_AddObjectToObject(o, tok);
        ck_assert_msg(c != NULL, "no %s in the test profile", path);
        o = c;
        tok = nexttok;
    }
    *parent = o;
    snprintf(leaf, leaflen, "%s", tok);
    return cJSON_GetObjectItemCaseSensitive(o, tok);
}

/* A valid base profile with path set to the JSON value text (or removed
 * when value is NULL). */
static cJSON *base_with(const char *path, const char *value)
{
    char *text = tu_profile_json("test-1", "inadequate", 2);
    cJSON *j = parse(text);
    free(text);
    cJSON *parent;
    char leaf[64];
    at_path(j, path, value != NULL, &parent, leaf, sizeof leaf);
    cJSON_DeleteItemFromObjectCaseSensitive(parent, leaf);
    if (value)
        cJSON_AddItemToObject(parent, leaf, parse(value));
    return j;
}

/* Validate a profile built by base_with; returns the rc and keeps diags. */
static int check_with(const char *path, const char *value, int strict, imv_profile **out,
                      imv_diags *d)
{
    cJSON *j = base_with(path, value);
    int rc = imv_profile_from_json(j, "p.json", 1, strict, out, d);
    cJSON_Delete(j);
    return rc;
}

/* Index of the first diagnostic at `where` (NULL: any) whose message
 * contains `text`, or -1. */
static long find_diag(const imv_diags *d, const char *where, const char *text)
{
    for (size_t i = 0; i < d->n; i++)
        if ((!where || (d->v[i].where && strcmp(d->v[i].where, where) == 0)) &&
            strstr(d->v[i].message, text))
            return (long)i;
    return -1;
}

static void dump(const imv_diags *d, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n && k + 1 < len; i++) {
        char line[600];
        imv_diag_format(&d->v[i], line, sizeof line);
        k += (size_t)snprintf(buf + k, len - k, "[%s] ", line);
        if (k >= len)
            break;
    }
}

/* Assert that setting path to value fails with exactly one error, at
 * where, whose message contains text. */
static void expect_error(const char *path, const char *value, const char *where, const char *text)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = (imv_profile *)1;
    int rc = check_with(path, value, 0, &p, &d);
    char all[2000];
    dump(&d, all, sizeof all);
    ck_assert_msg(rc == IMV_EINVAL, "%s=%s: expected IMV_EINVAL, got %d", path,
                  value ? value : "(absent)", rc);
    ck_assert_ptr_null(p);
    ck_assert_msg(d.n_errors == 1, "%s=%s: expected one error, got: %s", path,
                  value ? value : "(absent)", all);
    ck_assert_msg(find_diag(&d, where, text) >= 0, "%s=%s: no error at %s containing \"%s\": %s",
                  path, value ? value : "(absent)", where, text, all);
    long i = find_diag(&d, where, text);
    ck_assert_str_eq(d.v[i].source, "p.json");
    ck_assert_int_eq(d.v[i].warning, 0);
    imv_diags_free(&d);
}

/* Assert that setting path to value is accepted; returns the profile. */
static imv_profile *expect_ok(const char *path, const char *value)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    int rc = check_with(path, value, 0, &p, &d);
    char all[2000];
    dump(&d, all, sizeof all);
    ck_assert_msg(rc == 0 && p, "%s=%s: refused: %s", path, value ? value : "(absent)", all);
    ck_assert_msg(d.n == 0, "%s=%s: unexpected diagnostics: %s", path, value ? value : "(absent)",
                  all);
    imv_diags_free(&d);
    return p;
}

/* Read every profile of a text through the streaming reader. */
typedef struct readall {
    imv_profile *p[32];
    size_t n;   /* profiles returned */
    size_t bad; /* calls that returned -1 */
    int last_rc;
    imv_diags d;
} readall;

static void read_all(const char *text, size_t len, const char *suffix, int strict, readall *ra)
{
    memset(ra, 0, sizeof *ra);
    imv_diags_init(&ra->d);
    char *path = tu_write_temp(text, len, suffix);
    imv_read_opts o = {.strict = strict};
    imv_reader *r = imv_reader_open(path, &o, &ra->d);
    ck_assert_ptr_nonnull(r);
    for (int guard = 0; guard < 100; guard++) {
        imv_profile *p = NULL;
        int rc = imv_reader_next(r, &p, &ra->d);
        ra->last_rc = rc;
        if (rc == 0)
            break;
        if (rc == 1) {
            ck_assert_uint_lt(ra->n, 32);
            ra->p[ra->n++] = p;
        } else if (rc == -1) {
            ck_assert_ptr_null(p);
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

/* ---- every field --------------------------------------------------------------- */

START_TEST(fields__every_field_read)
{
    readall ra;
    read_all(full_profile, strlen(full_profile), ".json", 0, &ra);
    char all[2000];
    dump(&ra.d, all, sizeof all);
    ck_assert_msg(ra.n == 1 && ra.bad == 0 && ra.d.n == 0, "%s", all);
    const imv_profile *p = ra.p[0];
    ck_assert_str_eq(p->id, "isle-of-wight-2013");
    ck_assert_str_eq(p->name, "Isle of Wight Council");
    ck_assert_str_eq(p->as_of, "2013-02");
    ck_assert_str_eq(p->src_note, "Ofsted report Jan 2013");
    ck_assert_int_eq(p->line, 1);
    ck_assert_double_eq(p->child_population, 27000);
    ck_assert_double_eq(p->children_in_care, 200);
    ck_assert_int_eq(p->grade, IMV_G_INADEQUATE);
    ck_assert_int_eq(p->grade_was_adequate, 0);
    ck_assert_uint_eq(p->n_previous, 2);
    ck_assert_int_eq(p->previous[0], IMV_G_REQUIRES_IMPROVEMENT); /* "adequate", newest first */
    ck_assert_int_eq(p->previous[1], IMV_G_GOOD);

    /* Plain ratings: kind 0 with low = mode = high. */
    static const struct {
        int r;
        double v;
    } plain[] = {
        {IMV_R_SENIOR_LEADERSHIP, 1},
        {IMV_R_MIDDLE_LEADERSHIP, 1.5},
        {IMV_R_LEADERSHIP_STABILITY, 0},
        {IMV_R_POLITICAL_COMMITMENT, 3},
        {IMV_R_CORPORATE_LEADERSHIP, 3.25},
        {IMV_R_ACCEPTANCE, 4},
        {IMV_R_GOVERNANCE, 2},
        {IMV_R_WORKFORCE_STABILITY, 1},
        {IMV_R_FINANCIAL_RESILIENCE, 2},
        {IMV_R_FAILURE_EXTENT, 3},
        {IMV_R_INITIAL_RESPONSE, 2.5},
    };
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
        const imv_range *r = &p->ratings[plain[i].r];
        ck_assert_msg(r->kind == 0 && r->mode == plain[i].v && r->low == plain[i].v &&
                          r->high == plain[i].v,
                      "%s: kind %d %g/%g/%g", imv_rating_name(plain[i].r), r->kind, r->low, r->mode,
                      r->high);
        ck_assert_double_eq(imv_range_point(r), plain[i].v);
    }
    /* Uniform 1..3: point value is the midpoint. */
    const imv_range *u = &p->ratings[IMV_R_PARTNERSHIPS];
    ck_assert_int_eq(u->kind, 1);
    ck_assert_double_eq(u->low, 1);
    ck_assert_double_eq(u->high, 3);
    ck_assert_double_eq(imv_range_point(u), 2);
    /* Triangular 0.5..1..2.5: point value is the mode, not the midpoint 1.5. */
    const imv_range *t = &p->ratings[IMV_R_SELF_ASSESSMENT];
    ck_assert_int_eq(t->kind, 2);
    ck_assert_double_eq(t->low, 0.5);
    ck_assert_double_eq(t->mode, 1);
    ck_assert_double_eq(t->high, 2.5);
    ck_assert_double_eq(imv_range_point(t), 1);
    ck_assert_int_eq(p->uncertain, 1);

    static const double facts[IMV_F_COUNT] = {2, 0.25, 0.1, 0.3, 4, 120, 1.5};
    ck_assert_uint_eq(p->facts_present, (1u << IMV_F_COUNT) - 1);
    for (int f = 0; f < IMV_F_COUNT; f++)
        ck_assert_double_eq(p->facts[f], facts[f]);

    ck_assert_str_eq(p->iv_model, "improvement_board");
    ck_assert_str_eq(p->iv_since, "2012-06-15");
    ck_assert_str_eq(p->iv_partner, "hampshire");

    ck_assert_uint_eq(p->n_partners, 2);
    const imv_partner *h = &p->partners[0];
    ck_assert_str_eq(h->id, "hampshire");
    ck_assert_str_eq(h->name, "Hampshire County Council");
    ck_assert_int_eq(h->grade, IMV_G_OUTSTANDING);
    ck_assert_int_eq(h->neighbouring, 1);
    ck_assert_double_eq(h->child_population, 280000);
    ck_assert_double_eq(h->spare_leadership_capacity, 3);
    ck_assert_double_eq(h->current_commitments, 0);
    /* A partner with only an id: everything else "not given". */
    const imv_partner *w = &p->partners[1];
    ck_assert_str_eq(w->id, "west-sussex");
    ck_assert_ptr_null(w->name);
    ck_assert_int_eq(w->grade, IMV_G_NOT_INSPECTED);
    ck_assert_int_eq(w->neighbouring, 0);
    ck_assert_double_eq(w->child_population, IMV_UNKNOWN);
    ck_assert_double_eq(w->spare_leadership_capacity, IMV_UNKNOWN);
    ck_assert_double_eq(w->current_commitments, IMV_UNKNOWN);
    ck_assert_ptr_null(p->extra_json);
    readall_free(&ra);
}
END_TEST

START_TEST(fields__view_carries_point_values_and_intervention_months)
{
    cJSON *j = parse(full_profile);
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_profile_from_json(j, "f.json", 1, 0, &p, &d), 0);
    imv_partner_view pb[2];
    imv_profile_view v;
    imv_profile_view_init(p, &v, pb);
    ck_assert_double_eq(v.ratings[IMV_R_PARTNERSHIPS], 2);    /* midpoint of 1..3 */
    ck_assert_double_eq(v.ratings[IMV_R_SELF_ASSESSMENT], 1); /* mode */
    ck_assert_double_eq(v.ratings[IMV_R_CORPORATE_LEADERSHIP], 3.25);
    ck_assert_str_eq(v.intervention_model, "improvement_board");
    /* 2012-06-15 to 2013-02: a month without a day means its middle, so
     * this is 15 June to mid-February: 8 months and half a month, less the
     * 14 days (of a 30-day month) already gone in June. */
    ck_assert_double_eq_tol(v.intervention_months, 8.5 - 14.0 / 30, 1e-9);
    ck_assert_uint_eq(v.n_partners, 2);
    ck_assert_str_eq(v.partners[0]->id, "hampshire");
    ck_assert_int_eq(v.partners[1]->neighbouring, 0);
    imv_profile_free(p);
    imv_diags_free(&d);
    cJSON_Delete(j);
}
END_TEST

START_TEST(fields__minimal_profile_has_unknowns)
{
    imv_profile *p = expect_ok("source", NULL);
    ck_assert_ptr_null(p->src_note);
    ck_assert_double_eq(p->child_population, IMV_UNKNOWN);
    ck_assert_double_eq(p->children_in_care, IMV_UNKNOWN);
    ck_assert_uint_eq(p->facts_present, 0);
    ck_assert_uint_eq(p->n_previous, 0);
    ck_assert_uint_eq(p->n_partners, 0);
    ck_assert_ptr_null(p->iv_model);
    ck_assert_int_eq(p->uncertain, 0);
    for (int i = 0; i < IMV_R_COUNT; i++)
        ck_assert_double_eq(imv_range_point(&p->ratings[i]), 2);
    imv_profile_free(p);
    /* null is "none" for the optional objects. */
    p = expect_ok("current_intervention", "null");
    ck_assert_ptr_null(p->iv_model);
    imv_profile_free(p);
    p = expect_ok("facts", "{\"agency_rate\": null, \"failure_years\": 0}");
    ck_assert_uint_eq(p->facts_present, 1u << IMV_F_FAILURE_YEARS);
    ck_assert_double_eq(p->facts[IMV_F_FAILURE_YEARS], 0);
    imv_profile_free(p);
}
END_TEST

START_TEST(fields__grades)
{
    static const struct {
        const char *s;
        int g;
        int adequate;
    } grades[] = {
        {"outstanding", IMV_G_OUTSTANDING, 0},
        {"good", IMV_G_GOOD, 0},
        {"requires_improvement", IMV_G_REQUIRES_IMPROVEMENT, 0},
        {"adequate", IMV_G_REQUIRES_IMPROVEMENT, 1},
        {"inadequate", IMV_G_INADEQUATE, 0},
        {"not_inspected", IMV_G_NOT_INSPECTED, 0},
    };
    for (size_t i = 0; i < sizeof grades / sizeof *grades; i++) {
        char v[64];
        snprintf(v, sizeof v, "\"%s\"", grades[i].s);
        imv_profile *p = expect_ok("ofsted.grade", v);
        ck_assert_msg(p->grade == (imv_grade)grades[i].g, "%s", grades[i].s);
        ck_assert_int_eq(p->grade_was_adequate, grades[i].adequate);
        imv_profile_free(p);
    }
    imv_profile *p = expect_ok("ofsted.previous", "[\"good\", \"adequate\", \"outstanding\"]");
    ck_assert_uint_eq(p->n_previous, 3);
    ck_assert_int_eq(p->previous[0], IMV_G_GOOD);
    ck_assert_int_eq(p->previous[1], IMV_G_REQUIRES_IMPROVEMENT);
    ck_assert_int_eq(p->previous[2], IMV_G_OUTSTANDING);
    imv_profile_free(p);
}
END_TEST

START_TEST(fields__ranges)
{
    imv_profile *p = expect_ok("ratings.acceptance", "{\"low\": 0, \"high\": 4}");
    ck_assert_int_eq(p->ratings[IMV_R_ACCEPTANCE].kind, 1);
    ck_assert_double_eq(imv_range_point(&p->ratings[IMV_R_ACCEPTANCE]), 2);
    ck_assert_int_eq(p->uncertain, 1);
    imv_profile_free(p);
    /* The mode may sit on either end. */
    p = expect_ok("ratings.acceptance", "{\"low\": 1, \"mode\": 1, \"high\": 3}");
    ck_assert_int_eq(p->ratings[IMV_R_ACCEPTANCE].kind, 2);
    ck_assert_double_eq(imv_range_point(&p->ratings[IMV_R_ACCEPTANCE]), 1);
    imv_profile_free(p);
    p = expect_ok("ratings.acceptance", "{\"low\": 1.5, \"mode\": 3.5, \"high\": 3.5}");
    ck_assert_double_eq(imv_range_point(&p->ratings[IMV_R_ACCEPTANCE]), 3.5);
    imv_profile_free(p);
    /* A range with no width is a point: nothing to draw. */
    p = expect_ok("ratings.acceptance", "{\"low\": 2.5, \"high\": 2.5}");
    ck_assert_double_eq(imv_range_point(&p->ratings[IMV_R_ACCEPTANCE]), 2.5);
    ck_assert_int_eq(p->ratings[IMV_R_ACCEPTANCE].kind, 0);
    ck_assert_int_eq(p->uncertain, 0);
    imv_profile_free(p);
    /* The bounds of 0..4 are inside. */
    p = expect_ok("ratings.failure_extent", "4");
    ck_assert_double_eq(p->ratings[IMV_R_FAILURE_EXTENT].mode, 4);
    imv_profile_free(p);
    p = expect_ok("ratings.failure_extent", "0");
    ck_assert_double_eq(p->ratings[IMV_R_FAILURE_EXTENT].mode, 0);
    imv_profile_free(p);
}
END_TEST

START_TEST(fields__dates_and_ids_accepted)
{
    static const char *const dates[] = {"\"2013\"",       "\"2013-02\"",    "\"2013-02-28\"",
                                        "\"2012-02-29\"", "\"2000-02-29\"", "\"2013-12-31\""};
    for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
        imv_profile *p = expect_ok("as_of", dates[i]);
        ck_assert_uint_eq(strlen(p->as_of) + 2, strlen(dates[i]));
        imv_profile_free(p);
    }
    static const char *const ids[] = {"\"a\"", "\"0\"", "\"isle-of-wight-2013\"",
                                      "\"st.helens_2014\"", "\"9-a.b_c\""};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        imv_profile *p = expect_ok("id", ids[i]);
        imv_profile_free(p);
    }
    /* 128 characters is the limit. */
    char id[140];
    id[0] = '"';
    memset(id + 1, 'a', 128);
    id[129] = '"';
    id[130] = '\0';
    imv_profile *p = expect_ok("id", id);
    ck_assert_uint_eq(strlen(p->id), 128);
    imv_profile_free(p);
}
END_TEST

START_TEST(fields__format_minor_version_accepted)
{
    imv_profile *p = expect_ok("format", "\"imeval-profile/1.3\"");
    imv_profile_free(p);
}
END_TEST

/* ---- errors ------------------------------------------------------------------- */

START_TEST(errors__missing_required_fields)
{
    expect_error("format", NULL, "format", "missing (required)");
    expect_error("id", NULL, "id", "missing (required)");
    expect_error("name", NULL, "name", "missing (required)");
    expect_error("as_of", NULL, "as_of", "missing (required)");
    expect_error("ofsted", NULL, "ofsted", "missing (required)");
    expect_error("ofsted.grade", NULL, "ofsted.grade", "missing (required)");
    expect_error("ratings", NULL, "ratings", "missing (required)");
    expect_error("current_intervention", "{\"since\": \"2012\"}", "current_intervention.model",
                 "missing (required)");
    expect_error("current_intervention", "{\"model\": \"trust\"}", "current_intervention.since",
                 "missing (required)");
    expect_error("partners", "[{\"name\": \"No id\"}]", "partners[0].id", "missing (required)");
    /* Each of the 13 ratings, by name. */
    for (int i = 0; i < IMV_R_COUNT; i++) {
        char path[80];
        snprintf(path, sizeof path, "ratings.%s", imv_rating_name(i));
        expect_error(path, NULL, path, "missing (required)");
    }
    /* Empty strings are missing values too. */
    expect_error("name", "\"\"", "name", "must not be empty");
}
END_TEST

START_TEST(errors__wrong_types)
{
    expect_error("id", "42", "id", "expected a string, got a number");
    expect_error("name", "[\"x\"]", "name", "expected a string, got an array");
    expect_error("as_of", "2013", "as_of", "expected a string, got a number");
    expect_error("format", "1", "format", "got a number");
    expect_error("source", "true", "source", "expected a string, got a boolean");
    expect_error("ofsted", "\"inadequate\"", "ofsted", "expected an object, got a string");
    expect_error("ofsted.grade", "3", "ofsted.grade", "expected a grade string, got a number");
    expect_error("ofsted.previous", "\"good\"", "ofsted.previous", "expected an array of grades");
    expect_error("ofsted.previous", "[\"good\", 2]", "ofsted.previous[1]",
                 "expected a grade string, got a number");
    expect_error("ratings", "[1,2,3]", "ratings", "expected an object, got an array");
    expect_error("ratings.acceptance", "\"3\"", "ratings.acceptance",
                 "expected a rating 0..4 or a range");
    expect_error("ratings.acceptance", "null", "ratings.acceptance", "got null");
    expect_error("ratings.acceptance", "{\"low\": \"1\", \"high\": 3}", "ratings.acceptance.low",
                 "expected a number, got a string");
    expect_error("size", "27000", "size", "expected an object, got a number");
    expect_error("size.child_population", "\"27000\"", "size.child_population",
                 "expected a number, got a string");
    expect_error("facts", "[]", "facts", "expected an object, got an array");
    expect_error("facts.agency_rate", "true", "facts.agency_rate",
                 "expected a number, got a boolean");
    expect_error("current_intervention", "\"board\"", "current_intervention",
                 "expected null or an object");
    expect_error("partners", "{}", "partners",
                 "expected an array of partner councils, got an object");
    expect_error("partners", "[\"hampshire\"]", "partners[0]",
                 "expected a partner object, got a string");
    expect_error("partners", "[{\"id\": \"h\", \"neighbouring\": \"yes\"}]",
                 "partners[0].neighbouring", "expected true or false, got a string");
    expect_error("partners", "[{\"id\": \"h\", \"grade\": 1}]", "partners[0].grade",
                 "expected a grade string");
}
END_TEST

START_TEST(errors__out_of_range)
{
    expect_error("ratings.acceptance", "7", "ratings.acceptance", "7 is outside 0..4");
    expect_error("ratings.failure_extent", "-0.5", "ratings.failure_extent", "-0.5 is outside 0..4");
    expect_error("ratings.governance", "4.01", "ratings.governance", "4.01 is outside 0..4");
    expect_error("ratings.acceptance", "{\"low\": 1, \"high\": 5}", "ratings.acceptance.high",
                 "5 is outside 0..4");
    expect_error("ratings.acceptance", "{\"low\": -1, \"high\": 2}", "ratings.acceptance.low",
                 "-1 is outside 0..4");
    expect_error("ratings.acceptance", "{\"low\": 1, \"mode\": 9, \"high\": 2}",
                 "ratings.acceptance.mode", "9 is outside 0..4");
    expect_error("ratings.acceptance", "{\"low\": 3, \"high\": 1}", "ratings.acceptance",
                 "low 3 is above high 1");
    expect_error("ratings.acceptance", "{\"low\": 1, \"mode\": 3, \"high\": 2}",
                 "ratings.acceptance", "mode 3 is not within low..high (1..2)");
    expect_error("ratings.acceptance", "{\"low\": 1}", "ratings.acceptance",
                 "needs both \"low\" and \"high\"");
    expect_error("ratings.acceptance", "{\"mode\": 2, \"high\": 3}", "ratings.acceptance",
                 "needs both \"low\" and \"high\"");
    expect_error("facts.agency_rate", "1.5", "facts.agency_rate", "1.5 is outside 0..1");
    expect_error("facts.vacancy_rate", "-0.1", "facts.vacancy_rate", "-0.1 is outside 0..1");
    expect_error("facts.turnover_rate", "2", "facts.turnover_rate", "2 is outside 0..1");
    expect_error("facts.failure_years", "-1", "facts.failure_years", "-1 is negative");
    expect_error("facts.unallocated_cases", "-3", "facts.unallocated_cases", "-3 is negative");
    expect_error("facts.leadership_changes_3y", "-2", "facts.leadership_changes_3y", "negative");
    expect_error("facts.additional_investment_gbp_m", "-0.5", "facts.additional_investment_gbp_m",
                 "negative");
    expect_error("size.child_population", "-5", "size.child_population",
                 "-5 is negative; expected a number >= 0");
    expect_error("size.children_in_care", "2.5", "size.children_in_care",
                 "2.5 is not a whole number");
    expect_error("partners", "[{\"id\": \"h\", \"spare_leadership_capacity\": 6}]",
                 "partners[0].spare_leadership_capacity", "6 is outside 0..4");
    expect_error("partners", "[{\"id\": \"h\", \"current_commitments\": 1.5}]",
                 "partners[0].current_commitments", "not a whole number");
    expect_error("partners", "[{\"id\": \"h\", \"child_population\": -1}]",
                 "partners[0].child_population", "-1 is negative");
}
END_TEST

START_TEST(errors__typo_inside_a_range_is_an_error_even_without_strict)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p;
    /* Two errors: the stray key, and the missing "high" it was meant to be.
     * Neither may blame --strict, which the user did not give. */
    ck_assert_int_eq(check_with("ratings.acceptance", "{\"low\": 1, \"hi\": 3}", 0, &p, &d),
                     IMV_EINVAL);
    ck_assert_uint_eq(d.n_errors, 2);
    ck_assert_int_ge(find_diag(&d, "ratings.acceptance.hi",
                               "unknown field: a range has only \"low\", \"mode\" and \"high\""),
                     0);
    ck_assert_int_ge(find_diag(&d, "ratings.acceptance", "needs both \"low\" and \"high\""), 0);
    ck_assert_int_lt(find_diag(&d, NULL, "--strict"), 0);
    imv_diags_free(&d);
    imv_diags_init(&d);
    ck_assert_int_eq(check_with("ratings.acceptance", "{\"low\": 1, \"high\": 3, \"mod\": 2}", 0,
                                &p, &d),
                     IMV_EINVAL);
    ck_assert_int_ge(find_diag(&d, "ratings.acceptance.mod", "unknown field"), 0);
    imv_diags_free(&d);
}
END_TEST

START_TEST(errors__bad_ids)
{
    static const char *const bad[] = {"\"Isle of Wight\"", "\"-abc\"", "\".abc\"",       "\"a/b\"",
                                      "\"ABC\"",           "\"a b\"",  "\"caf\xc3\xa9\""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_error("id", bad[i], "id", "is not a valid id: expected [a-z0-9][a-z0-9._-]*");
    char id[140];
    id[0] = '"';
    memset(id + 1, 'a', 129);
    id[130] = '"';
    id[131] = '\0';
    expect_error("id", id, "id", "at most 128 characters");
    expect_error("id", "\"\"", "id", "must not be empty");
    expect_error("current_intervention", "{\"model\": \"Board!\", \"since\": \"2012\"}",
                 "current_intervention.model", "not a valid id");
    expect_error("partners", "[{\"id\": \"Hampshire CC\"}]", "partners[0].id", "not a valid id");
    expect_error("partners", "[{\"id\": \"h\"}, {\"id\": \"h\"}]", "partners[1].id",
                 "duplicate partner id \"h\"");
}
END_TEST

START_TEST(errors__bad_dates)
{
    static const char *const bad[] = {"\"2013-13\"",    "\"2013-00\"",         "\"2013-02-30\"",
                                      "\"2013-02-29\"", "\"1900-02-29\"",      "\"13-02\"",
                                      "\"2013/02\"",    "\"2013-2\"",          "\"2013-02-1\"",
                                      "\"Feb 2013\"",   "\"2013-02-01T00:00\""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_error("as_of", bad[i], "as_of", "is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD");
    expect_error("current_intervention", "{\"model\": \"trust\", \"since\": \"2012-14\"}",
                 "current_intervention.since", "\"2012-14\" is not a date");
}
END_TEST

START_TEST(errors__bad_grades)
{
    expect_error("ofsted.grade", "\"Inadequate\"", "ofsted.grade",
                 "\"Inadequate\" is not a grade: expected outstanding, good, requires_improvement, "
                 "inadequate or not_inspected");
    expect_error("ofsted.grade", "\"satisfactory\"", "ofsted.grade", "is not a grade");
    expect_error("ofsted.grade", "\"\"", "ofsted.grade", "is not a grade");
    expect_error("ofsted.previous", "[\"good\", \"excellent\"]", "ofsted.previous[1]",
                 "\"excellent\" is not a grade");
    expect_error("partners", "[{\"id\": \"h\", \"grade\": \"great\"}]", "partners[0].grade",
                 "\"great\" is not a grade");
}
END_TEST

START_TEST(errors__format_version)
{
    expect_error("format", "\"imeval-profile/2\"", "format", "is major version 2");
    expect_error("format", "\"imeval-profile/2.0\"", "format", "this imeval reads version 1");
    expect_error("format", "\"imeval-profile/0\"", "format", "major version 0");
    expect_error("format", "\"imeval-profile/\"", "format", "has no version number");
    expect_error("format", "\"imeval-profile/x\"", "format", "has no version number");
    expect_error("format", "\"imeval-result/1\"", "format", "is not an imeval profile format");
}
END_TEST

START_TEST(errors__every_problem_reported_not_only_the_first)
{
    cJSON *j = base_with("ratings.acceptance", "7");
    cJSON_ReplaceItemInObjectCaseSensitive(j, "as_of", cJSON_CreateString("2013-13"));
    cJSON_ReplaceItemInObjectCaseSensitive(j, "id", cJSON_CreateString("Bad Id"));
    cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItem(j, "ratings"), "governance");
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p;
    ck_assert_int_eq(imv_profile_from_json(j, "p.json", 1, 0, &p, &d), IMV_EINVAL);
    ck_assert_ptr_null(p);
    ck_assert_uint_eq(d.n_errors, 4);
    ck_assert_int_ge(find_diag(&d, "ratings.acceptance", "7 is outside 0..4"), 0);
    ck_assert_int_ge(find_diag(&d, "as_of", "not a date"), 0);
    ck_assert_int_ge(find_diag(&d, "id", "not a valid id"), 0);
    ck_assert_int_ge(find_diag(&d, "ratings.governance", "missing"), 0);
    imv_diags_free(&d);
    cJSON_Delete(j);
}
END_TEST

START_TEST(errors__not_an_object)
{
    static const char *const texts[] = {"[1]", "\"profile\"", "42", "null"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        cJSON *j = parse(texts[i]);
        imv_diags d;
        imv_diags_init(&d);
        imv_profile *p;
        ck_assert_int_eq(imv_profile_from_json(j, "p.json", 1, 0, &p, &d), IMV_EINVAL);
        ck_assert_uint_eq(d.n_errors, 1);
        ck_assert_ptr_nonnull(strstr(d.v[0].message, "expected a profile object"));
        imv_diags_free(&d);
        cJSON_Delete(j);
    }
}
END_TEST

/* The example of PROFILE-FORMAT.md "Errors", word for word. */
START_TEST(errors__message_matches_the_contract_example)
{
    cJSON *j = base_with("ratings.acceptance", "7");
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p;
    ck_assert_int_eq(imv_profile_from_json(j, "isle-of-wight.json", 1, 0, &p, &d), IMV_EINVAL);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(d.v[0].source, "isle-of-wight.json");
    ck_assert_str_eq(d.v[0].where, "ratings.acceptance");
    ck_assert_str_eq(d.v[0].message, "7 is outside 0..4");
    char buf[300];
    imv_diag_format(&d.v[0], buf, sizeof buf);
    ck_assert_str_eq(buf, "isle-of-wight.json: ratings.acceptance: 7 is outside 0..4");
    imv_diags_free(&d);
    cJSON_Delete(j);
}
END_TEST

/* In a file of many profiles, a value error still says which profile:
 * the line it starts on, after the contract's "file: path: message". */
START_TEST(errors__value_error_in_later_profile_names_its_line)
{
    char *a = tu_profile_json("a", "good", 2), *b = tu_profile_json("b", "good", 7);
    char text[5000];
    snprintf(text, sizeof text, "%s\n%s\n", a, b);
    readall ra;
    read_all(text, strlen(text), ".jsonl", 0, &ra);
    ck_assert_uint_eq(ra.n, 1);
    ck_assert_uint_eq(ra.bad, 1);
    ck_assert_int_eq(ra.d.v[0].line, 2);
    char buf[600];
    imv_diag_format(&ra.d.v[0], buf, sizeof buf);
    ck_assert_msg(strstr(buf, ": ratings.senior_leadership: 7 is outside 0..4") != NULL, "%s", buf);
    ck_assert_msg(strstr(buf, "line 2") != NULL, "%s", buf);
    readall_free(&ra);
    free(a);
    free(b);
}
END_TEST

/* cJSON keeps both copies of a repeated key; a profile must not. */
START_TEST(errors__duplicate_keys)
{
    char *base = tu_profile_json("dup", "good", 2);
    /* Insert a second "id" and a second "ratings.acceptance". */
    char text[4000];
    snprintf(text, sizeof text, "{\"id\":\"other\",%s", base + 1);
    cJSON *j = parse(text);
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p;
    ck_assert_int_eq(imv_profile_from_json(j, "p.json", 1, 0, &p, &d), IMV_EINVAL);
    ck_assert_int_ge(find_diag(&d, "id", "duplicate key \"id\""), 0);
    imv_diags_free(&d);
    cJSON_Delete(j);

    char *r = strstr(base, "\"acceptance\":");
    ck_assert_ptr_nonnull(r);
    snprintf(text, sizeof text, "%.*s\"acceptance\":1,%s", (int)(r - base), base, r);
    j = parse(text);
    imv_diags_init(&d);
    ck_assert_int_eq(imv_profile_from_json(j, "p.json", 1, 0, &p, &d), IMV_EINVAL);
    ck_assert_uint_eq(d.n_errors, 1);
    ck_assert_int_ge(find_diag(&d, "ratings.acceptance", "duplicate key \"acceptance\""), 0);
    imv_diags_free(&d);
    cJSON_Delete(j);
    free(base);
}
END_TEST

/* ---- unknown fields -------------------------------------------------------------- */

START_TEST(unknown__field_is_warned_and_kept)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    ck_assert_int_eq(check_with("colour", "{\"hue\": \"red\"}", 0, &p, &d), 0);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_uint_eq(d.n_errors, 0);
    ck_assert_int_eq(d.v[0].warning, 1);
    ck_assert_str_eq(d.v[0].where, "colour");
    ck_assert_ptr_nonnull(strstr(d.v[0].message, "unknown field"));
    /* Kept verbatim, as JSON. */
    ck_assert_ptr_nonnull(p->extra_json);
    cJSON *x = parse(p->extra_json);
    cJSON *c = cJSON_GetObjectItemCaseSensitive(x, "colour");
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(cJSON_GetObjectItem(c, "hue")->valuestring, "red");
    cJSON_Delete(x);
    imv_profile_free(p);
    imv_diags_free(&d);
}
END_TEST

START_TEST(unknown__nested_field_is_warned_with_its_path_and_kept)
{
    static const char *const paths[] = {"size.households", "ofsted.date", "facts.caseload",
                                        "ratings.morale"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        imv_diags d;
        imv_diags_init(&d);
        imv_profile *p = NULL;
        ck_assert_int_eq(check_with(paths[i], "1", 0, &p, &d), 0);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq(d.n_errors, 0);
        ck_assert_msg(find_diag(&d, paths[i], "unknown field") >= 0, "%s not warned", paths[i]);
        /* "kept": the value must be somewhere in what is kept. */
        ck_assert_msg(p->extra_json != NULL, "%s: warned as kept but not kept", paths[i]);
        cJSON *x = parse(p->extra_json);
        char sect[32];
        snprintf(sect, sizeof sect, "%.*s", (int)(strchr(paths[i], '.') - paths[i]), paths[i]);
        cJSON *s = cJSON_GetObjectItemCaseSensitive(x, sect);
        ck_assert_msg(s && cJSON_GetObjectItemCaseSensitive(s, strchr(paths[i], '.') + 1),
                      "%s: not in the kept fields %s", paths[i], p->extra_json);
        cJSON_Delete(x);
        imv_profile_free(p);
        imv_diags_free(&d);
    }
}
END_TEST

START_TEST(unknown__strict_makes_it_an_error)
{
    static const char *const paths[] = {"colour", "size.households", "facts.caseload"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        imv_diags d;
        imv_diags_init(&d);
        imv_profile *p = (imv_profile *)1;
        ck_assert_int_eq(check_with(paths[i], "\"x\"", 1, &p, &d), IMV_EINVAL);
        ck_assert_ptr_null(p);
        ck_assert_uint_eq(d.n_errors, 1);
        ck_assert_msg(find_diag(&d, paths[i], "unknown field (--strict)") >= 0, "%s", paths[i]);
        imv_diags_free(&d);
    }
}
END_TEST

/* ---- layouts ------------------------------------------------------------------------ */

static char *three_profiles(const char *sep, const char *open, const char *close)
{
    char *a = tu_profile_json("a", "good", 1), *b = tu_profile_json("b", "good", 2),
         *c = tu_profile_json("c", "good", 3);
    size_t n = strlen(a) * 3 + 100;
    char *s = malloc(n);
    snprintf(s, n, "%s%s%s%s%s%s%s", open, a, sep, b, sep, c, close);
    free(a);
    free(b);
    free(c);
    return s;
}

static void expect_abc(const readall *ra)
{
    char all[2000];
    dump(&ra->d, all, sizeof all);
    ck_assert_msg(ra->n == 3 && ra->bad == 0 && ra->d.n == 0, "%zu read, %zu bad: %s", ra->n,
                  ra->bad, all);
    ck_assert_str_eq(ra->p[0]->id, "a");
    ck_assert_str_eq(ra->p[1]->id, "b");
    ck_assert_str_eq(ra->p[2]->id, "c");
    ck_assert_double_eq(ra->p[2]->ratings[IMV_R_ACCEPTANCE].mode, 3);
}

START_TEST(layout__one_object)
{
    char *s = tu_profile_json("solo", "inadequate", 1.5);
    readall ra;
    read_all(s, strlen(s), ".json", 0, &ra);
    ck_assert_uint_eq(ra.n, 1);
    ck_assert_uint_eq(ra.d.n, 0);
    ck_assert_int_eq(ra.last_rc, 0);
    ck_assert_str_eq(ra.p[0]->id, "solo");
    ck_assert_str_eq(ra.p[0]->name, "Test solo");
    ck_assert_str_eq(ra.p[0]->as_of, "2020-01");
    ck_assert_double_eq(ra.p[0]->ratings[IMV_R_GOVERNANCE].mode, 1.5);
    /* The source is the file name as given. */
    ck_assert_ptr_nonnull(strstr(ra.p[0]->source, "/tmp/imv-test-"));
    readall_free(&ra);
    free(s);
}
END_TEST

START_TEST(layout__array)
{
    char *s = three_profiles(",\n", "[\n", "\n]\n");
    readall ra;
    read_all(s, strlen(s), ".json", 0, &ra);
    expect_abc(&ra);
    ck_assert_int_eq(ra.p[0]->line, 2);
    ck_assert_int_eq(ra.p[1]->line, 3);
    ck_assert_int_eq(ra.p[2]->line, 4);
    readall_free(&ra);
    free(s);
    /* An empty array holds no profiles and no errors. */
    read_all("[ ]", 3, ".json", 0, &ra);
    ck_assert_uint_eq(ra.n, 0);
    ck_assert_uint_eq(ra.d.n, 0);
    readall_free(&ra);
}
END_TEST

START_TEST(layout__json_lines)
{
    char *s = three_profiles("\n", "", "\n");
    readall ra;
    read_all(s, strlen(s), ".jsonl", 0, &ra);
    expect_abc(&ra);
    for (size_t i = 0; i < 3; i++)
        ck_assert_int_eq(ra.p[i]->line, (long)i + 1);
    readall_free(&ra);
    free(s);
    /* CRLF line ends and blank lines between records. */
    s = three_profiles("\r\n\r\n", "", "\r\n");
    read_all(s, strlen(s), ".jsonl", 0, &ra);
    expect_abc(&ra);
    ck_assert_int_eq(ra.p[1]->line, 3);
    ck_assert_int_eq(ra.p[2]->line, 5);
    readall_free(&ra);
    free(s);
}
END_TEST

START_TEST(layout__concatenated_pretty_objects)
{
    /* Pretty-printed objects one after another, as jq prints them. */
    char text[12000] = "";
    const char *ids[] = {"a", "b", "c"};
    long lines[3];
    long line = 1;
    for (int i = 0; i < 3; i++) {
        char *s = tu_profile_json(ids[i], "good", i + 1);
        cJSON *j = parse(s);
        char *pretty = cJSON_Print(j);
        lines[i] = line;
        for (char *q = pretty; *q; q++)
            line += *q == '\n';
        line += 1; /* the newline after each object */
        strcat(text, pretty);
        strcat(text, "\n");
        free(pretty);
        cJSON_Delete(j);
        free(s);
    }
    readall ra;
    read_all(text, strlen(text), ".json", 0, &ra);
    expect_abc(&ra);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(ra.p[i]->line, lines[i]);
    ck_assert_int_gt(lines[1], 10);
    readall_free(&ra);
}
END_TEST

START_TEST(layout__detected_by_content_without_extension)
{
    char *s = three_profiles("\n", "  \n", "\n");
    readall ra;
    read_all(s, strlen(s), ".txt", 0, &ra);
    expect_abc(&ra);
    readall_free(&ra);
    free(s);
}
END_TEST

/* The reader finds where a profile ends by scanning its bytes; it skips
 * the bytes that change nothing a table look-up at a time.  Escapes,
 * brackets and quotes inside strings must not end a profile, wherever
 * the 64 KiB read buffer happens to split them. */
START_TEST(layout__strings_with_escapes_and_brackets_across_the_read_buffer)
{
    /* decoded: a "q" \ {b} [c] <e acute>] \" end<tab>: a byte that is not
     * a stop byte after \u and after \t, the last just before the string
     * ends, which the skipping must not take for an unescaped byte */
    static const char tricky[] = "a \\\"q\\\" \\\\ {b} [c] \\u00e9] \\\\\\\" end\\t";
    static const char decoded[] = "a \"q\" \\ {b} [c] \xc3\xa9] \\\" end\t";
    const size_t buf = 64u << 10, head = strlen("{\"source\":\"");
    for (int shift = -3; shift <= 3; shift++) {
        char *a = tu_profile_json("a", "good", 1), *b = tu_profile_json("b", "good", 2),
             *c = tu_profile_json("c", "good", 3);
        /* spaces inside the first object put its last backslash at the
         * buffer's last byte, then at the bytes around it */
        size_t at = (size_t)(strrchr(tricky, '\\') - tricky);
        size_t target = (size_t)((long)buf - 1 + shift);
        size_t spaces = target - head - at;
        size_t len = 2 * buf + strlen(a) + strlen(b) + strlen(c) + sizeof tricky + 64;
        char *text = malloc(len);
        size_t k = (size_t)snprintf(text, len, "{%*s\"source\":\"%s\",%s\n", (int)spaces, "",
                                    tricky, a + 1);
        ck_assert_uint_eq((size_t)(strrchr(text + target - 8, '\\') - text), target);
        snprintf(text + k, len - k, "{\"source\":\"%s\",%s\n%s\n", tricky, b + 1, c);
        readall ra;
        read_all(text, strlen(text), ".jsonl", 0, &ra);
        char all[2000];
        dump(&ra.d, all, sizeof all);
        ck_assert_msg(ra.n == 3 && ra.bad == 0 && ra.d.n_errors == 0, "shift %d: %s", shift, all);
        ck_assert_str_eq(ra.p[0]->id, "a");
        ck_assert_str_eq(ra.p[1]->id, "b");
        ck_assert_str_eq(ra.p[2]->id, "c");
        ck_assert_str_eq(ra.p[0]->src_note, decoded);
        ck_assert_str_eq(ra.p[1]->src_note, decoded);
        ck_assert_int_eq(ra.p[2]->line, 3);
        readall_free(&ra);
        free(text);
        free(a);
        free(b);
        free(c);
    }
}
END_TEST

/* ---- many profiles, some bad ---------------------------------------------------------- */

START_TEST(many__good_ones_returned_bad_ones_reported)
{
    char *a = tu_profile_json("a", "good", 1), *c = tu_profile_json("c", "good", 3),
         *e = tu_profile_json("e", "good", 2), *bad_value = tu_profile_json("d", "great", 2);
    char text[12000];
    /* line 1 good, line 2 a syntax error, line 3 good, line 4 a bad
     * grade, line 5 good. */
    snprintf(text, sizeof text, "%s\n{\"id\": \"b\",, }\n%s\n%s\n%s\n", a, c, bad_value, e);
    readall ra;
    read_all(text, strlen(text), ".jsonl", 0, &ra);
    char all[2000];
    dump(&ra.d, all, sizeof all);
    ck_assert_msg(ra.n == 3 && ra.bad == 2, "%zu good, %zu bad: %s", ra.n, ra.bad, all);
    ck_assert_str_eq(ra.p[0]->id, "a");
    ck_assert_str_eq(ra.p[1]->id, "c");
    ck_assert_str_eq(ra.p[2]->id, "e");
    ck_assert_int_eq(ra.p[2]->line, 5);
    ck_assert_uint_eq(ra.d.n_errors, 2);
    ck_assert_int_eq(ra.d.v[0].line, 2);
    ck_assert_ptr_nonnull(strstr(ra.d.v[0].message, "malformed JSON"));
    ck_assert_int_eq(ra.d.v[1].line, 4);
    ck_assert_str_eq(ra.d.v[1].where, "ofsted.grade");
    ck_assert_ptr_nonnull(strstr(ra.d.v[1].message, "\"great\" is not a grade"));
    readall_free(&ra);
    free(a);
    free(c);
    free(e);
    free(bad_value);
}
END_TEST

START_TEST(many__bad_element_of_an_array_does_not_stop_the_rest)
{
    char *a = tu_profile_json("a", "good", 1), *c = tu_profile_json("c", "good", 3);
    char text[8000];
    snprintf(text, sizeof text, "[\n%s,\n{\"format\": \"imeval-profile/2\"},\n%s\n]\n", a, c);
    readall ra;
    read_all(text, strlen(text), ".json", 0, &ra);
    ck_assert_uint_eq(ra.n, 2);
    ck_assert_uint_eq(ra.bad, 1);
    ck_assert_str_eq(ra.p[1]->id, "c");
    ck_assert_int_ge(find_diag(&ra.d, "format", "major version 2"), 0);
    long i = find_diag(&ra.d, "format", "major version 2");
    ck_assert_int_eq(ra.d.v[i].line, 3);
    readall_free(&ra);
    free(a);
    free(c);
}
END_TEST

/* ---- syntax errors and files ------------------------------------------------------------ */

START_TEST(syntax__error_reports_its_line)
{
    /* A missing comma at the end of line 4 of a pretty-printed object:
     * cJSON stops at line 5. */
    const char *text = "{\n  \"format\": \"imeval-profile/1\",\n  \"id\": \"x\",\n"
                       "  \"name\": \"X\"\n  \"as_of\": \"2020\"\n}\n";
    readall ra;
    read_all(text, strlen(text), ".json", 0, &ra);
    ck_assert_uint_eq(ra.n, 0);
    ck_assert_uint_eq(ra.bad, 1);
    ck_assert_uint_eq(ra.d.n_errors, 1);
    ck_assert_int_eq(ra.d.v[0].line, 5);
    ck_assert_ptr_nonnull(strstr(ra.d.v[0].message, "malformed JSON"));
    ck_assert_ptr_nonnull(strstr(ra.d.v[0].message, "\"as_of\""));
    readall_free(&ra);
}
END_TEST

START_TEST(syntax__not_json)
{
    static const char *const texts[] = {"{\"id\": NaN}", "{\"id\": \"x\",}", "{\"id\": 'x'}",
                                        "{\"a\": 1} // comment"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        readall ra;
        read_all(texts[i], strlen(texts[i]), ".json", 0, &ra);
        ck_assert_msg(ra.n == 0 && ra.d.n_errors >= 1, "%s accepted", texts[i]);
        ck_assert_msg(find_diag(&ra.d, NULL, "malformed JSON") >= 0, "%s: %s", texts[i],
                      ra.d.v[0].message);
        readall_free(&ra);
    }
}
END_TEST

START_TEST(syntax__truncated_and_empty)
{
    readall ra;
    const char *t = "{\"format\": \"imeval-profile/1\", \"id\": \"x\"";
    read_all(t, strlen(t), ".json", 0, &ra);
    ck_assert_uint_eq(ra.bad, 1);
    ck_assert_ptr_nonnull(strstr(ra.d.v[0].message, "truncated JSON"));
    readall_free(&ra);

    char *a = tu_profile_json("a", "good", 1);
    char text[4000];
    snprintf(text, sizeof text, "[%s,", a);
    read_all(text, strlen(text), ".json", 0, &ra);
    ck_assert_uint_eq(ra.n, 1); /* the complete one is still read */
    ck_assert_int_ge(find_diag(&ra.d, NULL, "not closed"), 0);
    readall_free(&ra);
    free(a);

    read_all("", 0, ".json", 0, &ra);
    ck_assert_uint_eq(ra.bad, 1);
    ck_assert_ptr_nonnull(strstr(ra.d.v[0].message, "empty file"));
    readall_free(&ra);

    read_all(" \n\t\n", 4, ".json", 0, &ra);
    ck_assert_uint_eq(ra.bad, 1);
    ck_assert_ptr_nonnull(strstr(ra.d.v[0].message, "empty file"));
    readall_free(&ra);
}
END_TEST

START_TEST(syntax__invalid_utf8_and_nul)
{
    char *a = tu_profile_json("a", "good", 1);
    char *q = strstr(a, "Test a");
    q[0] = (char)0xC3; /* a lead byte followed by 'e': not UTF-8 */
    readall ra;
    read_all(a, strlen(a), ".json", 0, &ra);
    ck_assert_uint_eq(ra.bad, 1);
    ck_assert_ptr_nonnull(strstr(ra.d.v[0].message, "invalid UTF-8"));
    readall_free(&ra);
    free(a);
    const char nul[] = "{\"id\": \"a\0b\"}";
    read_all(nul, sizeof nul - 1, ".json", 0, &ra);
    ck_assert_uint_eq(ra.bad, 1);
    ck_assert_ptr_nonnull(strstr(ra.d.v[0].message, "NUL byte"));
    readall_free(&ra);
}
END_TEST

START_TEST(files__missing_file_and_directory)
{
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_ptr_null(imv_reader_open("/nonexistent/imv/p.json", NULL, &d));
    ck_assert_uint_eq(d.n_errors, 1);
    ck_assert_str_eq(d.v[0].source, "/nonexistent/imv/p.json");
    ck_assert_ptr_nonnull(strstr(d.v[0].message, "cannot open"));
    ck_assert_ptr_null(imv_reader_open("/tmp", NULL, &d));
    ck_assert_uint_eq(d.n_errors, 2);
    ck_assert_ptr_nonnull(strstr(d.v[1].message, "is a directory"));
    imv_diags_free(&d);
}
END_TEST

START_TEST(files__case_profiles_all_valid)
{
    /* The bundled case profiles follow the format (and exercise ranges,
     * partners and interventions at once). */
    static const char *const cases[] = {"isle-of-wight-2013", "doncaster-2013", "plymouth-2022",
                                        "torbay-2018"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/cases/%s.json", TU_DATASETS, cases[i]);
        imv_diags d;
        imv_diags_init(&d);
        imv_reader *r = imv_reader_open(path, NULL, &d);
        ck_assert_msg(r != NULL, "%s", path);
        imv_profile *p, *end;
        ck_assert_int_eq(imv_reader_next(r, &p, &d), 1);
        ck_assert_str_eq(p->id, cases[i]);
        ck_assert_int_eq(imv_reader_next(r, &end, &d), 0);
        ck_assert_ptr_null(end);
        ck_assert_uint_eq(d.n, 0);
        imv_profile_free(p);
        imv_reader_close(r);
        imv_diags_free(&d);
    }
}
END_TEST

/* ---- the JSON arena (core/json_arena.c) ------------------------------------ */

/* Everything a file reads as: each value's outcome, its inputs as a
 * report gives them, and every message. */
static char *transcript(const char *path)
{
    size_t cap = 1 << 20, n = 0;
    char *t = malloc(cap);
    t[0] = '\0';
    imv_diags d;
    imv_diags_init(&d);
    imv_reader *r = imv_reader_open(path, NULL, &d);
    ck_assert_ptr_nonnull(r);
    imv_profile *p;
    int rc;
    while ((rc = imv_reader_next(r, &p, &d)) != 0) {
        char *in = NULL;
        if (rc == 1) {
            cJSON *j = imv_report_inputs_json(p, NULL);
            in = cJSON_PrintUnformatted(j);
            cJSON_Delete(j);
            imv_profile_free(p);
        }
        size_t need = n + (in ? strlen(in) : 0) + 64;
        if (need > cap)
            t = realloc(t, cap = need * 2);
        n += (size_t)snprintf(t + n, cap - n, "rc %d %s\n", rc, in ? in : "");
        free(in);
    }
    for (size_t i = 0; i < d.n; i++) {
        char line[2048];
        imv_diag_format(&d.v[i], line, sizeof line);
        if (n + strlen(line) + 2 > cap)
            t = realloc(t, cap *= 2);
        n += (size_t)snprintf(t + n, cap - n, "%s\n", line);
    }
    imv_reader_close(r);
    imv_diags_free(&d);
    return t;
}

/* Profiles read from the arena read as they do from malloc: good ones,
 * bad values, and JSON errors at many places inside a value (a failed
 * parse frees its partial tree), and a value whose tree outgrows the
 * first block many times over. */
START_TEST(arena__profiles_read_as_without_it)
{
    char *out, *err;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "%s synth --count 300 --seed 5", TU_BIN);
    ck_assert_int_eq(tu_run(cmd, &out, &err), 0);
    free(err);
    size_t len = strlen(out), cap = len * 3 + (1 << 20);
    char *text = malloc(cap);
    memcpy(text, out, len + 1);
    /* the first line again, broken at 60 places outside its strings */
    size_t first = (size_t)(strchr(out, '\n') - out);
    int in_str = 0, broken = 0;
    for (size_t k = 1; k + 1 < first && broken < 60; k++) {
        char c = out[k];
        if (c == '"' && out[k - 1] != '\\')
            in_str = !in_str;
        if (in_str || strchr("{}[]\"\\", c) || k % 3)
            continue;
        memcpy(text + len, out, first);
        text[len + k] = '#';
        text[len + first] = '\n';
        len += first + 1;
        broken++;
    }
    ck_assert_int_ge(broken, 30);
    /* 200,000 numbers: some 13 MB of nodes for 400 KB of text */
    len += (size_t)snprintf(text + len, cap - len, "%.*s, \"extra\": [", (int)(first - 1), out);
    for (int i = 0; i < 200000; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s1", i ? "," : "");
    len += (size_t)snprintf(text + len, cap - len, "]}\n");
    free(out);
    char *path = tu_write_temp(text, len, ".jsonl");
    free(text);
    char *before = transcript(path);
    imv_json_arena_install();
    char *after = transcript(path);
    ck_assert_int_eq(strncmp(before, "rc 1 {", 6), 0);
    ck_assert_ptr_nonnull(strstr(before, "malformed JSON"));
    ck_assert_ptr_nonnull(strstr(before, "extra: unknown field kept"));
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
    unlink(path);
    free(path);
}
END_TEST

/* A thread that parses again while holding a tree gets a tree of its own,
 * and either can be given back first. */
START_TEST(arena__a_second_tree_held_at_once)
{
    imv_json_arena_install();
    static const char a[] = "{\"a\": [1, 2, {\"b\": \"c\"}]}", b[] = "{\"d\": true}";
    for (int order = 0; order < 2; order++) {
        const char *end;
        cJSON *ta = imv_json_arena_parse(a, sizeof a - 1, &end);
        cJSON *tb = imv_json_arena_parse(b, sizeof b - 1, &end);
        ck_assert_ptr_nonnull(ta);
        ck_assert_ptr_nonnull(tb);
        char *pa = cJSON_PrintUnformatted(ta), *pb = cJSON_PrintUnformatted(tb);
        ck_assert_str_eq(pa, "{\"a\":[1,2,{\"b\":\"c\"}]}");
        ck_assert_str_eq(pb, "{\"d\":true}");
        cJSON_free(pa);
        cJSON_free(pb);
        imv_json_arena_release(order ? tb : ta);
        imv_json_arena_release(order ? ta : tb);
        ck_assert_ptr_null(imv_json_arena_parse("{\"x\": }", 7, &end));
    }
}
END_TEST

/* ---- the fast JSON parser ------------------------------------------------------------------ */

/* 1 when the fast parser took text; then its tree is cJSON's. */
static int fast_is_cjson(const char *text, size_t len)
{
    const char *fast_end = NULL, *end = NULL;
    cJSON *a = imv_json_fast_parse(text, len, &fast_end);
    cJSON *b = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!a) {
        cJSON_Delete(b);
        return 0;
    }
    ck_assert_msg(b != NULL, "the fast parser took what cJSON refuses: %.300s", text);
    char why[400];
    ck_assert_msg(json_same_tree(a, b, "", why, sizeof why), "%s in %.300s", why, text);
    ck_assert_msg(fast_end == end, "ends %td and %td bytes in: %.300s", fast_end - text, end - text,
                  text);
    cJSON_Delete(a);
    cJSON_Delete(b);
    return 1;
}

/* Where the fast parser builds a tree it is cJSON's: every synth profile
 * (all taken), each broken at many places, and the corners of numbers,
 * literals and whitespace; where it declines cJSON has the last word. */
START_TEST(json__fast_parser_builds_cjsons_tree_or_declines)
{
    static const char *const taken[] = {
        "{}",
        "[]",
        " \t\r\n{ } ",
        "[[], {}, [[]]]",
        "{\"\": \"\"}",
        "[0, -0, 1, -1, 0.5, -0.5]",
        "[1e5, 1E5, 1e+5, 1e-5, 2.5E-3, 0e0, -0.0e22]",
        "[12345678901234, 9007199254740992]",
        "[0.1, 0.2, 0.3, 1.7, 99.99, 2147483647, 2147483648, -2147483648, -2147483649, 1e22]",
        "[true, false, null]",
        "{\"a\":true,\"b\":false,\"c\":null}",
        "{\"a\" : 1 , \"a\" : 2}",
        "{\"x\": \"tab\tand\x01control\"}",
        "{\"\xc3\xa9\": \"caf\xc3\xa9\"}",
        "[\"}\", \"]\", \"{[\"]",
        "{\"a\": [1, [2, [3, [4]]]]} trailing text",
        "{\"a\": 1}\x01\x02",
        "[1]]",
    };
    static const char *const declined[] = {
        "\"a scalar\"",
        "7",
        "\xef\xbb\xbf{}",
        "{\"a\": \"esc\\\"aped\"}",
        "{\"a\\n\": 1}",
        "[01]",
        "[1.]",
        "[.5]",
        "[1e]",
        "[+1]",
        "[-]",
        "[1.5e-]",
        "[9007199254740993]",
        "[12345678901234567890]",
        "[123456789012345678]",
        "[1e23]",
        "[1e-23]",
        "[1e400]",
        "[0.00000000000000000000001]",
        "[nul]",
        "[nullx]",
        "[truefalse]",
        "[1 2]",
        "{\"a\" 1}",
        "{\"a\": 1,}",
        "[1,]",
        "{\"a\": 1",
        "[1, 2",
        "{a: 1}",
        "[NaN]",
        "[Infinity]",
        "{\"a\": [1}]",
    };
    for (size_t i = 0; i < sizeof taken / sizeof *taken; i++)
        ck_assert_msg(fast_is_cjson(taken[i], strlen(taken[i])), "declined: %s", taken[i]);
    for (size_t i = 0; i < sizeof declined / sizeof *declined; i++)
        ck_assert_msg(!fast_is_cjson(declined[i], strlen(declined[i])), "taken: %s", declined[i]);
    /* 300 synth profiles, each also with bytes replaced at 40 places */
    char *out, *err, cmd[600];
    snprintf(cmd, sizeof cmd, "%s synth --count 300 --seed 6", TU_BIN);
    ck_assert_int_eq(tu_run(cmd, &out, &err), 0);
    free(err);
    unsigned seed = 1;
    int lines = 0, broken_taken = 0;
    for (char *line = out, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1, lines++) {
        size_t n = (size_t)(nl - line);
        ck_assert_msg(fast_is_cjson(line, n), "a synth profile declined: %.200s", line);
        char *copy = malloc(n + 1);
        for (int k = 0; k < 40; k++) {
            memcpy(copy, line, n);
            copy[n] = '\0';
            seed = seed * 1103515245u + 12345u;
            static const char bytes[] = "{}[]\",:.-+eE0123456789 \\ntfu";
            copy[(seed >> 8) % n] = bytes[(seed >> 20) % (sizeof bytes - 1)];
            broken_taken += fast_is_cjson(copy, n);
        }
        free(copy);
    }
    ck_assert_int_eq(lines, 300);
    ck_assert_int_gt(broken_taken, 1000); /* a replaced digit is still plain JSON */
    free(out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("profile");
    TCase *tc = tcase_create("fields");
    tcase_add_test(tc, fields__every_field_read);
    tcase_add_test(tc, fields__view_carries_point_values_and_intervention_months);
    tcase_add_test(tc, fields__minimal_profile_has_unknowns);
    tcase_add_test(tc, fields__grades);
    tcase_add_test(tc, fields__ranges);
    tcase_add_test(tc, fields__dates_and_ids_accepted);
    tcase_add_test(tc, fields__format_minor_version_accepted);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, errors__missing_required_fields);
    tcase_add_test(tc, errors__wrong_types);
    tcase_add_test(tc, errors__out_of_range);
    tcase_add_test(tc, errors__typo_inside_a_range_is_an_error_even_without_strict);
    tcase_add_test(tc, errors__bad_ids);
    tcase_add_test(tc, errors__bad_dates);
    tcase_add_test(tc, errors__bad_grades);
    tcase_add_test(tc, errors__format_version);
    tcase_add_test(tc, errors__every_problem_reported_not_only_the_first);
    tcase_add_test(tc, errors__not_an_object);
    tcase_add_test(tc, errors__message_matches_the_contract_example);
    tcase_add_test(tc, errors__value_error_in_later_profile_names_its_line);
    tcase_add_test(tc, errors__duplicate_keys);
    suite_add_tcase(s, tc);

    tc = tcase_create("unknown");
    tcase_add_test(tc, unknown__field_is_warned_and_kept);
    tcase_add_test(tc, unknown__nested_field_is_warned_with_its_path_and_kept);
    tcase_add_test(tc, unknown__strict_makes_it_an_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("layout");
    tcase_add_test(tc, layout__one_object);
    tcase_add_test(tc, layout__array);
    tcase_add_test(tc, layout__json_lines);
    tcase_add_test(tc, layout__concatenated_pretty_objects);
    tcase_add_test(tc, layout__detected_by_content_without_extension);
    tcase_add_test(tc, layout__strings_with_escapes_and_brackets_across_the_read_buffer);
    tcase_add_test(tc, many__good_ones_returned_bad_ones_reported);
    tcase_add_test(tc, many__bad_element_of_an_array_does_not_stop_the_rest);
    suite_add_tcase(s, tc);

    tc = tcase_create("syntax");
    tcase_add_test(tc, syntax__error_reports_its_line);
    tcase_add_test(tc, syntax__not_json);
    tcase_add_test(tc, syntax__truncated_and_empty);
    tcase_add_test(tc, syntax__invalid_utf8_and_nul);
    tcase_add_test(tc, files__missing_file_and_directory);
    tcase_add_test(tc, files__case_profiles_all_valid);
    suite_add_tcase(s, tc);
    tc = tcase_create("arena");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, arena__profiles_read_as_without_it);
    tcase_add_test(tc, arena__a_second_tree_held_at_once);
    tcase_add_test(tc, json__fast_parser_builds_cjsons_tree_or_declines);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
