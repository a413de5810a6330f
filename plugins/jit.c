/*
 * jit.c - score-only batches of Lua models on LuaJIT, with the reference
 * engine's (Lua 5.4's) answer the one that counts.
 *
 * LuaJIT runs the Lua models many times faster, with the same scores to
 * the last bit for the bundled ones, but its count hook does not stop a
 * compiled loop: so it runs only in worker processes (imeval-luajit) that
 * end themselves when a batch passes its CPU allowance and that are killed
 * at the deadline like any isolated model's.  Only score-only batches of
 * more than one view go there (draws, sensitivity's grids); everything
 * else stays on the reference as it was.
 *
 * What keeps results the same whatever the engine, --jobs or the timing:
 *   - every view the worker declines (an error, an unusual result, a call
 *     that ran long), every view of a batch whose worker failed (died,
 *     overran, timed out, sent something malformed), and every view when
 *     it cannot start or cannot load the script (5.4-only syntax) is scored
 *     on the reference: in-process Lua 5.4 for the bundled models, the
 *     isolated Lua 5.4 worker for the others;
 *   - in every batch the first and the last view of every 256 are scored
 *     on the reference too and compared bit for bit (score, viable, error or not);
 *     on any difference the whole batch is scored on the reference, and
 *     the model gets a note (imv_jit_note) that cli/ prints once; so does
 *     a model none of whose batches LuaJIT served (it ran slower, no more).
 * Only two views of every 256 are compared: a model whose arithmetic
 * differs between the engines in some draws, none of them one of those,
 * keeps LuaJIT's figures for those (docs/robustness.md says so).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/internal.h"

/* The views cross-checked: the first and the last of every CHECK_SPAN of
 * a batch, so that a batch of any size is checked as densely as one of
 * uncertainty's chunks of 256 draws. */
#define CHECK_SPAN 256

struct imv_jit {
    imv_isolated_proc *proc; /* this thread's LuaJIT worker for the model */
    int off;                 /* it cannot start or load the script: the reference only */
};

/* The engines' disagreements, per model: the lowest profile key (the
 * first profile read) whose batch disagreed, so that the note names the
 * same profile at any --jobs. */
static pthread_mutex_t note_mu = PTHREAD_MUTEX_INITIALIZER;

static void note_disagreement(imv_model *m, const imv_profile_view *v, unsigned long key)
{
    pthread_mutex_lock(&note_mu);
    if (!m->jit_disagreed || key < m->jit_note_key) {
        m->jit_disagreed = 1;
        m->jit_note_key = key;
        snprintf(m->jit_note_id, sizeof m->jit_note_id, "%s", v->id ? v->id : "?");
    }
    pthread_mutex_unlock(&note_mu);
}

/* One batch offered to LuaJIT, served or not; load_error (or NULL) why it
 * could not load the script, the first kept (every worker says the same). */
static void note_offered(imv_model *m, int served, const char *load_error)
{
    pthread_mutex_lock(&note_mu);
    m->jit_offered++;
    m->jit_served += served != 0;
    /* A longer error is cut at the field's size: its start says it. */
    if (load_error && !m->jit_load_error[0])
        snprintf(m->jit_load_error, sizeof m->jit_load_error, "%.*s",
                 (int)sizeof m->jit_load_error - 1, load_error[0] ? load_error : "no reason given");
    pthread_mutex_unlock(&note_mu);
}

