/*
 * check_registry.c - loading native plugins (tests/plugins/reg_*.c) and
 * setting their parameters: a good plugin with everything it declares, each
 * way a plugin is refused (wrong ABI, no entry point, NULL definition, no
 * score, bad id, bad parameters, duplicate id, unsafe permissions), the
 * checks on what a plugin hands back, and --set / parameters files.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>

#include "testutil.h"

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

/* Load one fixture; returns the rc, with the registry and diags kept. */
static int load(imv_registry *reg, const char *name, int bundled, imv_diags *d)
{
    char *p = fixture(name);
    int rc = imv_registry_load_file(reg, p, bundled, d);
    free(p);
    return rc;
}

/* Assert that a fixture is refused with a message naming its file. */
static void expect_refused(const char *name, const char *text)
{
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    int rc = load(reg, name, 0, &d);
    ck_assert_msg(rc < 0, "%s loaded", name);
    ck_assert_uint_eq(imv_registry_count(reg), 0);
    ck_assert_msg(d.n_errors == 1, "%s: %s", name, dump(&d));
    char *path = fixture(name);
    ck_assert_str_eq(d.v[0].source, path);
    ck_assert_msg(strstr(d.v[0].message, text) != NULL, "%s: expected \"%s\" in: %s", name, text,
                  d.v[0].message);
    free(path);
    imv_diags_free(&d);
    imv_registry_free(reg);
}

static imv_profile *make_profile(const char *id, double acceptance, const char *partners)
{
    char *text = tu_profile_json(id, "inadequate", 2);
    cJSON *j = cJSON_Parse(text);
    cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItem(j, "ratings"), "acceptance",
                                           cJSON_CreateNumber(acceptance));
    if (partners)
        cJSON_AddItemToObject(j, "partners", cJSON_Parse(partners));
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_profile_from_json(j, "t.json", 1, 0, &p, &d), 0);
    imv_diags_free(&d);
    cJSON_Delete(j);
    free(text);
    return p;
}

/* Score model i of reg on p into r (reset by the caller's clear). */
static void score(imv_registry *reg, size_t i, const imv_profile *p, imv_result *r)
{
    imv_worker *w = imv_worker_new(reg);
    imv_partner_view pb[4];
    imv_profile_view v;
    ck_assert_uint_le(p->n_partners, 4);
    imv_profile_view_init(p, &v, pb);
    imv_model *m = imv_registry_get(reg, i);
    memset(r, 0, sizeof *r);
    imv_result_reset(r, m, 0);
    imv_worker_score(w, i, &v, p->serial, imv_model_param_values(m), r);
    imv_worker_free(w);
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(out);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
    ck_assert_int_eq(chmod(to, mode), 0);
}

/* ---- a good plugin ---------------------------------------------------------------- */

