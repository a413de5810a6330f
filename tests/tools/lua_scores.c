/*
 * lua_scores.c - score-only draws of one Lua model, one line a view, to
 * compare the Lua hosts: built against the Lua 5.4 host
 * (build/tests/tools/lua_scores) and against the LuaJIT host
 * (build/tests/tools/lua_scores_jit); tests/e2e/luajit_identity.sh diffs
 * the two over the same views.
 *
 * usage: lua_scores [--vary] [--time] [--draws N] [--batch K] [--budget B] MODEL.lua PROFILES...
 *
 * Every profile gets N views in batches of K (the uncertainty chunk: one
 * profile, only ratings and, with --vary, the parameters differ), with
 * ratings drawn from a fixed generator over 0.5..4.5 (outside 1..4 too,
 * so clamps are exercised) and parameters over min..max.  Each line:
 * profile id, draw, score (%a), unmet preconditions, declined, error.
 * --time prints instead the CPU time of the scoring calls alone, per view.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../core/internal.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

static double uniform(double lo, double hi)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}

typedef struct opts {
    int vary, time;
    size_t draws, batch;
    long budget;
} opts;

static double cpu_spent, views_scored, views_declined;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void score_views(const imv_model *m, void *inst, const imv_profile_view *base,
                        unsigned long key, const opts *o)
{
    size_t k = o->batch, np = m->n_params;
    imv_profile_view *v = calloc(k, sizeof *v);
    const imv_profile_view **vp = calloc(k, sizeof *vp);
    double *w = calloc(k * (np ? np : 1), sizeof *w);
    const double **wp = calloc(k, sizeof *wp);
    imv_result *r = calloc(k, sizeof *r);
    imv_result **rp = calloc(k, sizeof *rp);
    for (size_t d0 = 0; d0 < o->draws; d0 += k) {
        size_t n = o->draws - d0 < k ? o->draws - d0 : k;
        for (size_t i = 0; i < n; i++) {
            v[i] = *base;
            v[i].flags |= IMV_VIEW_SCORE_ONLY;
            for (int j = 0; j < IMV_R_COUNT; j++)
                v[i].ratings[j] = uniform(0.5, 4.5);
            for (size_t j = 0; j < np; j++)
                w[i * np + j] = o->vary ? uniform(m->params[j].min, m->params[j].max)
                                        : m->params[j].def;
            vp[i] = &v[i];
            wp[i] = np ? &w[i * np] : w;
            imv_result_reset(&r[i], m, 1);
            rp[i] = &r[i];
        }
        double t0 = cpu_now();
        if (m->has_batch && m->be->score_batch && n > 1)
            m->be->score_batch(m, inst, vp, wp, n, rp);
        else
            for (size_t i = 0; i < n; i++)
                m->be->score(m, inst, vp[i], key, wp[i], rp[i]);
        cpu_spent += cpu_now() - t0;
        views_scored += (double)n;
        for (size_t i = 0; i < n; i++) {
            views_declined += r[i].declined;
            if (!o->time)
                printf("%s %zu %a %zu %d %s\n", base->id, d0 + i, r[i].score, r[i].n_unmet,
                       r[i].declined, r[i].error ? r[i].error : "-");
            imv_result_clear(&r[i]);
        }
    }
    free(v);
    free(vp);
    free(w);
    free(wp);
    free(r);
    free(rp);
}

static int score_file(const imv_model *m, void *inst, const char *path, const opts *o)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_read_opts ro = {0};
    imv_reader *rd = imv_reader_open(path, &ro, &d);
    if (!rd) {
        fprintf(stderr, "lua_scores: cannot open %s\n", path);
        imv_diags_free(&d);
        return 1;
    }
    imv_profile *p;
    int st;
    while ((st = imv_reader_next(rd, &p, &d)) != 0) {
        if (st < 0)
            continue;
        imv_profile_view v;
        imv_profile_view_init(p, &v, NULL);
        imv_profile_view_expect(&v, p, NULL);
        score_views(m, inst, &v, p->serial, o);
        imv_profile_free(p);
    }
    imv_reader_close(rd);
    imv_diags_free(&d);
    return 0;
}

int main(int argc, char **argv)
{
    opts o = {0, 0, 200, 64, 10 * 1000 * 1000};
    int a = 1;
    for (; a < argc && argv[a][0] == '-' && argv[a][1] == '-'; a++) {
        if (strcmp(argv[a], "--vary") == 0)
            o.vary = 1;
        else if (strcmp(argv[a], "--time") == 0)
            o.time = 1;
        else if (strcmp(argv[a], "--draws") == 0 && a + 1 < argc)
            o.draws = strtoul(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--batch") == 0 && a + 1 < argc)
            o.batch = strtoul(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--budget") == 0 && a + 1 < argc)
            o.budget = strtol(argv[++a], NULL, 10);
        else
            break;
    }
    if (argc - a < 2 || o.batch == 0) {
        fprintf(stderr, "usage: lua_scores [--vary] [--time] [--draws N] [--batch K] [--budget B] "
                        "MODEL.lua PROFILES...\n");
        return 2;
    }
    imv_limits lim;
    imv_limits_default(&lim);
    lim.lua_instructions = o.budget;
    imv_model *m = imv_xcalloc(1, sizeof *m);
    m->limits = &lim;
    char err[1024];
    void *inst = NULL;
    if (imv_lua_load(m, argv[a], &lim, err, sizeof err) != IMV_OK ||
        m->be->instance_new(m, &inst, err, sizeof err) != IMV_OK) {
        fprintf(stderr, "lua_scores: %s: %s\n", argv[a], err);
        return 1;
    }
    int rc = 0;
    for (int i = a + 1; i < argc; i++)
        rc |= score_file(m, inst, argv[i], &o);
    if (o.time)
        printf("%.0f views, %.0f declined, %.1f ns CPU a view\n", views_scored, views_declined,
               views_scored > 0 ? cpu_spent / views_scored * 1e9 : 0);
    m->be->instance_free(inst);
    imv_model_free(m);
    free(m);
    return rc;
}
