/*
 * run.c - read, score in parallel batches, emit in order.
 *
 * A pool of threads lives for the whole run, each with its own worker
 * (and so its own Lua states).  The pool scores one batch while this
 * thread reads the next and writes the one before.  Which thread scores
 * what never changes a result: every evaluation depends only on its
 * profile, the models and the seed, and the Monte Carlo chunks of a
 * profile each have their own random stream.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
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
    uint64_t hash; /* 0 = empty */
    uint32_t file;
    uint32_t line; /* clamped at UINT32_MAX */
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

/* A batch of profiles read in a row.  Its work is split into units -
 * one profile's evaluation, or a block of its Monte Carlo chunks - that
 * threads claim in order, so a batch with fewer profiles than threads
 * (one authority, a million draws) still uses every core, and a slow
 * profile does not hold up the others. */
typedef enum {
    ITEM_VALUE,  /* a value read, to parse */
    ITEM_BAD,    /* read or parsed, and bad: its messages only */
    ITEM_NOTE,   /* messages from the end of a file, not about a profile */
    ITEM_PARSED, /* a profile in p */
} item_state;

typedef struct batch {
    /* what was read, in order: parsed in the pool, with each item's
     * messages kept apart until it is emitted, so that they come out in
     * the order of the files whichever thread parsed it */
    imv_pending **pend;
    imv_diags *d;
    unsigned char *state; /* item_state */
    uint32_t *file;       /* index of the file it was read from */
    imv_profile **p;
    imv_evaluation *e;
    unsigned char *done;      /* evaluation run */
    imv_mc **mc;              /* Monte Carlo state, while its blocks run */
    size_t *blocks_total;     /* MC blocks, per profile (0: nothing to draw) */
    size_t *blocks_left;      /* MC blocks not yet finished, per profile */
    imv_uncertainty **u;      /* the summary, once every block has run */
    unsigned char *mc_failed; /* the draws did not fit in memory */
    size_t n, cap;
    const imv_run_opts *o;
    imv_registry *reg;
    /* the next unit to claim, under mu: profile `next_p`, then its blocks;
     * before them, every item is parsed (next_parse, n_parsed) */
    pthread_mutex_t mu;
    pthread_cond_t parsed;
    size_t next_parse, n_parsed;
    size_t next_p, next_block;
} batch;

#define BLOCK_CHUNKS 8 /* Monte Carlo chunks in one unit of work */

/* Claim the next unit: returns 0 when none is left.  *block is SIZE_MAX
 * for the evaluation of profile *i.  A profile's Monte Carlo state is made
 * when its first block is claimed, so only the profiles being worked on
 * hold their draws in memory. */
static int claim(batch *b, size_t *i, size_t *block, imv_mc **mc)
{
    int got = 0;
    pthread_mutex_lock(&b->mu);
    while (b->next_p < b->n && !(b->o->stop && *b->o->stop)) {
        size_t k = b->next_p;
        if (!b->p[k]) { /* bad: nothing to score */
            b->next_p++;
            continue;
        }
        if (b->next_block == SIZE_MAX) {
            /* the evaluation comes first; then this profile's blocks */
            *i = k;
            *block = SIZE_MAX;
            b->next_block = 0;
            if (b->o->draws == 0) {
                b->next_p++;
                b->next_block = SIZE_MAX;
            }
            got = 1;
            break;
        }
        if (b->next_block == 0) {
            b->mc[k] = imv_mc_new(b->reg, b->p[k], b->o->draws, b->o->seed, b->o->vary_parameters);
            imv_mc_set_rating_noise(b->mc[k], b->o->rating_noise);
            b->blocks_total[k] = (imv_mc_chunks(b->mc[k]) + BLOCK_CHUNKS - 1) / BLOCK_CHUNKS;
            b->blocks_left[k] = b->blocks_total[k];
        }
        if (b->next_block < b->blocks_total[k]) {
            *i = k;
            *block = b->next_block++;
            *mc = b->mc[k]; /* alive until its last block has run */
            got = 1;
            break;
        }
        b->next_p++;
        b->next_block = SIZE_MAX;
    }
    pthread_mutex_unlock(&b->mu);
    return got;
}

