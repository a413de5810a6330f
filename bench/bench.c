/*
 * bench.c - the measuring tool behind `make bench` (bench/bench.sh).
 * Not a test: it prints figures and asserts nothing.
 *
 *   bench evals DIR [--only IDS] [--threads N] [--batch | --full]
 *               [--profiles N] [--draws D] [--runs R]
 *       Model evaluations per second, in-process, with the models in DIR
 *       (loaded as bundled: never isolated).  N synthetic profiles (imeval
 *       synth, seed 1), each scored at D perturbed draws of its ratings in
 *       score-only mode, as the Monte Carlo does: one imv_worker_score call
 *       per draw and model, or with --batch one imv_worker_score_batch call
 *       per 256 draws and model; with --full, full evaluations (reasons,
 *       risks, ranking: imv_evaluate) instead.  Threads split the profiles.
 *       Prints the median of R runs.
 *
 *   bench uncertain N SEED
 *       imeval synth's profiles 0..N-1 for SEED, with every rating that is
 *       a point turned into a triangular range of +-0.5 around it: the
 *       worst case for the Monte Carlo (nothing can be scored once).
 *
 *   bench timeit R [--stdin FILE] -- COMMAND [ARGS...]
 *       Run COMMAND R times (stdout to /dev/null) and print the median,
 *       lowest and highest wall time, the largest peak RSS (wait4) and the
 *       median CPU time (user + system).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "imeval.h"

#define CHUNK 256

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *msg)
{
    fprintf(stderr, "bench: %s\n", msg);
    exit(2);
}

/* A whole number from the command line, or exit with usage. */
static long number(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0)
        die("expected a whole number >= 0");
    return v;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die("out of memory");
    return p;
}

/* A uniform draw in [0, 1) from splitmix64: the bench needs jitter, not
 * the engine's streams (core/rng.c is private). */
