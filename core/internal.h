/*
 * internal.h - private: shared by the engine's modules and the plugin
 * hosts; not installed, not part of the API (that is imeval.h).
 */
#ifndef IMV_INTERNAL_H
#define IMV_INTERNAL_H

#include <stdint.h>

#include "imeval.h"

#define IMV_HIDDEN __attribute__((visibility("hidden")))

/* Allocation that aborts on exhaustion: the engine cannot do anything
 * useful without a few hundred bytes, and checking every strdup would
 * hide the real error paths. Large, input-sized allocations are checked. */
void *imv_xmalloc(size_t n);
void *imv_xcalloc(size_t n, size_t size);
void *imv_xrealloc(void *p, size_t n);
char *imv_xstrdup(const char *s);
char *imv_xstrndup(const char *s, size_t n);
char *imv_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *v (elements of size sz) so that it holds at least need. */
void imv_grow(void **v, size_t *cap, size_t need, size_t sz);

/* 1 when the n bytes at s are valid UTF-8 (no overlongs, no surrogates). */
int imv_utf8_valid(const char *s, size_t n);

/* A copy of the first n bytes at s (fewer when max is smaller) that is
 * one line of valid UTF-8: control characters and bytes that are not
 * UTF-8 become \n, \t, \xHH escapes.  For messages that quote input or
 * plugin text; caller frees (core/result.c). */
char *imv_text_oneline(const char *s, size_t n, size_t max);

/* A deterministic random stream (xoshiro256**; core/rng.c). */
typedef struct imv_rng {
    uint64_t s[4];
} imv_rng;

void imv_rng_seed(imv_rng *r, uint64_t seed, const char *salt);
double imv_rng_uniform(imv_rng *r); /* [0, 1) */
/* A draw from the range: uniform, or triangular when it has a mode. */
double imv_range_draw(const imv_range *g, imv_rng *r);
/* A range made ready for many draws: imv_ranges_draw gives exactly the
 * values (and takes exactly the random numbers) imv_range_draw would,
 * without the per-draw work that does not depend on the draw. */
enum { IMV_PREP_POINT, IMV_PREP_UNIFORM, IMV_PREP_TRIANGLE };
typedef struct imv_range_prep {
    int kind;              /* IMV_PREP_* */
    double a, b;           /* low and high; a is the value of a point */
    double ba, ca, bc, fc; /* b - a, c - a, b - c, (c - a) / (b - a) */
} imv_range_prep;
void imv_range_prepare(const imv_range *g, imv_range_prep *out);
/* out[i] = a draw from g[i], i = 0..n-1, in that order. */
void imv_ranges_draw(const imv_range_prep *g, size_t n, imv_rng *r, double *out);

/* What a score-only call of a draw makes, when it is nothing more: a
 * score, its unmet preconditions counted, a timeline (IMV_UNKNOWN for a
 * month not given); declined as in imv_result.  The layout is also how it
 * crosses from a worker process (plugins/isolate.c). */
typedef struct imv_draw_answer {
    uint32_t declined, has_score, n_unmet, pad;
    double score, setup_months, months_to_fair, months_to_good;
} imv_draw_answer;
/* 1 when a, taken into a score-only result (as an isolated worker's
 * plain record is), would finish with no error and not declined: then its
 * score and whether it is viable (no unmet precondition) are all it says
 * (core/result.c, beside imv_result_finish, whose checks it mirrors). */
int imv_draw_answer_plain(const imv_draw_answer *a);
/* imv_draw_answer.declined from imv_isolated_proc_answers: what the worker
 * sent for that view is in its result instead (not a plain answer). */
#define IMV_ANSWER_IN_RESULT 0x100u

/* What the Monte Carlo takes of one model's score-only draw: its score
 * (NaN when it has none), its class as imv_rank_key's (0 viable, 1 not
 * viable, 2 failed) and, when failed, the error, which lies in the draw's
 * imv_result and lasts until that is reset. */
typedef struct imv_draw_outcome {
    double score;
    int cls;
    const char *error;
} imv_draw_outcome;
/* The outcome of a finished result. */
void imv_draw_outcome_of(const imv_result *r, imv_draw_outcome *o);

/* A plugin host: how the registry loads, instantiates and calls a model
 * of one language. */
