/*
 * testutil.h - small helpers shared by the Check suites: where things are
 * (from the environment tests/run.sh sets), temporary files, and running
 * the built imeval binary end to end.
 */
#ifndef IMV_TESTUTIL_H
#define IMV_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "imeval.h"

/* An environment variable tests/run.sh sets, or a path relative to the
 * repository root when a suite is run by hand from there. */
static inline const char *tu_env(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

#define TU_BIN tu_env("IMEVAL_BIN", "build/imeval")
#define TU_MODELS tu_env("IMEVAL_MODELS_DIR", "build/models")
#define TU_FIXTURES tu_env("IMEVAL_FIXTURES", "build/tests/plugins")
#define TU_FIXTURE_SRC tu_env("IMEVAL_FIXTURE_SRC", "tests/plugins")
#define TU_DATASETS tu_env("IMEVAL_DATASETS", "datasets")
#define TU_TESTDATA tu_env("IMEVAL_TESTDATA", "tests/data")

/* Write text to a new private temporary file; returns its path (free it,
 * and unlink it when done).  suffix picks the reader (".json", ".csv"). */
static inline char *tu_write_temp(const char *text, size_t len, const char *suffix)
{
    char *path = malloc(256);
    snprintf(path, 256, "/tmp/imv-test-XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    ck_assert_msg(fd >= 0, "mkstemps failed");
    ck_assert_int_eq((long)write(fd, text, len), (long)len);
    close(fd);
    return path;
}

static inline char *tu_write_temp_str(const char *text, const char *suffix)
{
    return tu_write_temp(text, strlen(text), suffix);
}

/* Read a whole file into a new string (caller frees); NULL if missing. */
static inline char *tu_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

/* Run a shell command line; capture stdout and stderr (caller frees both)
 * and return the exit status (128+signal when killed). */
static inline int tu_run(const char *cmd, char **out, char **err)
{
    char o[] = "/tmp/imv-out-XXXXXX", e[] = "/tmp/imv-err-XXXXXX";
    int fo = mkstemp(o), fe = mkstemp(e);
    close(fo);
    close(fe);
    size_t n = strlen(cmd) + 128;
    char *full = malloc(n);
    snprintf(full, n, "%s >%s 2>%s", cmd, o, e);
    int st = system(full);
    free(full);
    char *so = tu_slurp(o), *se = tu_slurp(e);
    unlink(o);
    unlink(e);
    if (out)
        *out = so;
    else
        free(so);
    if (err)
        *err = se;
    else
        free(se);
    if (st == -1)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A minimal valid profile with every rating set to r, as JSON text. */
static inline char *tu_profile_json(const char *id, const char *grade, double r)
{
    char *s = malloc(2048);
    snprintf(s, 2048,
             "{\"format\":\"imeval-profile/1\",\"id\":\"%s\",\"name\":\"Test %s\",\"as_of\":\"2020-01\","
             "\"ofsted\":{\"grade\":\"%s\"},\"ratings\":{"
             "\"senior_leadership\":%g,\"middle_leadership\":%g,\"leadership_stability\":%g,"
             "\"political_commitment\":%g,\"corporate_leadership\":%g,\"acceptance\":%g,"
             "\"governance\":%g,\"partnerships\":%g,\"self_assessment\":%g,"
             "\"workforce_stability\":%g,\"financial_resilience\":%g,\"failure_extent\":%g,"
             "\"initial_response\":%g}}",
             id, id, grade, r, r, r, r, r, r, r, r, r, r, r, r, r);
    return s;
}

/* The first profile of the file at path, which must read. */
static inline imv_profile *tu_read_profile(const char *path)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_reader *rd = imv_reader_open(path, NULL, &d);
    ck_assert_ptr_nonnull(rd);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_reader_next(rd, &p, &d), 1);
    imv_reader_close(rd);
    imv_diags_free(&d);
    return p;
}

/* The one profile in json, read from a file as imeval reads a user's. */
static inline imv_profile *tu_profile_of_json(const char *json)
{
    char *path = tu_write_temp_str(json, ".json");
    imv_profile *p = tu_read_profile(path);
    unlink(path);
    free(path);
    return p;
}

/* A profile at as_of under an improvement board since `since`, judged
 * `grade` (ofsted.inspected when not NULL), with one earlier judgement
 * (prev_grade < 0: none; dated prev_date when not NULL) and one
 * monitoring finding (an imv_trend, 0: none, dated finding_date): for the
 * engine's facts (core/facts.c).  NULL when the profile is not valid. */
static inline imv_profile *tu_history_profile(const char *as_of, int grade, const char *inspected,
                                              const char *since, int prev_grade,
                                              const char *prev_date, int finding,
                                              const char *finding_date)
{
    char json[3072], prev[160] = "", insp[64] = "", prog[200] = "";
    if (inspected)
        snprintf(insp, sizeof insp, ",\"inspected\":\"%s\"", inspected);
    if (prev_grade >= 0 && prev_date)
        snprintf(prev, sizeof prev, ",\"previous\":[{\"grade\":\"%s\",\"date\":\"%s\"}]",
                 imv_grade_name(prev_grade), prev_date);
    else if (prev_grade >= 0)
        snprintf(prev, sizeof prev, ",\"previous\":[\"%s\"]", imv_grade_name(prev_grade));
    if (finding)
        snprintf(prog, sizeof prog,
                 ",\"progress\":[{\"date\":\"%s\",\"finding\":\"%s\",\"by\":\"other\"}]",
                 finding_date, imv_trend_name(finding));
    snprintf(json, sizeof json,
             "{\"format\":\"imeval-profile/1\",\"id\":\"h\",\"name\":\"H\",\"as_of\":\"%s\","
             "\"ofsted\":{\"grade\":\"%s\"%s%s},\"ratings\":{"
             "\"senior_leadership\":2.5,\"middle_leadership\":2.5,\"leadership_stability\":2.5,"
             "\"political_commitment\":3,\"corporate_leadership\":3,\"acceptance\":3,"
             "\"governance\":2.5,\"partnerships\":2.5,\"self_assessment\":2.5,"
             "\"workforce_stability\":2.5,\"financial_resilience\":2.5,\"failure_extent\":2,"
             "\"initial_response\":2.5},"
             "\"current_intervention\":{\"model\":\"improvement_board\",\"since\":\"%s\"%s}}",
             as_of, imv_grade_name(grade), insp, prev, since, prog);
    imv_diags d;
    imv_diags_init(&d);
    cJSON *j = cJSON_Parse(json);
    imv_profile *p = NULL;
    if (imv_profile_from_json(j, "history.json", 1, 0, &p, &d) != 0)
        p = NULL;
    cJSON_Delete(j);
    imv_diags_free(&d);
    return p;
}

/* Run a Check suite in the usual way; returns the process exit status. */
static inline int tu_same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* A brief evaluation (for CSV) of p, against the full one: every figure,
 * error, partner and precondition the full one has, and no reasons,
 * risks or fit parts, so that no output that prints none can tell them
 * apart. */
static inline void tu_check_brief_matches(imv_worker *w, const imv_profile *p,
                                          const imv_evaluation *full)
{
    imv_evaluation b;
    imv_evaluate_brief(w, p, &b);
    ck_assert_uint_eq(b.n, full->n);
    for (size_t i = 0; i < b.n; i++) {
        const imv_result *x = &full->results[i], *y = &b.results[i];
        const char *id = imv_model_id(x->model);
        ck_assert_msg(tu_same_text(x->error, y->error), "%s: %s: brief error \"%s\", full \"%s\"",
                      p->id, id, y->error ? y->error : "(none)", x->error ? x->error : "(none)");
        ck_assert_int_eq(x->has_score, y->has_score);
        ck_assert_msg(memcmp(&x->score, &y->score, sizeof(double)) == 0 || x->score == y->score,
                      "%s: %s: brief score %.17g, full %.17g", p->id, id, y->score, x->score);
        ck_assert_int_eq(x->viable, y->viable);
        ck_assert_uint_eq(x->n_unmet, y->n_unmet);
        for (size_t k = 0; k < x->n_unmet; k++)
            ck_assert_str_eq(x->unmet[k], y->unmet[k]);
        ck_assert_msg(tu_same_text(x->partner_id, y->partner_id), "%s: %s: partner", p->id, id);
        ck_assert(!x->partner_id || memcmp(&x->partner_fit, &y->partner_fit, sizeof(double)) == 0);
        ck_assert_msg(memcmp(&x->setup_months, &y->setup_months, 3 * sizeof(double)) == 0,
                      "%s: %s: timeline", p->id, id);
        ck_assert_uint_eq(y->n_reasons + y->n_risks + y->n_fit_parts, 0);
        ck_assert_uint_eq(b.order[i], full->order[i]);
    }
    imv_evaluation_clear(&b);
}

static inline int tu_main(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
