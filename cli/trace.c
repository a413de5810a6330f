/*
 * trace.c - `--trace`: the models' log lines (imv_host.log, imeval.log and
 * print in Lua), printed to standard error as each profile is done, so
 * that the document on standard output is unchanged.
 */
#include <stdio.h>

#include "cli.h"

void cli_print_trace(FILE *f, const imv_evaluation *e, size_t only)
{
    for (size_t i = 0; i < e->n; i++) {
        const imv_result *r = &e->results[i];
        if (only != SIZE_MAX && i != only)
            continue;
        const char *id = imv_model_id(r->model);
        for (size_t k = 0; k < r->n_log; k++)
            fprintf(f, "trace: %s: %s: %s\n", e->profile->id, id, r->log[k]);
        if (r->log_dropped)
            fprintf(f, "trace: %s: %s: %zu more lines dropped (at most %d a call)\n",
                    e->profile->id, id, r->log_dropped, IMV_MAX_LOG);
    }
    fflush(f);
}