const char *imv_jit_note(const imv_model *m, char *buf, size_t n)
{
    pthread_mutex_lock(&note_mu);
    const char *said = buf;
    if (m->jit_disagreed)
        snprintf(buf, n,
                 "its scores under LuaJIT and Lua 5.4 differ (first in the draws of %s): every "
                 "batch of draws in which they did was scored on Lua 5.4, the reference, so the "
                 "results are those of --lua-engine lua5.4 (a model's arithmetic can differ "
                 "between the two: integers past 2^53, the order of pairs)",
                 m->jit_note_id);
    else if (m->jit_offered && !m->jit_served) {
        /* The figures are right (Lua 5.4 is the reference), only slower:
         * a model written for 5.4 alone, or a worker that will not run,
         * should not pass unnoticed.  Which of a dead worker's failures
         * came first depends on timing, so only the load error, the same
         * in every run, is quoted. */
        if (m->jit_load_error[0])
            snprintf(buf, n,
                     "its draws ran on Lua 5.4, not LuaJIT, so more slowly (the figures are the "
                     "same): LuaJIT could not load the script (%s); --lua-engine lua5.4 does not "
                     "try it",
                     m->jit_load_error);
        else
            snprintf(buf, n,
                     "its draws ran on Lua 5.4, not LuaJIT, so more slowly (the figures are the "
                     "same): the LuaJIT worker %s did not start or failed in every batch; "
                     "--lua-engine lua5.4 does not try it",
                     imv_isolated_jit_exe());
    } else
        said = NULL;
    pthread_mutex_unlock(&note_mu);
    return said;
}

int imv_jit_may_take(const imv_model *m, const imv_jit *j)
{
    int engine = m->limits ? m->limits->lua_engine : IMV_LUA_ENGINE_AUTO;
    /* A model with its own batch function is declined whole by the
     * worker: not worth the trip. */
    return engine != IMV_LUA_ENGINE_LUA54 && !m->has_batch && !(j && j->off) &&
           strcmp(m->be->language, "lua") == 0 && imv_jit_worker_path();
}

int imv_jit_takes(const imv_model *m, const imv_jit *j, const imv_profile_view *const *v, size_t n,
                  int draws)
{
    if (n < 2 || !imv_jit_may_take(m, j))
        return 0;
    for (size_t i = 0; i < (draws ? 1 : n); i++)
        if (!(v[i]->flags & IMV_VIEW_SCORE_ONLY))
            return 0;
    return 1;
}

const char *imv_jit_worker_path(void)
{
    return imv_isolated_jit_exe();
}

void imv_jit_free(imv_jit *j)
{
    if (!j)
        return;
    imv_isolated_proc_free(j->proc);
    free(j);
}

/* Score views idx[0, k) of the batch on the reference, afresh. */
static void reference(const imv_jit_ref *ref, const imv_model *m, const imv_profile_view *const *v,
                      const double *const *params, imv_result *const *r, const size_t *idx, size_t k)
{
    const imv_profile_view **sv = imv_xcalloc(k ? k : 1, sizeof *sv);
    const double **sp = imv_xcalloc(k ? k : 1, sizeof *sp);
    imv_result **sr = imv_xcalloc(k ? k : 1, sizeof *sr);
    for (size_t i = 0; i < k; i++) {
        sv[i] = v[idx[i]];
        sp[i] = params[idx[i]];
        sr[i] = r[idx[i]];
        imv_result_reset(sr[i], m, 1);
    }
    if (k)
        ref->score(ref->ctx, sv, sp, k, sr);
    free(sv);
    free(sp);
    free(sr);
}

static void reference_all(const imv_jit_ref *ref, const imv_model *m,
                          const imv_profile_view *const *v, const double *const *params, size_t n,
                          imv_result *const *r)
{
    size_t *idx = imv_xcalloc(n, sizeof *idx);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    reference(ref, m, v, params, r, idx, n);
    free(idx);
}

/* The batch through this thread's LuaJIT worker: 1 when every result came
 * (each still may be declined), 0 when none counts.  With a (draws), as
 * answers: r[i] holds view i's result only where a[i] says so. */
