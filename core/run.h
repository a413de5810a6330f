/*
 * run.h - the streaming pipeline behind `imeval evaluate`: read profiles
 * file by file, score them in batches over N threads, and hand each
 * evaluation to a sink in input order, so memory stays flat however many
 * profiles there are and output does not depend on the thread count.
 */
#ifndef IMV_RUN_H
#define IMV_RUN_H

#include <signal.h>
#include <stdint.h>

#include "imeval.h"

typedef struct imv_run_opts {
    int jobs;                    /* threads; <= 0 means the number of cores */
    size_t draws;                /* Monte Carlo draws per profile; 0 for none */
    uint64_t seed;
    int vary_parameters;
    int strict;
    int no_evaluate;             /* validate only */
    volatile sig_atomic_t *stop; /* set asynchronously to stop early; may be NULL */
} imv_run_opts;

typedef struct imv_run_stats {
    size_t profiles_read;        /* good profiles */
    size_t profiles_bad;         /* profiles that failed validation */
    size_t evaluated;            /* handed to the sink */
    size_t model_failures;       /* evaluations in which some model failed */
    int interrupted;
    int io_failed;               /* a file could not be read to the end */
} imv_run_stats;

/* Called once per evaluated profile, in input order.  Returns 0, or
 * non-zero to stop the run (e.g. the output cannot be written). */
typedef int (*imv_sink_fn)(void *ctx, const imv_evaluation *e);
/* With no_evaluate, called once per valid profile instead. */
typedef int (*imv_profile_sink_fn)(void *ctx, const imv_profile *p);

int imv_run(imv_registry *reg, char *const *paths, size_t n_paths, const imv_run_opts *o,
            imv_sink_fn sink, imv_profile_sink_fn psink, void *ctx, imv_diags *diags,
            imv_run_stats *stats);

/* The number of online processors (at least 1). */
int imv_cpu_count(void);

#endif