START_TEST(load__good_plugin_declares_everything)
{
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(load(reg, "reg_good.so", 0, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_uint_eq(imv_registry_count(reg), 1);
    imv_model *m = imv_registry_find(reg, "reg_good");
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_eq(m, imv_registry_get(reg, 0));
    ck_assert_ptr_null(imv_registry_get(reg, 1));
    ck_assert_ptr_null(imv_registry_find(reg, "reg_goo"));
    ck_assert_str_eq(imv_model_id(m), "reg_good");
    ck_assert_str_eq(imv_model_name(m), "Registry fixture");
    ck_assert_str_eq(imv_model_version(m), "2.1.0");
    ck_assert_str_eq(imv_model_summary(m), "a predictable model for the registry tests");
    ck_assert_str_eq(imv_model_evidence(m), "none (test)");
    ck_assert_str_eq(imv_model_language(m), "c");
    char *path = fixture("reg_good.so");
    ck_assert_str_eq(imv_model_path(m), path);
    free(path);
    ck_assert_uint_eq(imv_model_param_count(m), 2);
    const imv_param_def *w = imv_model_param(m, 0), *b = imv_model_param(m, 1);
    ck_assert_str_eq(w->name, "weight");
    ck_assert_double_eq(w->def, 10);
    ck_assert_double_eq(w->min, 0);
    ck_assert_double_eq(w->max, 20);
    ck_assert_str_eq(w->description, "points per point of acceptance");
    ck_assert_str_eq(b->name, "bonus");
    ck_assert_double_eq(b->min, -10);
    ck_assert_ptr_null(imv_model_param(m, 2));
    ck_assert_double_eq(imv_model_param_values(m)[0], 10);
    ck_assert_double_eq(imv_model_param_values(m)[1], 20);
    /* A plugin from outside the bundled set runs isolated by default. */
    ck_assert_int_eq(imv_model_isolated(m), 1);
    imv_registry_free(reg);

    reg = imv_registry_new(NULL);
    ck_assert_int_eq(load(reg, "reg_good.so", 1, &d), 0);
    ck_assert_int_eq(imv_model_isolated(imv_registry_get(reg, 0)), 0);
    imv_registry_free(reg);
    imv_diags_free(&d);
}
END_TEST

static void check_good_result(const imv_result *r)
{
    ck_assert_msg(r->error == NULL, "%s", r->error);
    /* weight 10 * acceptance 3 + bonus 20 */
    ck_assert_int_eq(r->has_score, 1);
    ck_assert_double_eq(r->score, 50);
    ck_assert_int_eq(r->viable, 1);
    ck_assert_uint_eq(r->n_reasons, 1);
    ck_assert_str_eq(r->reasons[0].fields, "ratings.acceptance");
    ck_assert_double_eq(r->reasons[0].points, 30);
    ck_assert_str_eq(r->reasons[0].text, "acceptance counts");
    ck_assert_str_eq(r->reasons[0].evidence, "test fixture");
    ck_assert_uint_eq(r->n_risks, 1);
    ck_assert_str_eq(r->risks[0], "a test risk");
    ck_assert_uint_eq(r->n_unmet, 0);
    ck_assert_double_eq(r->setup_months, 2);
    ck_assert_double_eq(r->months_to_fair, 20);
    ck_assert_double_eq(r->months_to_good, IMV_UNKNOWN);
    ck_assert_str_eq(r->partner_id, "hampshire");
    ck_assert_double_eq(r->partner_fit, 75);
}

START_TEST(load__good_plugin_scores_in_process_and_isolated)
{
    imv_profile *p = make_profile("p1", 3, "[{\"id\": \"hampshire\"}]");
    for (int isolate = 0; isolate <= 1; isolate++) {
        imv_limits l;
        imv_limits_default(&l);
        l.isolate = isolate;
        imv_registry *reg = imv_registry_new(&l);
        imv_diags d;
        imv_diags_init(&d);
        ck_assert_int_eq(load(reg, "reg_good.so", 0, &d), 0);
        ck_assert_int_eq(imv_model_isolated(imv_registry_get(reg, 0)), isolate);
        imv_result r;
        score(reg, 0, p, &r);
        check_good_result(&r);
        imv_result_clear(&r);
        imv_diags_free(&d);
        imv_registry_free(reg);
    }
    /* An unmet precondition makes it non-viable but keeps the score. */
    imv_profile *q = make_profile("p2", 0.5, NULL);
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(load(reg, "reg_good.so", 1, &d), 0);
    imv_result r;
    score(reg, 0, q, &r);
    ck_assert_ptr_null(r.error);
    ck_assert_double_eq(r.score, 25);
    ck_assert_int_eq(r.viable, 0);
    ck_assert_uint_eq(r.n_unmet, 1);
    ck_assert_str_eq(r.unmet[0], "the council must accept the judgement");
    ck_assert_ptr_null(r.partner_id); /* no partners given */
    imv_result_clear(&r);
    imv_diags_free(&d);
    imv_registry_free(reg);
    imv_profile_free(q);
    imv_profile_free(p);
}
END_TEST

/* ---- refused plugins --------------------------------------------------------------- */

START_TEST(load__wrong_abi_names_both_abis)
{
    char want[160];
    snprintf(want, sizeof want, "built for plugin ABI %d, this engine has ABI %d",
             IMV_PLUGIN_ABI + 6, IMV_PLUGIN_ABI);
    expect_refused("reg_wrong_abi.so", want);
}
END_TEST

START_TEST(load__missing_entry_point)
{
    expect_refused("reg_no_entry.so", "no entry point " IMV_ENTRY_SYMBOL "()");
}
END_TEST

START_TEST(load__entry_point_returning_null)
{
    expect_refused("reg_null.so", IMV_ENTRY_SYMBOL "() returned NULL");
}
END_TEST

START_TEST(load__definition_without_score)
{
    expect_refused("reg_no_score.so", "score missing");
}
END_TEST

START_TEST(load__invalid_model_id)
{
    expect_refused("reg_bad_id.so", "model id \"Bad Id\" is not valid: expected [a-z0-9_]+");
}
END_TEST

START_TEST(load__invalid_parameter_declaration)
{
    expect_refused("reg_bad_params.so",
                   "parameter threshold needs min <= default <= max, got 0 <= 5 <= 1");
}
END_TEST

START_TEST(load__duplicate_id_names_both_files)
{
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(load(reg, "reg_dup_a.so", 0, &d), 0);
    ck_assert_int_lt(load(reg, "reg_dup_b.so", 0, &d), 0);
    ck_assert_uint_eq(d.n_errors, 1);
    char *a = fixture("reg_dup_a.so"), *b = fixture("reg_dup_b.so");
    char want[1200];
    snprintf(want, sizeof want, "two plugins with id \"reg_dup\": %s and %s", a, b);
    ck_assert_str_eq(d.v[0].message, want);
    /* The first stays loaded and usable. */
    ck_assert_uint_eq(imv_registry_count(reg), 1);
    ck_assert_str_eq(imv_model_name(imv_registry_get(reg, 0)), "Duplicate a");
    free(a);
    free(b);
    imv_diags_free(&d);
    imv_registry_free(reg);
}
END_TEST

START_TEST(load__not_a_plugin_file)
{
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, "/etc/hostname", 0, &d), IMV_EUSAGE);
    ck_assert_ptr_nonnull(strstr(d.v[0].message, "expected a .so (C) or .lua file"));
    ck_assert_int_lt(imv_registry_load_file(reg, "/nonexistent/model.so", 0, &d), 0);
    ck_assert_str_eq(d.v[1].source, "/nonexistent/model.so");
    ck_assert_ptr_nonnull(strstr(d.v[1].message, "cannot read model"));
    /* A text file named .so is not a shared object: dlopen says so. */
    char dir[] = "/tmp/imv-reg-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/fake.so", dir);
    FILE *f = fopen(path, "w");
    fputs("not an ELF file\n", f);
    fclose(f);
    chmod(path, 0644);
    ck_assert_int_lt(imv_registry_load_file(reg, path, 0, &d), 0);
    ck_assert_ptr_nonnull(strstr(d.v[2].message, "cannot load plugin"));
    ck_assert_uint_eq(imv_registry_count(reg), 0);
    unlink(path);
    rmdir(dir);
    imv_diags_free(&d);
    imv_registry_free(reg);
}
END_TEST

