/* cmd_sensitivity.c - `imeval sensitivity PROFILE`: tipping points. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char synopsis[] = "[options] PROFILE...";
static const char about[] =
    "What would change the ranking of each profile in PROFILE: for each rating,\n"
    "the smallest increase and the smallest decrease that put another model\n"
    "first, and which; for each model that is not first, the single rating\n"
    "change that would bring it first; and the model parameters the first place\n"
    "depends on most.  Ratings are scanned over 0..4 at a step of 0.01 and each\n"
    "change is narrowed down and reported to 0.01; the other ratings stay at\n"
    "their values (the mode, or the middle of a range).  For each candidate\n"
    "partner the profile names, alone: each of its attributes (commitments, spare\n"
    "leadership capacity, grade, neighbouring, size) changed alone, the nearest\n"
    "value at which it becomes a viable partner or stops being, its fit crosses\n"
    "70, or the recommendation changes (\"with one fewer commitment, westshire\n"
    "would be a viable partner\").  Exit status: 0 all analysed, 1 some profiles\n"
    "or models failed, 2 usage error.\n\n"
    "example:  imeval sensitivity datasets/cases/isle-of-wight-2013.json";

typedef struct sens_ctx {
    imv_output *out;
    FILE *f;
    const imv_registry *reg;
    int markdown; /* written here from the JSON (cli/sens_markdown.c) */
    size_t count;
    size_t failed;
} sens_ctx;

static int sink(void *ctx, const imv_evaluation *e)
{
    sens_ctx *x = ctx;
    for (size_t i = 0; i < e->n; i++)
        if (e->results[i].error) {
            x->failed++;
            break;
        }
    if (x->markdown && e->sensitivity) {
        cJSON *j = imv_sensitivity_json(e->sensitivity, e->profile, x->reg);
        cli_sensitivity_markdown(x->f, j);
        cJSON_Delete(j);
        if (ferror(x->f))
            return -1;
    } else if (imv_output_evaluation(x->out, e) != IMV_OK) {
        return -1;
    }
    x->count++;
    return 0;
}

int cmd_sensitivity(int argc, char **argv)
{
    cli_cmd c;
    int rc = cli_begin(&c, argc, argv, CMD_SENSITIVITY, "sensitivity", synopsis, about);
    if (rc != CLI_GO)
        goto done;
    const cli_opts *o = &c.o;
    if (o->args.n == 0) {
        rc = cli_usage_error("sensitivity", "no profile given, e.g. imeval sensitivity "
                                            "datasets/cases/isle-of-wight-2013.json");
        goto done;
    }
    if (o->format != -1 && o->format != IMV_FMT_TABLE && o->format != IMV_FMT_JSON &&
        o->format != IMV_FMT_MARKDOWN) {
        rc = cli_usage_error("sensitivity", "--format: sensitivity writes table, json or markdown");
        goto done;
    }
    if ((rc = cli_load(&c)) != CLI_GO || (rc = cli_open_output(&c)) != CLI_GO)
        goto done;
    imv_format fmt = o->format == IMV_FMT_JSON ? IMV_FMT_JSON : IMV_FMT_TABLE;
    sens_ctx x = {.out = imv_output_open(c.out.f, IMV_DOC_SENSITIVITY, fmt, 0, c.reg, NULL),
                  .f = c.out.f,
                  .reg = c.reg,
                  .markdown = o->format == IMV_FMT_MARKDOWN};
    cli_diag_sink ds = {.print = 1, .quiet = o->quiet, .keep_errors = fmt == IMV_FMT_JSON};
    cli_diag_sink_attach(&ds, &c.diags);
    /* The pool computes the tipping points beside each evaluation, and
     * they are written as each profile completes, in input order. */
    imv_run_opts ro = {.jobs = o->jobs, .strict = o->strict, .sensitivity = 1, .stop = &cli_stop};
    imv_run_stats st;
    cli_catch_signals();
    imv_output_begin(x.out);
    int run_rc = imv_run(c.reg, (char *const *)o->args.v, o->args.n, &ro, sink, NULL, &x, &c.diags,
                         &st);
    cli_diag_sink_close(&ds, &c.diags, "errors were printed but are");
    int ok = run_rc == IMV_OK;
    if (imv_output_end(x.out, &c.diags) != IMV_OK)
        ok = 0;
    if (cli_close_output(&c, ok))
        ok = 0;
    rc = st.interrupted                                                   ? cli_interrupted_exit()
         : (!ok || c.diags.n_errors || c.partial || x.failed || !x.count) ? EXIT_PARTIAL
                                                                          : 0;
done:
    return cli_end(&c, rc);
}
