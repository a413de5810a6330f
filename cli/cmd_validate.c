/* cmd_validate.c - `imeval validate`: check profiles without scoring them. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char synopsis[] = "[options] PROFILE...";
static const char about[] =
    "Check profiles against the profile format (docs/profile-format.md) without\n"
    "scoring them: every problem is listed with its file, line or JSON path, and\n"
    "what was expected.  Exit status 0 when all are valid, 1 when any is not.";

/* Messages kept for the JSON lists; the rest are only printed. */
#define MAX_LISTED 10000

typedef struct vctx {
    FILE *f;
    int json;
    int quiet;
    size_t n_valid, listed, unlisted;
} vctx;

/* Everything streams, so a long input runs in flat memory: each valid
 * profile and each message is written as it comes (the JSON "valid" list
 * too); only the messages of the JSON lists are kept, at most MAX_LISTED. */
static int on_diag(void *ctx, const imv_diag *g)
{
    vctx *v = ctx;
    if (!v->json) {
        if (!(g->warning && v->quiet)) {
            char buf[1200];
            imv_diag_format(g, buf, sizeof buf);
            fprintf(stderr, "%s%s\n", g->warning ? "warning: " : "", buf);
        }
        return 0;
    }
    if (v->listed >= MAX_LISTED) {
        v->unlisted++;
        return 0;
    }
    v->listed++;
    return 1;
}

static int psink(void *ctx, const imv_profile *p)
{
    vctx *v = ctx;
    if (v->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", p->id);
        cJSON_AddStringToObject(o, "source", p->source);
        cJSON_AddNumberToObject(o, "line", (double)p->line);
        cJSON_AddBoolToObject(o, "uncertain", p->uncertain);
        char *s = cJSON_PrintUnformatted(o);
        fprintf(v->f, "%s\n\t\t%s", v->n_valid ? "," : "", s ? s : "null");
        free(s);
        cJSON_Delete(o);
        v->n_valid++;
    } else if (!v->quiet) {
        fprintf(v->f, "%s:%ld: %s: ok%s\n", p->source, p->line, p->id,
                p->uncertain ? " (has uncertain ratings)" : "");
    }
    return 0;
}

int cmd_validate(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, CMD_VALIDATE, "validate", &o);
    if (rc || o.help) {
        if (o.help)
            cli_help(stdout, CMD_VALIDATE, "validate", synopsis, about);
        cli_opts_free(&o);
        return rc;
    }
    if (o.args.n == 0) {
        fprintf(stderr, "imeval validate: no profiles given (see imeval validate --help)\n");
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    vctx v = {.f = stdout, .json = o.format == IMV_FMT_JSON, .quiet = o.quiet};
    imv_diags diags;
    imv_diags_init(&diags);
    diags.on_add = on_diag;
    diags.on_add_ctx = &v;
    if (v.json)
        fputs("{\n\t\"valid\":\t[", stdout);
    imv_registry *reg = imv_registry_new(NULL);
    imv_run_opts ro = {.jobs = 1, .strict = o.strict, .no_evaluate = 1, .stop = &cli_stop};
    imv_run_stats st;
    cli_catch_signals();
    imv_run(reg, (char *const *)o.args.v, o.args.n, &ro, NULL, psink, &v, &diags, &st);
    if (v.json) {
        if (v.unlisted) {
            diags.on_add = NULL;
            imv_diags_add(&diags, 0, "imeval", NULL,
                          "%zu more messages are not listed here (the lists stop at %d)",
                          v.unlisted, MAX_LISTED);
        }
        printf("%s],\n", v.n_valid ? "\n\t" : "");
        cJSON *doc = cJSON_CreateObject();
        cJSON *errs = cJSON_AddArrayToObject(doc, "errors");
        cJSON *warns = cJSON_AddArrayToObject(doc, "warnings");
        for (size_t i = 0; i < diags.n; i++) {
            const imv_diag *g = &diags.v[i];
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "source", g->source ? g->source : "imeval");
            if (g->line > 0)
                cJSON_AddNumberToObject(x, "line", (double)g->line);
            cJSON_AddStringToObject(x, "where", g->where ? g->where : "");
            cJSON_AddStringToObject(x, "message", g->message);
            cJSON_AddItemToArray(g->warning ? warns : errs, x);
        }
        /* The two lists, as members of the object already open. */
        char *s = cJSON_Print(doc);
        size_t n = s ? strlen(s) : 0;
        if (n >= 4)
            printf("%.*s\n", (int)(n - 4), s + 2);
        printf("}\n");
        free(s);
        cJSON_Delete(doc);
    } else {
        fprintf(stderr, "%zu valid, %zu invalid", st.profiles_read, st.profiles_bad);
        if (diags.n_errors)
            fprintf(stderr, "; %zu error%s (above)", diags.n_errors, diags.n_errors == 1 ? "" : "s");
        fputc('\n', stderr);
    }
    rc = st.interrupted ? EXIT_INTERRUPTED : (diags.n_errors || st.profiles_bad) ? EXIT_PARTIAL : 0;
    if (fflush(stdout) != 0)
        rc = EXIT_PARTIAL;
    imv_diags_free(&diags);
    imv_registry_free(reg);
    cli_opts_free(&o);
    return rc;
}