typedef struct imv_backend {
    const char *language;
    /* Per-thread instance (a Lua state); NULL-safe free. */
    int (*instance_new)(const imv_model *m, void **inst, char *err, size_t errlen);
    void (*instance_free)(void *inst);
    /* key identifies the profile behind v (imv_profile.serial; 0 when
     * unknown), so a host may reuse what it built for an earlier call. */
    void (*score)(const imv_model *m, void *inst, const imv_profile_view *v, unsigned long key,
                  const double *params, imv_result *r);
    /* Optional: score n views at once; NULL when the model has no batch path. */
    void (*score_batch)(const imv_model *m, void *inst, const imv_profile_view *const *v,
                        const double *const *params, size_t n, imv_result *const *r);
    void (*unload)(imv_model *m);
    /* Optional: score_batch for n views of the profile `key` (as for
     * score), preferred when set: a worker process passes the key on, so
     * that its host reuses the profile it built for the batch's first. */
    void (*score_batch_keyed)(const imv_model *m, void *inst, const imv_profile_view *const *v,
                              unsigned long key, const double *const *params, size_t n,
                              imv_result *const *r);
    /* Optional: n score-only draws of one profile, base with draw i's
     * ratings at ratings[i * IMV_R_COUNT] and its parameters at
     * vary[i * m->n_params] (vary NULL: all are params), each answered in
     * out[i] alone, with no imv_result (a worker process's fast path for
     * draws: plugins/isolate.c). */
    void (*score_draws)(const imv_model *m, void *inst, const imv_profile_view *base,
                        const double *ratings, const double *params, const double *vary, size_t n,
                        imv_draw_answer *out);
} imv_backend;

struct imv_model {
    char *id, *name, *version, *summary, *evidence, *path;
    const imv_backend *be;
    void *cls; /* backend data: def for C, script for Lua */
    size_t n_params;
    imv_param_def *params; /* owned copies (names and descriptions too) */
    double *values;
    int bundled;
    int isolated;
    int has_batch;
    /* Its place among the registry's models, which are kept in id order:
     * ranks break ties by it, as by the id, without comparing texts. */
    unsigned order;
    const imv_limits *limits;     /* the registry's */
    signed char dir[IMV_R_COUNT]; /* declared directions (core/declare.c) */
    int has_directions;
    /* LuaJIT and Lua 5.4 disagreed in a batch (plugins/jit.c): the first
     * profile's key and id, for imv_jit_note. */
    int jit_disagreed;
    unsigned long jit_note_key;
    char jit_note_id[80];
    /* The score-only batches offered to LuaJIT and those it served, and
     * the error with which it could not load the script ("" if none): a
     * model none of whose batches ran there gets a note (imv_jit_note). */
    unsigned long jit_offered, jit_served;
    char jit_load_error[240];
};

/* Fill the model's descriptive fields from a definition (copies all;
 * core/model.c). */
int imv_model_init(imv_model *m, const char *path, const char *id, const char *name,
                   const char *version, const char *summary, const char *evidence,
                   const imv_param_def *params, size_t n_params, char *err, size_t errlen);
void imv_model_free(imv_model *m);

/* Declared properties (core/declare.c).  A plugin's parameter table,
 * walked with its own element size, as an array of this engine's
 * imv_param_def (fields it lacks are zero); caller frees *out. */
int imv_param_defs_copy(const imv_param_def *params, size_t n, size_t stride, imv_param_def **out,
                        char *err, size_t errlen);
/* Hard limits, plausible range and flags of one parameter. */
int imv_param_def_check(const char *model, const imv_param_def *p, char *err, size_t errlen);
/* At most one parameter flagged IMV_PARAM_BASE. */
int imv_params_check_base(const char *model, const imv_param_def *params, size_t n, char *err,
                          size_t errlen);
/* Parse "rating:+,rating:-,rating:0" into dir (IMV_DIR_UNDECLARED elsewhere). */
int imv_directions_parse(const char *model, const char *s, signed char dir[IMV_R_COUNT], char *err,
                         size_t errlen);
int imv_model_set_directions(imv_model *m, const char *s, char *err, size_t errlen);