START_TEST(load__directory_loads_the_good_and_reports_the_bad)
{
    char dir[] = "/tmp/imv-reg-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    static const char *const names[] = {"reg_good.so", "reg_wrong_abi.so", "reg_dup_a.so",
                                        "reg_null.so"};
    char path[4][256];
    for (size_t i = 0; i < 4; i++) {
        char *src = fixture(names[i]);
        snprintf(path[i], sizeof path[i], "%s/%s", dir, names[i]);
        copy_file(src, path[i], 0644);
        free(src);
    }
    /* Not a model: ignored, not an error. */
    char readme[256];
    snprintf(readme, sizeof readme, "%s/README.txt", dir);
    FILE *f = fopen(readme, "w");
    fputs("notes\n", f);
    fclose(f);
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_lt(imv_registry_load_dir(reg, dir, 0, &d), 0);
    ck_assert_msg(d.n_errors == 2, "%s", dump(&d));
    ck_assert_uint_eq(imv_registry_count(reg), 2);
    /* Sorted by id whatever the directory order. */
    ck_assert_str_eq(imv_model_id(imv_registry_get(reg, 0)), "reg_dup");
    ck_assert_str_eq(imv_model_id(imv_registry_get(reg, 1)), "reg_good");
    ck_assert_str_eq(d.v[0].source, path[3]); /* files are loaded in name order */
    ck_assert_str_eq(d.v[1].source, path[1]);
    imv_diags_free(&d);
    imv_registry_free(reg);
    for (size_t i = 0; i < 4; i++)
        unlink(path[i]);
    unlink(readme);
    rmdir(dir);

    imv_diags_init(&d);
    reg = imv_registry_new(NULL);
    ck_assert_int_lt(imv_registry_load_dir(reg, "/nonexistent/imv-models", 0, &d), 0);
    ck_assert_ptr_nonnull(strstr(d.v[0].message, "cannot open model directory"));
    imv_diags_free(&d);
    imv_registry_free(reg);
}
END_TEST