static void parse_item(batch *b, size_t i)
{
    if (b->state[i] != ITEM_VALUE)
        return;
    int rc = imv_pending_parse(b->pend[i], &b->p[i], &b->d[i]);
    b->state[i] = rc == 1 ? ITEM_PARSED : ITEM_BAD;
}

/* Parse the batch's items with the other threads, and return once every
 * one is parsed: a profile's Monte Carlo blocks may run on any thread. */
static void parse_all(batch *b)
{
    pthread_mutex_lock(&b->mu);
    while (b->next_parse < b->n) {
        size_t i = b->next_parse++;
        pthread_mutex_unlock(&b->mu);
        parse_item(b, i);
        pthread_mutex_lock(&b->mu);
        if (++b->n_parsed == b->n)
            pthread_cond_broadcast(&b->parsed);
    }
    while (b->n_parsed < b->n)
        pthread_cond_wait(&b->parsed, &b->mu);
    pthread_mutex_unlock(&b->mu);
}

static void work(batch *b, imv_worker *w)
{
    size_t i, block;
    imv_mc *mc = NULL;
    parse_all(b);
    while (claim(b, &i, &block, &mc)) {
        if (block == SIZE_MAX) {
            if (b->o->brief)
                imv_evaluate_brief(w, b->p[i], &b->e[i]);
            else
                imv_evaluate(w, b->p[i], &b->e[i]);
            /* on failure (no models) it stays NULL, which output refuses */
            if (b->o->sensitivity)
                imv_sensitivity_run(w, b->p[i], &b->e[i].sensitivity);
            b->done[i] = 1;
            continue;
        }
        imv_mc_run(mc, w, block * BLOCK_CHUNKS, BLOCK_CHUNKS);
        pthread_mutex_lock(&b->mu);
        int last = --b->blocks_left[i] == 0;
        if (last)
            b->mc[i] = NULL;
        pthread_mutex_unlock(&b->mu);
        if (last) {
            /* every block has run: this thread summarises */
            imv_uncertainty *u = imv_mc_finish(mc);
            imv_mc_free(mc);
            pthread_mutex_lock(&b->mu);
            b->u[i] = u;
            b->mc_failed[i] = u == NULL;
            pthread_mutex_unlock(&b->mu);
        }
    }
}

/* ---- the thread pool: started once per run, so that per-thread state
 * (a worker's Lua states, an isolated model's child process) lives as
 * long as the run. ----------------------------------------------------------- */

typedef struct pool pool;

typedef struct pool_thread {
    pool *pl;
    imv_worker *w;
    pthread_t tid;
} pool_thread;

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t go, idle;
    unsigned long gen; /* bumped for every batch handed out */
    int quit;
    int busy; /* threads still on the current batch */
    batch *b;
    int n; /* threads running */
    pool_thread t[256];
};

static void *pool_main(void *arg)
{
    pool_thread *t = arg;
    pool *pl = t->pl;
    unsigned long seen = 0;
    for (;;) {
        pthread_mutex_lock(&pl->mu);
        while (!pl->quit && pl->gen == seen)
            pthread_cond_wait(&pl->go, &pl->mu);
        if (pl->quit) {
            pthread_mutex_unlock(&pl->mu);
            return NULL;
        }
        seen = pl->gen;
        batch *b = pl->b;
        pthread_mutex_unlock(&pl->mu);
        work(b, t->w);
        pthread_mutex_lock(&pl->mu);
        if (--pl->busy == 0)
            pthread_cond_signal(&pl->idle);
        pthread_mutex_unlock(&pl->mu);
    }
}

