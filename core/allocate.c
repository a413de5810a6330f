/*
 * allocate.c - assign partner councils to councils that need one, exactly.
 *
 * The DfE's question (issue 15): given councils that would gain from a
 * partner and the partner councils available, which pairing gives the
 * most total benefit without stretching any partner?  A partner's fit
 * falls as its commitments grow, and the commitments that count include
 * the ones this allocation adds, so the benefit of a pairing depends on
 * how many councils the partner ends up supporting.  That coupling is
 * what rules out a plain assignment or min-cost-flow model: the benefit
 * is not a fixed cost per edge.  It is an integer programme, solved with
 * GLPK (libglpk), a well-kept solver, rather than a heuristic:
 *
 *   y[p][m] = 1   when partner p supports exactly m councils (m = 1..cap)
 *   x[c][p][m] = 1 when council c is one of them
 *
 *   max  sum (benefit[c][p][m] + eps * neighbouring[c][p]) * x[c][p][m]
 *   s.t. sum_{p,m} x[c][p][m] <= 1           each council at most one partner
 *        sum_m y[p][m] <= 1                  each partner one load level
 *        sum_c x[c][p][m] = m * y[p][m]      that level is what it carries
 *
 * eps is far below the benefits' resolution (0.1 points), so neighbours
 * only break ties.  Pairs whose benefit is not positive or not known
 * (NAN: not viable at that load) get no variable at all.
 */
#include <glpk.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imeval.h"
#include "internal.h"

/* Neighbours break ties only: 150 assignments of this are 0.015 points,
 * well below the 0.1 at which benefits are reported. */
#define NEIGHBOUR_EPS 1e-4

double imv_alloc_benefit(const imv_alloc_problem *pb, size_t c, size_t p, int m)
{
    if (m < 1 || m > pb->capacity[p])
        return NAN;
    return pb->benefit[(c * pb->n_partners + p) * (size_t)pb->max_capacity + (size_t)(m - 1)];
}

static int neighbouring(const imv_alloc_problem *pb, size_t c, size_t p)
{
    return pb->neighbouring && pb->neighbouring[c * pb->n_partners + p];
}

static int usable(double b)
{
    return isfinite(b) && b > 0;
}

int imv_alloc_check(const imv_alloc_problem *pb, char *err, size_t errlen)
{
    if (pb->n_councils > IMV_ALLOC_MAX_COUNCILS || pb->n_partners > IMV_ALLOC_MAX_PARTNERS) {
        snprintf(err, errlen, "%zu councils and %zu partners: at most %d and %d", pb->n_councils,
                 pb->n_partners, IMV_ALLOC_MAX_COUNCILS, IMV_ALLOC_MAX_PARTNERS);
        return IMV_EINVAL;
    }
    if (pb->max_capacity < 0 || pb->max_capacity > IMV_ALLOC_MAX_CAPACITY) {
        snprintf(err, errlen, "capacity %d: expected 0..%d", pb->max_capacity,
                 IMV_ALLOC_MAX_CAPACITY);
        return IMV_EINVAL;
    }
    for (size_t p = 0; p < pb->n_partners; p++)
        if (pb->capacity[p] < 0 || pb->capacity[p] > pb->max_capacity) {
            snprintf(err, errlen, "partner %zu: capacity %d is outside 0..%d", p, pb->capacity[p],
                     pb->max_capacity);
            return IMV_EINVAL;
        }
    return IMV_OK;
}

/* Column bookkeeping: what each GLPK column stands for. */
typedef struct col {
    size_t c, p; /* c == SIZE_MAX for a y column */
    int m;
} col;

typedef struct lp {
    glp_prob *P;
    col *cols; /* 1-based, as GLPK counts */
    int n_cols;
    int *ia, *ja; /* the constraint matrix, 1-based triplets */
    double *ar;
    int n_nz, cap_nz;
} lp;

static void nz(lp *L, int row, int column, double v)
{
    if (L->n_nz + 1 >= L->cap_nz) {
        L->cap_nz = L->cap_nz ? 2 * L->cap_nz : 1024;
        L->ia = imv_xrealloc(L->ia, (size_t)L->cap_nz * sizeof *L->ia);
        L->ja = imv_xrealloc(L->ja, (size_t)L->cap_nz * sizeof *L->ja);
        L->ar = imv_xrealloc(L->ar, (size_t)L->cap_nz * sizeof *L->ar);
    }
    L->n_nz++;
    L->ia[L->n_nz] = row;
    L->ja[L->n_nz] = column;
    L->ar[L->n_nz] = v;
}