START_TEST(load__files_writable_by_others_refused)
{
    unsetenv("IMEVAL_TRUST_PLUGIN_DIRS"); /* tests/run.sh may set it */
    char dir[] = "/tmp/imv-reg-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 0755), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/reg_good.so", dir);
    char *src = fixture("reg_good.so");
    static const struct {
        mode_t mode;
        int ok;
        const char *text;
    } cases[] = {
        {0666, 0, "writable by other users (mode 666)"},
        {0646, 0, "writable by other users (mode 646)"},
        {0664, 0, "writable by other users (mode 664)"},
        {0644, 1, NULL},
        {0600, 1, NULL},
        {0755, 1, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        copy_file(src, path, cases[i].mode);
        imv_registry *reg = imv_registry_new(NULL);
        imv_diags d;
        imv_diags_init(&d);
        int rc = imv_registry_load_file(reg, path, 0, &d);
        if (cases[i].ok) {
            ck_assert_msg(rc == 0, "mode %o: %s", (unsigned)cases[i].mode, dump(&d));
        } else {
            ck_assert_msg(rc < 0, "mode %o accepted", (unsigned)cases[i].mode);
            ck_assert_msg(strstr(d.v[0].message, cases[i].text) != NULL, "%s", d.v[0].message);
            ck_assert_ptr_nonnull(strstr(d.v[0].message, "chmod go-w"));
            ck_assert_uint_eq(imv_registry_count(reg), 0);
        }
        imv_diags_free(&d);
        imv_registry_free(reg);
        unlink(path);
    }
    /* A directory others may write to is refused too (they could swap the
     * file), unless it is sticky like /tmp. */
    copy_file(src, path, 0644);
    static const struct {
        mode_t mode;
        int ok;
    } dirs[] = {{0777, 0}, {0775, 0}, {01777, 1}, {0700, 1}};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        ck_assert_int_eq(chmod(dir, dirs[i].mode), 0);
        imv_registry *reg = imv_registry_new(NULL);
        imv_diags d;
        imv_diags_init(&d);
        int rc = imv_registry_load_file(reg, path, 0, &d);
        if (dirs[i].ok) {
            ck_assert_msg(rc == 0, "dir mode %o: %s", (unsigned)dirs[i].mode, dump(&d));
        } else {
            ck_assert_msg(rc < 0, "dir mode %o accepted", (unsigned)dirs[i].mode);
            ck_assert_msg(strstr(d.v[0].message, "its directory") &&
                              strstr(d.v[0].message, "is writable by other users"),
                          "%s", d.v[0].message);
        }
        imv_diags_free(&d);
        imv_registry_free(reg);
    }
    chmod(dir, 0700);
    unlink(path);
    rmdir(dir);
    free(src);
}
END_TEST

