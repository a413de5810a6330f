/* cmd_validate.c - `imeval validate`: check profiles without scoring them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char synopsis[] = "[options] PROFILE...";
static const char about[] =
    "Check profiles against the profile format (docs/profile-format.md) without\n"
    "scoring them: every problem is listed with its file, line or JSON path, and\n"
    "what was expected.  Exit status 0 when all are valid, 1 when any is not.\n"
    "A fact a profile gives that no bundled model reads is named in a warning\n"
    "(it is kept, but changes no score).";

typedef struct vctx {
    imv_output *out;
    int print_ok;        /* "FILE:LINE: ID: ok" lines (table, not --quiet) */
    unsigned facts_read; /* imv_registry_facts_read of the bundled models */
    int models_loaded;
    imv_diags *diags;
} vctx;

/* Given facts that change no score are worth a word (issue 11 point 11). */
static void unread(vctx *v, const imv_profile *p)
{
    char buf[600];
    if (v->models_loaded && imv_profile_unread(p, v->facts_read, buf, sizeof buf))
        imv_diags_add(v->diags, 1, p->source, p->id,
                      "given but read by no loaded model (kept, changes no score): %s", buf);
}

/* The bundled models, only to learn which facts they read; validation
 * itself scores nothing. */
static void learn_facts(vctx *v)
{
    imv_registry *models = imv_registry_new(NULL);
    if (imv_registry_bundled_dir()) {
        imv_diags quiet;
        imv_diags_init(&quiet);
        imv_registry_load_dir(models, imv_registry_bundled_dir(), 1, &quiet);
        imv_diags_free(&quiet);
    }
    v->models_loaded = imv_registry_count(models) > 0;
    v->facts_read = v->models_loaded ? imv_registry_facts_read(models) : 0;
    imv_registry_free(models);
}

/* Everything streams, so a long input runs in flat memory: each valid
 * profile and each message is written as it comes (the JSON "valid" list
 * too); only the messages of the JSON lists are kept. */
static int psink(void *ctx, const imv_profile *p)
{
    vctx *v = ctx;
    unread(v, p);
    if (!v->print_ok)
        return 0;
    return imv_output_profile(v->out, p) == IMV_OK ? 0 : -1;
}

int cmd_validate(int argc, char **argv)
{
    cli_cmd c;
    int rc = cli_begin(&c, argc, argv, CMD_VALIDATE, "validate", synopsis, about);
    if (rc != CLI_GO)
        goto done;
    if ((rc = cli_check_format(&c.o, "validate", CLI_FMT(IMV_FMT_TABLE) | CLI_FMT(IMV_FMT_JSON))))
        goto done;
    const cli_opts *o = &c.o;
    if (o->args.n == 0) {
        rc = cli_usage_error("validate", "no profiles given: name profile files, or - for standard "
                                         "input");
        goto done;
    }
    if ((rc = cli_open_output(&c)) != CLI_GO)
        goto done;
    int json = o->format == IMV_FMT_JSON;
    vctx v = {.out = imv_output_open(c.out.f, IMV_DOC_VALIDATION,
                                     json ? IMV_FMT_JSON : IMV_FMT_TABLE, 0, NULL, NULL),
              .print_ok = json || !o->quiet};
    /* Text: every message on stderr, none kept; JSON: none printed, the
     * lists keep them. */
    cli_diag_sink ds = {.print = !json, .quiet = o->quiet, .keep_errors = json, .keep_warnings = json};
    cli_diag_sink_attach(&ds, &c.diags);
    v.diags = &c.diags;
    learn_facts(&v);
    imv_output_begin(v.out);
    c.reg = imv_registry_new(NULL);
    imv_run_opts ro = {.jobs = o->jobs, .strict = o->strict, .no_evaluate = 1, .stop = &cli_stop};
    imv_run_stats st;
    cli_catch_signals();
    imv_run(c.reg, (char *const *)o->args.v, o->args.n, &ro, NULL, psink, &v, &c.diags, &st);
    cli_diag_sink_close(&ds, &c.diags, "messages are");
    int write_rc = imv_output_end(v.out, &c.diags);
    if (!json) {
        char errs[64] = "";
        if (c.diags.n_errors)
            snprintf(errs, sizeof errs, "; %zu error%s (above)", c.diags.n_errors,
                     c.diags.n_errors == 1 ? "" : "s");
        cli_error("validate", "%zu valid, %zu invalid%s", st.profiles_read, st.profiles_bad, errs);
    }
    rc = st.interrupted                          ? cli_interrupted_exit()
         : (c.diags.n_errors || st.profiles_bad) ? EXIT_PARTIAL
                                                 : 0;
    if (cli_close_output(&c, write_rc == IMV_OK && !st.interrupted) || write_rc != IMV_OK)
        rc = EXIT_PARTIAL;
done:
    return cli_end(&c, rc);
}
