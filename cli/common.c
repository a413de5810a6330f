/* common.c - what every subcommand needs: models and diagnostics (the output
 * file and signals are in outfile.c). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

void cli_print_diags(const imv_diags *d, size_t from)
{
    for (size_t i = from; i < d->n; i++)
        cli_print_diag(&d->v[i], 0);
}

static void load_path_env(imv_registry *reg, imv_diags *d)
{
    const char *env = getenv("IMEVAL_MODEL_PATH");
    if (!env || !*env)
        return;
    char *copy = strdup(env), *save = NULL;
    if (!copy)
        return;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
        if (*dir)
            imv_registry_load_dir(reg, dir, 0, d);
    free(copy);
}

/* The model under study, named with --model, must exist: without it the
 * run would answer another question.  Checked before anything is loaded
 * or run.  (A file that exists but is refused, for its permissions or its
 * contents, is reported and the other models still run.) */
static int model_files_exist(const cli_opts *o)
{
    int ok = 1;
    struct stat st;
    for (size_t i = 0; i < o->model_files.n; i++) {
        const char *path = o->model_files.v[i];
        if (stat(path, &st) == 0)
            continue;
        int e = errno;
        char *shown = imv_text_quote(path);
        cli_usage_error(o->cmd_name,
                        "--model %s: cannot read model: %s (give the path of a .so "
                        "or .lua file)",
                        shown, strerror(e));
        free(shown);
        ok = 0;
    }
    return ok;
}

imv_registry *cli_registry(const cli_opts *o, int *partial)
{
    if (!model_files_exist(o))
        return NULL;
    imv_diags d;
    imv_diags_init(&d);
    imv_registry *reg = imv_registry_new(&o->limits);
    if (!o->no_bundled) {
        const char *dir = imv_registry_bundled_dir();
        if (dir)
            imv_registry_load_dir(reg, dir, 1, &d);
        else
            imv_diags_add(
                &d, 1, "imeval", NULL,
                "bundled models not found next to the program (build them with make, or set IMEVAL_BUNDLED_DIR)");
    }
    load_path_env(reg, &d);
    for (size_t i = 0; i < o->model_dirs.n; i++)
        imv_registry_load_dir(reg, o->model_dirs.v[i], 0, &d);
    for (size_t i = 0; i < o->model_files.n; i++)
        imv_registry_load_file(reg, o->model_files.v[i], 0, &d);
    int usage = 0;
    size_t load_errors = d.n_errors, n_load = d.n;
    if (o->only && imv_registry_select(reg, o->only, &d))
        usage = 1;
    if (!usage && o->params_file && imv_registry_set_file(reg, o->params_file, &d))
        usage = 1;
    for (size_t i = 0; !usage && i < o->sets.n; i++)
        if (imv_registry_set(reg, o->sets.v[i], &d))
            usage = 1;
    /* What loading found is printed as diagnostics; a bad --only, --params
     * or --set is the user's option: a usage error, with its --help. */
    for (size_t i = 0; i < d.n; i++) {
        if (i < n_load || d.v[i].warning) {
            cli_print_diag(&d.v[i], 0);
            continue;
        }
        char buf[1200];
        imv_diag_format(&d.v[i], buf, sizeof buf);
        cli_usage_error(o->cmd_name, "%s", strncmp(buf, "imeval: ", 8) == 0 ? buf + 8 : buf);
    }
    if (!usage && imv_registry_count(reg) == 0) {
        if (load_errors)
            cli_usage_error(o->cmd_name, "no models loaded: each one failed (the errors above)");
        else
            cli_usage_error(o->cmd_name, "no models loaded: the bundled ones are left out "
                                         "(give --model FILE or --models DIR)");
        usage = 1;
    }
    imv_diags_free(&d);
    if (usage) {
        imv_registry_free(reg);
        return NULL;
    }
    if (partial)
        *partial = load_errors > 0;
    return reg;
}

/* "imeval evaluate: [warning: ]file: path: message": the command's one
 * form, with the diagnostic as its what and why.  A diagnostic about the
 * program itself (source "imeval") has no file to name. */
void cli_print_diag(const imv_diag *g, int quiet)
{
    if (g->warning && quiet)
        return;
    char buf[1200];
    imv_diag d = *g;
    if (d.source && strcmp(d.source, "imeval") == 0 && !d.line && !(d.where && *d.where)) {
        snprintf(buf, sizeof buf, "%s", d.message);
    } else {
        if (d.source && strcmp(d.source, "imeval") == 0)
            d.source = NULL;
        imv_diag_format(&d, buf, sizeof buf);
        if (!d.source && strncmp(buf, "imeval: ", 8) == 0)
            memmove(buf, buf + 8, strlen(buf + 8) + 1);
    }
    cli_error(NULL, "%s%s", g->warning ? "warning: " : "", buf);
}