static double uniform(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

/* ---- evals ------------------------------------------------------------------ */

typedef struct job {
    imv_registry *reg;
    imv_worker *w;
    imv_profile **p;
    imv_profile_view *views;    /* per profile: draws views */
    imv_partner_view *partners; /* per profile: 64 */
    size_t n_profiles, draws, first, stride;
    int mode; /* 0 single, 1 batch, 2 full */
    size_t evals;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    size_t n = imv_registry_count(j->reg);
    imv_result *res = xcalloc(CHUNK, sizeof *res);
    const imv_profile_view *vp[CHUNK];
    const double *pp[CHUNK];
    imv_result *rp[CHUNK];
    for (size_t i = j->first; i < j->n_profiles; i += j->stride) {
        const imv_profile *p = j->p[i];
        const imv_profile_view *views = j->views + i * j->draws;
        if (j->mode == 2) {
            for (size_t d = 0; d < j->draws; d++) {
                imv_evaluation e;
                imv_evaluate(j->w, p, &e);
                imv_evaluation_clear(&e);
                j->evals += n;
            }
            continue;
        }
        for (size_t m = 0; m < n; m++) {
            imv_model *mod = imv_registry_get(j->reg, m);
            for (size_t d = 0; d < j->draws;) {
                size_t k = j->draws - d < CHUNK ? j->draws - d : CHUNK;
                if (j->mode == 1) {
                    for (size_t t = 0; t < k; t++) {
                        imv_result_reset(&res[t], mod, 1);
                        rp[t] = &res[t];
                        vp[t] = &views[d + t];
                        pp[t] = imv_model_param_values(mod);
                    }
                    imv_worker_score_batch(j->w, m, vp, p->serial, pp, k, rp);
                } else {
                    for (size_t t = 0; t < k; t++) {
                        imv_result_reset(&res[t], mod, 1);
                        imv_worker_score(j->w, m, &views[d + t], p->serial,
                                         imv_model_param_values(mod), &res[t]);
                    }
                }
                j->evals += k;
                d += k;
            }
        }
    }
    for (size_t t = 0; t < CHUNK; t++)
        imv_result_clear(&res[t]);
    free(res);
    return NULL;
}

static int cmd_evals(int argc, char **argv)
{
    const char *dir = NULL, *only = NULL;
    int threads = 1, mode = 0, runs = 5;
    size_t n_profiles = 64, draws = 2000;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(a, "--threads") && i + 1 < argc)
            threads = (int)number(argv[++i]);
        else if (!strcmp(a, "--profiles") && i + 1 < argc)
            n_profiles = (size_t)number(argv[++i]);
        else if (!strcmp(a, "--draws") && i + 1 < argc)
            draws = (size_t)number(argv[++i]);
        else if (!strcmp(a, "--runs") && i + 1 < argc)
            runs = (int)number(argv[++i]);
        else if (!strcmp(a, "--batch"))
            mode = 1;
        else if (!strcmp(a, "--full"))
            mode = 2;
        else if (a[0] != '-' && !dir)
            dir = a;
        else
            die("usage: bench evals DIR [--only IDS] [--threads N] [--batch|--full] "
                "[--profiles N] [--draws D] [--runs R]");
    }
    if (!dir || threads < 1 || threads > 64 || runs < 1 || n_profiles < 1 || draws < 1)
        die("evals: bad arguments");
    imv_diags d;
    imv_diags_init(&d);
    imv_registry *reg = imv_registry_new(NULL);
    imv_registry_load_dir(reg, dir, 1, &d);
    if (only)
        imv_registry_select(reg, only, &d);
    if (d.n_errors || imv_registry_count(reg) == 0) {
        for (size_t i = 0; i < d.n; i++) {
            char buf[1200];
            imv_diag_format(&d.v[i], buf, sizeof buf);
            fprintf(stderr, "bench: %s\n", buf);
        }
        die("evals: models did not load");
    }
    /* Profiles from imeval synth; draws perturb every rating by up to
     * half a point, so every rating changes from one call to the next. */
    imv_synth *g = imv_synth_new(1);
    imv_profile **p = xcalloc(n_profiles, sizeof *p);
    imv_profile_view *views = xcalloc(n_profiles * draws, sizeof *views);
    imv_partner_view *partners = xcalloc(n_profiles * 64, sizeof *partners);
    uint64_t rng = 1;
    for (size_t i = 0; i < n_profiles; i++) {
        cJSON *j = cJSON_Parse(imv_synth_profile(g, i, NULL));
        if (!j || imv_profile_from_json(j, "synth", (long)i + 1, 0, &p[i], &d) != 0)
            die("evals: a synthetic profile did not parse");
        cJSON_Delete(j);
        for (size_t k = 0; k < draws; k++) {
            imv_profile_view *v = &views[i * draws + k];
            imv_profile_view_init(p[i], v, &partners[i * 64]);
            v->flags = IMV_VIEW_SCORE_ONLY;
            for (int r = 0; r < IMV_R_COUNT; r++) {
                double x = v->ratings[r] + uniform(&rng) - 0.5;
                v->ratings[r] = x < 0 ? 0 : x > 4 ? 4 : x;
            }
        }
    }
    imv_synth_free(g);
    imv_worker **w = xcalloc((size_t)threads, sizeof *w);
    for (int t = 0; t < threads; t++)
        w[t] = imv_worker_new(reg);
    double *rates = xcalloc((size_t)runs + 1, sizeof *rates);
    for (int r = 0; r <= runs; r++) { /* run 0 warms up (Lua states, caches) */
        job jobs[64];
        pthread_t tid[64];
        double t0 = now();
        for (int t = 0; t < threads; t++) {
            jobs[t] = (job){.reg = reg,
                            .w = w[t],
                            .p = p,
                            .views = views,
                            .partners = partners,
                            .n_profiles = n_profiles,
                            .draws = draws,
                            .first = (size_t)t,
                            .stride = (size_t)threads,
                            .mode = mode};
            if (pthread_create(&tid[t], NULL, run_job, &jobs[t]) != 0)
                die("evals: cannot start a thread");
        }
        size_t evals = 0;
        for (int t = 0; t < threads; t++) {
            pthread_join(tid[t], NULL);
            evals += jobs[t].evals;
        }
        rates[r] = (double)evals / (now() - t0);
    }
    printf("%.0f\n", median(rates + 1, (size_t)runs));
    for (int t = 0; t < threads; t++)
        imv_worker_free(w[t]);
    free(w);
    free(rates);
    for (size_t i = 0; i < n_profiles; i++)
        imv_profile_free(p[i]);
    free(p);
    free(views);
    free(partners);
    imv_registry_free(reg);
    imv_diags_free(&d);
    return 0;
}