static int jit_scored(imv_jit *j, imv_model *m, const imv_draws_area *area, const double *ratings,
                      const imv_profile_view *const *v, unsigned long key,
                      const double *const *params, size_t n, imv_result *const *r, int draws,
                      imv_draw_answer *a)
{
    char why[300];
    if (!j->proc)
        j->proc = imv_isolated_proc_start(imv_isolated_jit_exe(), m, area, why, sizeof why);
    if (!j->proc) {
        j->off = 1; /* it will not start now: nor later in this run */
        note_offered(m, 0, NULL);
        return 0;
    }
    /* The worker's own CPU allowance stops a runaway batch long before
     * this: the deadline is the last resort, as for a model's own batch
     * function (a deadline per view for the whole batch, up to 256). */
    double timeout = m->limits && m->limits->isolate_timeout > 0 ? m->limits->isolate_timeout : 2.0;
    double views = n < CHECK_SPAN ? (double)n : CHECK_SPAN;
    int rc = a ? imv_isolated_proc_answers(j->proc, m, v, key, params, n, ratings, timeout * views,
                                           a, r, why, sizeof why)
               : imv_isolated_proc_batch(j->proc, m, v, key, params, n, draws, timeout * views, r,
                                         why, sizeof why);
    if (rc) {
        note_offered(m, 0, NULL);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if ((!a || a[i].declined == IMV_ANSWER_IN_RESULT) && r[i]->declined == IMV_DECLINED_MODEL) {
            j->off = 1; /* LuaJIT cannot load the script: Lua 5.4 only */
            note_offered(m, 0, r[i]->error ? r[i]->error : "");
            return 0;
        }
    note_offered(m, 1, NULL);
    return 1;
}

/* The views marked in on_ref (those the worker did not vouch for) go to
 * the reference, in one call. */
static void reference_marked(const imv_jit_ref *ref, const imv_model *m,
                             const imv_profile_view *const *v, const double *const *params,
                             size_t n, imv_result *const *r, const unsigned char *on_ref)
{
    size_t *idx = imv_xcalloc(n, sizeof *idx), k = 0;
    for (size_t i = 0; i < n; i++)
        if (on_ref[i])
            idx[k++] = i;
    reference(ref, m, v, params, r, idx, k);
    free(idx);
}

static int same_answer(const imv_result *a, const imv_result *b)
{
    if (a->has_score != b->has_score || a->viable != b->viable || !a->error != !b->error)
        return 0;
    return !a->has_score || memcmp(&a->score, &b->score, sizeof a->score) == 0;
}

/* same_answer between an outcome and the reference's finished result: a
 * failure (which has no score once finished) on both sides, or the same
 * viability and the same score to the bit. */
static int same_outcome(const imv_draw_outcome *o, const imv_result *b)
{
    if (b->error || o->cls == 2)
        return b->error && o->cls == 2;
    return b->viable == (o->cls == 0) && memcmp(&o->score, &b->score, sizeof o->score) == 0;
}

/* Those views scored on the reference too: 1 when both engines give the
 * same (a view the reference scored already counts as the same).  What
 * LuaJIT gave is r[i] (finished here), or out[i] when out is given. */
static int ends_agree(const imv_jit_ref *ref, const imv_model *m, const imv_profile_view *const *v,
                      const double *const *params, size_t n, imv_result *const *r,
                      const imv_draw_outcome *out, const unsigned char *on_ref)
{
    size_t most = 2 * ((n + CHECK_SPAN - 1) / CHECK_SPAN), k = 0;
    size_t *idx = imv_xcalloc(most, sizeof *idx);
    imv_result *check = imv_xcalloc(most, sizeof *check);
    imv_result **cp = imv_xcalloc(most, sizeof *cp);
    const imv_profile_view **cv = imv_xcalloc(most, sizeof *cv);
    const double **cpar = imv_xcalloc(most, sizeof *cpar);
    for (size_t at = 0; at < n; at += CHECK_SPAN) {
        size_t last = at + CHECK_SPAN < n ? at + CHECK_SPAN - 1 : n - 1;
        if (!on_ref[at])
            idx[k++] = at;
        if (last != at && !on_ref[last])
            idx[k++] = last;
    }
    for (size_t i = 0; i < k; i++) {
        cp[i] = &check[i];
        cv[i] = v[idx[i]];
        cpar[i] = params[idx[i]];
        imv_result_reset(cp[i], m, 1);
    }
    if (k)
        ref->score(ref->ctx, cv, cpar, k, cp);
    int same = 1;
    for (size_t i = 0; i < k; i++) {
        imv_result_finish(cp[i]);
        if (out) {
            same &= same_outcome(&out[idx[i]], cp[i]);
        } else {
            imv_result_finish(r[idx[i]]);
            same &= same_answer(cp[i], r[idx[i]]);
        }
        imv_result_clear(cp[i]);
    }
    free(idx);
    free(check);
    free(cp);
    free(cv);
    free(cpar);
    return same;
}

static imv_jit *jit_of(imv_jit **jp)
{
    if (!*jp)
        *jp = imv_xcalloc(1, sizeof **jp);
    return *jp;
}

void imv_jit_score_batch(imv_jit **jp, imv_model *m, const imv_jit_ref *ref,
                         const imv_draws_area *area, const imv_profile_view *const *v,
                         unsigned long key, const double *const *params, size_t n,
                         imv_result *const *r, int draws)
{
    imv_jit *j = jit_of(jp);
    if (!jit_scored(j, m, area, NULL, v, key, params, n, r, draws, NULL)) {
        reference_all(ref, m, v, params, n, r);
        return;
    }
    unsigned char *on_ref = imv_xcalloc(n, 1);
    for (size_t i = 0; i < n; i++)
        on_ref[i] = r[i]->declined || r[i]->error;
    reference_marked(ref, m, v, params, n, r, on_ref);
    if (!ends_agree(ref, m, v, params, n, r, NULL, on_ref)) {
        note_disagreement(m, v[0], key);
        reference_all(ref, m, v, params, n, r);
    }
    free(on_ref);
}

/* Every view of the batch on the reference, as outcomes. */
static void reference_outcomes(const imv_jit_ref *ref, const imv_model *m,
                               const imv_profile_view *const *v, const double *const *params,
                               size_t n, imv_result *const *r, imv_draw_outcome *out)
{
    reference_all(ref, m, v, params, n, r);
    for (size_t i = 0; i < n; i++) {
        imv_result_finish(r[i]);
        imv_draw_outcome_of(r[i], &out[i]);
    }
}

/* The outcomes of a batch LuaJIT answered: a plain answer as it is (no
 * result is made for it: most of what a draw cost here was making and
 * checking one); the rest from r[i], on the reference where the worker
 * did not vouch (on_ref). */
static void answered_outcomes(const imv_draw_answer *a, size_t n, imv_result *const *r,
                              imv_draw_outcome *out)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i].declined == IMV_ANSWER_IN_RESULT) {
            imv_result_finish(r[i]);
            imv_draw_outcome_of(r[i], &out[i]);
        } else {
            out[i] = (imv_draw_outcome){.score = a[i].score, .cls = a[i].n_unmet != 0};
        }
    }
}

