/*
 * register.c - the assessment register's figures for `make bench`
 * (bench/bench.sh section 6).  Not a test: it prints and asserts nothing.
 *
 *   register-bench record LOCATION N RUNS
 *       Record N assessments of one evaluated case profile (the bundled
 *       models), each in its own transaction as `evaluate --register`
 *       does: result JSON, hashes, profile and model-file reads, the insert
 *       and the commit (SQLite: synchronous=FULL).  LOCATION gets "-K" per
 *       run (a fresh register).  Prints "median_per_s median_wall_s
 *       median_cpu_s" over RUNS.
 *   register-bench history LOCATION REVIEWS RUNS
 *       Make one authority with an assessment, a decision and REVIEWS
 *       reviews, then time imv_register_history: "median_wall_s median_cpu_s".
 *   register-bench status LOCATION AUTHORITIES PER RUNS
 *       AUTHORITIES authorities with PER entries each (an assessment, a
 *       decision, PER-2 reviews), then time imv_register_status.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imeval.h"
#include "register.h"

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int num(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    return *s && !*end && v > 0 && v < 10000000 ? (int)v : 1;
}

static void die(const char *what, const char *err)
{
    fprintf(stderr, "register-bench: %s: %s\n", what, err);
    exit(1);
}

typedef struct bench_case {
    imv_registry *reg;
    imv_worker *w;
    imv_profile *p;
    imv_evaluation e;
} bench_case;

static void load_case(bench_case *c, const char *models, const char *profile)
{
    imv_limits lim;
    imv_limits_default(&lim);
    imv_diags d;
    imv_diags_init(&d);
    c->reg = imv_registry_new(&lim);
    if (imv_registry_load_dir(c->reg, models, 1, &d) < 0 || d.n_errors)
        die("models", models);
    imv_read_opts ro = {0};
    imv_reader *rd = imv_reader_open(profile, &ro, &d);
    if (!rd || imv_reader_next(rd, &c->p, &d) != 1)
        die("profile", profile);
    imv_reader_close(rd);
    c->w = imv_worker_new(c->reg);
    if (imv_evaluate(c->w, c->p, &c->e))
        die("evaluate", profile);
    imv_diags_free(&d);
}

static imv_register *fresh(const char *loc, int k, char *where, size_t n)
{
    char err[1024];
    imv_register *r = NULL;
    if (strncmp(loc, "postgres", 8) == 0)
        snprintf(where, n, "%s", loc); /* bench.sh gives a new database each time */
    else
        snprintf(where, n, "%s-%d", loc, k);
    if (imv_register_open(where, 1, &r, err, sizeof err))
        die("open", err);
    return r;
}

static void record(imv_register *r, bench_case *c, const char *id, const char *review_of)
{
    char err[1024], out[128];
    imv_register_run run = {.seed = 1};
    imv_register_assessment_in in = {.id = id,
                                     .authority = "bench",
                                     .author = "bench",
                                     .review_of = review_of};
    if (imv_register_record_evaluation(r, c->reg, &c->e, &run, NULL, &in, out, sizeof out, err,
                                       sizeof err))
        die("record", err);
}

static void decide(imv_register *r, const char *on, const char *model, const char *id)
{
    char err[1024];
    imv_register_entry e = {.kind = strdup("decision"),
                            .id = strdup(id),
                            .ref = strdup(on),
                            .model = strdup(model),
                            .author = strdup("bench"),
                            .role = strdup("approver"),
                            .body = strdup("{\"rationale\":\"bench\"}")};
    if (imv_register_append(r, &e, NULL, 0, err, sizeof err))
        die("decide", err);
    imv_register_entry_clear(&e);
}

/* A small assessment of authority `a` (no engine): for building many. */
static void quick(imv_register *r, const char *a, const char *id, const char *date, double rating,
                  const char *review_of)
{
    char err[1024], prof[160], res[160];
    snprintf(prof, sizeof prof, "{\"id\":\"%s\",\"as_of\":\"%s\"}", id, date);
    snprintf(res, sizeof res, "{\"format\":\"imeval-result/1\",\"profile\":\"%s\"}", id);
    imv_register_blob b[2] = {{"profile", prof, strlen(prof), ""}, {"result", res, strlen(res), ""}};
    imv_register_entry e = {.kind = strdup(review_of ? "review" : "assessment"),
                            .id = strdup(id),
                            .authority = strdup(a),
                            .ref = review_of ? strdup(review_of) : NULL,
                            .author = strdup("bench"),
                            .role = strdup("adviser"),
                            .as_of = strdup(date),
                            .grade = strdup("inadequate"),
                            .model = strdup("commissioner"),
                            .status = strdup("on_track"),
                            .has_rating = 1,
                            .rating = rating,
                            .body = strdup("{\"question\":\"which intervention?\"}")};
    if (imv_register_append(r, &e, b, 2, err, sizeof err))
        die("append", err);
    imv_register_entry_clear(&e);
}