static int add_col(lp *L, size_t c, size_t p, int m, double obj)
{
    int j = glp_add_cols(L->P, 1);
    glp_set_col_kind(L->P, j, GLP_BV);
    glp_set_obj_coef(L->P, j, obj);
    L->cols = imv_xrealloc(L->cols, (size_t)(j + 1) * sizeof *L->cols);
    L->cols[j] = (col){c, p, m};
    L->n_cols = j;
    return j;
}

/* Rows: councils first (1..C), then one per partner (C+1..C+P), then one
 * per (partner, level). */
static void build(lp *L, const imv_alloc_problem *pb)
{
    size_t C = pb->n_councils, Pn = pb->n_partners;
    glp_set_obj_dir(L->P, GLP_MAX);
    if (C)
        glp_add_rows(L->P, (int)C);
    for (size_t c = 0; c < C; c++)
        glp_set_row_bnds(L->P, (int)c + 1, GLP_UP, 0, 1);
    if (Pn)
        glp_add_rows(L->P, (int)Pn);
    for (size_t p = 0; p < Pn; p++)
        glp_set_row_bnds(L->P, (int)(C + p) + 1, GLP_UP, 0, 1);
    for (size_t p = 0; p < Pn; p++) {
        for (int m = 1; m <= pb->capacity[p]; m++) {
            int row = glp_add_rows(L->P, 1);
            glp_set_row_bnds(L->P, row, GLP_FX, 0, 0);
            int y = add_col(L, SIZE_MAX, p, m, 0);
            nz(L, (int)(C + p) + 1, y, 1);
            nz(L, row, y, -(double)m);
            for (size_t c = 0; c < C; c++) {
                double b = imv_alloc_benefit(pb, c, p, m);
                if (!usable(b))
                    continue;
                int x = add_col(L, c, p, m, b + NEIGHBOUR_EPS * neighbouring(pb, c, p));
                nz(L, (int)c + 1, x, 1);
                nz(L, row, x, 1);
            }
        }
    }
    if (L->n_nz)
        glp_load_matrix(L->P, L->n_nz, L->ia, L->ja, L->ar);
}

static void lp_free(lp *L)
{
    if (L->P)
        glp_delete_prob(L->P);
    free(L->cols);
    free(L->ia);
    free(L->ja);
    free(L->ar);
}

/* GLPK prints progress by default; a library must not. */
static int quiet(void *info, const char *s)
{
    (void)info;
    (void)s;
    return 1;
}

static void read_solution(const lp *L, const imv_alloc_problem *pb, imv_alloc_solution *out)
{
    for (size_t c = 0; c < pb->n_councils; c++)
        out->partner_of[c] = SIZE_MAX;
    for (size_t p = 0; p < pb->n_partners; p++)
        out->load[p] = 0;
    out->total = 0;
    for (int j = 1; j <= L->n_cols; j++) {
        if (glp_mip_col_val(L->P, j) < 0.5)
            continue;
        const col *k = &L->cols[j];
        if (k->c == SIZE_MAX) {
            out->load[k->p] = k->m;
            continue;
        }
        out->partner_of[k->c] = k->p;
        out->total += imv_alloc_benefit(pb, k->c, k->p, k->m);
    }
}

int imv_alloc_solve(const imv_alloc_problem *pb, imv_alloc_solution *out, char *err, size_t errlen)
{
    lp L = {0};
    int rc = imv_alloc_check(pb, err, errlen);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof *out);
    out->partner_of = imv_xcalloc(pb->n_councils ? pb->n_councils : 1, sizeof *out->partner_of);
    out->load = imv_xcalloc(pb->n_partners ? pb->n_partners : 1, sizeof *out->load);
    glp_term_hook(quiet, NULL);
    L.P = glp_create_prob();
    build(&L, pb);
    if (L.n_cols == 0) { /* nothing to assign: GLPK wants columns */
        read_solution(&L, pb, out);
        out->optimal = 1;
        goto done;
    }
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.presolve = GLP_ON;
    parm.msg_lev = GLP_MSG_OFF;
    int ret = glp_intopt(L.P, &parm);
    int status = glp_mip_status(L.P);
    if (ret != 0 || status != GLP_OPT) {
        snprintf(err, errlen, "the solver stopped without an optimum (GLPK code %d, status %d)",
                 ret, status);
        rc = IMV_EINVAL;
        goto done;
    }
    read_solution(&L, pb, out);
    out->optimal = 1;
done:
    lp_free(&L);
    glp_term_hook(NULL, NULL);
    if (rc < 0)
        imv_alloc_solution_free(out);
    return rc;
}

