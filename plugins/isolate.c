/*
 * isolate.c - load and run a model from outside the bundled set (a native
 * plugin or a Lua script) in a child process.
 *
 * A crashing native plugin can only be contained in another process.  The
 * model's library is already loaded when the engine forks, so the child
 * only has to serve requests: a profile view and parameters in, a result
 * out, over a socket pair (a request's bytes through a shared area: see
 * "the request area").  The parent waits with a deadline; a child that
 * crashes, exits, hangs or floods its output is killed and reaped, that
 * call becomes the model's error ("crashed with SIGSEGV", "timed out after
 * 2 s"), and the next call starts a fresh child.
 *
 * The child is as untrusted as the plugin: every reply is parsed with
 * bounds checks and then goes through the same checks as an in-process
 * result (imv_result_finish).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/internal.h"
#include "jit_worker.h"

#define MAX_MSG (4u << 20)     /* bytes in one request or reply */
#define OUTPUT_CAP (64u << 10) /* bytes a plugin may print per call */
#define MAX_BATCH 2048u        /* views in one request (uncertainty's span) */
/* A model with its own batch function gets a deadline per view for the
 * whole request: its requests stay this small, so that one that hangs is
 * found within OWN_BATCH x --isolate-timeout. */
#define OWN_BATCH 256u

/* ---- a growable byte buffer and a bounds-checked reader ------------------ */

typedef struct wbuf {
    unsigned char *p;
    size_t n, cap;
    int borrowed; /* p is not the buffer's own (a request area): never freed */
} wbuf;

/* Make room for n more bytes at b->p + b->n. */
static void w_reserve(wbuf *b, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n)
            cap *= 2;
        if (b->borrowed) { /* outgrew the area: on the heap from here */
            unsigned char *p = imv_xmalloc(cap);
            memcpy(p, b->p, b->n);
            b->p = p;
            b->borrowed = 0;
        } else {
            b->p = imv_xrealloc(b->p, cap);
        }
        b->cap = cap;
    }
}

