/*
 * rank.c - the one ranking of results, used by evaluation, by every
 * Monte Carlo draw and by every sensitivity probe, so that they cannot
 * disagree about which model comes first.
 */
#include <string.h>

#include "internal.h"

static int rank_class(const imv_result *r)
{
    return r->error ? 2 : r->viable ? 0 : 1;
}

/* 1 when x ranks above y: viable before non-viable before failed, then
 * the higher score, then the model id, so that output is deterministic. */
static int ranks_before(const imv_result *x, const imv_result *y)
{
    int cx = rank_class(x), cy = rank_class(y);
    if (cx != cy)
        return cx < cy;
    if (cx != 2 && x->score != y->score)
        return x->score > y->score;
    return strcmp(imv_model_id(x->model), imv_model_id(y->model)) < 0;
}

/* Insertion sort: a handful of models, stable and reentrant. */
void imv_rank_strided(const imv_result *first, size_t stride, size_t n, size_t *order)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && ranks_before(&first[i * stride], &first[order[j - 1] * stride])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

void imv_rank(const imv_result *results, size_t n, size_t *order)
{
    imv_rank_strided(results, 1, n, order);
}