void imv_alloc_solution_free(imv_alloc_solution *s)
{
    if (!s)
        return;
    free(s->partner_of);
    free(s->load);
    s->partner_of = NULL;
    s->load = NULL;
}

/* ---- the problem from evaluations ------------------------------------ */

/* Score p as it is but with exactly these candidate partners (n may be
 * 0), then put its own partners back. */
static void evaluate_with(imv_worker *w, imv_profile *p, imv_partner *partners, size_t n,
                          imv_evaluation *ev)
{
    imv_partner *own = p->partners;
    size_t n_own = p->n_partners;
    p->partners = partners;
    p->n_partners = n;
    imv_profile_derive(p);
    imv_evaluate(w, p, ev);
    p->partners = own;
    p->n_partners = n_own;
    imv_profile_derive(p);
}

/* The best viable result of ev, or of the results that name partner_id
 * when it is not NULL. */
static void best_of(const imv_evaluation *ev, const char *partner_id, imv_pairing *out)
{
    memset(out, 0, sizeof *out);
    out->score = NAN;
    out->fit = NAN;
    for (size_t k = 0; k < ev->n; k++) {
        const imv_result *r = &ev->results[ev->order[k]];
        if (!r->viable || !r->has_score || r->error)
            continue;
        if (partner_id && !(r->partner_id && strcmp(r->partner_id, partner_id) == 0))
            continue;
        out->viable = 1;
        out->score = r->score;
        out->model = imv_model_id(r->model);
        out->fit = r->partner_id ? r->partner_fit : NAN;
        return;
    }
}

/* The fit of r's partner, with the model and components behind it. */
static void take_fit(imv_pairing *out, const imv_result *r)
{
    out->fit = r->partner_fit;
    out->fit_model = imv_model_id(r->model);
    out->n_parts = 0;
    for (size_t i = 0; i < r->n_fit_parts && out->n_parts < IMV_PAIRING_MAX_PARTS; i++) {
        snprintf(out->parts[out->n_parts].name, sizeof out->parts[0].name, "%s",
                 r->fit_parts[i].name);
        out->parts[out->n_parts++].points = r->fit_parts[i].points;
    }
}

int imv_pairing_evaluate(imv_worker *w, imv_profile *p, const imv_partner *partner, imv_pairing *out)
{
    imv_evaluation ev;
    imv_partner one;
    if (partner)
        one = *partner;
    evaluate_with(w, p, partner ? &one : NULL, partner ? 1 : 0, &ev);
    best_of(&ev, partner ? partner->id : NULL, out);
    if (partner) {
        /* The partner's fit: the highest any model gives it, viable or not.
         * More than one model reads partners (executive partnership, peer
         * support), and taking the best-ranked one's would let the fit jump
         * when the ranking changes; the highest of fits that each fall with
         * commitments falls with them too. */
        out->fit = NAN;
        for (size_t k = 0; k < ev.n; k++) {
            const imv_result *r = &ev.results[k];
            if (r->partner_id && strcmp(r->partner_id, partner->id) == 0 && !r->error) {
                if (!isfinite(out->fit) || r->partner_fit > out->fit)
                    take_fit(out, r);
                if (!out->model)
                    out->model = imv_model_id(r->model);
            }
        }
    }
    imv_evaluation_clear(&ev);
    return IMV_OK;
}

void imv_allocation_free(imv_allocation *a)
{
    if (!a)
        return;
    free(a->baseline);
    free(a->with);
    free(a->benefit);
    free(a->capacity);
    free(a->neighbouring);
    imv_alloc_solution_free(&a->solution);
    free(a->extra_gain);
    free(a);
}

static double gain(const imv_pairing *base, const imv_pairing *with)
{
    if (!with->viable)
        return NAN;
    double b = base->viable ? base->score : 0;
    return with->score - b;
}

/* Pairings for every council, partner and load; then the benefits. */
static void evaluate_all(imv_allocation *a, imv_worker *w, imv_profile *const *councils,
                         const imv_partner_set *partners)
{
    size_t C = a->pb.n_councils, P = a->pb.n_partners, L = (size_t)a->pb.max_capacity;
    for (size_t c = 0; c < C; c++) {
        imv_pairing_evaluate(w, councils[c], NULL, &a->baseline[c]);
        for (size_t p = 0; p < P; p++) {
            const imv_partner_desc *d = &partners->v[p];
            imv_partner seen;
            int available = imv_partner_for_profile(d, councils[c], 0, &seen);
            a->neighbouring[c * P + p] = seen.neighbouring == 1;
            for (int m = 1; m <= a->capacity[p]; m++) {
                imv_partner_for_profile(d, councils[c], m - 1, &seen);
                imv_pairing *x = &a->with[(c * P + p) * L + (size_t)(m - 1)];
                if (!available) { /* not a partner on that date: not viable */
                    x->score = x->fit = NAN;
                    continue;
                }
                imv_pairing_evaluate(w, councils[c], &seen, x);
                a->benefit[(c * P + p) * L + (size_t)(m - 1)] = gain(&a->baseline[c], x);
            }
        }
    }
}