static void w_bytes(wbuf *b, const void *s, size_t n)
{
    w_reserve(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void w_u32(wbuf *b, uint32_t v)
{
    w_bytes(b, &v, sizeof v);
}
static void w_f64(wbuf *b, double v)
{
    w_bytes(b, &v, sizeof v);
}

/* A string: length + 1 (0 for NULL), then the bytes. */
static void w_str(wbuf *b, const char *s)
{
    if (!s) {
        w_u32(b, 0);
        return;
    }
    size_t n = strlen(s);
    w_u32(b, (uint32_t)n + 1);
    w_bytes(b, s, n);
}

typedef struct rbuf {
    const unsigned char *p;
    size_t n, at;
    int bad;
} rbuf;

static int r_bytes(rbuf *r, void *out, size_t n)
{
    if (r->bad || r->n - r->at < n) {
        r->bad = 1;
        memset(out, 0, n);
        return -1;
    }
    memcpy(out, r->p + r->at, n);
    r->at += n;
    return 0;
}

static uint32_t r_u32(rbuf *r)
{
    uint32_t v;
    r_bytes(r, &v, sizeof v);
    return v;
}

static double r_f64(rbuf *r)
{
    double v;
    r_bytes(r, &v, sizeof v);
    return v;
}

/* A string as a new allocation (NULL for NULL or on error). */
static char *r_str(rbuf *r)
{
    uint32_t n = r_u32(r);
    if (r->bad || n == 0)
        return NULL;
    if (r->n - r->at < n - 1) {
        r->bad = 1;
        return NULL;
    }
    char *s = imv_xstrndup((const char *)r->p + r->at, n - 1);
    r->at += n - 1;
    return s;
}

/* ---- framing ------------------------------------------------------------------ */

static int write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

static void wbuf_free(wbuf *b)
{
    if (!b->borrowed)
        free(b->p);
    memset(b, 0, sizeof *b);
}

static int send_msg(int fd, const wbuf *b)
{
    uint32_t n = (uint32_t)b->n;
    return write_all(fd, &n, sizeof n) || write_all(fd, b->p, b->n) ? -1 : 0;
}

static int read_all(int fd, void *p, size_t n)
{
    char *s = p;
    while (n) {
        ssize_t k = read(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

/* ---- the request area ------------------------------------------------------------ */

/* A serving worker's requests do not cross the socket: imeval writes each
 * into a shared memory area (a sealed memfd) and sends only its length,
 * with AREA_FRAME set; the worker reads it there.  A batch of draws is a
 * few hundred kilobytes each way, and copying it through the kernel (in
 * and out of socket buffers) was most of the run's system time.  The
 * seals keep the worker from shrinking the area under imeval (a SIGBUS)
 * or writing to it at all; without an area (memfd refused, a request that
 * does not fit) a request crosses the socket as before.
 *
 * The answers to a batch of draws come back the same way, through a
 * second area (the reply area) that the worker maps to write: the frame
 * on the socket then says only how many answers lie there.  imeval maps it
 * read-only, sealed against shrinking and growing (so reading it cannot
 * fault), reads it only once that frame has come, and copies the answers
 * out before it looks at any of them: what a worker might change while it
 * is read is a worker's answer like any other, checked as one.  Copying
 * them through the socket and out again was a tenth of a national run's
 * draws (docs/performance.md). */
#define AREA_FD 4                /* the area, in a started worker process */
#define AREA_SIZE (MAX_MSG + 4u) /* a whole frame: length, then the request */
#define AREA_FRAME 0x80000000u   /* in a frame's length: the request is in the area */
#define AREA_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)
#define REPLY_FD 5 /* the reply area, in a started worker process */
#define REPLY_SIZE (MAX_BATCH * sizeof(imv_draw_answer))
/* A third area, the draws area, is a thread's, not a worker's: imeval
 * writes a span's ratings there once (imv_draws_area) and each of the
 * thread's LuaJIT workers, one a Lua model, reads them there, so that a
 * request of draws says only where they lie.  Copying them into each
 * worker's request area was 4 % of a national run.  It is sealed as the
 * request area is: imeval's mapping is the only one that can write. */
#define DRAWS_FD 6
#define DRAWS_SIZE ((size_t)MAX_BATCH * IMV_R_COUNT * sizeof(double))
_Static_assert(MAX_BATCH == IMV_DRAWS_AREA_VIEWS, "a request's views fit the draws area");

/* The descriptors of a worker's areas (-1: none), as it is started. */
typedef struct iso_areas {
    int area, reply, draws;
} iso_areas;

/* A new memfd named name of size bytes, mapped into *map for imeval to
 * write and sealed so that nothing else can: a worker can map it only to
 * read it.  Its descriptor, or -1 (and *map NULL) when there is none. */
static int written_area(const char *name, size_t size, void **map)
{
    *map = NULL;
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -1;
    void *p = MAP_FAILED;
    if (ftruncate(fd, (off_t)size) == 0)
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    /* Future writes sealed after imeval's own mapping. */
    if (p == MAP_FAILED || fcntl(fd, F_ADD_SEALS, AREA_SEALS | F_SEAL_FUTURE_WRITE) != 0) {
        if (p != MAP_FAILED)
            munmap(p, size);
        close(fd);
        return -1;
    }
    *map = p;
    return fd;
}

/* A new area mapped into *map; its descriptor, or -1 when there is none
 * (then requests go through the socket). */
static int area_new(unsigned char **map)
{
    void *p;
    int fd = written_area("imeval-requests", AREA_SIZE, &p);
    *map = p;
    return fd;
}

struct imv_draws_area {
    int fd;
    double *map; /* DRAWS_SIZE bytes, written here only */
};

imv_draws_area *imv_draws_area_new(void)
{
    void *p;
    int fd = written_area("imeval-draws", DRAWS_SIZE, &p);
    if (fd < 0)
        return NULL;
    imv_draws_area *d = imv_xmalloc(sizeof *d);
    d->fd = fd;
    d->map = p;
    return d;
}

double *imv_draws_area_ratings(imv_draws_area *d)
{
    return d ? d->map : NULL;
}

void imv_draws_area_free(imv_draws_area *d)
{
    if (!d)
        return;
    munmap(d->map, DRAWS_SIZE);
    close(d->fd);
    free(d);
}

/* The offset of k views' ratings at `ratings` in d's area, or -1 when
 * they do not all lie there. */
static long draws_offset(const imv_draws_area *d, const double *ratings, size_t k)
{
    if (!d || !ratings)
        return -1;
    uintptr_t at = (uintptr_t)ratings, lo = (uintptr_t)d->map;
    size_t bytes = k * IMV_R_COUNT * sizeof(double);
    if (at < lo || at - lo > DRAWS_SIZE || bytes > DRAWS_SIZE - (at - lo))
        return -1;
    return (long)(at - lo);
}

/* A new reply area mapped read-only into *map; its descriptor, or -1 when
 * there is none (then answers come through the socket). */
static int reply_new(unsigned char **map)
{
    *map = NULL;
    int fd = memfd_create("imeval-answers", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -1;
    void *p = MAP_FAILED;
    if (ftruncate(fd, REPLY_SIZE) == 0 && fcntl(fd, F_ADD_SEALS, AREA_SEALS) == 0)
        p = mmap(NULL, REPLY_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        close(fd);
        return -1;
    }
    *map = p;
    return fd;
}

/* In the worker: an area imeval passed at fd, sealed and of the size
 * expected, mapped with prot (the request area to read, the reply area to
 * write), or NULL when there is none; the descriptor is closed either way. */
static void *area_open(int fd, size_t size, int prot)
{
    struct stat st;
    int seals = fcntl(fd, F_GET_SEALS);
    void *p = MAP_FAILED;
    if (seals >= 0 && (seals & AREA_SEALS) == AREA_SEALS && fstat(fd, &st) == 0 &&
        st.st_size == (off_t)size)
        p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

/* ---- the child ---------------------------------------------------------------- */

/* The ABI 2.1 and 2.2 fields of the view: history, judgements, progress
 * and the facts the engine derived (plugins/imeval_plugin.h lists them). */
static void pack_history(wbuf *b, const imv_profile_view *v)
{
    w_str(b, v->inspected);
    for (size_t i = 0; i < v->n_previous; i++)
        w_str(b, v->previous_dates ? v->previous_dates[i] : NULL);
    w_u32(b, v->judgements_present);
    for (int j = 0; j < IMV_J_COUNT; j++)
        w_u32(b, (uint32_t)(v->judgements && j < (int)v->n_judgements ? v->judgements[j] : 0));
    w_u32(b, (uint32_t)v->intervention_kind);
    w_u32(b, (uint32_t)v->n_progress);
    for (size_t i = 0; i < v->n_progress; i++) {
        w_str(b, v->progress[i]->date);
        w_u32(b, (uint32_t)v->progress[i]->finding);
        w_u32(b, (uint32_t)v->progress[i]->by);
        w_str(b, v->progress[i]->note);
    }
    w_u32(b, (uint32_t)v->persistent_failure);
    w_str(b, v->persistent_since);
    w_f64(b, v->persistent_gap_months);
    w_u32(b, (uint32_t)v->systemic_failure);
    w_u32(b, v->key_judgements_given);
    w_u32(b, (uint32_t)v->trajectory);
    w_u32(b, (uint32_t)v->judgement_trend);
    w_u32(b, (uint32_t)v->latest_finding);
    w_str(b, v->trajectory_date);
    w_u32(b, v->judgements_since);
    w_u32(b, v->rules_in_force);
    /* ABI 2.2: the engine's decision on the intervention in place */
    w_u32(b, (uint32_t)v->intervention_status);
    w_u32(b, (uint32_t)v->intervention_signal);
    w_u32(b, (uint32_t)v->intervention_baseline);
    w_f64(b, v->intervention_reinspected_months);
    w_u32(b, v->intervention_past_expected);
}

/* How a view crosses: whole, or (draws of one profile, which differ only
 * in their ratings) as its ratings alone, the rest as the view before it
 * in the same request; and then its parameters, or (VIEW_RATINGS_ONLY,
 * when they are the view before it's too: draws without
 * --vary-parameters) none, which were most of a draw's bytes. */
enum { VIEW_WHOLE = 1, VIEW_RATINGS = 2, VIEW_RATINGS_ONLY = 3 };

static void pack_params(wbuf *b, const double *params, size_t n_params)
{
    w_u32(b, (uint32_t)n_params);
    if (n_params)
        w_bytes(b, params, n_params * sizeof *params);
}

/* 1 when b is a with other ratings: every other field the same, pointers
 * included (so what they point to is the same too, for this request).
 * Padding that differs only costs a whole view. */
static int only_ratings_differ(const imv_profile_view *a, const imv_profile_view *b)
{
    size_t at = offsetof(imv_profile_view, ratings), past = at + sizeof a->ratings;
    return memcmp(a, b, at) == 0 &&
           memcmp((const char *)a + past, (const char *)b + past, sizeof *a - past) == 0;
}

/* A draw: its ratings, and its parameters unless they are `before`'s
 * (the view before it's). */
static void pack_ratings(wbuf *b, const imv_profile_view *v, const double *params,
                         const double *before, size_t n_params)
{
    int same = params == before || (n_params && params && before &&
                                    memcmp(params, before, n_params * sizeof *params) == 0);
    w_u32(b, same ? VIEW_RATINGS_ONLY : VIEW_RATINGS);
    w_bytes(b, v->ratings, sizeof v->ratings);
    if (!same)
        pack_params(b, params, n_params);
}

static void pack_view(wbuf *b, const imv_profile_view *v, const double *params, size_t n_params)
{
    w_u32(b, VIEW_WHOLE);
    w_u32(b, v->flags);
    w_str(b, v->id);
    w_str(b, v->name);
    w_str(b, v->as_of);
    w_u32(b, (uint32_t)v->grade);
    w_u32(b, (uint32_t)v->n_previous);
    for (size_t i = 0; i < v->n_previous; i++)
        w_u32(b, (uint32_t)v->previous[i]);
    w_f64(b, v->child_population);
    w_f64(b, v->children_in_care);
    for (int i = 0; i < IMV_R_COUNT; i++)
        w_f64(b, v->ratings[i]);
    w_u32(b, v->facts_present);
    for (int i = 0; i < IMV_F_COUNT; i++)
        w_f64(b, v->facts[i]);
    w_str(b, v->intervention_model);
    w_str(b, v->intervention_since);
    w_str(b, v->intervention_partner);
    w_f64(b, v->intervention_months);
    w_f64(b, v->intervention_expected_months);
    w_u32(b, (uint32_t)v->n_partners);
    for (size_t i = 0; i < v->n_partners; i++) {
        const imv_partner_view *q = v->partners[i];
        w_str(b, q->id);
        w_str(b, q->name);
        w_u32(b, (uint32_t)q->grade);
        w_u32(b, (uint32_t)(q->neighbouring + 1));
        w_f64(b, q->child_population);
        w_f64(b, q->spare_leadership_capacity);
        w_f64(b, q->current_commitments);
    }
    pack_history(b, v);
    pack_params(b, params, n_params);
}

/* The child's copy of a request; strings are allocations it frees. */
typedef struct unpacked {
    imv_profile_view v;
    imv_grade previous[64];
    imv_partner_view partners[64];
    const imv_partner_view *partner_ptrs[64];
    const char *previous_dates[64];
    imv_grade judgements[IMV_J_COUNT];
    imv_progress_view progress[64];
    const imv_progress_view *progress_ptrs[64];
    char *strs[6 + 2 * 64 + 3 + 64 + 2 * 64];
    size_t n_strs;
} unpacked;

static const char *keep(unpacked *u, char *s)
{
    if (s && u->n_strs < sizeof u->strs / sizeof u->strs[0])
        u->strs[u->n_strs++] = s;
    return s;
}

static int unpack_history(rbuf *r, unpacked *u)
{
    imv_profile_view *v = &u->v;
    v->inspected = keep(u, r_str(r));
    for (size_t i = 0; i < v->n_previous; i++)
        u->previous_dates[i] = keep(u, r_str(r));
    v->previous_dates = u->previous_dates;
    v->judgements_present = r_u32(r);
    for (int j = 0; j < IMV_J_COUNT; j++)
        u->judgements[j] = (imv_grade)r_u32(r);
    v->judgements = u->judgements;
    v->n_judgements = IMV_J_COUNT;
    v->intervention_kind = (imv_iv_kind)r_u32(r);
    v->n_progress = r_u32(r);
    if (v->n_progress > 64)
        return -1;
    for (size_t i = 0; i < v->n_progress; i++) {
        imv_progress_view *q = &u->progress[i];
        q->struct_size = sizeof *q;
        q->date = keep(u, r_str(r));
        q->finding = (imv_trend)r_u32(r);
        q->by = (imv_finding_by)r_u32(r);
        q->note = keep(u, r_str(r));
        u->progress_ptrs[i] = q;
    }
    v->progress = u->progress_ptrs;
    v->persistent_failure = (imv_fact_state)r_u32(r);
    v->persistent_since = keep(u, r_str(r));
    v->persistent_gap_months = r_f64(r);
    v->systemic_failure = (imv_fact_state)r_u32(r);
    v->key_judgements_given = r_u32(r);
    v->trajectory = (imv_trend)r_u32(r);
    v->judgement_trend = (imv_trend)r_u32(r);
    v->latest_finding = (imv_trend)r_u32(r);
    v->trajectory_date = keep(u, r_str(r));
    v->judgements_since = r_u32(r);
    v->rules_in_force = r_u32(r);
    v->intervention_status = (imv_iv_status)r_u32(r);
    v->intervention_signal = (imv_iv_signal)r_u32(r);
    v->intervention_baseline = (imv_grade)r_u32(r);
    v->intervention_reinspected_months = r_f64(r);
    v->intervention_past_expected = r_u32(r);
    return r->bad ? -1 : 0;
}

static int unpack_whole(rbuf *r, unpacked *u);

static int unpack_whole(rbuf *r, unpacked *u)
{
    imv_profile_view *v = &u->v;
    memset(v, 0, sizeof *v);
    v->struct_size = sizeof *v;
    v->flags = r_u32(r);
    v->id = keep(u, r_str(r));
    v->name = keep(u, r_str(r));
    v->as_of = keep(u, r_str(r));
    v->grade = (imv_grade)r_u32(r);
    v->n_previous = r_u32(r);
    if (v->n_previous > 64)
        return -1;
    for (size_t i = 0; i < v->n_previous; i++)
        u->previous[i] = (imv_grade)r_u32(r);
    v->previous = u->previous;
    v->child_population = r_f64(r);
    v->children_in_care = r_f64(r);
    for (int i = 0; i < IMV_R_COUNT; i++)
        v->ratings[i] = r_f64(r);
    v->facts_present = r_u32(r);
    for (int i = 0; i < IMV_F_COUNT; i++)
        v->facts[i] = r_f64(r);
    v->intervention_model = keep(u, r_str(r));
    v->intervention_since = keep(u, r_str(r));
    v->intervention_partner = keep(u, r_str(r));
    v->intervention_months = r_f64(r);
    v->intervention_expected_months = r_f64(r);
    v->n_partners = r_u32(r);
    if (v->n_partners > 64)
        return -1;
    for (size_t i = 0; i < v->n_partners; i++) {
        imv_partner_view *q = &u->partners[i];
        q->struct_size = sizeof *q;
        q->id = keep(u, r_str(r));
        q->name = keep(u, r_str(r));
        q->grade = (imv_grade)r_u32(r);
        q->neighbouring = (int)r_u32(r) - 1;
        q->child_population = r_f64(r);
        q->spare_leadership_capacity = r_f64(r);
        q->current_commitments = r_f64(r);
        u->partner_ptrs[i] = q;
    }
    v->partners = u->partner_ptrs;
    return unpack_history(r, u);
}

/* How a result crosses: whole, or (what a score-only call makes: a score,
 * preconditions counted, a timeline) as one fixed record. */
enum { RESULT_WHOLE = 1, RESULT_PLAIN = 2 };

typedef imv_draw_answer plain_wire; /* a RESULT_PLAIN's record */

static int is_plain(const imv_result *res)
{
    return !res->n_log && !res->log_dropped && !res->error && !res->n_reasons && !res->unmet &&
           !res->n_risks && !res->partner_id && !res->n_fit_parts;
}

static void pack_plain(wbuf *b, const plain_wire *pw)
{
    w_u32(b, RESULT_PLAIN);
    w_bytes(b, pw, sizeof *pw);
}

static void pack_result(wbuf *b, const imv_result *res)
{
    if (is_plain(res)) {
        plain_wire pw = {(uint32_t)res->declined,
                         (uint32_t)res->has_score,
                         (uint32_t)res->n_unmet,
                         0,
                         res->score,
                         res->setup_months,
                         res->months_to_fair,
                         res->months_to_good};
        pack_plain(b, &pw);
        return;
    }
    w_u32(b, RESULT_WHOLE);
    w_u32(b, (uint32_t)res->declined);
    /* --trace lines first (none otherwise): they matter most when the
     * result is an error, which ends the reply early. */
    w_u32(b, (uint32_t)res->n_log);
    for (size_t i = 0; i < res->n_log; i++)
        w_str(b, res->log[i]);
    w_u32(b, (uint32_t)res->log_dropped);
    w_u32(b, (uint32_t)res->has_score);
    w_f64(b, res->score);
    w_str(b, res->error);
    w_u32(b, (uint32_t)res->n_reasons);
    for (size_t i = 0; i < res->n_reasons; i++) {
        w_str(b, res->reasons[i].fields);
        w_f64(b, res->reasons[i].points);
        w_str(b, res->reasons[i].text);
        w_str(b, res->reasons[i].evidence);
    }
    /* In score-only mode preconditions are counted, not kept (unmet is
     * NULL): send the count with no texts, and the parent counts them. */
    w_u32(b, (uint32_t)res->n_unmet);
    for (size_t i = 0; i < res->n_unmet; i++)
        w_str(b, res->unmet ? res->unmet[i] : NULL);
    w_u32(b, (uint32_t)res->n_risks);
    for (size_t i = 0; i < res->n_risks; i++)
        w_str(b, res->risks ? res->risks[i] : NULL);
    w_f64(b, res->setup_months);
    w_f64(b, res->months_to_fair);
    w_f64(b, res->months_to_good);
    w_str(b, res->partner_id);
    w_f64(b, res->partner_fit);
    w_u32(b, (uint32_t)res->n_fit_parts);
    for (size_t i = 0; i < res->n_fit_parts; i++) {
        w_str(b, res->fit_parts[i].partner);
        w_str(b, res->fit_parts[i].name);
        w_f64(b, res->fit_parts[i].points);
        w_str(b, res->fit_parts[i].evidence);
    }
}

/* ---- what a worker process is told ------------------------------------------ */

/* A worker process shares no memory with imeval (it is imeval's own
 * executable started again, see start_process): its first message says
 * what to do, with which file, within which limits. */
enum { SPEC_LOAD = 1, SPEC_SERVE = 2 };
#define SPEC_PROTOCOL 0x494d5704u /* "IMW" and the version of these messages */

typedef struct spec {
    uint32_t kind;
    char *path;
    char *id; /* SPEC_SERVE: the model it must be */
    uint32_t n_params;
    imv_limits limits;
    const char *problem; /* why the message could not be read */
} spec;

static void pack_spec(wbuf *b, uint32_t kind, const char *path, const char *id, size_t n_params,
                      const imv_limits *l)
{
    imv_limits none;
    imv_limits_default(&none);
    if (!l)
        l = &none;
    w_u32(b, SPEC_PROTOCOL);
    w_u32(b, kind);
    w_str(b, path);
    w_str(b, id);
    w_u32(b, (uint32_t)n_params);
    w_f64(b, (double)l->lua_instructions);
    w_f64(b, (double)l->lua_memory);
    w_f64(b, l->isolate_timeout);
    w_u32(b, (uint32_t)(l->isolate + 1));
    w_u32(b, (uint32_t)l->trace);
    w_f64(b, (double)l->lua_memory_total);
}

/* Read the first message; on any problem sp->problem says what. */
static void read_spec(int sock, spec *sp)
{
    memset(sp, 0, sizeof *sp);
    imv_limits_default(&sp->limits);
    uint32_t n = 0;
    if (read_all(sock, &n, sizeof n) || n > 65536)
        _exit(0);
    unsigned char *msg = imv_xmalloc(n ? n : 1);
    if (read_all(sock, msg, n))
        _exit(0);
    rbuf r = {msg, n, 0, 0};
    uint32_t proto = r_u32(&r);
    sp->kind = r_u32(&r);
    sp->path = r_str(&r);
    sp->id = r_str(&r);
    sp->n_params = r_u32(&r);
    sp->limits.lua_instructions = (long)r_f64(&r);
    sp->limits.lua_memory = (size_t)r_f64(&r);
    sp->limits.isolate_timeout = r_f64(&r);
    sp->limits.isolate = (int)r_u32(&r) - 1;
    sp->limits.trace = (int)r_u32(&r);
    sp->limits.lua_memory_total = (size_t)r_f64(&r);
    free(msg);
    if (proto != SPEC_PROTOCOL)
        sp->problem = "isolation: the worker process is another build of imeval than this "
                      "program (rebuild both)";
    else if (r.bad || !sp->path)
        sp->problem = "isolation: malformed start message";
}

/* Load the model at path with its own host, in this process (the child). */
static int load_here(imv_model *lm, const char *path, const imv_limits *limits, char *err,
                     size_t errlen)
{
    const imv_loader *ld = imv_loader_for(path);
    memset(lm, 0, sizeof *lm);
    lm->limits = limits;
    if (!ld) {
        snprintf(err, errlen, "not a model: expected a .so (C) or .lua file");
        return IMV_EUSAGE;
    }
    return ld->load(lm, path, limits, err, errlen);
}

/* A request: [key u64][k u32][flags u32] and k views; or, with REQ_DRAWS
 * (score-only draws of one profile: views that differ in their ratings
 * alone), the first view whole, then from the next multiple of 8 bytes
 * of the frame every view's ratings, IMV_R_COUNT doubles each, and with
 * REQ_VARY every view's parameters: arrays a host can read in place.
 * With REQ_SHARED as well, the ratings lie in the draws area instead: the
 * request holds their offset there (u64) in their place. */
enum {
    REQ_REPLY_EACH = 1, /* a frame per result, as before frames held several */
    REQ_DRAWS = 2,
    REQ_VARY = 4,
    REQ_SHARED = 8,
    /* imeval's own, never sent: the caller vouches the views are draws */
    REQ_KNOWN_DRAWS = 1 << 30
};

/* ---- the child's replies: several results a frame ---------------------------- */

/* Replies go out in frames of several results ([count u32][results]): one
 * send for a batch instead of one per view, and one wake-up of the parent.
 * So that a call that hangs is still caught by the parent's deadline per
 * reply, and is the view the parent blames, nothing scored is held back
 * longer than FLUSH_MS: a helper thread sends what is waiting then, while
 * the serving thread runs the model. */
#define FLUSH_MS 10
#define FLUSH_BYTES (MAX_MSG / 4) /* a frame stays far below the parent's cap */

typedef struct outbox {
    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cv;
    int sock;
    imv_draw_answer *reply; /* the reply area, or NULL */
    wbuf buf;               /* the frame being filled: count, then the results */
    uint32_t count;
    int busy;               /* a request is being answered */
    int each;               /* send each result at once: asked for, or no helper thread */
    int helper;             /* the helper thread runs */
    int sleeping;           /* it waits for a request to be signalled */
    unsigned long requests; /* begun so far */
} outbox;

/* In a frame's count: the frame is that many imv_draw_answer records, as
 * they lie in memory (a batch of draws answered on a host's fast path),
 * not results each with its kind. */
#define FRAME_ANSWERS 0x80000000u
/* With FRAME_ANSWERS: the records lie in the reply area, not the frame. */
#define FRAME_IN_REPLY 0x40000000u

static void outbox_flush(outbox *o)
{
    if (o->count == 0)
        return;
    memcpy(o->buf.p, &o->count, sizeof o->count);
    if (send_msg(o->sock, &o->buf))
        _exit(0); /* imeval has gone */
    o->buf.n = sizeof o->count;
    o->count = 0;
}

/* The helper ticks every FLUSH_MS while requests come, and sleeps until
 * woken once none has come for IDLE_TICKS: a request in a steady run
 * costs no wake-up. */
#define IDLE_TICKS 20

static void *outbox_helper(void *arg)
{
    outbox *o = arg;
    int idle = 0;
    unsigned long seen = 0;
    pthread_mutex_lock(&o->mu);
    for (;;) {
        idle = o->busy || o->requests != seen ? 0 : idle + 1;
        seen = o->requests;
        if (idle > IDLE_TICKS) {
            o->sleeping = 1;
            while (!o->busy)
                pthread_cond_wait(&o->cv, &o->mu);
            o->sleeping = 0;
            idle = 0;
        }
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        t.tv_nsec += FLUSH_MS * 1000000L;
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&o->cv, &o->mu, &t);
        if (o->busy)
            outbox_flush(o);
    }
    return NULL;
}

/* Without a helper thread every result is sent at once: slower, never
 * held back. */
static void outbox_init(outbox *o, int sock, imv_draw_answer *reply)
{
    memset(o, 0, sizeof *o);
    o->sock = sock;
    o->reply = reply;
    uint32_t none = 0;
    w_bytes(&o->buf, &none, sizeof none);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, &ca);
    pthread_condattr_destroy(&ca);
    /* The helper takes no signal: a host's timer signal, a crash signal
     * sent to the process, are the serving thread's. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    o->helper = pthread_create(&t, &at, outbox_helper, o) == 0;
    pthread_attr_destroy(&at);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void outbox_begin(outbox *o, int each)
{
    pthread_mutex_lock(&o->mu);
    o->each = each || !o->helper;
    o->busy = 1;
    o->requests++;
    if (o->sleeping)
        pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
}

/* The k results r[0, k) (of a batch: under one lock). */
static void outbox_put(outbox *o, const imv_result *r, uint32_t k)
{
    pthread_mutex_lock(&o->mu);
    for (uint32_t i = 0; i < k; i++) {
        pack_result(&o->buf, &r[i]);
        o->count++;
        if (o->each || o->buf.n > FLUSH_BYTES)
            outbox_flush(o);
    }
    pthread_mutex_unlock(&o->mu);
}

/* Where a batch of draws' answers are to be made: in the reply area when
 * there is one and they go in one frame (then they are not copied at
 * all), else in own. */
static imv_draw_answer *outbox_answer_room(outbox *o, imv_draw_answer *own)
{
    pthread_mutex_lock(&o->mu);
    imv_draw_answer *a = o->reply && !o->each ? o->reply : own;
    pthread_mutex_unlock(&o->mu);
    return a;
}

/* The k answers a[0, k) of a batch of draws: a frame of their records
 * as they lie (FRAME_ANSWERS), or of their count when they lie in the
 * reply area, or a plain result each when each is to go at once. */
static void outbox_put_answers(outbox *o, const imv_draw_answer *a, uint32_t k)
{
    pthread_mutex_lock(&o->mu);
    if (o->each) {
        for (uint32_t i = 0; i < k; i++) {
            pack_plain(&o->buf, &a[i]);
            o->count++;
            outbox_flush(o);
        }
    } else {
        outbox_flush(o); /* what came before goes first, in its own frame */
        int in_reply = a == o->reply;
        uint32_t head = k | FRAME_ANSWERS | (in_reply ? FRAME_IN_REPLY : 0);
        o->buf.n = 0;
        w_bytes(&o->buf, &head, sizeof head);
        if (!in_reply)
            w_bytes(&o->buf, a, (size_t)k * sizeof *a);
        if (send_msg(o->sock, &o->buf))
            _exit(0); /* imeval has gone */
        o->buf.n = sizeof o->count;
    }
    pthread_mutex_unlock(&o->mu);
}

static void outbox_end(outbox *o)
{
    pthread_mutex_lock(&o->mu);
    outbox_flush(o);
    o->busy = 0;
    pthread_mutex_unlock(&o->mu);
}

/* ---- the child: serving requests ----------------------------------------------- */

/* What the child holds for one request.  A view sent whole is unpacked
 * with its strings and arrays into whole[] (large, each allocated when
 * first needed and kept: rarely more than the first of a request); every
 * view is a copy in v[], which stays small and close for the views sent
 * as their ratings. */
#define MAX_PARAMS_WIRE 128

typedef struct child_req {
    imv_profile_view v[MAX_BATCH];
    const imv_profile_view *vp[MAX_BATCH];
    const double *pp[MAX_BATCH];
    imv_result res[MAX_BATCH];
    imv_result *rp[MAX_BATCH];
    double params[MAX_BATCH * MAX_PARAMS_WIRE]; /* each view's, one after the other */
    size_t params_used;
    unpacked *whole[MAX_BATCH];
    size_t n_whole;
    imv_draw_answer answers[MAX_BATCH]; /* of a batch of draws, on a host's fast path */
} child_req;

/* View i of the request: whole, or (from the second on) the view before
 * it with the ratings sent; then its parameters, or the view before it's. */
static int unpack_view(rbuf *r, child_req *q, uint32_t i)
{
    uint32_t kind = r_u32(r);
    imv_profile_view *v = &q->v[i];
    q->vp[i] = v;
    q->pp[i] = q->params + q->params_used;
    if (kind == VIEW_RATINGS_ONLY && i > 0) {
        *v = q->v[i - 1];
        r_bytes(r, v->ratings, sizeof v->ratings);
        q->pp[i] = q->pp[i - 1];
        return r->bad ? -1 : 0;
    }
    if (kind == VIEW_RATINGS && i > 0) {
        *v = q->v[i - 1];
        r_bytes(r, v->ratings, sizeof v->ratings);
    } else if (kind == VIEW_WHOLE) {
        if (!q->whole[q->n_whole])
            q->whole[q->n_whole] = imv_xmalloc(sizeof *q->whole[0]);
        unpacked *u = q->whole[q->n_whole++];
        memset(u, 0, sizeof *u);
        int rc = unpack_whole(r, u);
        *v = u->v;
        if (rc)
            return -1;
    } else {
        memset(v, 0, sizeof *v);
        return -1;
    }
    uint32_t np = r_u32(r);
    if (r->bad || np > MAX_PARAMS_WIRE)
        return -1;
    if (np)
        r_bytes(r, q->params + q->params_used, np * sizeof q->params[0]);
    q->params_used += np;
    return r->bad ? -1 : 0;
}

/* Load the model named in the start message; why not in load_err. */
static void child_load(const spec *sp, imv_model *lm, void **inst, char *load_err, size_t n)
{
    char err[1024] = "";
    if (sp->problem)
        snprintf(load_err, n, "%s", sp->problem);
    else if (load_here(lm, sp->path, &sp->limits, err, sizeof err) != IMV_OK)
        snprintf(load_err, n, "the plugin no longer loads: %s", err);
    else if (strcmp(lm->id, sp->id ? sp->id : "") != 0 || lm->n_params != sp->n_params)
        snprintf(load_err, n, "the plugin file changed since it was loaded (id %s)", lm->id);
    else if (lm->be->instance_new && lm->be->instance_new(lm, inst, err, sizeof err) != IMV_OK)
        snprintf(load_err, n, "%s", err);
}

/* Score request r's k views (read already) and send the results. */
static void child_score(const imv_model *lm, void *inst, const char *load_err, int bad,
                        unsigned long key, child_req *q, uint32_t k, outbox *o)
{
    int batch = k > 1 && lm->has_batch && lm->be->score_batch;
    if (load_err[0] || bad) {
        for (uint32_t i = 0; i < k; i++) {
            q->res[i].error = imv_xstrdup(bad ? "isolation: malformed request" : load_err);
            /* the LuaJIT worker cannot load a 5.4-only script: plugins/jit.c */
            q->res[i].declined = load_err[0] ? IMV_DECLINED_MODEL : 0;
            outbox_put(o, &q->res[i], 1);
        }
        return;
    }
    if (batch) {
        lm->be->score_batch(lm, inst, q->vp, q->pp, k, q->rp);
        outbox_put(o, q->res, k);
        return;
    }
    for (uint32_t i = 0; i < k; i++) {
        lm->be->score(lm, inst, q->vp[i], key, q->pp[i], q->rp[i]);
        outbox_put(o, &q->res[i], 1);
    }
}

/* The arrays of a REQ_DRAWS request of k views, after its first view
 * (read into q->v[0]): where they lie in the request, read in place
 * (the frame's body is 4 bytes past an 8-byte boundary, as the parent's
 * frame is), or the ratings in the draws area (REQ_SHARED); *vary NULL
 * without REQ_VARY.  -1 when they are not all there. */
static int draw_arrays(rbuf *r, const child_req *q, uint32_t k, uint32_t flags,
                       const unsigned char *draws, const double **ratings, const double **vary)
{
    size_t np = q->params_used; /* the first view's, which it had sent */
    while ((r->at + 4) % 8 && r->at < r->n)
        r->at++;
    size_t nr = (size_t)k * IMV_R_COUNT * sizeof(double);
    size_t nv = flags & REQ_VARY ? (size_t)k * np * sizeof(double) : 0;
    const unsigned char *at = r->p + r->at;
    if (flags & REQ_SHARED) {
        uint64_t off = UINT64_MAX;
        r_bytes(r, &off, sizeof off);
        if (!draws || r->bad || off % 8 || off > DRAWS_SIZE || nr > DRAWS_SIZE - off)
            return -1;
        *ratings = (const double *)(const void *)(draws + off);
        nr = 0;
        at = r->p + r->at;
    } else {
        *ratings = (const double *)(const void *)at;
    }
    if ((r->at + 4) % 8 || r->n - r->at != nr + nv || ((flags & REQ_VARY) && np == 0))
        return -1;
    *vary = nv ? (const double *)(const void *)(at + nr) : NULL;
    return 0;
}

/* Views 1.. of a request of draws, made from the first and the arrays,
 * for a host without score_draws. */
static void expand_draws(child_req *q, uint32_t k, const double *ratings, const double *vary)
{
    size_t np = q->params_used;
    for (uint32_t i = 0; i < k; i++) {
        if (i > 0)
            q->v[i] = q->v[0];
        memcpy(q->v[i].ratings, ratings + (size_t)i * IMV_R_COUNT, sizeof q->v[i].ratings);
        q->vp[i] = &q->v[i];
        q->pp[i] = vary ? vary + (size_t)i * np : q->pp[0];
    }
}

/* Read the k views of request r: 1 when the rest could not be read
 * (from the view that failed on, each is zero and gets the error).  A
 * host with score_draws takes a request of draws as it came: *fast. */
static int child_views(const imv_model *lm, const char *load_err, rbuf *r, uint32_t k,
                       uint32_t flags, child_req *q, const unsigned char *draws, int *fast,
                       const double **ratings, const double **vary)
{
    int bad = 0;
    *fast = 0;
    q->params_used = q->n_whole = 0;
    if (flags & REQ_DRAWS) {
        bad = unpack_view(r, q, 0) != 0 || draw_arrays(r, q, k, flags, draws, ratings, vary) != 0;
        *fast = !bad && !load_err[0] && lm->be->score_draws;
        if (*fast)
            return 0;
        if (!bad)
            expand_draws(q, k, *ratings, *vary);
    }
    for (uint32_t i = 0; i < k; i++) {
        if (bad) /* the rest cannot be read: each gets the error */
            memset(&q->v[i], 0, sizeof q->v[i]);
        else if (!(flags & REQ_DRAWS))
            bad = unpack_view(r, q, i) != 0;
        imv_result_reset(&q->res[i], load_err[0] ? NULL : lm,
                         (q->v[i].flags & IMV_VIEW_SCORE_ONLY) != 0);
        q->rp[i] = &q->res[i];
    }
    return bad;
}

/* Read, score and answer one request of msg[0, n). */
static void child_request(const imv_model *lm, void *inst, const char *load_err,
                          const unsigned char *msg, uint32_t n, const unsigned char *draws,
                          child_req *q, outbox *o)
{
    rbuf r = {msg, n, 0, 0};
    uint64_t key64 = 0;
    r_bytes(&r, &key64, sizeof key64);
    uint32_t k = r_u32(&r), flags = r_u32(&r);
    if (r.bad || k == 0 || k > MAX_BATCH)
        _exit(0);
    int fast;
    const double *ratings = NULL, *vary = NULL;
    int bad = child_views(lm, load_err, &r, k, flags, q, draws, &fast, &ratings, &vary);
    outbox_begin(o, (flags & REQ_REPLY_EACH) != 0);
    if (fast) {
        imv_draw_answer *a = outbox_answer_room(o, q->answers);
        lm->be->score_draws(lm, inst, &q->v[0], ratings, q->pp[0], vary, k, a);
        outbox_put_answers(o, a, k);
    } else {
        child_score(lm, inst, load_err, bad, (unsigned long)key64, q, k, o);
    }
    outbox_end(o);
    /* The results are cleared by the next request's reset, which frees
     * only what one holds: most hold nothing. */
    for (size_t w = 0; w < q->n_whole; w++)
        for (size_t j = 0; j < q->whole[w]->n_strs; j++)
            free(q->whole[w]->strs[j]);
}

/* Serve requests until the parent closes the socket.  Never returns.  The
 * model was never loaded in the parent (imv_isolated_load): load it here
 * with its own host, make sure it is still the same model, and answer each
 * request of n views with n results, in frames (outbox above). */
static void child_main(const spec *sp, int sock, const unsigned char *area, imv_draw_answer *reply,
                       const unsigned char *draws)
{
    imv_model lm;
    void *inst = NULL;
    char load_err[1200] = "";
    child_load(sp, &lm, &inst, load_err, sizeof load_err);
    /* A request is read 4 bytes in, where it lies in the area too: its
     * arrays of draws are then aligned for reading in place. */
    unsigned char *buf = imv_xmalloc(MAX_MSG + 8), *msg = buf + 4;
    child_req *q = imv_xcalloc(1, sizeof *q);
    outbox o;
    outbox_init(&o, sock, reply);
    for (;;) {
        uint32_t n;
        if (read_all(sock, &n, sizeof n))
            _exit(0);
        const unsigned char *body = msg;
        if (n & AREA_FRAME) {
            n &= ~AREA_FRAME;
            if (!area || n > MAX_MSG)
                _exit(0);
            body = area + sizeof n;
        } else if (n > MAX_MSG || read_all(sock, msg, n)) {
            _exit(0);
        }
        child_request(&lm, inst, load_err, body, n, draws, q, &o);
    }
}

/* Load the plugin and send back what the engine needs of its definition,
 * already checked by the same code as an in-process load (or why it was
 * refused).  Its constructors, entry point and definition run and are
 * read here, where a crash, a loop or a stray printf cannot reach imeval. */
static void serve_load(const spec *sp, int sock)
{
    imv_model lm;
    char err[1024] = "";
    wbuf b = {0};
    if (sp->problem || load_here(&lm, sp->path, &sp->limits, err, sizeof err) != IMV_OK) {
        w_u32(&b, 0);
        w_str(&b, sp->problem ? sp->problem : err);
    } else {
        w_u32(&b, 1);
        w_str(&b, lm.id);
        w_str(&b, lm.name);
        w_str(&b, lm.version);
        w_str(&b, lm.summary);
        w_str(&b, lm.evidence);
        w_u32(&b, (uint32_t)lm.n_params);
        for (size_t i = 0; i < lm.n_params; i++) {
            const imv_param_def *q = &lm.params[i];
            w_str(&b, q->name);
            w_f64(&b, q->def);
            w_f64(&b, q->min);
            w_f64(&b, q->max);
            w_str(&b, q->description);
            w_f64(&b, q->plausible_low);
            w_f64(&b, q->plausible_high);
            w_u32(&b, q->flags);
        }
        w_u32(&b, (uint32_t)lm.has_directions);
        for (int i = 0; i < IMV_R_COUNT; i++)
            w_u32(&b, (uint32_t)(lm.dir[i] + 1));
        w_u32(&b, (uint32_t)lm.has_batch);
    }
    send_msg(sock, &b);
    _exit(0);
}

/* ---- the parent -------------------------------------------------------------- */

/* What the parent keeps of an isolated model (m->cls). */
typedef struct iso_cls {
    int own_batch; /* the model has a batch function */
} iso_cls;

typedef struct iso_inst {
    pid_t pid; /* also its session and process group */
    int sock;
    unsigned char *area;  /* its request area, or NULL */
    unsigned char *reply; /* its reply area, read-only here, or NULL */
    int out;              /* the child's stdout and stderr */
    int children;         /* its /proc children list, or -1 */
} iso_inst;

/* What every worker process does first, however it was started: it is
 * the reaper of its orphaned descendants, so that a double fork still
 * shows up among its children (lingering_children); it dies with imeval
 * and leaves Ctrl-C to it; a crash kills it with its real signal, so the
 * parent can name it, even when the program has handlers of its own (an
 * embedding application's, or AddressSanitizer's, which would exit 1);
 * and it keeps no descriptor of imeval's (output files, other children)
 * but its socket, its request area and standard streams. */
static void worker_setup(int sock, iso_areas areas, pid_t parent)
{
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(0);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        signal(fatal[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    for (int fd = 3; fd < 1024; fd++)
        if (fd != sock && fd != areas.area && fd != areas.reply && fd != areas.draws)
            close(fd);
}

/* Read the start message and do what it says.  Never returns. */
static void worker_main(int sock, iso_areas areas)
{
    const unsigned char *area = area_open(areas.area, AREA_SIZE, PROT_READ);
    imv_draw_answer *reply = area_open(areas.reply, REPLY_SIZE, PROT_READ | PROT_WRITE);
    const unsigned char *draws = area_open(areas.draws, DRAWS_SIZE, PROT_READ);
    spec sp;
    read_spec(sock, &sp);
    if (sp.kind == SPEC_LOAD)
        serve_load(&sp, sock);
    else
        child_main(&sp, sock, area, reply, draws);
    _exit(0);
}

#define WORKER_FD 3 /* the socket, in a started worker process */

int imv_worker_process_main(int argc, char **argv)
{
    int type = 0;
    socklen_t tl = sizeof type;
    char *end = NULL;
    long parent = argc == 3 ? strtol(argv[2], &end, 10) : 0;
    if (parent <= 0 || *end || getsockopt(WORKER_FD, SOL_SOCKET, SO_TYPE, &type, &tl) != 0)
        return IMV_EUSAGE;
    iso_areas areas = {AREA_FD, REPLY_FD, DRAWS_FD};
    worker_setup(WORKER_FD, areas, (pid_t)parent);
    worker_main(WORKER_FD, areas);
    return 0;
}

/* The executable a worker process runs: imeval itself.  A program named
 * otherwise that links the engine (the test suites, the bench) uses the
 * imeval beside it or one directory up, as in the build tree.  Found
 * once; NULL when there is none. */
static char worker_exe_path[4096];
static pthread_once_t worker_exe_once = PTHREAD_ONCE_INIT;

/* The directory of this program's executable, into dir. */
static int own_dir(char *dir, size_t n, const char **name)
{
    ssize_t k = readlink("/proc/self/exe", dir, n - 1);
    if (k <= 0)
        return -1;
    dir[k] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    *name = slash + 1;
    return 0;
}

/* The first of dir + rel[i] that is an executable regular file, resolved
 * into out (4096 bytes); out is empty when there is none. */
static void find_beside(const char *dir, const char *const *rel, size_t n, char *out)
{
    char cand[4200];
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        snprintf(cand, sizeof cand, "%s%s", dir, rel[i]);
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0 &&
            realpath(cand, out))
            return;
        out[0] = '\0';
    }
}

static void find_worker_exe(void)
{
    char dir[4096];
    const char *name;
    if (own_dir(dir, sizeof dir, &name))
        return;
    if (strcmp(name, "imeval") == 0) {
        if (!realpath("/proc/self/exe", worker_exe_path))
            worker_exe_path[0] = '\0';
        return;
    }
    static const char *const rel[] = {"/imeval", "/../imeval"};
    find_beside(dir, rel, sizeof rel / sizeof rel[0], worker_exe_path);
}

/* The LuaJIT worker (plugins/jit.c): beside imeval as in the build tree,
 * one directory up for a program in build/tests, or where `make install`
 * puts it (PREFIX/libexec/imeval beside PREFIX/bin). */
static char jit_exe_path[4096];
static pthread_once_t jit_exe_once = PTHREAD_ONCE_INIT;

static void find_jit_exe(void)
{
    char dir[4096];
    const char *name;
    if (own_dir(dir, sizeof dir, &name))
        return;
    static const char *const rel[] = {"/" IMV_JIT_WORKER_NAME, "/../" IMV_JIT_WORKER_NAME,
                                      "/../libexec/imeval/" IMV_JIT_WORKER_NAME};
    find_beside(dir, rel, sizeof rel / sizeof rel[0], jit_exe_path);
}

const char *imv_isolated_jit_exe(void)
{
    pthread_once(&jit_exe_once, find_jit_exe);
    return jit_exe_path[0] ? jit_exe_path : NULL;
}

static const char *worker_exe(void)
{
    pthread_once(&worker_exe_once, find_worker_exe);
    return worker_exe_path[0] ? worker_exe_path : NULL;
}

/* Start exe as a worker process in a session (and process group) of its
 * own, sock as its descriptor 3, out as its standard output and error.
 * posix_spawn execs at once without running any of this process's code
 * in the child, so it is safe from any thread: a fork() from a pool
 * thread could leave the child stuck on a lock another thread held (seen
 * under ASan's allocator).  Returns the pid, or -1 with errno set. */
static pid_t start_process(const char *exe, int sock, int out, iso_areas areas)
{
    /* Above the descriptors being assigned, so that no dup2 is a no-op
     * that would leave close-on-exec set. */
    int cs = fcntl(sock, F_DUPFD_CLOEXEC, 10), co = fcntl(out, F_DUPFD_CLOEXEC, 10);
    int ca = areas.area >= 0 ? fcntl(areas.area, F_DUPFD_CLOEXEC, 10) : -1;
    int cr = areas.reply >= 0 ? fcntl(areas.reply, F_DUPFD_CLOEXEC, 10) : -1;
    int cd = areas.draws >= 0 ? fcntl(areas.draws, F_DUPFD_CLOEXEC, 10) : -1;
    pid_t pid = -1;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    if (cs >= 0 && co >= 0) {
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, co, 1);
        posix_spawn_file_actions_adddup2(&fa, co, 2);
        posix_spawn_file_actions_adddup2(&fa, cs, WORKER_FD);
        if (ca >= 0)
            posix_spawn_file_actions_adddup2(&fa, ca, AREA_FD);
        if (cr >= 0)
            posix_spawn_file_actions_adddup2(&fa, cr, REPLY_FD);
        if (cd >= 0)
            posix_spawn_file_actions_adddup2(&fa, cd, DRAWS_FD);
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_setsigmask(&at, &none);
        posix_spawnattr_setsigdefault(&at, &all);
        posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                          POSIX_SPAWN_SETSIGDEF);
        char parent[24];
        snprintf(parent, sizeof parent, "%d", (int)getpid());
        char *argv[] = {(char *)exe, (char *)IMV_WORKER_ARG, parent, NULL};
        int rc = posix_spawn(&pid, exe, &fa, &at, argv, environ);
        if (rc) {
            errno = rc;
            pid = -1;
        }
    }
    int saved = errno;
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (cs >= 0)
        close(cs);
    if (co >= 0)
        close(co);
    if (ca >= 0)
        close(ca);
    if (cr >= 0)
        close(cr);
    if (cd >= 0)
        close(cd);
    errno = saved;
    return pid;
}

/* Without an imeval executable (a program embedding the engine alone):
 * fork, as before worker processes were started by exec. */
static pid_t fork_process(int sock, int out, iso_areas areas, int other_end, int other_out)
{
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    close(other_end);
    close(other_out);
    setsid();
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
        dup2(devnull, 0);
    dup2(out, 1);
    dup2(out, 2);
    worker_setup(sock, areas, parent);
    worker_main(sock, areas);
    _exit(0);
}

/* Start a worker process and send it its start message; draws: the
 * draws area to hand it, or NULL. */
static int spawn_exe(const char *exe, const wbuf *start, const imv_draws_area *draws, iso_inst *I,
                     char *err, size_t errlen)
{
    int sv[2], pv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(err, errlen, "isolation: socketpair: %s", strerror(errno));
        return IMV_EPLUGIN;
    }
    if (pipe2(pv, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "isolation: pipe: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return IMV_EPLUGIN;
    }
    unsigned char *area = NULL, *reply = NULL;
    /* a forked worker keeps no draws area: only started ones are given one */
    iso_areas af = {area_new(&area), reply_new(&reply), exe && draws ? draws->fd : -1};
    pid_t pid = exe ? start_process(exe, sv[1], pv[1], af)
                    : fork_process(sv[1], pv[1], af, sv[0], pv[0]);
    int saved = errno;
    close(sv[1]);
    close(pv[1]);
    if (af.area >= 0)
        close(af.area);
    if (af.reply >= 0)
        close(af.reply);
    if (pid < 0) {
        snprintf(err, errlen, "isolation: starting %s: %s", exe ? exe : "a process", strerror(saved));
        close(sv[0]);
        close(pv[0]);
        if (area)
            munmap(area, AREA_SIZE);
        if (reply)
            munmap(reply, REPLY_SIZE);
        return IMV_EPLUGIN;
    }
    I->area = area;
    I->reply = reply;
    fcntl(pv[0], F_SETFL, O_NONBLOCK);
    I->pid = pid;
    I->sock = sv[0];
    I->out = pv[0];
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    I->children = open(path, O_RDONLY | O_CLOEXEC);
    /* Small enough for the socket's buffer: this never waits on the child. */
    if (send_msg(I->sock, start) != 0) {
        snprintf(err, errlen, "isolation: the worker process did not start: %s", strerror(errno));
        return IMV_EPLUGIN;
    }
    return IMV_OK;
}

static int spawn(const wbuf *start, iso_inst *I, char *err, size_t errlen)
{
    return spawn_exe(worker_exe(), start, NULL, I, err, errlen);
}

/* Start the worker process that scores m. */
static int spawn_model(const imv_model *m, iso_inst *I, char *err, size_t errlen)
{
    wbuf start = {0};
    pack_spec(&start, SPEC_SERVE, m->path, m->id, m->n_params, m->limits);
    int rc = spawn(&start, I, err, errlen);
    free(start.p);
    return rc;
}

/* 1 when pid is a zombie or gone: nothing left to kill. */
static int is_dead(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    const char *q = strrchr(buf, ')');
    return !q || q[1] != ' ' || q[2] == 'Z' || q[2] == 'X';
}

/* SIGKILL every live descendant of pid (through each of its threads'
 * children lists); returns how many were alive. */
static int kill_tree(pid_t pid, int depth)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *dp = depth < 64 ? opendir(path) : NULL;
    if (!dp)
        return 0;
    int live = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char list[300];
        snprintf(list, sizeof list, "/proc/%d/task/%s/children", (int)pid, e->d_name);
        FILE *f = fopen(list, "re");
        int c;
        while (f && fscanf(f, "%d", &c) == 1) {
            if (!is_dead(c)) {
                kill(c, SIGKILL);
                live++;
            }
            live += kill_tree(c, depth + 1);
        }
        if (f)
            fclose(f);
    }
    closedir(dp);
    return live;
}

/* Every process the plugin started, also one that left the group with
 * setsid(): the worker is the reaper of its orphaned descendants, so
 * while it lives each of them is in its tree; one killed here leaves its
 * own children to the worker, found by the next round. */
static void kill_descendants(pid_t pid)
{
    for (int round = 0; round < 100 && kill_tree(pid, 0) > 0; round++)
        ;
}

/* Kill the child, everything it started and its whole process group,
 * reap it, close its ends. */
static void reap(iso_inst *I)
{
    if (I->pid <= 0)
        return;
    kill_descendants(I->pid);
    /* The group exists once the child's setsid ran; before that the child
     * can have started nothing, and killing it alone is enough. */
    kill(-I->pid, SIGKILL);
    kill(I->pid, SIGKILL);
    while (waitpid(I->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    close(I->sock);
    close(I->out);
    if (I->children >= 0)
        close(I->children);
    if (I->area)
        munmap(I->area, AREA_SIZE);
    if (I->reply)
        munmap(I->reply, REPLY_SIZE);
    I->area = I->reply = NULL;
    I->pid = 0;
    I->sock = I->out = I->children = -1;
}

static int iso_instance_new(const imv_model *m, void **inst, char *err, size_t errlen)
{
    iso_inst *I = imv_xcalloc(1, sizeof *I);
    I->sock = I->out = I->children = -1;
    int rc = spawn_model(m, I, err, errlen);
    if (rc) {
        reap(I);
        free(I);
        *inst = NULL;
        return rc;
    }
    *inst = I;
    return IMV_OK;
}

static void iso_instance_free(void *p)
{
    iso_inst *I = p;
    if (!I)
        return;
    reap(I);
    free(I);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef enum { IO_OK, IO_EOF, IO_TIMEOUT, IO_FLOOD, IO_ERROR } io_rc;

/* Read what the plugin printed without blocking; IO_FLOOD past the cap. */
static io_rc drain_output(iso_inst *I, size_t *printed)
{
    char sink[4096];
    ssize_t got;
    while ((got = read(I->out, sink, sizeof sink)) > 0)
        *printed += (size_t)got;
    return *printed > OUTPUT_CAP ? IO_FLOOD : IO_OK;
}

/* Move n bytes over the socket (send when `out`, else receive) by the
 * deadline, draining the plugin's output meanwhile.  No call here blocks:
 * a child that stops reading, or sends half a reply and hangs, runs into
 * the deadline. */
static io_rc transfer(iso_inst *I, int out, void *p, size_t n, double deadline, size_t *printed)
{
    char *s = p;
    while (n) {
        ssize_t k = out ? send(I->sock, s, n, MSG_NOSIGNAL | MSG_DONTWAIT)
                        : recv(I->sock, s, n, MSG_DONTWAIT);
        if (k > 0) {
            s += k;
            n -= (size_t)k;
            continue;
        }
        if (k == 0 && !out)
            return IO_EOF;
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return out && errno == EPIPE ? IO_EOF : IO_ERROR;
        double left = deadline - now_s();
        if (left <= 0)
            return IO_TIMEOUT;
        struct pollfd pf[2] = {{I->sock, out ? POLLOUT : POLLIN, 0}, {I->out, POLLIN, 0}};
        int rc = poll(pf, 2, (int)(left * 1000) + 1);
        if (rc < 0 && errno != EINTR)
            return IO_ERROR;
        if (rc > 0 && (pf[1].revents & POLLIN) && drain_output(I, printed) == IO_FLOOD)
            return IO_FLOOD;
    }
    return IO_OK;
}

/* After the socket closed: give a dying child until the deadline (at most
 * a second) to exit on its own, so its real cause of death is named; one
 * that closed its end and lives on is killed by the caller.  WNOWAIT
 * leaves it unreaped, so its process group stays its own until reap(). */
static void closed_by_child(iso_inst *I, double deadline, char *msg, size_t n)
{
    double until = now_s() + 1;
    if (until > deadline)
        until = deadline;
    siginfo_t si;
    for (;;) {
        memset(&si, 0, sizeof si);
        int rc = waitid(P_PID, (id_t)I->pid, &si, WEXITED | WNOHANG | WNOWAIT);
        if ((rc == 0 && si.si_pid == I->pid) || (rc < 0 && errno != EINTR) || now_s() >= until)
            break;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    if (si.si_pid != I->pid) {
        snprintf(msg, n, "the plugin closed its connection to imeval without replying");
    } else if (si.si_code == CLD_EXITED) {
        snprintf(msg, n, "the plugin exited the process (status %d)", si.si_status);
    } else {
        const char *abbrev = sigabbrev_np(si.si_status);
        snprintf(msg, n, "the plugin crashed with SIG%s", abbrev ? abbrev : "?");
    }
}

/* 1 when the child has children of its own (or adopted orphans of its
 * descendants, as their reaper): a process the plugin started.  The list
 * stays open, so the check is one pread per call. */
static int lingering_children(const iso_inst *I)
{
    char buf[16];
    return I->children >= 0 && pread(I->children, buf, sizeof buf, 0) > 0;
}

/* A count the child sent, at most cap: more is a lie (its host would
 * have failed the call), and would leave the rest of the frame unread. */
static uint32_t r_count(rbuf *rb, uint32_t cap)
{
    uint32_t n = r_u32(rb);
    if (n > cap)
        rb->bad = 1;
    return rb->bad ? 0 : n;
}

/* What follows a result's error: reasons, preconditions, risks, timeline,
 * partner and fit, through the host functions. */
static void unpack_details(rbuf *rb, imv_result *r, const imv_host *h)
{
    uint32_t n = r_count(rb, IMV_MAX_ITEMS + 1);
    for (uint32_t i = 0; i < n && !rb->bad; i++) {
        char *f = r_str(rb);
        double pts = r_f64(rb);
        char *t = r_str(rb), *e = r_str(rb);
        h->add_reason(r, f, pts, t, e);
        free(f);
        free(t);
        free(e);
    }
    n = r_count(rb, IMV_MAX_ITEMS + 1);
    for (uint32_t i = 0; i < n && !rb->bad; i++) {
        char *s = r_str(rb);
        h->add_unmet(r, s ? s : "");
        free(s);
    }
    n = r_count(rb, IMV_MAX_ITEMS + 1);
    for (uint32_t i = 0; i < n && !rb->bad; i++) {
        char *s = r_str(rb);
        h->add_risk(r, s ? s : "");
        free(s);
    }
    double a = r_f64(rb), b = r_f64(rb), c = r_f64(rb);
    h->set_timeline(r, a, b, c);
    char *pid = r_str(rb);
    double fit = r_f64(rb);
    if (pid)
        h->set_partner(r, pid, fit);
    free(pid);
    n = r_count(rb, IMV_MAX_FIT_PARTS + 1);
    for (uint32_t i = 0; i < n && !rb->bad; i++) {
        char *q = r_str(rb), *k = r_str(rb);
        double pts = r_f64(rb);
        char *e = r_str(rb);
        h->partner_component(r, q, k, pts, e);
        free(q);
        free(k);
        free(e);
    }
}

/* A plain record into r through the host functions. */
static void take_plain(const plain_wire *pw, imv_result *r, const imv_host *h)
{
    r->declined = (int)pw->declined;
    if (pw->has_score)
        h->set_score(r, pw->score);
    for (uint32_t i = 0; i < pw->n_unmet; i++)
        h->add_unmet(r, "");
    h->set_timeline(r, pw->setup_months, pw->months_to_fair, pw->months_to_good);
}

/* Parse a reply into r through the host functions, so the same checks
 * apply as in-process.  Read whole also when it is an error: the next
 * result of the frame follows it. */
static void unpack_plain(rbuf *rb, imv_result *r, const imv_host *h)
{
    plain_wire pw;
    r_bytes(rb, &pw, sizeof pw);
    if (rb->bad || pw.n_unmet > IMV_MAX_ITEMS + 1) {
        rb->bad = 1;
        return;
    }
    take_plain(&pw, r, h);
}

static void unpack_whole_result(rbuf *rb, imv_result *r, const imv_host *h);

/* One result of a frame; answer: one record of a FRAME_ANSWERS frame. */
static void unpack_result(rbuf *rb, imv_result *r, int answer)
{
    const imv_host *h = imv_host_table();
    uint32_t kind = answer ? RESULT_PLAIN : r_u32(rb);
    if (kind == RESULT_PLAIN)
        unpack_plain(rb, r, h);
    else if (kind == RESULT_WHOLE)
        unpack_whole_result(rb, r, h);
    else
        rb->bad = 1;
    if (rb->bad && !r->error)
        r->error = imv_xstrdup("isolation: the plugin process sent a malformed reply");
}

static void unpack_whole_result(rbuf *rb, imv_result *r, const imv_host *h)
{
    r->declined = (int)r_u32(rb);
    uint32_t nl = r_count(rb, IMV_MAX_LOG + 1);
    for (uint32_t i = 0; i < nl && !rb->bad; i++) {
        char *s = r_str(rb);
        imv_result_log(r, s ? s : "");
        free(s);
    }
    uint32_t dropped = r_u32(rb);
    if (r->n_log)
        r->log_dropped += dropped;
    int has = (int)r_u32(rb);
    double score = r_f64(rb);
    char *err = r_str(rb);
    if (err) {
        h->set_error(r, err);
        free(err);
        imv_result skip;
        memset(&skip, 0, sizeof skip);
        imv_result_reset(&skip, r->model, r->score_only);
        unpack_details(rb, &skip, h);
        imv_result_clear(&skip);
    } else {
        if (has)
            h->set_score(r, score);
        unpack_details(rb, r, h);
    }
}

/* Why a transfer failed, as the model's error. */
static void transfer_error(iso_inst *I, io_rc rc, double timeout, double deadline, char *msg,
                           size_t msglen)
{
    switch (rc) {
    case IO_TIMEOUT: snprintf(msg, msglen, "the plugin timed out after %g s", timeout); break;
    case IO_FLOOD:
        snprintf(msg, msglen, "the plugin flooded its output (more than %u KiB in one call)",
                 OUTPUT_CAP >> 10);
        break;
    case IO_EOF: closed_by_child(I, deadline, msg, msglen); break;
    default:
        snprintf(msg, msglen, "isolation: talking to the plugin process: %s", strerror(errno));
        break;
    }
}

/* One frame by the deadline: the bytes (caller frees), or NULL with *rc
 * and the reason in msg. */
static unsigned char *receive(iso_inst *I, double timeout, double deadline, uint32_t *len,
                              io_rc *rc, char *msg, size_t msglen)
{
    size_t printed = 0;
    uint32_t n = 0;
    *rc = transfer(I, 0, &n, sizeof n, deadline, &printed);
    if (*rc == IO_OK && n > MAX_MSG) {
        *rc = IO_ERROR;
        snprintf(msg, msglen, "isolation: the plugin process sent an oversized reply");
        return NULL;
    }
    unsigned char *reply = NULL;
    if (*rc == IO_OK) {
        reply = imv_xmalloc(n ? n : 1);
        *rc = transfer(I, 0, reply, n, deadline, &printed);
    }
    if (*rc == IO_OK) {
        *len = n;
        return reply;
    }
    free(reply);
    transfer_error(I, *rc, timeout, deadline, msg, msglen);
    return NULL;
}

/* REQ_DRAWS (| REQ_VARY) when views [0, k) are score-only draws of one
 * profile (each the one before it with other ratings: known, or found
 * out here), 0 otherwise. */
static uint32_t draws_of(const imv_model *m, const imv_profile_view *const *v,
                         const double *const *params, size_t k, int known)
{
    if (k < 2 || !(v[0]->flags & IMV_VIEW_SCORE_ONLY) || m->n_params > MAX_PARAMS_WIRE)
        return 0;
    uint32_t f = REQ_DRAWS;
    size_t np = m->n_params;
    for (size_t i = 1; i < k; i++) {
        if (!known && !only_ratings_differ(v[i - 1], v[i]))
            return 0;
        if (params[i] != params[i - 1] && np &&
            memcmp(params[i], params[i - 1], np * sizeof *params[i]) != 0)
            f |= REQ_VARY;
    }
    return f;
}

/* The body of a request of draws (draws_of): the first view whole, then
 * the arrays, the first aligned to 8 bytes of the frame.  With REQ_SHARED
 * the ratings are already in the draws area, at offset `shared`. */
static void pack_draws(wbuf *req, const imv_model *m, const imv_profile_view *const *v,
                       const double *const *params, size_t k, uint32_t f, long shared)
{
    static const unsigned char zero[8];
    pack_view(req, v[0], params[0], m->n_params);
    w_bytes(req, zero, (8 - req->n % 8) % 8);
    if (f & REQ_SHARED) {
        uint64_t off = (uint64_t)shared;
        w_bytes(req, &off, sizeof off);
    } else {
        /* Room for every draw's ratings first, then fixed-size copies,
         * which the compiler makes a few vector moves: a call of w_bytes
         * each was the most of a request's making. */
        size_t each = sizeof v[0]->ratings, at = req->n;
        w_reserve(req, k * each);
        for (size_t i = 0; i < k; i++)
            memcpy(req->p + at + i * each, v[i]->ratings, sizeof v[i]->ratings);
        req->n = at + k * each;
    }
    for (size_t i = 0; (f & REQ_VARY) && i < k; i++)
        w_bytes(req, params[i], m->n_params * sizeof *params[i]);
}

/* A request for views [0, *k): as many as fit in one message.  Draws go
 * as a request of draws; otherwise a view that is the one before it with
 * other ratings crosses as its ratings and parameters only.  shared: the
 * offset of the views' ratings in the worker's draws area, or -1. */
static void pack_request(wbuf *req, const imv_model *m, const imv_profile_view *const *v,
                         const double *const *params, size_t *k, unsigned long key, uint32_t flags,
                         long shared)
{
    for (;;) {
        req->n = 0;
        uint32_t size = 0;
        uint64_t key64 = key;
        /* a reply each is asked for after a failure: view by view then */
        uint32_t draws = flags & REQ_REPLY_EACH
                             ? 0
                             : draws_of(m, v, params, *k, (flags & REQ_KNOWN_DRAWS) != 0);
        if (draws && shared >= 0)
            draws |= REQ_SHARED;
        w_u32(req, size); /* the frame's length, filled in below */
        w_bytes(req, &key64, sizeof key64);
        w_u32(req, (uint32_t)*k);
        w_u32(req, (flags & ~(uint32_t)REQ_KNOWN_DRAWS) | draws);
        if (draws)
            pack_draws(req, m, v, params, *k, draws, shared);
        for (size_t i = 0; !draws && i < *k; i++) {
            if (i > 0 && only_ratings_differ(v[i - 1], v[i]))
                pack_ratings(req, v[i], params[i], params[i - 1], m->n_params);
            else
                pack_view(req, v[i], params[i], m->n_params);
        }
        if (req->n - sizeof size <= MAX_MSG || *k == 1)
            break;
        *k /= 2; /* (the first *k ratings of the area are still these views') */
    }
    uint32_t size = (uint32_t)(req->n - sizeof size);
    memcpy(req->p, &size, sizeof size);
}

/* How one request went: results r[0, got) came; when got < k, rc and err
 * say why the rest did not. */
typedef struct iso_call {
    size_t got;
    io_rc rc;
    int malformed; /* a reply did not parse: the child is not to be trusted further */
    char err[300];
} iso_call;

/* Answers a[0, count) as they came in a FRAME_ANSWERS frame: each plain
 * one stays; any other is taken into its result as unpack_plain would,
 * and marked so (imv_isolated_proc_answers).  0 when a count is beyond
 * what a record may say (malformed). */
static int take_answers(const imv_model *m, imv_draw_answer *a, imv_result *const *r, uint32_t count)
{
    const imv_host *h = imv_host_table();
    for (uint32_t i = 0; i < count; i++) {
        if (a[i].n_unmet > IMV_MAX_ITEMS + 1)
            return 0;
        if (imv_draw_answer_plain(&a[i]))
            continue;
        if (a[i].declined == IMV_ANSWER_IN_RESULT) /* a worker's own value means declined */
            a[i].declined = 1;
        imv_result_reset(r[i], m, 1);
        take_plain(&a[i], r[i], h);
        a[i].declined = IMV_ANSWER_IN_RESULT;
    }
    return 1;
}

/* Parse one frame of results into r[0, room): count, then the results;
 * with a (answers for draws: imv_isolated_proc_answers), into a[0, room)
 * and, for what is not a plain answer, r.  reply: the worker's reply
 * area, or NULL. */
static void unpack_frame(const unsigned char *msg, uint32_t len, const unsigned char *reply,
                         const imv_model *m, imv_result *const *r, imv_draw_answer *a, size_t room,
                         iso_call *c)
{
    rbuf rb = {msg, len, 0, 0};
    uint32_t count = r_u32(&rb);
    int answers = (count & FRAME_ANSWERS) != 0;
    int in_reply = answers && (count & FRAME_IN_REPLY);
    count &= answers ? ~(FRAME_ANSWERS | FRAME_IN_REPLY) : ~0u;
    size_t bytes = (size_t)count * sizeof(plain_wire);
    if (rb.bad || count == 0 || count > room || (in_reply && (!reply || count > MAX_BATCH)) ||
        (answers && len - rb.at != (in_reply ? 0 : bytes))) {
        c->rc = IO_ERROR;
        c->malformed = 1;
        snprintf(c->err, sizeof c->err, "isolation: the plugin process sent a malformed reply");
        return;
    }
    imv_draw_answer *own = NULL;
    if (answers) {
        /* Answers in the reply area are copied out before anything reads
         * them; answers for a are copied there. */
        const unsigned char *recs = msg + rb.at;
        if (in_reply || a) {
            imv_draw_answer *to = a ? a : (own = imv_xmalloc(bytes));
            memcpy(to, in_reply ? reply : recs, bytes);
            recs = (const unsigned char *)to;
        }
        rb = (rbuf){recs, bytes, 0, 0};
        if (a) {
            rb.at = rb.n;
            rb.bad = !take_answers(m, a, r, count);
        }
    }
    for (uint32_t i = 0; !(a && answers) && i < count; i++) {
        if (a) {
            imv_result_reset(r[i], m, 1);
            a[i].declined = IMV_ANSWER_IN_RESULT;
        }
        unpack_result(&rb, r[i], answers);
    }
    free(own);
    c->got += count;
    c->malformed |= rb.bad || rb.at != rb.n;
}

/* Send views [0, *k) (fewer when they do not fit one message) and read
 * their results into r.  The first frame must come within `first`
 * seconds, each later one within `timeout` of the one before.  shared:
 * the offset of the views' ratings in I's draws area, or -1. */
static void exchange(wbuf *req, const imv_model *m, iso_inst *I, const imv_profile_view *const *v,
                     const double *const *params, size_t *k, unsigned long key, uint32_t flags,
                     long shared, double first, double timeout, imv_result *const *r,
                     imv_draw_answer *a, iso_call *c)
{
    memset(c, 0, sizeof *c);
    /* req may still be a reaped worker's area, unmapped since, when this
     * one has none: then it starts again on the heap. */
    if (I->area || req->borrowed) {
        wbuf_free(req);
        if (I->area)
            *req = (wbuf){.p = I->area, .cap = AREA_SIZE, .borrowed = 1};
    }
    pack_request(req, m, v, params, k, key, flags, shared);
    double wait = first, deadline = now_s() + wait;
    size_t printed = 0;
    if (req->borrowed) {
        uint32_t len = (uint32_t)(req->n - sizeof len) | AREA_FRAME;
        c->rc = transfer(I, 1, &len, sizeof len, deadline, &printed);
    } else {
        c->rc = transfer(I, 1, req->p, req->n, deadline, &printed);
    }
    if (c->rc != IO_OK)
        transfer_error(I, c->rc, wait, deadline, c->err, sizeof c->err);
    while (c->rc == IO_OK && c->got < *k) {
        uint32_t len = 0;
        unsigned char *msg = receive(I, wait, deadline, &len, &c->rc, c->err, sizeof c->err);
        if (!msg)
            break;
        unpack_frame(msg, len, I->reply, m, r + c->got, a ? a + c->got : NULL, *k - c->got, c);
        free(msg);
        wait = timeout;
        deadline = now_s() + wait;
    }
}

/* Score n views through the child, a batch per round trip.  Each frame of
 * replies has its own deadline (a model's own batch function gets one per
 * view for the whole batch); a call that fails becomes that view's error,
 * the child and its group are killed, and the rest go to a fresh child. */
static void score_views(const imv_model *m, iso_inst *I, const imv_profile_view *const *v,
                        const double *const *params, size_t n, unsigned long key,
                        imv_result *const *r)
{
    double timeout = m->limits->isolate_timeout > 0 ? m->limits->isolate_timeout : 2.0;
    const iso_cls *cls = m->cls;
    int own_batch = cls && cls->own_batch;
    char err[300];
    size_t done = 0;
    int each = 0; /* the views left are sent for a reply each (below) */
    wbuf req = {0};
    while (done < n) {
        if (I->pid <= 0 && spawn_model(m, I, err, sizeof err) != IMV_OK) {
            reap(I);
            for (; done < n; done++)
                r[done]->error = imv_xstrdup(err);
            break;
        }
        size_t cap = own_batch ? OWN_BATCH : MAX_BATCH;
        size_t k = n - done < cap ? n - done : cap;
        double first = timeout * (own_batch && k > 1 ? (double)k : 1);
        iso_call c;
        exchange(&req, m, I, v + done, params + done, &k, key, each ? REQ_REPLY_EACH : 0, -1, first,
                 timeout, r + done, NULL, &c);
        for (size_t i = 0; i < c.got; i++)
            r[done + i]->declined = 0; /* this is the reference: what it says counts */
        done += c.got;
        if (c.got == k) {
            /* Processes the plugin started do not outlive the call: they
             * go with the child's group; the next call starts afresh. */
            if (c.malformed || lingering_children(I))
                reap(I);
            each = 0;
            continue;
        }
        reap(I);
        /* A child that died may have scored views after the last frame it
         * sent: the views left go to a fresh child for a reply each, so
         * that the view blamed is the one whose call failed.  A call that
         * hangs needs no second run: what was scored before it is sent
         * within FLUSH_MS, long before the deadline. */
        if (!each && !own_batch && !c.malformed && c.rc != IO_TIMEOUT && k - c.got > 1) {
            each = 1;
            continue;
        }
        free(r[done]->error);
        r[done]->error = imv_xstrdup(c.err);
        done++;
        each = 0;
    }
    wbuf_free(&req);
}

static void iso_score(const imv_model *m, void *inst, const imv_profile_view *v, unsigned long key,
                      const double *params, imv_result *r)
{
    score_views(m, inst, &v, &params, 1, key, &r);
}

static void iso_score_batch(const imv_model *m, void *inst, const imv_profile_view *const *v,
                            const double *const *params, size_t n, imv_result *const *r)
{
    score_views(m, inst, v, params, n, 0, r);
}

static void iso_score_batch_keyed(const imv_model *m, void *inst, const imv_profile_view *const *v,
                                  unsigned long key, const double *const *params, size_t n,
                                  imv_result *const *r)
{
    score_views(m, inst, v, params, n, key, r);
}

static void iso_unload(imv_model *m)
{
    free(m->cls);
    m->cls = NULL;
}

/* ---- loading ---------------------------------------------------------------- */

/* Build m from a load reply: the same checks as an in-process load
 * (imv_model_init), so a child that lies gets nothing past them. */
static int unpack_model(rbuf *rb, imv_model *m, const char *path, char *err, size_t errlen)
{
    char *str[5] = {0};
    signed char dir[IMV_R_COUNT];
    int has_dirs = 0, has_batch = 0;
    imv_param_def *params = NULL;
    uint32_t np = 0;
    int rc = IMV_EPLUGIN;
    for (int i = 0; i < 5; i++)
        str[i] = r_str(rb);
    np = r_u32(rb);
    if (!rb->bad && np <= 1000) {
        params = imv_xcalloc(np ? np : 1, sizeof *params);
        for (uint32_t i = 0; i < np && !rb->bad; i++) {
            imv_param_def *q = &params[i];
            q->name = r_str(rb);
            q->def = r_f64(rb);
            q->min = r_f64(rb);
            q->max = r_f64(rb);
            q->description = r_str(rb);
            q->plausible_low = r_f64(rb);
            q->plausible_high = r_f64(rb);
            q->flags = r_u32(rb);
        }
        has_dirs = (int)r_u32(rb);
        for (int i = 0; i < IMV_R_COUNT; i++) {
            uint32_t d = r_u32(rb);
            /* checked before the conversion (a huge d overflowed it:
             * found by tests/fuzz/fuzz_model_def.c) */
            if (d > IMV_DIR_UNDECLARED + 1)
                rb->bad = 1;
            dir[i] = rb->bad ? IMV_DIR_UNDECLARED : (signed char)((int)d - 1);
        }
        has_batch = (int)r_u32(rb);
    }
    if (rb->bad || np > 1000)
        snprintf(err, errlen, "isolation: the plugin's process sent a malformed definition");
    else
        rc = imv_model_init(m, path, str[0], str[1], str[2], str[3], str[4], params, np, err, errlen);
    if (rc == IMV_OK) {
        memcpy(m->dir, dir, sizeof m->dir);
        m->has_directions = has_dirs != 0;
        m->has_batch = has_batch != 0;
    }
    for (uint32_t i = 0; params && i < np; i++) {
        free((char *)params[i].name);
        free((char *)params[i].description);
    }
    free(params);
    for (int i = 0; i < 5; i++)
        free(str[i]);
    return rc;
}

static const imv_backend iso_lua_backend;

int imv_isolated_unpack(const unsigned char *msg, size_t n, imv_model *m, const char *path,
                        char *err, size_t errlen)
{
    rbuf rb = {msg, n, 0, 0};
    if (r_u32(&rb) == 1)
        return unpack_model(&rb, m, path, err, errlen);
    /* The reason for a refusal comes from the plugin's process too. */
    char *e = r_str(&rb);
    /* An escape takes up to four bytes a byte: so much of e that all of
     * it fits err (cut by snprintf, it had ended in half a character:
     * found by tests/fuzz/fuzz_model_def.c). */
    size_t most = errlen > 4 ? (errlen - 1) / 4 : 0;
    char *shown = e ? imv_text_oneline(e, strlen(e), most) : NULL;
    snprintf(err, errlen, "%s",
             shown && *shown ? shown : "isolation: the plugin's process sent a malformed reply");
    free(shown);
    free(e);
    return IMV_EPLUGIN;
}

int imv_isolated_load(imv_model *m, const char *path, const imv_limits *limits, char *err,
                      size_t errlen)
{
    /* Loading may do more than one call: at least 5 s, --timeout if longer. */
    double timeout = limits && limits->isolate_timeout > 5 ? limits->isolate_timeout : 5;
    iso_inst I = {.sock = -1, .out = -1, .children = -1};
    char why[300];
    wbuf start = {0};
    pack_spec(&start, SPEC_LOAD, path, NULL, 0, limits);
    int rc = spawn(&start, &I, err, errlen);
    free(start.p);
    if (rc) {
        reap(&I);
        return rc;
    }
    double deadline = now_s() + timeout;
    size_t printed = 0;
    uint32_t n = 0;
    unsigned char *msg = NULL;
    io_rc io = transfer(&I, 0, &n, sizeof n, deadline, &printed);
    if (io == IO_OK && n > MAX_MSG)
        io = IO_ERROR;
    if (io == IO_OK) {
        msg = imv_xmalloc(n ? n : 1);
        io = transfer(&I, 0, msg, n, deadline, &printed);
    }
    /* What it printed before replying is in the pipe by now. */
    if (io == IO_OK && drain_output(&I, &printed) == IO_FLOOD)
        io = IO_FLOOD;
    rc = IMV_EPLUGIN;
    if (io == IO_OK && printed > 0) {
        snprintf(err, errlen,
                 "refused: it printed %zu bytes while loading (constructor or %s()); in-process "
                 "that would corrupt imeval's output: a plugin must not print",
                 printed, IMV_ENTRY_SYMBOL);
    } else if (io == IO_OK) {
        rc = imv_isolated_unpack(msg, n, m, path, err, errlen);
    } else if (io == IO_TIMEOUT) {
        snprintf(err, errlen,
                 "refused: loading it did not finish within %g s (a constructor or %s() "
                 "that does not return?)",
                 timeout, IMV_ENTRY_SYMBOL);
    } else if (io == IO_FLOOD) {
        snprintf(err, errlen,
                 "refused: it printed more than %u KiB while loading: a plugin must not print",
                 OUTPUT_CAP >> 10);
    } else if (io == IO_EOF) {
        closed_by_child(&I, deadline, why, sizeof why);
        snprintf(err, errlen, "refused: loading it failed in its own process (%s)", why);
    } else {
        snprintf(err, errlen, "isolation: loading the plugin: %s", strerror(errno));
    }
    free(msg);
    reap(&I);
    if (rc == IMV_OK) {
        /* Every isolated model takes batches (one round trip for many
         * draws: the worker sends them whatever has_batch says, which
         * stays the model's own, as check-model reports it); whether the
         * model has a batch function only sets the deadline of a batch's
         * first reply. */
        iso_cls *c = imv_xcalloc(1, sizeof *c);
        c->own_batch = m->has_batch;
        m->cls = c;
        const imv_loader *ld = imv_loader_for(path);
        m->be = ld && !ld->native ? &iso_lua_backend : &imv_isolated_backend;
    }
    return rc;
}

const imv_backend imv_isolated_backend = {
    .language = "c",
    .instance_new = iso_instance_new,
    .instance_free = iso_instance_free,
    .score = iso_score,
    .score_batch = iso_score_batch,
    .score_batch_keyed = iso_score_batch_keyed,
    .unload = iso_unload,
};

/* The same for a Lua model: only the language it reports differs. */
static const imv_backend iso_lua_backend = {
    .language = "lua",
    .instance_new = iso_instance_new,
    .instance_free = iso_instance_free,
    .score = iso_score,
    .score_batch = iso_score_batch,
    .score_batch_keyed = iso_score_batch_keyed,
    .unload = iso_unload,
};

/* ---- worker processes of another executable (plugins/jit.c) ----------------- */

struct imv_isolated_proc {
    iso_inst I;
    const imv_draws_area *draws; /* the caller's, handed to each worker started; or NULL */
    char exe[4096];
};

void imv_isolated_proc_free(imv_isolated_proc *p)
{
    if (!p)
        return;
    reap(&p->I);
    free(p);
}

static int proc_spawn(imv_isolated_proc *p, const imv_model *m, char *err, size_t errlen)
{
    wbuf start = {0};
    pack_spec(&start, SPEC_SERVE, m->path, m->id, m->n_params, m->limits);
    int rc = spawn_exe(p->exe, &start, p->draws, &p->I, err, errlen);
    free(start.p);
    if (rc)
        reap(&p->I);
    return rc;
}

imv_isolated_proc *imv_isolated_proc_start(const char *exe, const imv_model *m,
                                           const imv_draws_area *draws, char *err, size_t errlen)
{
    imv_isolated_proc *p = imv_xcalloc(1, sizeof *p);
    p->I.sock = p->I.out = p->I.children = -1;
    p->draws = draws;
    snprintf(p->exe, sizeof p->exe, "%s", exe ? exe : "");
    if (!exe || proc_spawn(p, m, err, errlen)) {
        if (!exe)
            snprintf(err, errlen, "isolation: no worker executable");
        imv_isolated_proc_free(p);
        return NULL;
    }
    return p;
}

/* A batch through p's worker into r, or (draws only) into answers a;
 * ratings: the views', one after the other, or NULL. */
static int proc_run(imv_isolated_proc *p, const imv_model *m, const imv_profile_view *const *v,
                    unsigned long key, const double *const *params, size_t n, int draws,
                    const double *ratings, double first, imv_result *const *r, imv_draw_answer *a,
                    char *why, size_t whylen)
{
    double timeout = m->limits->isolate_timeout > 0 ? m->limits->isolate_timeout : 2.0;
    wbuf req = {0};
    size_t done = 0;
    int rc = 0;
    while (done < n && rc == 0) {
        if (p->I.pid <= 0 && proc_spawn(p, m, why, whylen)) {
            rc = -1;
            break;
        }
        size_t k = n - done < MAX_BATCH ? n - done : MAX_BATCH;
        iso_call c;
        size_t most = n - done; /* a request may take fewer: the first k of these */
        long shared = draws ? draws_offset(p->draws, ratings ? ratings + done * IMV_R_COUNT : NULL,
                                           most)
                            : -1;
        exchange(&req, m, &p->I, v + done, params + done, &k, key, draws ? REQ_KNOWN_DRAWS : 0,
                 shared, first, timeout, r + done, a ? a + done : NULL, &c);
        if (c.got < k || c.malformed) {
            snprintf(why, whylen, "%s", c.got < k ? c.err : "a malformed reply");
            reap(&p->I);
            rc = -1;
        } else if (lingering_children(&p->I)) {
            reap(&p->I);
        }
        done += k;
    }
    wbuf_free(&req);
    return rc;
}

int imv_isolated_proc_batch(imv_isolated_proc *p, const imv_model *m,
                            const imv_profile_view *const *v, unsigned long key,
                            const double *const *params, size_t n, int draws, double first,
                            imv_result *const *r, char *why, size_t whylen)
{
    return proc_run(p, m, v, key, params, n, draws, NULL, first, r, NULL, why, whylen);
}

int imv_isolated_proc_answers(imv_isolated_proc *p, const imv_model *m,
                              const imv_profile_view *const *v, unsigned long key,
                              const double *const *params, size_t n, const double *ratings,
                              double first, imv_draw_answer *a, imv_result *const *r, char *why,
                              size_t whylen)
{
    return proc_run(p, m, v, key, params, n, 1, ratings, first, r, a, why, whylen);
}
