/*
 * check_sdk.c - the plugin SDK's promises (plugins/imeval_plugin.h,
 * plugins/imeval_aux.h): the ABI traps closed (host members tested by
 * size, out-structs written only as far as the caller's size, partners
 * passed as pointers, parameter tables walked with the plugin's element
 * size, ABI 1 refused), the declared properties read and checked at load
 * (plausible ranges, fixed and base parameters, rating directions, in C
 * and in Lua), draws that use only plausible ranges, and the helper layer
 * (accumulator, threshold, intervention state) giving the same answers in
 * C and in Lua.
 */
#include <cjson/cJSON.h>
#include <math.h>

#include "imeval_aux.h"
#include "internal.h"
#include "testutil.h"
#include "uncertainty.h"

/* ---- helpers ------------------------------------------------------------------ */

static char *fixture(const char *name)
{
    char *p = malloc(512);
    snprintf(p, 512, "%s/%s", TU_FIXTURES, name);
    return p;
}

static const char *dump(const imv_diags *d)
{
    static char buf[4000];
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n && k < sizeof buf - 1; i++) {
        char line[1200];
        imv_diag_format(&d->v[i], line, sizeof line);
        k += (size_t)snprintf(buf + k, sizeof buf - k, "[%s] ", line);
    }
    return buf;
}

/* Load a plugin file into a new registry; asserts it loaded. */
static imv_registry *load_ok(const char *path)
{
    imv_limits lim;
    imv_limits_default(&lim);
    lim.isolate = 0;
    imv_registry *reg = imv_registry_new(&lim);
    imv_diags d;
    imv_diags_init(&d);
    int rc = imv_registry_load_file(reg, path, 0, &d);
    ck_assert_msg(rc == 0, "%s: %s", path, dump(&d));
    imv_diags_free(&d);
    return reg;
}

/* Load a plugin file that must be refused with text in its message. */
static void expect_refused(const char *path, const char *text)
{
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    int rc = imv_registry_load_file(reg, path, 0, &d);
    ck_assert_msg(rc < 0, "%s loaded", path);
    ck_assert_msg(d.n_errors == 1 && strstr(d.v[0].message, text) != NULL,
                  "%s: expected \"%s\" in: %s", path, text, dump(&d));
    imv_diags_free(&d);
    imv_registry_free(reg);
}

static char *write_lua(const char *body)
{
    return tu_write_temp_str(body, ".lua");
}

static imv_profile *profile_from(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    int rc = imv_profile_from_json(j, "t.json", 1, 0, &p, &d);
    ck_assert_msg(rc == 0, "%s", dump(&d));
    imv_diags_free(&d);
    cJSON_Delete(j);
    return p;
}

/* A profile with every rating 2, acceptance `acc`, and extra JSON members. */
static imv_profile *make_profile(double acc, const char *grade, const char *extra)
{
    char *t = tu_profile_json("p", grade, 2);
    cJSON *j = cJSON_Parse(t);
    cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItem(j, "ratings"), "acceptance",
                                           cJSON_CreateNumber(acc));
    if (extra) {
        cJSON *x = cJSON_Parse(extra);
        ck_assert_ptr_nonnull(x);
        for (cJSON *e = x->child; e; e = e->next)
            cJSON_AddItemToObject(j, e->string, cJSON_Duplicate(e, 1));
        cJSON_Delete(x);
    }
    char *s = cJSON_PrintUnformatted(j);
    imv_profile *p = profile_from(s);
    free(s);
    cJSON_Delete(j);
    free(t);
    return p;
}

/* ---- ABI traps ------------------------------------------------------------------ */

START_TEST(abi__host_has_tests_size_then_null)
{
    const imv_host *real = imv_host_table();
    ck_assert_uint_eq(real->abi, IMV_PLUGIN_ABI);
    ck_assert_uint_eq(IMV_PLUGIN_ABI, 2);
    ck_assert(IMV_HOST_HAS(real, set_score));
    ck_assert(IMV_HOST_HAS(real, grade_name));
    /* An older engine's table ends earlier: its last members are not
     * there, and testing them must not read past the end. */
    imv_host older = *real;
    older.struct_size = (uint32_t)offsetof(imv_host, fact_name);
    ck_assert(IMV_HOST_HAS(&older, rating_name));
    ck_assert(!IMV_HOST_HAS(&older, fact_name));
    ck_assert(!IMV_HOST_HAS(&older, grade_name));
    /* Present but unset is not there either. */
    imv_host unset = *real;
    unset.journey = NULL;
    ck_assert(!IMV_HOST_HAS(&unset, journey));
}
END_TEST