/* ---- what a plugin hands back ------------------------------------------------------- */

static void expect_bad_output(imv_registry *reg, const char *id, const char *text)
{
    imv_profile *p = make_profile(id, 2, NULL);
    imv_result r;
    score(reg, 0, p, &r);
    ck_assert_msg(r.error != NULL, "%s: no error", id);
    ck_assert_msg(strstr(r.error, text) != NULL, "%s: expected \"%s\" in \"%s\"", id, text, r.error);
    ck_assert_int_eq(r.has_score, 0);
    ck_assert_int_eq(r.viable, 0);
    imv_result_clear(&r);
    imv_profile_free(p);
}

START_TEST(output__bad_results_become_the_model_error)
{
    for (int isolate = 0; isolate <= 1; isolate++) {
        imv_limits l;
        imv_limits_default(&l);
        l.isolate = isolate;
        imv_registry *reg = imv_registry_new(&l);
        imv_diags d;
        imv_diags_init(&d);
        ck_assert_int_eq(load(reg, "reg_bad_output.so", 0, &d), 0);
        expect_bad_output(reg, "nan", "score of NaN");
        expect_bad_output(reg, "inf", "score of infinity");
        expect_bad_output(reg, "over", "score of 150, outside 0..100");
        expect_bad_output(reg, "under", "score of -1, outside 0..100");
        expect_bad_output(reg, "none", "gave no score");
        expect_bad_output(reg, "utf8", "not valid UTF-8");
        expect_bad_output(reg, "long", "longer than 2000 bytes");
        expect_bad_output(reg, "months", "timeline");
        expect_bad_output(reg, "fit", "partner fit outside 0..100");
        expect_bad_output(reg, "err", "the fixture cannot score this profile");
        expect_bad_output(reg, "rc", "error code 3");
        /* and the same plugin is fine on an ordinary profile */
        imv_profile *p = make_profile("fine", 2, NULL);
        imv_result r;
        score(reg, 0, p, &r);
        ck_assert_msg(r.error == NULL, "%s", r.error);
        ck_assert_double_eq(r.score, 55);
        imv_result_clear(&r);
        imv_profile_free(p);
        imv_diags_free(&d);
        imv_registry_free(reg);
    }
}
END_TEST

/* ---- parameters -------------------------------------------------------------------- */

static imv_registry *good_registry(void)
{
    imv_limits l;
    imv_limits_default(&l);
    l.isolate = 0;
    imv_registry *reg = imv_registry_new(&l);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(load(reg, "reg_good.so", 0, &d), 0);
    imv_diags_free(&d);
    return reg;
}

START_TEST(params__set_changes_the_score)
{
    imv_registry *reg = good_registry();
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_set(reg, "reg_good.weight=5", &d), 0);
    ck_assert_int_eq(imv_registry_set(reg, "reg_good.bonus=-2.5", &d), 0);
    ck_assert_uint_eq(d.n, 0);
    const double *v = imv_model_param_values(imv_registry_get(reg, 0));
    ck_assert_double_eq(v[0], 5);
    ck_assert_double_eq(v[1], -2.5);
    imv_profile *p = make_profile("p", 3, NULL);
    imv_result r;
    score(reg, 0, p, &r);
    ck_assert_double_eq(r.score, 5 * 3 - 2.5);
    imv_result_clear(&r);
    /* The bounds are inside the range. */
    ck_assert_int_eq(imv_registry_set(reg, "reg_good.weight=0", &d), 0);
    ck_assert_int_eq(imv_registry_set(reg, "reg_good.weight=20", &d), 0);
    ck_assert_int_eq(imv_registry_set(reg, "reg_good.bonus=-10", &d), 0);
    ck_assert_int_eq(imv_registry_set(reg, "reg_good.bonus=2e1", &d), 0);
    ck_assert_double_eq(v[0], 20);
    ck_assert_double_eq(v[1], 20);
    ck_assert_uint_eq(d.n, 0);
    /* The default is unchanged: only the value moved. */
    ck_assert_double_eq(imv_model_param(imv_registry_get(reg, 0), 0)->def, 10);
    imv_profile_free(p);
    imv_diags_free(&d);
    imv_registry_free(reg);
}
END_TEST