int main(int argc, char **argv)
{
    const char *models = getenv("IMEVAL_MODELS_DIR");
    const char *profile = getenv("IMEVAL_BENCH_PROFILE");
    char where[2048], err[1024];
    if (argc < 5 || !models || !profile) {
        fprintf(stderr, "usage: IMEVAL_MODELS_DIR=DIR IMEVAL_BENCH_PROFILE=FILE register-bench "
                        "record|history|status LOCATION ...\n");
        return 2;
    }
    const char *what = argv[1], *loc = argv[2];
    if (strcmp(what, "record") == 0) {
        int n = num(argv[3]), runs = num(argv[4]);
        bench_case c;
        load_case(&c, models, profile);
        double rate[32], w[32], u[32];
        for (int k = 0; k < runs && k < 32; k++) {
            imv_register *r = fresh(loc, k, where, sizeof where);
            double w0 = wall(), c0 = cpu();
            for (int i = 0; i < n; i++)
                record(r, &c, NULL, NULL);
            w[k] = wall() - w0;
            u[k] = cpu() - c0;
            rate[k] = n / w[k];
            imv_register_close(r);
        }
        printf("%.1f %.4f %.4f\n", median(rate, runs), median(w, runs), median(u, runs));
        return 0;
    }
    if (strcmp(what, "history") == 0) {
        int n = num(argv[3]), runs = num(argv[4]);
        bench_case c;
        load_case(&c, models, profile);
        imv_register *r = fresh(loc, 0, where, sizeof where);
        record(r, &c, "base", NULL);
        decide(r, "base", c.e.recommended ? c.e.recommended : "commissioner", "dec");
        for (int i = 0; i < n; i++)
            record(r, &c, NULL, "dec");
        double w[32], u[32];
        for (int k = 0; k < runs && k < 32; k++) {
            cJSON *h = NULL;
            double w0 = wall(), c0 = cpu();
            if (imv_register_history(r, "bench", &h, err, sizeof err))
                die("history", err);
            w[k] = wall() - w0;
            u[k] = cpu() - c0;
            cJSON_Delete(h);
        }
        printf("%.4f %.4f\n", median(w, runs), median(u, runs));
        imv_register_close(r);
        return 0;
    }
    if (strcmp(what, "status") == 0 && argc >= 6) {
        int na = num(argv[3]), per = num(argv[4]), runs = num(argv[5]);
        imv_register *r = fresh(loc, 0, where, sizeof where);
        for (int a = 0; a < na; a++) {
            char auth[32], id[64], dec[64], date[16];
            snprintf(auth, sizeof auth, "authority-%04d", a);
            snprintf(id, sizeof id, "%s-a", auth);
            snprintf(dec, sizeof dec, "%s-d", auth);
            quick(r, auth, id, "2010-01", 1.0, NULL);
            decide(r, id, "commissioner", dec);
            for (int i = 0; i < per - 2; i++) {
                snprintf(id, sizeof id, "%s-r%d", auth, i);
                snprintf(date, sizeof date, "%04d-06", 2011 + i);
                quick(r, auth, id, date, 1.0 + 0.1 * i * (a % 3), dec);
            }
        }
        double w[32], u[32];
        for (int k = 0; k < runs && k < 32; k++) {
            cJSON *s = NULL;
            double w0 = wall(), c0 = cpu();
            if (imv_register_status(r, &s, err, sizeof err))
                die("status", err);
            w[k] = wall() - w0;
            u[k] = cpu() - c0;
            cJSON_Delete(s);
        }
        printf("%.4f %.4f\n", median(w, runs), median(u, runs));
        imv_register_close(r);
        return 0;
    }
    fprintf(stderr, "register-bench: unknown measurement %s\n", what);
    return 2;
}