/* Print each diagnostic as it arrives and keep only what a JSON document
 * lists, at most CLI_MAX_LISTED: keeping every one took 250 bytes a
 * message, 500 MB for 1 MB of "{}" lines. */
static int on_diag(void *ctx, const imv_diag *g)
{
    cli_diag_sink *s = ctx;
    if (s->print)
        cli_print_diag(g, s->quiet);
    if (g->warning ? !s->keep_warnings : !s->keep_errors)
        return 0;
    if (s->listed >= CLI_MAX_LISTED) {
        s->unlisted++;
        return 0;
    }
    s->listed++;
    return 1;
}

void cli_diag_sink_attach(cli_diag_sink *s, imv_diags *d)
{
    d->on_add = on_diag;
    d->on_add_ctx = s;
}

void cli_diag_sink_close(cli_diag_sink *s, imv_diags *d, const char *what)
{
    d->on_add = NULL; /* kept, and (when printing) already said on stderr */
    if (s->unlisted)
        imv_diags_add(d, 0, "imeval", NULL, "%zu more %s not listed here (the list%s at %d)",
                      s->unlisted, what, s->keep_warnings ? "s stop" : " stops", CLI_MAX_LISTED);
}

int cli_begin(cli_cmd *c, int argc, char **argv, unsigned cmd, const char *name,
              const char *synopsis, const char *about)
{
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    c->name = name;
    imv_diags_init(&c->diags);
    int rc = cli_parse(argc, argv, 2, cmd, name, &c->o);
    if (rc)
        return rc;
    if (c->o.help) {
        cli_help(stdout, cmd, name, synopsis, about);
        return 0;
    }
    return CLI_GO;
}

int cli_load(cli_cmd *c)
{
    c->reg = cli_registry(&c->o, &c->partial);
    return c->reg ? CLI_GO : EXIT_USAGE;
}

int cli_open_output(cli_cmd *c)
{
    if (cli_out_open(&c->out, c->o.output))
        return EXIT_USAGE;
    c->out_open = 1;
    return CLI_GO;
}

int cli_close_output(cli_cmd *c, int commit)
{
    if (!c->out_open)
        return 0;
    c->out_open = 0;
    if (!commit && !c->out.path)
        return 0; /* standard output: nothing to drop, and said already */
    if (!commit && c->out.direct) {
        cli_out_close(&c->out, 0);
        return 0; /* a device or FIFO: what was written is gone to it */
    }
    return cli_out_close(&c->out, commit);
}

/* Once a run, for each model whose draws LuaJIT and Lua 5.4 scored
 * differently (plugins/jit.c): the results are Lua 5.4's, but its author
 * should know. */
static void print_engine_notes(const cli_cmd *c)
{
    if (!c->reg || c->o.quiet)
        return;
    for (size_t i = 0; i < imv_registry_count(c->reg); i++) {
        const imv_model *m = imv_registry_get(c->reg, i);
        char note[600];
        if (imv_jit_note(m, note, sizeof note))
            fprintf(stderr, "imeval %s: warning: model %s: %s\n", c->name, imv_model_id(m), note);
    }
}

int cli_end(cli_cmd *c, int rc)
{
    print_engine_notes(c);
    cli_close_output(c, 0); /* a run that did not get to commit leaves nothing */
    imv_diags_free(&c->diags);
    imv_registry_free(c->reg);
    cli_opts_free(&c->o);
    return rc;
}

int cli_interrupted_exit(void)
{
    return 128 + (cli_stop > 0 ? (int)cli_stop : SIGINT);
}

/* Every profile of o->args[first..], kept: the partner commands need them
 * all at once.  Messages are printed as they come (warnings unless
 * --quiet).  Returns how many files or profiles could not be read. */
int cli_read_profiles(const cli_opts *o, size_t first, imv_profile ***out, size_t *n)
{
    imv_read_opts ro = {.strict = o->strict};
    size_t cap = 0;
    int bad = 0;
    *out = NULL;
    *n = 0;
    for (size_t i = first; i < o->args.n && !cli_stop; i++) {
        imv_diags d;
        imv_diags_init(&d);
        imv_reader *r = imv_reader_open(o->args.v[i], &ro, &d);
        imv_profile *p;
        int got;
        while (r && !cli_stop && (got = imv_reader_next(r, &p, &d)) != 0) {
            if (got < 0) {
                bad++;
                continue;
            }
            if (*n == cap) {
                cap = cap ? 2 * cap : 64;
                imv_profile **v = realloc(*out, cap * sizeof *v);
                if (!v) {
                    cli_error(o->cmd_name, "out of memory");
                    exit(EXIT_PARTIAL);
                }
                *out = v;
            }
            (*out)[(*n)++] = p;
        }
        if (!r)
            bad++;
        imv_reader_close(r);
        for (size_t k = 0; k < d.n; k++)
            cli_print_diag(&d.v[k], o->quiet);
        imv_diags_free(&d);
    }
    return bad;
}
