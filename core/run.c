/*
 * run.c - read, score in parallel batches, emit in order.
 *
 * Each thread owns one worker (and so its own Lua states) for the whole
 * run; a batch is split by index, so which thread scores a profile never
 * changes a result: every evaluation depends only on its profile, the
 * models and the seed.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "run.h"
#include "uncertainty.h"

#define PER_THREAD 32

int imv_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/* ---- duplicate ids: open addressing on 64-bit hashes --------------------- */

/* 16 bytes an id: the one thing a run keeps per profile, so it sets how
 * memory grows on a long stream (about 40 MB for a million profiles). */
typedef struct id_entry {
    uint64_t hash;        /* 0 = empty */
    uint32_t file;
    uint32_t line;        /* clamped at UINT32_MAX */
} id_entry;

typedef struct id_set {
    id_entry *v;
    size_t n, cap;
} id_set;

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    h ^= h >> 29;
    return h ? h : 1;
}

static void id_set_grow(id_set *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    id_entry *v = imv_xcalloc(cap, sizeof *v);
    for (size_t i = 0; i < s->cap; i++)
        if (s->v[i].hash) {
            size_t k = s->v[i].hash & (cap - 1);
            while (v[k].hash)
                k = (k + 1) & (cap - 1);
            v[k] = s->v[i];
        }
    free(s->v);
    s->v = v;
    s->cap = cap;
}

/* Insert; returns the earlier entry when the id was already there.  Two
 * different ids colliding in 64 bits is about 1 in 10^7 for 10^6 ids. */
static const id_entry *id_set_add(id_set *s, const char *id, uint32_t file, long line)
{
    if ((s->n + 1) * 4 > s->cap * 3)
        id_set_grow(s);
    uint64_t h = hash_id(id);
    size_t k = h & (s->cap - 1);
    while (s->v[k].hash) {
        if (s->v[k].hash == h)
            return &s->v[k];
        k = (k + 1) & (s->cap - 1);
    }
    s->v[k] = (id_entry){h, file, line > 0 && line < (long)UINT32_MAX ? (uint32_t)line : UINT32_MAX};
    s->n++;
    return NULL;
}

/* ---- parallel scoring ------------------------------------------------------ */

typedef struct batch {
    imv_profile **p;
    imv_evaluation *e;
    unsigned char *done;
    size_t n;
    const imv_run_opts *o;
} batch;

typedef struct thread_arg {
    batch *b;
    imv_worker *w;
    size_t index, stride;
} thread_arg;

static void *score_part(void *arg)
{
    thread_arg *t = arg;
    batch *b = t->b;
    for (size_t i = t->index; i < b->n; i += t->stride) {
        if (b->o->stop && *b->o->stop)
            break;
        imv_evaluate(t->w, b->p[i], &b->e[i]);
        if (b->o->draws)
            imv_uncertainty_run(t->w, &b->e[i], b->o->draws, b->o->seed, b->o->vary_parameters);
        b->done[i] = 1;
    }
    return NULL;
}