/* For each partner, what one more place would add to the optimum. */
static int extra_places(imv_allocation *a, char *err, size_t errlen)
{
    size_t P = a->pb.n_partners;
    a->extra_gain = imv_xcalloc(P ? P : 1, sizeof *a->extra_gain);
    for (size_t p = 0; p < P; p++) {
        a->extra_gain[p] = NAN;
        if (a->capacity[p] >= a->pb.max_capacity)
            continue;
        a->capacity[p]++;
        imv_alloc_solution s;
        int rc = imv_alloc_solve(&a->pb, &s, err, errlen);
        a->capacity[p]--;
        if (rc < 0)
            return rc;
        a->extra_gain[p] = s.total - a->solution.total;
        imv_alloc_solution_free(&s);
    }
    return IMV_OK;
}

/* Places a partner can still offer, as far as the problem counts them. */
static int places_capped(const imv_partner_desc *d)
{
    int n = imv_partner_places(d);
    return n < IMV_ALLOC_MAX_CAPACITY ? n : IMV_ALLOC_MAX_CAPACITY;
}

/* Sizes and storage; every benefit starts as not viable (NAN).  Loads go
 * one beyond the largest capacity, for "which extra place helps most". */
static imv_allocation *alloc_new(size_t n_councils, const imv_partner_set *partners)
{
    imv_allocation *a = imv_xcalloc(1, sizeof *a);
    size_t P = partners->n;
    int top = 0;
    a->pb.n_councils = n_councils;
    a->pb.n_partners = P;
    a->capacity = imv_xcalloc(P ? P : 1, sizeof *a->capacity);
    for (size_t p = 0; p < P; p++) {
        a->capacity[p] = places_capped(&partners->v[p]);
        if (a->capacity[p] > top)
            top = a->capacity[p];
    }
    a->pb.max_capacity = P ? (top < IMV_ALLOC_MAX_CAPACITY ? top + 1 : top) : 0;
    size_t cells = n_councils * P * (size_t)a->pb.max_capacity;
    a->baseline = imv_xcalloc(n_councils ? n_councils : 1, sizeof *a->baseline);
    a->with = imv_xcalloc(cells ? cells : 1, sizeof *a->with);
    a->benefit = imv_xcalloc(cells ? cells : 1, sizeof *a->benefit);
    a->neighbouring = imv_xcalloc(n_councils * P + 1, 1);
    for (size_t i = 0; i < cells; i++)
        a->benefit[i] = NAN;
    a->pb.benefit = a->benefit;
    a->pb.capacity = a->capacity;
    a->pb.neighbouring = a->neighbouring;
    return a;
}

int imv_allocation_run(imv_worker *w, imv_profile *const *councils, size_t n_councils,
                       const imv_partner_set *partners, imv_allocation **out, char *err,
                       size_t errlen)
{
    int rc;
    imv_allocation *a = alloc_new(n_councils, partners);
    *out = NULL;
    if ((rc = imv_alloc_check(&a->pb, err, errlen)) < 0)
        goto done;
    for (size_t p = 0; p < a->pb.n_partners; p++) /* evaluate the extra load too */
        if (a->capacity[p] < a->pb.max_capacity)
            a->capacity[p]++;
    evaluate_all(a, w, councils, partners);
    for (size_t p = 0; p < a->pb.n_partners; p++)
        a->capacity[p] = places_capped(&partners->v[p]);
    if ((rc = imv_alloc_solve(&a->pb, &a->solution, err, errlen)) < 0)
        goto done;
    rc = extra_places(a, err, errlen);
done:
    if (rc < 0)
        imv_allocation_free(a);
    else
        *out = a;
    return rc;
}

const imv_pairing *imv_allocation_pairing(const imv_allocation *a, size_t c, size_t p, int m)
{
    if (m < 1 || m > a->pb.max_capacity)
        return NULL;
    return &a->with[(c * a->pb.n_partners + p) * (size_t)a->pb.max_capacity + (size_t)(m - 1)];
}