static void pool_start(pool *pl, imv_worker **workers, int jobs)
{
    memset(pl, 0, sizeof *pl);
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->go, NULL);
    pthread_cond_init(&pl->idle, NULL);
    for (int i = 0; i < jobs; i++) {
        pool_thread *t = &pl->t[pl->n];
        t->pl = pl;
        t->w = workers[i];
        if (pthread_create(&t->tid, NULL, pool_main, t) == 0)
            pl->n++;
    }
}

/* Hand b to the pool (returns at once), or, with no thread, score it here. */
static void pool_submit(pool *pl, batch *b, imv_worker *w0)
{
    if (pl->n == 0) {
        work(b, w0);
        return;
    }
    pthread_mutex_lock(&pl->mu);
    pl->b = b;
    pl->busy = pl->n;
    pl->gen++;
    pthread_cond_broadcast(&pl->go);
    pthread_mutex_unlock(&pl->mu);
}

static void pool_wait(pool *pl)
{
    pthread_mutex_lock(&pl->mu);
    while (pl->busy > 0)
        pthread_cond_wait(&pl->idle, &pl->mu);
    pthread_mutex_unlock(&pl->mu);
}

static void pool_stop(pool *pl)
{
    pthread_mutex_lock(&pl->mu);
    pl->quit = 1;
    pthread_cond_broadcast(&pl->go);
    pthread_mutex_unlock(&pl->mu);
    for (int i = 0; i < pl->n; i++)
        pthread_join(pl->t[i].tid, NULL);
    pthread_mutex_destroy(&pl->mu);
    pthread_cond_destroy(&pl->go);
    pthread_cond_destroy(&pl->idle);
}

static void batch_init(batch *b, size_t cap, const imv_run_opts *o, imv_registry *reg)
{
    memset(b, 0, sizeof *b);
    b->o = o;
    b->reg = reg;
    b->pend = imv_xcalloc(cap, sizeof *b->pend);
    b->d = imv_xcalloc(cap, sizeof *b->d);
    for (size_t i = 0; i < cap; i++) {
        b->pend[i] = imv_pending_new();
        imv_diags_init(&b->d[i]);
    }
    b->state = imv_xcalloc(cap, 1);
    b->file = imv_xcalloc(cap, sizeof *b->file);
    b->cap = cap;
    b->p = imv_xcalloc(cap, sizeof *b->p);
    b->e = imv_xcalloc(cap, sizeof *b->e);
    b->done = imv_xcalloc(cap, 1);
    b->mc = imv_xcalloc(cap, sizeof *b->mc);
    b->blocks_total = imv_xcalloc(cap, sizeof *b->blocks_total);
    b->blocks_left = imv_xcalloc(cap, sizeof *b->blocks_left);
    b->u = imv_xcalloc(cap, sizeof *b->u);
    b->mc_failed = imv_xcalloc(cap, 1);
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->parsed, NULL);
}

static void batch_free(batch *b)
{
    for (size_t i = 0; i < b->cap; i++) {
        imv_pending_free(b->pend[i]);
        imv_diags_free(&b->d[i]);
    }
    free(b->pend);
    free(b->d);
    free(b->state);
    free(b->file);
    free(b->p);
    free(b->e);
    free(b->done);
    free(b->mc);
    free(b->blocks_total);
    free(b->blocks_left);
    free(b->u);
    free(b->mc_failed);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->parsed);
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
    /* Two batches: the pool scores one while this thread reads the next
     * and writes the one before, so reading and writing overlap scoring. */
    batch bufs[2];
    batch *cur;       /* being filled */
    batch *in_flight; /* being scored, or NULL */
    pool pool;
    size_t cap;
    int sink_failed;
    id_set ids;         /* the ids emitted so far */
    char *const *paths; /* the files, by index */
} run_ctx;