void imv_jit_score_outcomes(imv_jit **jp, imv_model *m, const imv_jit_ref *ref,
                            const imv_draws_area *draws, const double *ratings,
                            const imv_profile_view *const *v, unsigned long key,
                            const double *const *params, size_t n, imv_result *const *r,
                            imv_draw_outcome *out)
{
    imv_jit *j = jit_of(jp);
    imv_draw_answer *a = imv_xmalloc((n ? n : 1) * sizeof *a);
    unsigned char *on_ref = NULL;
    if (!jit_scored(j, m, draws, ratings, v, key, params, n, r, 1, a)) {
        reference_outcomes(ref, m, v, params, n, r, out);
        goto done;
    }
    on_ref = imv_xcalloc(n ? n : 1, 1);
    for (size_t i = 0; i < n; i++)
        on_ref[i] = a[i].declined == IMV_ANSWER_IN_RESULT && (r[i]->declined || r[i]->error);
    reference_marked(ref, m, v, params, n, r, on_ref);
    answered_outcomes(a, n, r, out);
    if (!ends_agree(ref, m, v, params, n, r, out, on_ref)) {
        note_disagreement(m, v[0], key);
        reference_outcomes(ref, m, v, params, n, r, out);
    }
done:
    free(on_ref);
    free(a);
}