START_TEST(abi__journey_writes_only_what_fits)
{
    imv_profile *p = make_profile(2, "inadequate", NULL);
    imv_profile_view v;
    imv_profile_view_init(p, &v, NULL);
    const imv_host *h = imv_host_table();
    imv_journey full = IMV_JOURNEY_INIT;
    h->journey(&v, &full);
    ck_assert_uint_eq(full.struct_size, sizeof full);
    ck_assert_double_gt(full.months_to_fair, 0);
    ck_assert_double_gt(full.months_to_good, full.months_to_fair);
    ck_assert_double_gt(full.factor, 0);
    /* An older plugin's journey held only months_to_fair. */
    imv_journey part = {.struct_size = (uint32_t)offsetof(imv_journey, months_to_good),
                        .months_to_good = -7,
                        .factor = -8};
    h->journey(&v, &part);
    ck_assert_uint_eq(part.struct_size, offsetof(imv_journey, months_to_good));
    ck_assert_double_eq(part.months_to_fair, full.months_to_fair);
    ck_assert_double_eq(part.months_to_good, -7);
    ck_assert_double_eq(part.factor, -8);
    /* struct_size left 0: nothing is written. */
    imv_journey none = {.struct_size = 0, .months_to_fair = -1, .months_to_good = -2};
    h->journey(&v, &none);
    ck_assert_uint_eq(none.struct_size, 0);
    ck_assert_double_eq(none.months_to_fair, -1);
    ck_assert_double_eq(none.months_to_good, -2);
    imv_profile_free(p);
}
END_TEST

START_TEST(abi__partners_are_pointers_to_sized_views)
{
    imv_profile *p = make_profile(
        2, "inadequate",
        "{\"partners\":[{\"id\":\"a\",\"grade\":\"good\"},{\"id\":\"b\",\"neighbouring\":true}]}");
    imv_profile_view v;
    imv_profile_view_init(p, &v, NULL);
    ck_assert_uint_eq(v.n_partners, 2);
    ck_assert_str_eq(v.partners[0]->id, "a");
    ck_assert_int_eq(v.partners[0]->grade, IMV_G_GOOD);
    ck_assert_str_eq(v.partners[1]->id, "b");
    ck_assert_int_eq(v.partners[1]->neighbouring, 1);
    ck_assert_uint_eq(v.partners[1]->struct_size, sizeof(imv_partner_view));
    ck_assert(IMV_PARTNER_HAS(v.partners[1], current_commitments));
    ck_assert(IMV_VIEW_HAS(&v, intervention_expected_months));
    imv_profile_free(p);
}
END_TEST

START_TEST(abi__abi1_plugin_refused)
{
    char *f = fixture("sdk_abi1.so");
    expect_refused(f, "built for plugin ABI 1, this engine has ABI 2");
    free(f);
}
END_TEST

START_TEST(abi__param_table_read_with_the_plugins_element_size)
{
    /* Wider rows (a newer header): every row lands right. */
    char *f = fixture("sdk_wide.so");
    imv_registry *reg = load_ok(f);
    imv_model *m = imv_registry_find(reg, "sdk_wide");
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(imv_model_param_count(m), 3);
    static const char *const names[] = {"alpha", "beta", "gamma"};
    for (size_t i = 0; i < 3; i++) {
        const imv_param_def *pd = imv_model_param(m, i);
        ck_assert_str_eq(pd->name, names[i]);
        ck_assert_double_eq(pd->def, (double)(i + 1));
    }
    ck_assert(imv_param_drawn(imv_model_param(m, 0)));
    ck_assert(!imv_param_drawn(imv_model_param(m, 1))); /* fixed */
    ck_assert(!imv_param_drawn(imv_model_param(m, 2))); /* base */
    ck_assert_uint_eq(imv_model_base_param(m), 2);
    ck_assert_int_eq(imv_model_direction(m, IMV_R_ACCEPTANCE), 0);
    ck_assert_int_eq(imv_model_direction(m, IMV_R_FAILURE_EXTENT), -1);
    ck_assert_int_eq(imv_model_direction(m, IMV_R_GOVERNANCE), IMV_DIR_UNDECLARED);
    imv_registry_free(reg);
    free(f);
    /* Narrower rows (the first five fields only): read, nothing drawn. */
    f = fixture("sdk_narrow.so");
    reg = load_ok(f);
    m = imv_registry_find(reg, "sdk_narrow");
    ck_assert_uint_eq(imv_model_param_count(m), 2);
    ck_assert_str_eq(imv_model_param(m, 1)->name, "beta");
    ck_assert_double_eq(imv_model_param(m, 1)->def, 2);
    ck_assert(!imv_param_drawn(imv_model_param(m, 0)));
    ck_assert_uint_eq(imv_model_base_param(m), SIZE_MAX);
    ck_assert_int_eq(imv_model_direction(m, IMV_R_ACCEPTANCE), IMV_DIR_UNDECLARED);
    imv_registry_free(reg);
    free(f);
    f = fixture("sdk_no_param_size.so");
    expect_refused(f, "param_size is 0: set it to sizeof(imv_param_def)");
    free(f);
}
END_TEST

/* ---- declared properties ------------------------------------------------------- */

static int check_param(imv_param_def p, char *err, size_t n)
{
    p.name = "x";
    p.description = "d";
    return imv_param_def_check("m", &p, err, n);
}