/* ---- timeit ----------------------------------------------------------------- */

static int cmd_timeit(int argc, char **argv)
{
    if (argc < 5)
        die("usage: bench timeit RUNS [--stdin FILE] -- COMMAND [ARGS...]");
    int runs = (int)number(argv[2]);
    const char *in = NULL;
    int i = 3;
    if (!strcmp(argv[i], "--stdin") && i + 1 < argc) {
        in = argv[i + 1];
        i += 2;
    }
    if (i >= argc || strcmp(argv[i], "--") || i + 1 >= argc || runs < 1)
        die("usage: bench timeit RUNS [--stdin FILE] -- COMMAND [ARGS...]");
    char **cmd = &argv[i + 1];
    double *wall = xcalloc((size_t)runs, sizeof *wall);
    double *cpu = xcalloc((size_t)runs, sizeof *cpu);
    long peak = 0;
    int status_bad = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        pid_t pid = fork();
        if (pid < 0)
            die("timeit: fork failed");
        if (pid == 0) {
            int out = open("/dev/null", O_WRONLY);
            dup2(out, 1);
            if (in) {
                int fd = open(in, O_RDONLY);
                if (fd < 0)
                    _exit(127);
                dup2(fd, 0);
            }
            execvp(cmd[0], cmd);
            _exit(127);
        }
        int st;
        struct rusage ru;
        if (wait4(pid, &st, 0, &ru) < 0)
            die("timeit: wait4 failed");
        wall[r] = now() - t0;
        cpu[r] = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
        if (ru.ru_maxrss > peak)
            peak = ru.ru_maxrss;
        if (!WIFEXITED(st) || WEXITSTATUS(st) > 1)
            status_bad = 1;
    }
    double lo = wall[0], hi = wall[0];
    for (int r = 1; r < runs; r++) {
        lo = wall[r] < lo ? wall[r] : lo;
        hi = wall[r] > hi ? wall[r] : hi;
    }
    /* median_s min_s max_s peak_kb cpu_median_s (user + system, with the
     * command's children: a pipeline's shell waits for them) */
    double mw = median(wall, (size_t)runs);
    printf("%.4f %.4f %.4f %ld %.4f%s\n", mw, lo, hi, peak, median(cpu, (size_t)runs),
           status_bad ? " (command failed)" : "");
    free(wall);
    free(cpu);
    return status_bad;
}

/* ---- uncertain ------------------------------------------------------------- */

static int cmd_uncertain(int argc, char **argv)
{
    if (argc != 4)
        die("usage: bench uncertain N SEED");
    long n = number(argv[2]);
    imv_synth *g = imv_synth_new((uint64_t)strtoull(argv[3], NULL, 10));
    for (long i = 0; i < n; i++) {
        cJSON *j = cJSON_Parse(imv_synth_profile(g, (uint64_t)i, NULL));
        cJSON *rt = cJSON_GetObjectItem(j, "ratings");
        for (int k = 0; k < IMV_R_COUNT; k++) {
            const char *name = imv_rating_name(k);
            cJSON *x = cJSON_GetObjectItem(rt, name);
            if (!cJSON_IsNumber(x))
                continue;
            double v = x->valuedouble;
            cJSON *r = cJSON_CreateObject();
            cJSON_AddNumberToObject(r, "low", v - 0.5 < 0 ? 0 : v - 0.5);
            cJSON_AddNumberToObject(r, "mode", v);
            cJSON_AddNumberToObject(r, "high", v + 0.5 > 4 ? 4 : v + 0.5);
            cJSON_ReplaceItemInObject(rt, name, r);
        }
        char *s = cJSON_PrintUnformatted(j);
        puts(s);
        free(s);
        cJSON_Delete(j);
    }
    imv_synth_free(g);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "uncertain"))
        return cmd_uncertain(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "evals"))
        return cmd_evals(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "timeit"))
        return cmd_timeit(argc, argv);
    die("usage: bench evals DIR ... | bench timeit RUNS -- COMMAND ...");
    return 2;
}
