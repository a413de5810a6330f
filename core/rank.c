/*
 * rank.c - the one ranking of results, used by evaluation, by every
 * Monte Carlo draw and by every sensitivity probe, so that they cannot
 * disagree about which model comes first.
 */
#include <stdlib.h>

#include "internal.h"

/* 1 when x ranks above y: viable before non-viable before failed, then
 * the higher score, then the model id, so that output is deterministic. */
static int ranks_before(const imv_rank_key *x, const imv_rank_key *y)
{
    if (x->cls != y->cls)
        return x->cls < y->cls;
    if (x->cls != 2 && x->score != y->score)
        return x->score > y->score;
    return x->tie < y->tie; /* the model id's order (imv_model.order) */
}

/* Insertion sort: a handful of models, stable and reentrant. */
void imv_rank_keys(const imv_rank_key *k, size_t n, size_t *order)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && ranks_before(&k[i], &k[order[j - 1]])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

void imv_rank(const imv_result *results, size_t n, size_t *order)
{
    imv_rank_key few[16] = {{0}}, *k = n <= 16 ? few : imv_xcalloc(n, sizeof *k);
    for (size_t i = 0; i < n; i++)
        k[i] = imv_rank_key_of(&results[i]);
    imv_rank_keys(k, n, order);
    if (k != few)
        free(k);
}