START_TEST(decl__parameter_declarations_checked)
{
    char err[400];
    imv_param_def ok = {.def = 5, .min = 0, .max = 10, IMV_PLAUSIBLE(4, 6)};
    ck_assert_int_eq(check_param(ok, err, sizeof err), 0);
    imv_param_def none = {.def = 5, .min = 0, .max = 10};
    ck_assert_int_eq(check_param(none, err, sizeof err), 0);
    imv_param_def outside = {.def = 5, .min = 0, .max = 10, IMV_PLAUSIBLE(4, 12)};
    ck_assert_int_ne(check_param(outside, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "parameter x needs min <= plausible_low <= default <= plausible_high "
                              "<= max, got 0 <= 4 <= 5 <= 12 <= 10"),
                  "%s", err);
    imv_param_def excludes = {.def = 5, .min = 0, .max = 10, IMV_PLAUSIBLE(6, 8)};
    ck_assert_int_ne(check_param(excludes, err, sizeof err), 0);
    imv_param_def base = {.def = 5, .min = 0, .max = 10, IMV_PLAUSIBLE(4, 6), .flags = IMV_PARAM_BASE};
    ck_assert_int_ne(check_param(base, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "is the base score and so never drawn"), "%s", err);
    imv_param_def flags = {.def = 5, .min = 0, .max = 10, .flags = 0x10};
    ck_assert_int_ne(check_param(flags, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "unknown flags 0x10"), "%s", err);
    imv_param_def two[2] = {{.name = "a", .def = 1, .max = 2, .flags = IMV_PARAM_BASE},
                            {.name = "b", .def = 1, .max = 2, .flags = IMV_PARAM_BASE}};
    ck_assert_int_ne(imv_params_check_base("m", two, 2, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "parameters a and b are both flagged IMV_PARAM_BASE"), "%s", err);
}
END_TEST