static void expect_set_refused(imv_registry *reg, const char *a, int rc, const char *text)
{
    imv_diags d;
    imv_diags_init(&d);
    const double *v = imv_model_param_values(imv_registry_get(reg, 0));
    double before0 = v[0], before1 = v[1];
    ck_assert_msg(imv_registry_set(reg, a, &d) == rc, "%s: rc", a);
    ck_assert_msg(d.n_errors == 1, "%s: %s", a, dump(&d));
    ck_assert_msg(strstr(d.v[0].message, text) != NULL, "%s: expected \"%s\" in \"%s\"", a, text,
                  d.v[0].message);
    ck_assert_double_eq(v[0], before0);
    ck_assert_double_eq(v[1], before1);
    imv_diags_free(&d);
}

START_TEST(params__set_refusals)
{
    imv_registry *reg = good_registry();
    expect_set_refused(reg, "nomodel.weight=1", IMV_EUSAGE, "no model with id \"nomodel\" is loaded");
    expect_set_refused(reg, "reg_good.weigth=1", IMV_EUSAGE,
                       "model reg_good has no parameter \"weigth\"");
    expect_set_refused(reg, "reg_good.weight=21", IMV_EINVAL,
                       "reg_good.weight: 21 is outside its range 0..20");
    expect_set_refused(reg, "reg_good.weight=-0.1", IMV_EINVAL, "-0.1 is outside its range 0..20");
    expect_set_refused(reg, "reg_good.bonus=-11", IMV_EINVAL, "-11 is outside its range -10..20");
    static const char *const not_numbers[] = {"reg_good.weight=abc",   "reg_good.weight=1x",
                                              "reg_good.weight=nan",   "reg_good.weight=inf",
                                              "reg_good.weight=1e999", "reg_good.weight=5 "};
    for (size_t i = 0; i < sizeof not_numbers / sizeof *not_numbers; i++)
        expect_set_refused(reg, not_numbers[i], IMV_EUSAGE, "is not a finite number");
    static const char *const malformed[] = {
        "reg_good.weight", "weight=1", ".weight=1", "reg_good.=1", "reg_good.weight=", "=1", ""};
    for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++)
        expect_set_refused(reg, malformed[i], IMV_EUSAGE, "is not MODEL.PARAM=VALUE");
    imv_registry_free(reg);
}
END_TEST

static int set_file(imv_registry *reg, const char *json, imv_diags *d)
{
    char *path = tu_write_temp_str(json, ".json");
    int rc = imv_registry_set_file(reg, path, d);
    unlink(path);
    free(path);
    return rc;
}

START_TEST(params__file_sets_values)
{
    imv_registry *reg = good_registry();
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(set_file(reg, "{ \"reg_good\": { \"weight\": 3, \"bonus\": 0 } }", &d), 0);
    ck_assert_uint_eq(d.n, 0);
    const double *v = imv_model_param_values(imv_registry_get(reg, 0));
    ck_assert_double_eq(v[0], 3);
    ck_assert_double_eq(v[1], 0);
    /* An empty file object changes nothing. */
    ck_assert_int_eq(set_file(reg, "{}", &d), 0);
    ck_assert_double_eq(v[0], 3);
    imv_diags_free(&d);
    imv_registry_free(reg);
}
END_TEST