/* Item i's messages, then whether it is a profile to emit: not when it
 * was bad, or its id was seen before (then it was scored in vain, but a
 * duplicate is rare and the ids are only known once parsed).  Counts it. */
static int admit(run_ctx *c, batch *b, size_t i)
{
    parse_item(b, i); /* not parsed yet when nothing was scored (validate) */
    imv_diags_move(c->diags, &b->d[i]);
    if (b->state[i] == ITEM_NOTE)
        return 0;
    if (b->state[i] == ITEM_BAD) {
        c->st->profiles_bad++;
        return 0;
    }
    const imv_profile *p = b->p[i];
    const id_entry *dup = id_set_add(&c->ids, p->id, b->file[i], p->line);
    if (dup) {
        imv_diags_add_at(
            c->diags, 0, p->source, p->line, "id",
            "duplicate profile id \"%s\" (first seen in %s line %ld); ids must be unique in one run",
            p->id, c->paths[dup->file], (long)dup->line);
        c->st->profiles_bad++;
        return 0;
    }
    imv_registry_check_profile(c->reg, p, c->diags);
    c->st->profiles_read++;
    return 1;
}

/* Hand item i, admitted, to the sink (with the messages of its draws). */
static void deliver(run_ctx *c, batch *b, size_t i)
{
    /* complete: evaluated, and its draws (if any) all run */
    int complete = b->done[i] && (b->u[i] || b->mc_failed[i] || !b->blocks_total[i] || !c->o->draws);
    if (b->mc_failed[i] && b->done[i])
        imv_diags_add_at(c->diags, 0, b->p[i]->source, b->p[i]->line, b->p[i]->id,
                         "%zu draws do not fit in memory: no uncertainty for this profile",
                         (size_t)c->o->draws);
    if (complete && b->u[i] && !c->sink_failed) {
        /* a model that failed in draws would otherwise only rank last there */
        const imv_uncertainty *u = b->u[i];
        for (size_t m = 0; m < u->n; m++)
            if (u->failed_share[m] > 0) {
                char where[300];
                snprintf(where, sizeof where, "%s: model %s", b->p[i]->id,
                         imv_model_id(imv_registry_get(c->reg, m)));
                imv_diags_add_at(c->diags, 0, b->p[i]->source, b->p[i]->line, where,
                                 "failed in %.1f%% of the %zu draws (ranked last in them); first: %s",
                                 u->failed_share[m] * 100, u->draws, u->error[m] ? u->error[m] : "?");
            }
    }
    if (complete) {
        b->e[i].uncertainty = b->u[i];
        b->u[i] = NULL;
    }
    if (c->sink_failed)
        return;
    if (c->o->no_evaluate) {
        if (c->psink && c->psink(c->ctx, b->p[i]))
            c->sink_failed = 1;
    } else if (complete) {
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

/* Emit a scored batch in order and free what it holds. */
static void emit(run_ctx *c, batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        if (admit(c, b, i))
            deliver(c, b, i);
        if (!c->o->no_evaluate) {
            imv_evaluation_clear(&b->e[i]);
            /* what a stopped run left behind */
            imv_uncertainty_free(b->u[i]);
            imv_mc_free(b->mc[i]);
            b->u[i] = NULL;
            b->mc[i] = NULL;
            b->done[i] = b->mc_failed[i] = 0;
            b->blocks_total[i] = b->blocks_left[i] = 0;
        }
        imv_profile_free(b->p[i]);
        b->p[i] = NULL;
    }
    b->n = 0;
}

/* Wait for the batch being scored, if any, and emit it. */
static void drain(run_ctx *c)
{
    if (!c->in_flight)
        return;
    pool_wait(&c->pool);
    emit(c, c->in_flight);
    c->in_flight = NULL;
}

/* Hand what has been read to the pool and start filling the other buffer. */
static void flush(run_ctx *c)
{
    batch *b = c->cur;
    if (b->n == 0)
        return;
    if (c->o->no_evaluate) {
        emit(c, b);
        return;
    }
    /* The batch before is emitted once this one is in the pool's hands,
     * so that the threads do not wait while it is written out. */
    batch *before = c->in_flight;
    if (before)
        pool_wait(&c->pool);
    b->next_parse = b->n_parsed = 0;
    b->next_p = 0;
    b->next_block = SIZE_MAX;
    pool_submit(&c->pool, b, c->workers[0]);
    c->in_flight = b;
    c->cur = b == &c->bufs[0] ? &c->bufs[1] : &c->bufs[0];
    if (before)
        emit(c, before);
}

static int stopping(const run_ctx *c)
{
    return c->sink_failed || (c->o->stop && *c->o->stop);
}

/* Close the item being read into the current batch. */
static void add_item(run_ctx *c, item_state state, uint32_t file)
{
    batch *b = c->cur;
    b->state[b->n] = (unsigned char)state;
    b->file[b->n] = file;
    if (++b->n == c->cap)
        flush(c);
}

static void read_file(run_ctx *c, const char *path, uint32_t file_index)
{
    imv_read_opts ro = {.strict = c->o->strict};
    imv_reader *r = imv_reader_open(path, &ro, &c->cur->d[c->cur->n]);
    if (!r) {
        add_item(c, ITEM_BAD, file_index);
        return;
    }
    while (!stopping(c)) {
        batch *b = c->cur;
        int rc = imv_reader_take(r, b->pend[b->n], &b->d[b->n]);
        if (rc == 0) {
            if (b->d[b->n].n)
                add_item(c, ITEM_NOTE, file_index);
            break;
        }
        /* A bad profile (-1) and a read error (IMV_EIO, also -1) look
         * alike; after a read error the reader reports the end, so going
         * on is right for both.  Breaking here used to drop every profile
         * after the first bad one. */
        add_item(c, rc == 1 ? ITEM_VALUE : ITEM_BAD, file_index);
    }
    imv_reader_close(r);
}

int imv_run(imv_registry *reg, char *const *paths, size_t n_paths, const imv_run_opts *o,
            imv_sink_fn sink, imv_profile_sink_fn psink, void *ctx, imv_diags *diags,
            imv_run_stats *st)
{
    run_ctx c = {.reg = reg,
                 .o = o,
                 .sink = sink,
                 .psink = psink,
                 .ctx = ctx,
                 .diags = diags,
                 .st = st,
                 .paths = paths};
    memset(st, 0, sizeof *st);
    c.jobs = o->jobs > 0 ? o->jobs : imv_cpu_count();
    if (c.jobs > 256)
        c.jobs = 256;
    c.cap = (size_t)c.jobs * PER_THREAD;
    batch_init(&c.bufs[0], c.cap, o, reg);
    batch_init(&c.bufs[1], c.cap, o, reg);
    c.cur = &c.bufs[0];
    c.workers = imv_xcalloc((size_t)c.jobs, sizeof *c.workers);
    for (int i = 0; i < c.jobs; i++) {
        c.workers[i] = imv_worker_new(reg);
        if (!o->no_evaluate)
            imv_worker_start_isolated(c.workers[i]);
    }
    if (!o->no_evaluate)
        pool_start(&c.pool, c.workers, c.jobs);
    for (size_t i = 0; i < n_paths && !stopping(&c); i++)
        read_file(&c, paths[i], (uint32_t)i);
    flush(&c);
    drain(&c);
    st->interrupted = o->stop && *o->stop;
    if (!o->no_evaluate)
        pool_stop(&c.pool);
    for (int i = 0; i < c.jobs; i++)
        imv_worker_free(c.workers[i]);
    free(c.workers);
    free(c.ids.v);
    batch_free(&c.bufs[0]);
    batch_free(&c.bufs[1]);
    return c.sink_failed ? IMV_EIO : IMV_OK;
}