START_TEST(decl__directions_parsed_and_checked)
{
    signed char dir[IMV_R_COUNT];
    char err[400];
    ck_assert_int_eq(imv_directions_parse("m", "acceptance:+, failure_extent:-,governance:0", dir,
                                          err, sizeof err),
                     0);
    ck_assert_int_eq(dir[IMV_R_ACCEPTANCE], 1);
    ck_assert_int_eq(dir[IMV_R_FAILURE_EXTENT], -1);
    ck_assert_int_eq(dir[IMV_R_GOVERNANCE], 0);
    ck_assert_int_eq(dir[IMV_R_PARTNERSHIPS], IMV_DIR_UNDECLARED);
    static const struct {
        const char *s, *msg;
    } bad[] = {
        {"acceptence:+", "\"acceptence\" is not a rating"},
        {"acceptance:up", "\"acceptance:up\" is not rating:+"},
        {"acceptance:*", "acceptance:*: expected +, - or 0"},
        {"acceptance", "\"acceptance\" is not rating:+"},
        {"acceptance:+,acceptance:-", "acceptance is declared twice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        ck_assert_int_ne(imv_directions_parse("m", bad[i].s, dir, err, sizeof err), 0);
        ck_assert_msg(strstr(err, bad[i].msg), "%s: %s", bad[i].s, err);
    }
}
END_TEST

/* Every bundled model declares all thirteen directions and its base, and
 * no rule year is ever drawn. */
START_TEST(decl__bundled_models_declare_their_properties)
{
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_ge(imv_registry_load_dir(reg, TU_MODELS, 1, &d), 0);
    ck_assert_msg(d.n_errors == 0, "%s", dump(&d));
    ck_assert_uint_ge(imv_registry_count(reg), 7);
    for (size_t i = 0; i < imv_registry_count(reg); i++) {
        const imv_model *m = imv_registry_get(reg, i);
        for (int r = 0; r < IMV_R_COUNT; r++)
            ck_assert_msg(imv_model_direction(m, r) != IMV_DIR_UNDECLARED, "%s does not declare %s",
                          imv_model_id(m), imv_rating_name(r));
        for (size_t k = 0; k < imv_model_param_count(m); k++) {
            const imv_param_def *pd = imv_model_param(m, k);
            size_t n = strlen(pd->name);
            if (n > 5 && strcmp(pd->name + n - 5, "_year") == 0)
                ck_assert_msg(!imv_param_drawn(pd) && (pd->flags & IMV_PARAM_FIXED),
                              "%s.%s is a date and must be fixed", imv_model_id(m), pd->name);
            if (strcmp(pd->name, "base") == 0)
                ck_assert_uint_eq(imv_model_base_param(m), k);
        }
    }
    imv_diags_free(&d);
    imv_registry_free(reg);
}
END_TEST

static const char lua_decl[] =
    "return { id = 'sdk_lua', name = 'n', version = '1.0.0', summary = 's', evidence = 'e',\n"
    "  directions = { acceptance = '+', failure_extent = '-', governance = '0' },\n"
    "  parameters = {\n"
    "    { name = 'base', default = 50, min = 0, max = 100, description = 'b', base = true },\n"
    "    { name = 'k', default = 10, min = 0, max = 20, description = 'w', plausible = { 8, 12 } },\n"
    "    { name = 'rule_year', default = 2016, min = 2000, max = 2100, description = 'y',\n"
    "      fixed = true },\n"
    "  },\n"
    "  score = function(p, w) return { score = w.base } end }\n";

START_TEST(decl__lua_declares_the_same_properties)
{
    char *f = write_lua(lua_decl);
    imv_registry *reg = load_ok(f);
    imv_model *m = imv_registry_find(reg, "sdk_lua");
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(imv_model_base_param(m), 0);
    const imv_param_def *k = imv_model_param(m, 1);
    ck_assert(imv_param_drawn(k));
    ck_assert_double_eq(k->plausible_low, 8);
    ck_assert_double_eq(k->plausible_high, 12);
    ck_assert(imv_model_param(m, 2)->flags & IMV_PARAM_FIXED);
    ck_assert(!imv_param_drawn(imv_model_param(m, 2)));
    ck_assert_int_eq(imv_model_direction(m, IMV_R_ACCEPTANCE), 1);
    ck_assert_int_eq(imv_model_direction(m, IMV_R_FAILURE_EXTENT), -1);
    ck_assert_int_eq(imv_model_direction(m, IMV_R_GOVERNANCE), 0);
    ck_assert_int_eq(imv_model_direction(m, IMV_R_PARTNERSHIPS), IMV_DIR_UNDECLARED);
    imv_registry_free(reg);
    unlink(f);
    free(f);
    static const struct {
        const char *from, *to, *msg;
    } bad[] = {
        {"plausible = { 8, 12 }", "plausible = { 8, 30 }", "plausible_high <= max"},
        {"plausible = { 8, 12 }", "plausible = { 8 }",
         "parameters[2].plausible must be { low, high }"},
        {"fixed = true", "fixed = 1", "parameters[3].fixed must be true or false"},
        {"governance = '0'", "governence = '0'", "directions: governence is not a rating"},
        {"governance = '0'", "governance = 'up'", "directions: \"governance:up\" is not rating:+"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char src[sizeof lua_decl + 64];
        const char *at = strstr(lua_decl, bad[i].from);
        ck_assert_ptr_nonnull(at);
        snprintf(src, sizeof src, "%.*s%s%s", (int)(at - lua_decl), lua_decl, bad[i].to,
                 at + strlen(bad[i].from));
        f = write_lua(src);
        expect_refused(f, bad[i].msg);
        unlink(f);
        free(f);
    }
}
END_TEST

/* --vary-parameters draws only plausible ranges: a model whose only
 * parameter is fixed gives the same score in every draw, and one whose
 * weight is plausible over 8..12 stays inside what that range allows. */
START_TEST(decl__draws_use_plausible_ranges_only)
{
    char *f = fixture("sdk_wide.so");
    imv_registry *reg = load_ok(f);
    free(f);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile(3, "inadequate", NULL);
    imv_evaluation e;
    ck_assert_int_eq(imv_evaluate(w, p, &e), 0);
    ck_assert_int_eq(imv_uncertainty_run(w, &e, 4000, 5, 1), IMV_OK);
    /* score = alpha + 10 beta + gamma: beta (fixed, 2) and gamma (base, 3)
     * never move; alpha (default 1) is drawn over 0.5..1.5. */
    const imv_uncertainty *u = e.uncertainty;
    ck_assert_double_ge(u->p05[0], 23.5 - 1e-9);
    ck_assert_double_le(u->p95[0], 24.5 + 1e-9);
    ck_assert_double_lt(u->p05[0], 23.7);
    ck_assert_double_gt(u->p95[0], 24.3);
    ck_assert_double_eq_tol(u->mean[0], 24, 0.05);
    imv_evaluation_clear(&e);
    /* A value set by the user is held, not drawn. */
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_set(reg, "sdk_wide.alpha=2", &d), 0);
    imv_diags_free(&d);
    ck_assert_int_eq(imv_evaluate(w, p, &e), 0);
    ck_assert_int_eq(imv_uncertainty_run(w, &e, 1000, 5, 1), IMV_OK);
    ck_assert_double_eq(e.uncertainty->p05[0], 25);
    ck_assert_double_eq(e.uncertainty->p95[0], 25);
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* --rating-noise: a point rating v is drawn from v-R..v..v+R within 0..4;
 * a range the profile gives is kept; no noise leaves points as points. */
static const char lua_ten[] =
    "return { id = 'sdk_ten', name = 'n', version = '1.0.0', summary = 's', evidence = 'e',\n"
    "  score = function(p) return { score = 10 * p.ratings.acceptance\n"
    "                                      + p.ratings.governance } end }\n";

static imv_uncertainty *noisy_draws(imv_registry *reg, imv_worker *w, const imv_profile *p,
                                    double noise)
{
    imv_mc *mc = imv_mc_new(reg, p, 4000, 9, 0);
    imv_mc_set_rating_noise(mc, noise);
    imv_mc_run(mc, w, 0, imv_mc_chunks(mc));
    imv_uncertainty *u = imv_mc_finish(mc);
    imv_mc_free(mc);
    ck_assert_ptr_nonnull(u);
    return u;
}

START_TEST(decl__rating_noise_spreads_point_ratings)
{
    char *f = write_lua(lua_ten);
    imv_registry *reg = load_ok(f);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile(2, "inadequate", NULL); /* governance 2 */
    imv_uncertainty *u = noisy_draws(reg, w, p, 0);
    ck_assert_double_eq(u->p05[0], 22);
    ck_assert_double_eq(u->p95[0], 22);
    ck_assert_double_eq(u->rating_noise, 0);
    imv_uncertainty_free(u);
    u = noisy_draws(reg, w, p, 0.5);
    ck_assert_double_eq(u->rating_noise, 0.5);
    ck_assert_double_ge(u->p05[0], 22 - 5.5);
    ck_assert_double_le(u->p95[0], 22 + 5.5);
    ck_assert_double_lt(u->p05[0], 20);
    ck_assert_double_gt(u->p95[0], 24);
    ck_assert_double_eq_tol(u->mean[0], 22, 0.1);
    imv_uncertainty_free(u);
    imv_profile_free(p);
    /* At the edge the triangle is cut to 0..4; a given range is kept. */
    p = make_profile(0, "inadequate", NULL);
    p->ratings[IMV_R_GOVERNANCE] = (imv_range){.low = 1, .mode = 2, .high = 3, .kind = 1};
    p->uncertain = 1;
    u = noisy_draws(reg, w, p, 0.5);
    ck_assert_double_ge(u->p05[0], 1);     /* acceptance >= 0, governance >= 1 */
    ck_assert_double_le(u->p95[0], 5 + 3); /* acceptance <= 0.5, governance <= 3 */
    ck_assert_double_gt(u->p95[0], 6);     /* governance reaches past 2.5: its range */
    imv_uncertainty_free(u);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
    unlink(f);
    free(f);
}
END_TEST

/* ---- the helper layer ---------------------------------------------------------- */

START_TEST(aux__accumulator_threshold_and_quiet)
{
    ck_assert_double_eq(imv_clamp(-3, 0, 100), 0);
    ck_assert_double_eq(imv_clamp(130, 0, 100), 100);
    ck_assert_double_eq(imv_clamp(42, 0, 100), 42);
    ck_assert_ptr_null(imv_term_text(0.049, "up", "down"));
    ck_assert_ptr_null(imv_term_text(-0.049, "up", "down"));
    ck_assert_ptr_null(imv_term_text(0, "up", "down"));
    ck_assert_ptr_null(imv_term_text(NAN, "up", "down"));
    ck_assert_str_eq(imv_term_text(0.05, "up", "down"), "up");
    ck_assert_str_eq(imv_term_text(-0.05, "up", "down"), "down");
    ck_assert_ptr_null(imv_term_text(-3, "up", ""));
    imv_profile *p = make_profile(2, "inadequate", NULL);
    imv_profile_view v;
    imv_profile_view_init(p, &v, NULL);
    const imv_host *h = imv_host_table();
    for (int quiet = 0; quiet < 2; quiet++) {
        v.flags = quiet ? IMV_VIEW_SCORE_ONLY : 0;
        imv_result r;
        memset(&r, 0, sizeof r);
        imv_result_reset(&r, NULL, quiet);
        imv_acc a;
        imv_acc_init(&a, 90, &v, &r, h);
        imv_acc_base(&a, "starting score", "ev");
        imv_acc_term(&a, "ratings.acceptance", 0.04, "up", "down", "ev");
        imv_acc_term(&a, "ratings.acceptance", 8, "more", "less", "ev");
        imv_acc_term(&a, "ratings.governance", -0.05, "up", "weaker governance", "ev");
        ck_assert_double_eq_tol(a.score, 97.99, 1e-9);
        imv_acc_term(&a, "ratings.governance", 5, "up", "down", "ev");
        ck_assert_double_eq(imv_acc_done(&a), 100);
        ck_assert(r.has_score);
        ck_assert_double_eq(r.score, 100);
        if (quiet) {
            ck_assert_uint_eq(r.n_reasons, 0);
        } else {
            ck_assert_uint_eq(r.n_reasons, 4);
            ck_assert_str_eq(r.reasons[0].text, "starting score");
            ck_assert_str_eq(r.reasons[0].fields, "");
            ck_assert_double_eq(r.reasons[0].points, 90);
            ck_assert_str_eq(r.reasons[1].text, "more");
            ck_assert_str_eq(r.reasons[2].text, "weaker governance");
            ck_assert_str_eq(r.reasons[2].fields, "ratings.governance");
        }
        imv_result_clear(&r);
    }
    imv_profile_free(p);
}
END_TEST

START_TEST(aux__intervention_state_from_the_view)
{
    imv_profile_view v;
    memset(&v, 0, sizeof v);
    v.struct_size = sizeof v;
    v.grade = IMV_G_INADEQUATE;
    v.intervention_months = v.intervention_expected_months = IMV_UNKNOWN;
    ck_assert_int_eq(imv_intervention_state(&v, "x", 12), IMV_IV_NONE);
    v.intervention_model = "board";
    ck_assert_int_eq(imv_intervention_state(&v, "x", 12), IMV_IV_CONTINUING);
    v.intervention_months = 20;
    ck_assert_int_eq(imv_intervention_state(&v, "x", 12), IMV_IV_CONTINUING); /* expected unknown */
    v.intervention_expected_months = 24;
    ck_assert_int_eq(imv_intervention_state(&v, "x", 12), IMV_IV_CONTINUING);
    ck_assert_int_eq(imv_intervention_state(&v, "board", 12), IMV_IV_STALLED); /* its own stall */
    v.intervention_months = 24;
    ck_assert_int_eq(imv_intervention_state(&v, "x", 12), IMV_IV_STALLED);
    v.grade = IMV_G_REQUIRES_IMPROVEMENT;
    ck_assert_int_eq(imv_intervention_state(&v, "x", 12), IMV_IV_IMPROVED);
    ck_assert(imv_in_place(&v, "board"));
    ck_assert(!imv_in_place(&v, "boar"));
    /* The engine fills the expected time from the model in place. */
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_ge(imv_registry_load_dir(reg, TU_MODELS, 1, &d), 0);
    ck_assert_int_eq(imv_registry_set(reg, "improvement_board.stall_months=30", &d), 0);
    imv_diags_free(&d);
    imv_profile *p = make_profile(
        2, "inadequate",
        "{\"current_intervention\":{\"model\":\"improvement_board\",\"since\":\"2018-01\"}}");
    imv_profile_view pv;
    imv_profile_view_init(p, &pv, NULL);
    ck_assert_double_eq(pv.intervention_expected_months, IMV_UNKNOWN);
    imv_profile_view_expect(&pv, p, reg);
    ck_assert_double_eq(pv.intervention_expected_months, 30);
    ck_assert_double_eq_tol(pv.intervention_months, 24, 1e-9);
    ck_assert_int_eq(imv_intervention_state(&pv, "commissioner", 18), IMV_IV_CONTINUING);
    imv_profile_free(p);
    imv_registry_free(reg);
}
END_TEST

/* The Lua helpers are the C ones: the same terms give the same score,
 * the same reasons and the same state, on both sides of the threshold. */
static const char lua_aux[] =
    "return { id = 'sdk_aux', name = 'n', version = '1.0.0', summary = 's', evidence = 'e',\n"
    "  parameters = { { name = 'k', default = 0.1, min = -10, max = 10, description = 'k' },\n"
    "                 { name = 'stall_months', default = 12, min = 1, max = 100, description = 's' } },\n"
    "  score = function(p, w)\n"
    "    local rs = (not p.score_only) and {} or nil\n"
    "    local s = imeval.base(rs, 60, 'starting score', 'ev')\n"
    "    s = imeval.term(rs, s, { 'ratings.acceptance' }, w.k * (p.ratings.acceptance - 2),\n"
    "                    'accepts', 'disputes', 'ev')\n"
    "    s = imeval.term(rs, s, 'ratings.governance', 50, 'up', nil, 'ev')\n"
    "    return { score = imeval.clamp(s, 0, 100), reasons = rs,\n"
    "             risks = { imeval.intervention_state(p, 'sdk_aux', 12) } }\n"
    "  end }\n";

static void c_side(const imv_profile_view *v, double k, imv_result *r)
{
    const imv_host *h = imv_host_table();
    imv_acc a;
    imv_acc_init(&a, 60, v, r, h);
    imv_acc_base(&a, "starting score", "ev");
    imv_acc_term(&a, "ratings.acceptance", k * (v->ratings[IMV_R_ACCEPTANCE] - 2), "accepts",
                 "disputes", "ev");
    imv_acc_term(&a, "ratings.governance", 50, "up", NULL, "ev");
    imv_acc_done(&a);
    static const char *const names[] = {"none", "continuing", "stalled", "improved"};
    h->add_risk(r, names[imv_intervention_state(v, "sdk_aux", 12)]);
}

START_TEST(aux__lua_helpers_agree_with_c)
{
    char *f = write_lua(lua_aux);
    imv_registry *reg = load_ok(f);
    imv_worker *w = imv_worker_new(reg);
    static const double ks[] = {0.1, 0.049, 0.05, -0.05, -0.049, 3, -3, -10};
    static const char *const ivs[] = {
        NULL, "{\"current_intervention\":{\"model\":\"sdk_aux\",\"since\":\"2019-06\"}}",
        "{\"current_intervention\":{\"model\":\"sdk_aux\",\"since\":\"2018-06\"}}"};
    for (size_t iv = 0; iv < 3; iv++)
        for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
            imv_diags d;
            imv_diags_init(&d);
            char set[64];
            snprintf(set, sizeof set, "sdk_aux.k=%.17g", ks[i]);
            ck_assert_int_eq(imv_registry_set(reg, set, &d), 0);
            imv_diags_free(&d);
            imv_profile *p = make_profile(3, "inadequate", ivs[iv]);
            imv_evaluation e;
            ck_assert_int_eq(imv_evaluate(w, p, &e), 0);
            const imv_result *lr = &e.results[0];
            ck_assert_msg(!lr->error, "%s", lr->error);
            imv_profile_view v;
            imv_profile_view_init(p, &v, NULL);
            imv_profile_view_expect(&v, p, reg); /* its stall_months, as the engine's views */
            imv_result cr;
            memset(&cr, 0, sizeof cr);
            imv_result_reset(&cr, NULL, 0);
            c_side(&v, ks[i], &cr);
            ck_assert_double_eq(lr->score, cr.score);
            ck_assert_uint_eq(lr->n_reasons, cr.n_reasons);
            for (size_t k = 0; k < cr.n_reasons; k++) {
                ck_assert_str_eq(lr->reasons[k].text, cr.reasons[k].text);
                ck_assert_str_eq(lr->reasons[k].fields, cr.reasons[k].fields);
                ck_assert_double_eq(lr->reasons[k].points, cr.reasons[k].points);
            }
            ck_assert_uint_eq(lr->n_risks, 1);
            ck_assert_str_eq(lr->risks[0], cr.risks[0]);
            ck_assert_str_eq(cr.risks[0], iv == 0 ? "none" : iv == 1 ? "continuing" : "stalled");
            imv_result_clear(&cr);
            imv_evaluation_clear(&e);
            imv_profile_free(p);
        }
    imv_worker_free(w);
    imv_registry_free(reg);
    unlink(f);
    free(f);
}
END_TEST

/* ---- the debug channel --------------------------------------------------------- */

/* Score one profile (acceptance acc) with the fixture sdk_log in a
 * registry that traces or not, in-process or isolated. */
static imv_evaluation log_run(int trace, int isolate, double acc, imv_registry **reg_out,
                              imv_worker **w_out, imv_profile **p_out)
{
    imv_limits lim;
    imv_limits_default(&lim);
    lim.trace = trace;
    lim.isolate = isolate;
    imv_registry *reg = imv_registry_new(&lim);
    imv_diags d;
    imv_diags_init(&d);
    char *f = fixture("sdk_log.so");
    ck_assert_int_eq(imv_registry_load_file(reg, f, 0, &d), 0);
    free(f);
    imv_diags_free(&d);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = make_profile(acc, "inadequate", NULL);
    imv_evaluation e;
    imv_evaluate(w, p, &e);
    *reg_out = reg;
    *w_out = w;
    *p_out = p;
    return e;
}

static void log_done(imv_evaluation *e, imv_registry *reg, imv_worker *w, imv_profile *p)
{
    imv_evaluation_clear(e);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}

START_TEST(log__kept_only_when_tracing_in_process_and_isolated)
{
    imv_host older = *imv_host_table();
    ck_assert(IMV_HOST_HAS(&older, log));
    older.struct_size = (uint32_t)offsetof(imv_host, log);
    ck_assert(!IMV_HOST_HAS(&older, log));
    for (int iso = 0; iso < 2; iso++) {
        imv_registry *reg;
        imv_worker *w;
        imv_profile *p;
        imv_evaluation e = log_run(0, iso, 3, &reg, &w, &p);
        ck_assert(!e.results[0].error);
        ck_assert_uint_eq(e.results[0].n_log, 0); /* a normal run drops them */
        log_done(&e, reg, w, p);
        e = log_run(1, iso, 3, &reg, &w, &p);
        const imv_result *r = &e.results[0];
        ck_assert_msg(!r->error, "%s", r->error);
        ck_assert_double_eq(r->score, 50);
        ck_assert_uint_eq(r->n_log, IMV_MAX_LOG);
        ck_assert_uint_eq(r->log_dropped, 113 - IMV_MAX_LOG);
        ck_assert_str_eq(r->log[0], "acceptance 3.0");
        ck_assert_str_eq(r->log[1], "bad \\xFF byte");
        ck_assert_uint_eq(strlen(r->log[2]), IMV_MAX_TEXT);
        ck_assert_str_eq(r->log[3], "line 0");
        ck_assert_uint_eq(r->n_reasons, 0); /* never part of the result */
        ck_assert_uint_eq(r->n_risks, 0);
        /* draws are score-only: nothing is kept there */
        ck_assert_int_eq(imv_uncertainty_run(w, &e, 50, 1, 0), IMV_OK);
        log_done(&e, reg, w, p);
        /* lines written before a failure are kept with the error */
        e = log_run(1, iso, 0.5, &reg, &w, &p);
        ck_assert_str_eq(e.results[0].error, "acceptance below 1");
        ck_assert_uint_ge(e.results[0].n_log, 3);
        ck_assert_str_eq(e.results[0].log[0], "acceptance 0.5");
        log_done(&e, reg, w, p);
    }
}
END_TEST

static const char lua_log[] =
    "return { id = 'sdk_lua_log', name = 'n', version = '1.0.0', summary = 's', evidence = 'e',\n"
    "  score = function(p)\n"
    "    print('acceptance', p.ratings.acceptance, nil, true)\n"
    "    imeval.log(string.rep('y', 3000))\n"
    "    if p.ratings.acceptance < 1 then error('too low') end\n"
    "    return 50 end }\n";

START_TEST(log__lua_log_and_print)
{
    char *f = write_lua(lua_log);
    for (int trace = 0; trace < 2; trace++) {
        imv_limits lim;
        imv_limits_default(&lim);
        lim.trace = trace;
        imv_registry *reg = imv_registry_new(&lim);
        imv_diags d;
        imv_diags_init(&d);
        ck_assert_int_eq(imv_registry_load_file(reg, f, 0, &d), 0);
        imv_diags_free(&d);
        imv_worker *w = imv_worker_new(reg);
        for (int bad = 0; bad < 2; bad++) {
            imv_profile *p = make_profile(bad ? 0 : 2, "inadequate", NULL);
            imv_evaluation e;
            imv_evaluate(w, p, &e);
            const imv_result *r = &e.results[0];
            ck_assert_int_eq(r->error != NULL, bad);
            ck_assert_uint_eq(r->n_log, trace ? 2 : 0);
            if (trace) {
                ck_assert_str_eq(r->log[0],
                                 bad ? "acceptance 0.0 nil true" : "acceptance 2.0 nil true");
                ck_assert_uint_eq(strlen(r->log[1]), IMV_MAX_TEXT);
            }
            imv_evaluation_clear(&e);
            imv_profile_free(p);
        }
        imv_worker_free(w);
        imv_registry_free(reg);
    }
    /* Through the command: --trace prints to standard error, the document
     * on standard output is the same with or without it. */
    char *case_file = malloc(512);
    snprintf(case_file, 512, "%s/cases/barnsley-2012.json", TU_DATASETS);
    char cmd[2048], *out1, *err1, *out2, *err2;
    snprintf(cmd, sizeof cmd, "%s evaluate --no-bundled --model %s %s --format json", TU_BIN, f,
             case_file);
    ck_assert_int_eq(tu_run(cmd, &out1, &err1), 0);
    snprintf(cmd, sizeof cmd, "%s evaluate --no-bundled --model %s %s --format json --trace",
             TU_BIN, f, case_file);
    ck_assert_int_eq(tu_run(cmd, &out2, &err2), 0);
    ck_assert_str_eq(out1, out2);
    ck_assert_ptr_null(strstr(out1, "acceptance"));
    ck_assert_ptr_null(strstr(err1, "trace:"));
    ck_assert_msg(strstr(err2, "trace: barnsley-2012: sdk_lua_log: acceptance 3.0 nil true\n"),
                  "%s", err2);
    free(out1);
    free(err1);
    free(out2);
    free(err2);
    snprintf(cmd, sizeof cmd, "%s explain sdk_lua_log --no-bundled --model %s %s --trace", TU_BIN,
             f, case_file);
    ck_assert_int_eq(tu_run(cmd, &out1, &err1), 0);
    ck_assert_msg(strstr(err1, "trace: barnsley-2012: sdk_lua_log: acceptance 3.0"), "%s", err1);
    ck_assert_ptr_null(strstr(out1, "trace:"));
    free(out1);
    free(err1);
    free(case_file);
    unlink(f);
    free(f);
}
END_TEST

static Suite *sdk_suite(void)
{
    Suite *s = suite_create("sdk");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, abi__host_has_tests_size_then_null);
    tcase_add_test(tc, abi__journey_writes_only_what_fits);
    tcase_add_test(tc, abi__partners_are_pointers_to_sized_views);
    tcase_add_test(tc, abi__abi1_plugin_refused);
    tcase_add_test(tc, abi__param_table_read_with_the_plugins_element_size);
    tcase_add_test(tc, decl__parameter_declarations_checked);
    tcase_add_test(tc, decl__directions_parsed_and_checked);
    tcase_add_test(tc, decl__bundled_models_declare_their_properties);
    tcase_add_test(tc, decl__lua_declares_the_same_properties);
    tcase_add_test(tc, decl__draws_use_plausible_ranges_only);
    tcase_add_test(tc, decl__rating_noise_spreads_point_ratings);
    tcase_add_test(tc, aux__accumulator_threshold_and_quiet);
    tcase_add_test(tc, aux__intervention_state_from_the_view);
    tcase_add_test(tc, aux__lua_helpers_agree_with_c);
    tcase_add_test(tc, log__kept_only_when_tracing_in_process_and_isolated);
    tcase_add_test(tc, log__lua_log_and_print);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_main(sdk_suite());
}