/* The hosts.  Each loads one file into *m (already zeroed) or fills err. */
int imv_native_load(imv_model *m, const char *path, char *err, size_t errlen);
int imv_lua_load(imv_model *m, const char *path, const imv_limits *limits, char *err, size_t errlen);

/* The loader table (plugins/hosts.c): the host for a file, by suffix.
 * native: the host runs machine code in-process, so the registry may
 * move the model into a child process (imv_isolated_backend). */
typedef struct imv_loader {
    const char *suffix;
    int (*load)(imv_model *m, const char *path, const imv_limits *limits, char *err, size_t errlen);
    int native;
} imv_loader;
/* The loader whose suffix ends path, or NULL when no host takes it. */
const imv_loader *imv_loader_for(const char *path);

/* Native isolation: run m's score in a child process.  The registry puts
 * it in m->be at load time when the model is to be isolated; nothing
 * else decides. */
extern const imv_backend imv_isolated_backend;
/* Build m from a worker process's reply to a load (its definition, or why
 * it was refused): every field checked as an in-process load checks it.
 * Exposed for tests/fuzz/fuzz_model_def.c. */
int imv_isolated_unpack(const unsigned char *msg, size_t n, imv_model *m, const char *path,
                        char *err, size_t errlen);
/* Start w's isolated models' child processes now, on the calling thread.
 * The pool calls it before its threads exist: a fork() from one thread
 * while others run can leave the child stuck on a lock another thread
 * held (seen under ASan's allocator: a call timed out in 1 of ~2,000). */
struct imv_worker;
void imv_worker_start_isolated(struct imv_worker *w);
/* A thread's scratch memory for one caller (the Monte Carlo's, made for
 * every block of draws before), kept with the worker between calls:
 * imv_worker_scratch gives what was kept (NULL at first); keeping p frees
 * what was kept before, and free_fn frees p with the worker. */
void *imv_worker_scratch(const struct imv_worker *w);
void imv_worker_keep_scratch(struct imv_worker *w, void *p, void (*free_fn)(void *));
/* imv_worker_score_draws as outcomes: out[k] for draw k, r[k] the room to
 * score it in where one is needed (reset here; a draw LuaJIT answered
 * plainly leaves its r[k] as it was).  The Monte Carlo's.  ratings:
 * v[k]->ratings for every k, one after the other, in the room that
 * imv_worker_draws gave (then LuaJIT's workers read them there), or NULL. */
void imv_worker_score_outcomes(struct imv_worker *w, size_t model, const imv_profile_view *const *v,
                               unsigned long key, const double *const *params, size_t n,
                               const double *ratings, imv_result *const *r, imv_draw_outcome *out);
/* Room for IMV_DRAWS_AREA_VIEWS views' ratings that the thread's LuaJIT
 * workers can read (made on first use; owned by w), or NULL when no
 * model would go to LuaJIT or the system gives no shared memory. */
double *imv_worker_draws(struct imv_worker *w);
/* Load a native plugin in a child process (its constructors, entry point
 * and definition never run or are read in this one) and build m from what
 * it declares; m scores through imv_isolated_backend.  A crash, a loop
 * past the deadline or any output while loading refuses the plugin. */
int imv_isolated_load(imv_model *m, const char *path, const imv_limits *limits, char *err,
                      size_t errlen);

/* A thread's draws area (plugins/isolate.c): room for a span's ratings,
 * IMV_DRAWS_AREA_VIEWS views of IMV_R_COUNT doubles one after the other,
 * in shared memory that the worker processes started with it can read
 * and only imeval can write, so that a request of draws need not carry
 * them.  NULL when the system gives none (then requests carry them). */
typedef struct imv_draws_area imv_draws_area;
#define IMV_DRAWS_AREA_VIEWS 2048
imv_draws_area *imv_draws_area_new(void);
double *imv_draws_area_ratings(imv_draws_area *d); /* NULL for a NULL d */
void imv_draws_area_free(imv_draws_area *d);

/* A worker process of another executable than imeval's own (the LuaJIT
 * worker, plugins/jit.c), serving model m over the same protocol as an
 * isolated model's worker (plugins/isolate.c).  Started at once; after a
 * failure it is started again by the next batch.  draws (or NULL) is
 * handed to each worker started, and must outlive the proc. */
