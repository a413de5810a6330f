/* cmd_evaluate.c - `imeval evaluate`: the main job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char synopsis[] = "[options] PROFILE...";
static const char about[] =
    "Score every profile with every model, rank the models and explain the ranking.\n"
    "PROFILE is a JSON file (one profile, an array, or JSON Lines) or a CSV file;\n"
    "- reads standard input.  Bad profiles are listed and skipped; the rest are\n"
    "still evaluated.  Exit status: 0 all evaluated, 1 some profiles or models\n"
    "failed (results still written), 2 usage error, 130 interrupted.\n\n"
    "example:  imeval evaluate datasets/cases/*.json --explain";

/* Errors kept for the JSON "errors" list; the rest are only printed. */
#define MAX_LISTED 10000

typedef struct sink_ctx {
    imv_output *out;
    imv_diags *diags;
    int quiet, json;
    size_t listed, unlisted;
    size_t scored;               /* results with a score, over all profiles */
    cli_recorder *rec;           /* --register: the assessment register, or NULL */
    const imv_registry *reg;
    int unrecorded;              /* evaluations the register refused */
} sink_ctx;

/* Print each diagnostic as it arrives and keep only the errors the JSON
 * "errors" list needs, at most MAX_LISTED: keeping every one took 250
 * bytes a message, 500 MB for 1 MB of "{}" lines. */
static int on_diag(void *ctx, const imv_diag *g)
{
    sink_ctx *s = ctx;
    if (!(g->warning && s->quiet)) {
        char buf[1200];
        imv_diag_format(g, buf, sizeof buf);
        fprintf(stderr, "%s%s\n", g->warning ? "warning: " : "", buf);
    }
    if (g->warning || !s->json)
        return 0;
    if (s->listed >= MAX_LISTED) {
        s->unlisted++;
        return 0;
    }
    s->listed++;
    return 1;
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
        } else {
            s->scored++;
        }
    }
    if (s->rec && cli_recorder_add(s->rec, s->reg, e))
        s->unrecorded++;
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
    int rec_failed = 0;
    cli_recorder *rec = cli_recorder_open(&o, argc, argv, &rec_failed);
    cli_out out;
    if (rec_failed || cli_out_open(&out, o.output)) {
        cli_recorder_close(rec);
        imv_registry_free(reg);
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    imv_diags diags;
    imv_diags_init(&diags);
    imv_format fmt = o.format < 0 ? IMV_FMT_TABLE : (imv_format)o.format;
    imv_output *w = imv_output_new(out.f, fmt, o.explain, reg, NULL);
    imv_provenance *prov = NULL;
    if (fmt == IMV_FMT_JSON || fmt == IMV_FMT_MARKDOWN) {
        prov = cli_provenance(&o, reg, argc, argv);
        imv_output_set_provenance(w, prov, o.stamp);
    }
    imv_output_set_draws(w, o.draws > 0 ? (size_t)o.draws : 0);
    imv_output_begin(w);
    sink_ctx s = {.out = w, .diags = &diags, .quiet = o.quiet, .json = fmt == IMV_FMT_JSON,
                  .rec = rec, .reg = reg};
    diags.on_add = on_diag;
    diags.on_add_ctx = &s;
    imv_run_opts ro = {.jobs = o.jobs, .draws = (size_t)o.draws, .seed = o.seed,
                       .vary_parameters = o.vary_parameters, .rating_noise = o.rating_noise, .strict = o.strict,
                       .stop = &cli_stop};
    imv_run_stats st;
    cli_catch_signals();
    int run_rc = imv_run(reg, (char *const *)o.args.v, o.args.n, &ro, sink, NULL, &s, &diags, &st);
    if (st.interrupted)
        imv_diags_add(&diags, 0, "imeval", NULL,
                      "interrupted: %zu profiles evaluated and written; the rest were not read",
                      st.evaluated);
    if (s.unlisted) {
        diags.on_add = NULL;    /* kept, and already said on stderr */
        imv_diags_add(&diags, 0, "imeval", NULL,
                      "%zu more errors were printed but are not listed here (the list stops at %d)",
                      s.unlisted, MAX_LISTED);
    }
    int write_rc = imv_output_end(w, &diags);
    imv_provenance_free(prov);
    int ok = run_rc == IMV_OK && write_rc == IMV_OK;
    /* A run that scored nothing while something failed (every profile bad,
     * every model failed) must not replace a previous -o FILE with a
     * document of errors; an interrupted one keeps what it scored. */
    int commit = (ok && (s.scored || diags.n_errors == 0)) || (st.interrupted && s.scored);
    if (ok && !commit && out.path)
        fprintf(stderr, "imeval: nothing was scored, so %s was left as it was\n", out.path);
    if (cli_out_close(&out, commit))
        ok = 0;
    if (st.profiles_bad || st.model_failures)
        fprintf(stderr, "imeval: %zu profile%s evaluated, %zu could not be read, %zu with a failed model\n",
                st.evaluated, st.evaluated == 1 ? "" : "s", st.profiles_bad, st.model_failures);
    rc = st.interrupted ? EXIT_INTERRUPTED
         : (!ok || diags.n_errors || partial || s.unrecorded) ? EXIT_PARTIAL
                                                              : 0;
    cli_recorder_close(rec);
    imv_diags_free(&diags);
    imv_registry_free(reg);
    cli_opts_free(&o);
    return rc;
}
