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

typedef struct sink_ctx {
    imv_output *out;
    imv_diags *diags;
    size_t scored;     /* results with a score, over all profiles */
    cli_recorder *rec; /* --register: the assessment register, or NULL */
    const imv_registry *reg;
    int unrecorded; /* evaluations the register refused */
} sink_ctx;

static int sink(void *ctx, const imv_evaluation *e)
{
    sink_ctx *s = ctx;
    for (size_t i = 0; i < e->n; i++) {
        const imv_result *r = &e->results[i];
        if (r->error) {
            char where[300];
            snprintf(where, sizeof where, "%s: model %s", e->profile->id, imv_model_id(r->model));
            imv_diags_add_at(s->diags, 0, e->profile->source, e->profile->line, where, "%s",
                             r->error);
        } else {
            s->scored++;
        }
    }
    cli_print_trace(stderr, e, SIZE_MAX);
    if (s->rec && cli_recorder_add(s->rec, s->reg, e))
        s->unrecorded++;
    return imv_output_evaluation(s->out, e) == IMV_OK ? 0 : -1;
}

int cmd_evaluate(int argc, char **argv)
{
    cli_cmd c;
    cli_recorder *rec = NULL;
    imv_provenance *prov = NULL;
    int rc = cli_begin(&c, argc, argv, CMD_EVALUATE, "evaluate", synopsis, about);
    if (rc != CLI_GO)
        goto done;
    if (c.o.args.n == 0) {
        rc = cli_usage_error("evaluate", "no profiles given: name profile files, e.g. imeval "
                                         "evaluate datasets/cases/*.json, or - for standard input");
        goto done;
    }
    if ((rc = cli_load(&c)) != CLI_GO)
        goto done;
    int rec_failed = 0;
    rec = cli_recorder_open(&c.o, argc, argv, &rec_failed);
    if (rec_failed) {
        rc = EXIT_USAGE;
        goto done;
    }
    if ((rc = cli_open_output(&c)) != CLI_GO)
        goto done;
    const cli_opts *o = &c.o;
    imv_format fmt = o->format < 0 ? IMV_FMT_TABLE : (imv_format)o->format;
    imv_output *w = imv_output_new(c.out.f, fmt, o->explain, c.reg, NULL);
    if (fmt == IMV_FMT_JSON || fmt == IMV_FMT_MARKDOWN) {
        prov = cli_provenance(o, c.reg, argc, argv);
        imv_output_set_provenance(w, prov, o->stamp);
    }
    imv_output_set_draws(w, o->draws > 0 ? (size_t)o->draws : 0);
    imv_output_begin(w);
    sink_ctx s = {.out = w, .diags = &c.diags, .rec = rec, .reg = c.reg};
    cli_diag_sink ds = {.print = 1, .quiet = o->quiet, .keep_errors = fmt == IMV_FMT_JSON};
    cli_diag_sink_attach(&ds, &c.diags);
    imv_run_opts ro = {.jobs = o->jobs,
                       .draws = (size_t)o->draws,
                       .seed = o->seed,
                       .vary_parameters = o->vary_parameters,
                       .rating_noise = o->rating_noise,
                       .strict = o->strict,
                       /* CSV shows no reasons; the register keeps them */
                       .brief = fmt == IMV_FMT_CSV && !rec,
                       .stop = &cli_stop};
    imv_run_stats st;
    cli_catch_signals();
    int run_rc = imv_run(c.reg, (char *const *)o->args.v, o->args.n, &ro, sink, NULL, &s, &c.diags,
                         &st);
    if (st.interrupted)
        imv_diags_add(&c.diags, 0, "imeval", NULL,
                      "interrupted: %zu profiles evaluated and written; the rest were not read",
                      st.evaluated);
    cli_diag_sink_close(&ds, &c.diags, "errors were printed but are");
    int write_rc = imv_output_end(w, &c.diags);
    int ok = run_rc == IMV_OK && write_rc == IMV_OK;
    /* A run that scored nothing while something failed (every profile bad,
     * every model failed) must not replace a previous -o FILE with a
     * document of errors; an interrupted one keeps what it scored. */
    int commit = (ok && (s.scored || c.diags.n_errors == 0)) || (st.interrupted && s.scored);
    if (ok && !commit && c.out.path && !c.out.direct)
        cli_error("evaluate", "nothing was scored, so %s was left as it was", c.out.path);
    if (cli_close_output(&c, commit))
        ok = 0;
    if (st.profiles_bad || st.model_failures)
        cli_error("evaluate",
                  "%zu profile%s evaluated, %zu could not be read, %zu with a failed model",
                  st.evaluated, st.evaluated == 1 ? "" : "s", st.profiles_bad, st.model_failures);
    rc = st.interrupted                                           ? cli_interrupted_exit()
         : (!ok || c.diags.n_errors || c.partial || s.unrecorded) ? EXIT_PARTIAL
                                                                  : 0;
done:
    imv_provenance_free(prov);
    cli_recorder_close(rec);
    return cli_end(&c, rc);
}