typedef struct imv_isolated_proc imv_isolated_proc;
imv_isolated_proc *imv_isolated_proc_start(const char *exe, const imv_model *m,
                                           const imv_draws_area *draws, char *err, size_t errlen);
/* Score n views of the profile key: 0 when every result came (r[i] as the
 * worker sent it, declined or not; not finished), -1 when the process
 * failed (died, timed out, sent something malformed: killed, why says
 * how; no result counts).  The first frame of results must come within
 * `first` seconds, each later one within the model's --timeout.  draws:
 * the caller vouches that the views are draws (imv_worker_score_draws). */
int imv_isolated_proc_batch(imv_isolated_proc *p, const imv_model *m,
                            const imv_profile_view *const *v, unsigned long key,
                            const double *const *params, size_t n, int draws, double first,
                            imv_result *const *r, char *why, size_t whylen);
/* imv_isolated_proc_batch for draws (the caller vouches), answered as
 * records: 0 when every view's answer came, each in a[i] when it is plain
 * (imv_draw_answer_plain), else with a[i].declined IMV_ANSWER_IN_RESULT and
 * what the worker sent in r[i] (reset here, not finished), declined or
 * not; r[i] of a plain answer is left alone.  -1 as for a batch.
 * ratings: v[i]->ratings for every i, one after the other, when the
 * caller has them in p's draws area (then they are not sent); or NULL. */
int imv_isolated_proc_answers(imv_isolated_proc *p, const imv_model *m,
                              const imv_profile_view *const *v, unsigned long key,
                              const double *const *params, size_t n, const double *ratings,
                              double first, imv_draw_answer *a, imv_result *const *r, char *why,
                              size_t whylen);
void imv_isolated_proc_free(imv_isolated_proc *p);
/* The LuaJIT worker executable (IMV_JIT_WORKER_NAME) beside this program,
 * one directory up, or in ../libexec/imeval; NULL when there is none. */
const char *imv_isolated_jit_exe(void);
/* imv_result.declined when the worker cannot serve the model at all (it
 * does not load there): every view, and the rest of the run. */
#define IMV_DECLINED_MODEL 2

/* Score-only batches of Lua models on LuaJIT, checked against the
 * reference engine (plugins/jit.c).  One imv_jit per thread and model. */
typedef struct imv_jit imv_jit;
/* How the caller scores views on the reference engine (r[i] reset). */
typedef struct imv_jit_ref {
    void (*score)(void *ctx, const imv_profile_view *const *v, const double *const *params,
                  size_t n, imv_result *const *r);
    void *ctx;
} imv_jit_ref;
/* 1 when the batch goes to LuaJIT: a Lua model without a batch function
 * of its own, more than one view, all score-only, the engine not
 * lua5.4, the worker found, and not refused earlier on this thread.
 * draws: the views are draws (imv_worker_score_draws), as v[0] is. */
int imv_jit_takes(const imv_model *m, const imv_jit *j, const imv_profile_view *const *v, size_t n,
                  int draws);
/* imv_jit_takes's conditions on the model alone: 1 when some batch of
 * its could go to LuaJIT. */
int imv_jit_may_take(const imv_model *m, const imv_jit *j);
/* Score the batch (r[i] reset, not finished): *j is started on first use,
 * handed area (the thread's draws area, or NULL). */
void imv_jit_score_batch(imv_jit **j, imv_model *m, const imv_jit_ref *ref,
                         const imv_draws_area *area, const imv_profile_view *const *v,
                         unsigned long key, const double *const *params, size_t n,
                         imv_result *const *r, int draws);
/* The same for draws (imv_jit_takes(m, *j, v, n, 1) said so), as their
 * outcomes: out[i] for view i, with r[i] the room to score it on either
 * engine when it needs one (reset here when used; left as it was else).
 * draws: the thread's draws area, handed to the worker when it starts,
 * and ratings the views' there (imv_isolated_proc_answers), or NULL. */
void imv_jit_score_outcomes(imv_jit **j, imv_model *m, const imv_jit_ref *ref,
                            const imv_draws_area *draws, const double *ratings,
                            const imv_profile_view *const *v, unsigned long key,
                            const double *const *params, size_t n, imv_result *const *r,
                            imv_draw_outcome *out);