START_TEST(params__file_refusals)
{
    static const struct {
        const char *json;
        const char *where;
        const char *text;
    } cases[] = {
        {"{ \"reg_good\": { \"weight\": 30 } }", NULL,
         "reg_good.weight: 30 is outside its range 0..20"},
        {"{ \"reg_good\": { \"weight\": \"3\" } }", "reg_good.weight", "expected a number"},
        {"{ \"reg_good\": { \"speed\": 3 } }", NULL, "model reg_good has no parameter \"speed\""},
        {"{ \"other\": { \"weight\": 3 } }", NULL, "no model with id \"other\""},
        {"{ \"reg_good\": 3 }", "reg_good", "expected an object of parameter values"},
        {"[1, 2]", NULL, "expected a JSON object"},
        {"{ \"reg_good\": { \"weight\": 3 }", NULL, "expected a JSON object"},
        {"", NULL, "expected a JSON object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        imv_registry *reg = good_registry();
        imv_diags d;
        imv_diags_init(&d);
        ck_assert_msg(set_file(reg, cases[i].json, &d) < 0, "%s accepted", cases[i].json);
        ck_assert_msg(d.n_errors == 1, "%s: %s", cases[i].json, dump(&d));
        ck_assert_msg(strstr(d.v[0].message, cases[i].text) != NULL, "%s: %s", cases[i].json,
                      dump(&d));
        ck_assert_ptr_nonnull(strstr(d.v[0].source, "/tmp/imv-test-"));
        if (cases[i].where)
            ck_assert_str_eq(d.v[0].where, cases[i].where);
        ck_assert_double_eq(imv_model_param_values(imv_registry_get(reg, 0))[0], 10);
        imv_diags_free(&d);
        imv_registry_free(reg);
    }
    imv_registry *reg = good_registry();
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_set_file(reg, "/nonexistent/params.json", &d), IMV_EIO);
    ck_assert_ptr_nonnull(strstr(d.v[0].message, "cannot open parameters file"));
    imv_diags_free(&d);
    imv_registry_free(reg);
}
END_TEST

START_TEST(params__select_keeps_only_listed_models)
{
    imv_registry *reg = good_registry();
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(load(reg, "reg_dup_a.so", 1, &d), 0);
    ck_assert_uint_eq(imv_registry_count(reg), 2);
    ck_assert_int_eq(imv_registry_select(reg, "reg_good,nothing", &d), IMV_EUSAGE);
    ck_assert_ptr_nonnull(strstr(d.v[0].message, "no model with id \"nothing\""));
    ck_assert_uint_eq(imv_registry_count(reg), 2); /* unchanged on error */
    ck_assert_int_eq(imv_registry_select(reg, "reg_good", &d), 0);
    ck_assert_uint_eq(imv_registry_count(reg), 1);
    ck_assert_str_eq(imv_model_id(imv_registry_get(reg, 0)), "reg_good");
    imv_diags_free(&d);
    imv_registry_free(reg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("load");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, load__good_plugin_declares_everything);
    tcase_add_test(tc, load__good_plugin_scores_in_process_and_isolated);
    tcase_add_test(tc, load__wrong_abi_names_both_abis);
    tcase_add_test(tc, load__missing_entry_point);
    tcase_add_test(tc, load__entry_point_returning_null);
    tcase_add_test(tc, load__definition_without_score);
    tcase_add_test(tc, load__invalid_model_id);
    tcase_add_test(tc, load__invalid_parameter_declaration);
    tcase_add_test(tc, load__duplicate_id_names_both_files);
    tcase_add_test(tc, load__not_a_plugin_file);
    tcase_add_test(tc, load__directory_loads_the_good_and_reports_the_bad);
    tcase_add_test(tc, load__files_writable_by_others_refused);
    tcase_add_test(tc, output__bad_results_become_the_model_error);
    suite_add_tcase(s, tc);
    tc = tcase_create("params");
    tcase_add_test(tc, params__set_changes_the_score);
    tcase_add_test(tc, params__set_refusals);
    tcase_add_test(tc, params__file_sets_values);
    tcase_add_test(tc, params__file_refusals);
    tcase_add_test(tc, params__select_keeps_only_listed_models);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
