/* cmd_evaluate.c - `imeval evaluate`: the main job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "run.h"

static const char synopsis[] = "[options] PROFILE...";
static const char about[] =
    "Score every profile with every model, rank the models and explain the ranking.\n"
    "PROFILE is a JSON file (one profile, an array, or JSON Lines) or a CSV file;\n"
    "- reads standard input.  Bad profiles are listed and skipped; the rest are\n"
    "still evaluated.  Exit status: 0 all evaluated, 1 some profiles or models\n"
    "failed (results still written), 2 usage error, 130 interrupted.\n\n"
    "example:  imeval evaluate datasets/cases/*.json --explain";

typedef struct sink_ctx {
    imv_output *out;
    imv_diags *diags;
    size_t printed;
    int quiet;
} sink_ctx;

/* Print diagnostics as they arrive; warnings are then dropped, errors
 * kept for the JSON "errors" list. */
static void flush_diags(sink_ctx *s)
{
    imv_diags *d = s->diags;
    char buf[1200];
    for (size_t i = s->printed; i < d->n; i++) {
        if (d->v[i].warning && s->quiet)
            continue;
        imv_diag_format(&d->v[i], buf, sizeof buf);
        fprintf(stderr, "%s%s\n", d->v[i].warning ? "warning: " : "", buf);
    }
    s->printed = d->n;
}

static int sink(void *ctx, const imv_evaluation *e)
{
    sink_ctx *s = ctx;
    for (size_t i = 0; i < e->n; i++) {
        const imv_result *r = &e->results[i];
        if (r->error) {
            char where[300];
            snprintf(where, sizeof where, "%s: model %s", e->profile->id, imv_model_id(r->model));
            imv_diags_add_at(s->diags, 0, e->profile->source, e->profile->line, where, "%s", r->error);
        }
    }
    flush_diags(s);
    return imv_output_evaluation(s->out, e) == IMV_OK ? 0 : -1;
}

int cmd_evaluate(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, CMD_EVALUATE, "evaluate", &o);
    if (rc || o.help) {
        if (o.help)
            cli_help(stdout, CMD_EVALUATE, "evaluate", synopsis, about);
        cli_opts_free(&o);
        return rc;
    }
    if (o.args.n == 0) {
        fprintf(stderr, "imeval evaluate: no profiles given: name profile files, e.g.\n"
                        "  imeval evaluate datasets/cases/*.json\nor - for standard input "
                        "(see imeval evaluate --help)\n");
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    int partial = 0;
    imv_registry *reg = cli_registry(&o, &partial);
    if (!reg) {
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    cli_out out;
    if (cli_out_open(&out, o.output)) {
        imv_registry_free(reg);
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    imv_diags diags;
    imv_diags_init(&diags);
    imv_format fmt = o.format < 0 ? IMV_FMT_TABLE : (imv_format)o.format;
    imv_output *w = imv_output_new(out.f, fmt, o.explain, reg, NULL);
    imv_output_begin(w);
    sink_ctx s = {.out = w, .diags = &diags, .quiet = o.quiet};
    imv_run_opts ro = {.jobs = o.jobs, .draws = (size_t)o.draws, .seed = o.seed,
                       .vary_parameters = o.vary_parameters, .strict = o.strict,
                       .stop = &cli_stop};
    imv_run_stats st;
    cli_catch_signals();
    int run_rc = imv_run(reg, (char *const *)o.args.v, o.args.n, &ro, sink, NULL, &s, &diags, &st);
    if (st.interrupted)
        imv_diags_add(&diags, 0, "imeval", NULL,
                      "interrupted: %zu profiles evaluated and written; the rest were not read",
                      st.evaluated);
    flush_diags(&s);
    int write_rc = imv_output_end(w, &diags);
    int ok = run_rc == IMV_OK && write_rc == IMV_OK;
    if (cli_out_close(&out, ok || st.interrupted))
        ok = 0;
    if (st.profiles_bad || st.model_failures)
        fprintf(stderr, "imeval: %zu profile%s evaluated, %zu could not be read, %zu with a failed model\n",
                st.evaluated, st.evaluated == 1 ? "" : "s", st.profiles_bad, st.model_failures);
    rc = st.interrupted ? EXIT_INTERRUPTED
         : (!ok || diags.n_errors || partial) ? EXIT_PARTIAL
                                               : 0;
    imv_diags_free(&diags);
    imv_registry_free(reg);
    cli_opts_free(&o);
    return rc;
}