void imv_jit_free(imv_jit *j);

/* The host table handed to native plugins (and used by the Lua host). */
const imv_host *imv_host_table(void);

/* What imv_rank orders a result by (core/rank.c), so that a caller with
 * many rows to rank (the Monte Carlo's draws) can gather them compactly
 * first; imv_rank_keys orders n of them as imv_rank orders the results. */
typedef struct imv_rank_key {
    double score;
    int cls;      /* 0 viable, 1 not viable, 2 failed */
    unsigned tie; /* the model's order: its id's place among the registry's */
} imv_rank_key;
/* Inline: the Monte Carlo takes one for every model of every draw, and a
 * 16-byte key returned from another unit went through the stack into a
 * stalled load. */
static inline imv_rank_key imv_rank_key_of(const imv_result *r)
{
    return (imv_rank_key){.score = r->score,
                          .cls = r->error    ? 2
                                 : r->viable ? 0
                                             : 1,
                          .tie = r->model ? r->model->order : 0};
}
void imv_rank_keys(const imv_rank_key *k, size_t n, size_t *order);

/* The baseline improvement journey (core/journey.c). */
void imv_journey_compute(const imv_profile_view *p, imv_journey *out);

/* Limits on what a plugin may hand back. */
#define IMV_MAX_TEXT 2000      /* bytes in one text */
#define IMV_MAX_ITEMS 200      /* reasons, risks or preconditions */
#define IMV_MAX_PARAMS 100     /* parameters of one model */
#define IMV_MAX_FIT_PARTS 1024 /* partner fit components, every candidate's */
#define IMV_MAX_RESULT_TEXT (256 * 1024)

/* cJSON_ParseWithLengthOpts(text, len, end, 0), the tree in the calling
 * thread's arena once imv_json_arena_install has run (else, or while the
 * thread holds another such tree, a tree of its own): give it back with
 * imv_json_arena_release, never cJSON_Delete, and do not change it
 * (core/json_arena.c). */
struct cJSON *imv_json_arena_parse(const char *text, size_t len, const char **end);
void imv_json_arena_release(struct cJSON *tree);
/* The tree cJSON_ParseWithLengthOpts(text, len, end, 0) would build,
 * for an object or array in plain JSON (no escapes, numbers exact in one
 * operation); NULL when the text is anything else, and then only cJSON
 * can say what it makes of it (core/json_fast.c).  Nodes from
 * cJSON_malloc: an arena's, or cJSON_Delete's. */
struct cJSON *imv_json_fast_parse(const char *text, size_t len, const char **end);

/* Append every diagnostic of from to `to` (through to's on_add), leaving
 * from empty but with its memory, for reuse (core/diag.c). */
void imv_diags_move(imv_diags *to, imv_diags *from);

/* A value of a profile file read but not yet made a profile: reading is
 * imv_reader_take, parsing (most of the cost) imv_pending_parse, which
 * may run on another thread (core/run.c parses in its pool).  Together
 * they are imv_reader_next, with the same messages. */
typedef struct imv_pending imv_pending;
imv_pending *imv_pending_new(void);
void imv_pending_free(imv_pending *pend);
/* Read the next value into pend, reusing its memory: returns what
 * imv_reader_next returns (1 read, 0 the end, -1 bad, messages in diags). */
int imv_reader_take(imv_reader *r, imv_pending *pend, imv_diags *diags);
/* Make the value last taken into pend a profile: 1 and *out (caller
 * frees), or -1 with messages in diags.  Uses nothing shared: pendings
 * of one reader may be parsed on several threads at once. */
int imv_pending_parse(imv_pending *pend, imv_profile **out, imv_diags *diags);

/* imv_profile_from_json, saying whether every message names the profile's
 * id (name_id: a file of many profiles) or not (a lone profile, whose
 * messages keep the contract form; line > 1 names it in any case). */
int imv_profile_read(const struct cJSON *json, const char *source, long line, int strict,
                     int name_id, imv_profile **out, imv_diags *diags);

/* s with every byte that is not part of valid UTF-8 replaced by U+FFFD
 * (caller frees): JSON output stays valid UTF-8 even when a file name in
 * it is not (core/util.c). */
char *imv_utf8_repair(const char *s);

#endif