static void score_batch(batch *b, imv_worker **workers, int jobs)
{
    thread_arg args[256];
    pthread_t tid[256];
    int started[256] = {0};
    size_t stride = (size_t)jobs < b->n ? (size_t)jobs : b->n;
    for (size_t t = 0; t < stride; t++) {
        args[t] = (thread_arg){b, workers[t], t, stride};
        if (t > 0)
            started[t] = pthread_create(&tid[t], NULL, score_part, &args[t]) == 0;
    }
    /* Thread 0 is this one; a thread that could not start is done here. */
    for (size_t t = 0; t < stride; t++)
        if (t == 0 || !started[t])
            score_part(&args[t]);
    for (size_t t = 1; t < stride; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
}

typedef struct run_ctx {
    imv_registry *reg;
    const imv_run_opts *o;
    imv_sink_fn sink;
    imv_profile_sink_fn psink;
    void *ctx;
    imv_diags *diags;
    imv_run_stats *st;
    imv_worker **workers;
    int jobs;
    batch b;
    size_t cap;
    int sink_failed;
} run_ctx;

/* Score what has been read, emit it in order, free it. */
static void flush(run_ctx *c)
{
    batch *b = &c->b;
    if (b->n == 0)
        return;
    if (!c->o->no_evaluate) {
        memset(b->done, 0, b->n);
        score_batch(b, c->workers, c->jobs);
    }
    for (size_t i = 0; i < b->n; i++) {
        if (!c->sink_failed) {
            if (c->o->no_evaluate) {
                if (c->psink && c->psink(c->ctx, b->p[i]))
                    c->sink_failed = 1;
            } else if (b->done[i]) {
                int failed = 0;
                for (size_t m = 0; m < b->e[i].n; m++)
                    failed |= b->e[i].results[m].error != NULL;
                c->st->model_failures += failed;
                if (c->sink && c->sink(c->ctx, &b->e[i]))
                    c->sink_failed = 1;
                else
                    c->st->evaluated++;
            }
        }
        if (!c->o->no_evaluate)
            imv_evaluation_clear(&b->e[i]);
        imv_profile_free(b->p[i]);
    }
    b->n = 0;
}

static int stopping(const run_ctx *c)
{
    return c->sink_failed || (c->o->stop && *c->o->stop);
}

static void read_file(run_ctx *c, const char *path, uint32_t file_index, id_set *ids,
                      char *const *paths)
{
    imv_read_opts ro = {.strict = c->o->strict};
    imv_reader *r = imv_reader_open(path, &ro, c->diags);
    if (!r) {
        c->st->profiles_bad++;
        return;
    }
    for (;;) {
        if (stopping(c))
            break;
        imv_profile *p;
        int rc = imv_reader_next(r, &p, c->diags);
        if (rc == 0)
            break;
        if (rc < 0) {
            /* A bad profile (-1) and a read error (IMV_EIO, also -1) look
             * alike; after a read error the reader reports the end, so
             * going on is right for both.  Breaking here used to drop
             * every profile after the first bad one. */
            c->st->profiles_bad++;
            continue;
        }
        const id_entry *dup = id_set_add(ids, p->id, file_index, p->line);
        if (dup) {
            imv_diags_add_at(c->diags, 0, path, p->line, "id",
                             "duplicate profile id \"%s\" (first seen in %s line %ld); ids must be unique in one run",
                             p->id, paths[dup->file], (long)dup->line);
            c->st->profiles_bad++;
            imv_profile_free(p);
            continue;
        }
        c->st->profiles_read++;
        c->b.p[c->b.n++] = p;
        if (c->b.n == c->cap)
            flush(c);
    }
    imv_reader_close(r);
}

int imv_run(imv_registry *reg, char *const *paths, size_t n_paths, const imv_run_opts *o,
            imv_sink_fn sink, imv_profile_sink_fn psink, void *ctx, imv_diags *diags,
            imv_run_stats *st)
{
    run_ctx c = {.reg = reg, .o = o, .sink = sink, .psink = psink, .ctx = ctx, .diags = diags,
                 .st = st};
    memset(st, 0, sizeof *st);
    c.jobs = o->jobs > 0 ? o->jobs : imv_cpu_count();
    if (c.jobs > 256)
        c.jobs = 256;
    c.cap = (size_t)c.jobs * PER_THREAD;
    c.b.o = o;
    c.b.p = imv_xcalloc(c.cap, sizeof *c.b.p);
    c.b.e = imv_xcalloc(c.cap, sizeof *c.b.e);
    c.b.done = imv_xcalloc(c.cap, 1);
    c.workers = imv_xcalloc((size_t)c.jobs, sizeof *c.workers);
    for (int i = 0; i < c.jobs; i++)
        c.workers[i] = imv_worker_new(reg);
    id_set ids = {0};
    for (size_t i = 0; i < n_paths && !stopping(&c); i++)
        read_file(&c, paths[i], (uint32_t)i, &ids, paths);
    flush(&c);
    st->interrupted = o->stop && *o->stop;
    for (int i = 0; i < c.jobs; i++)
        imv_worker_free(c.workers[i]);
    free(c.workers);
    free(ids.v);
    free(c.b.p);
    free(c.b.e);
    free(c.b.done);
    return c.sink_failed ? IMV_EIO : IMV_OK;
}
