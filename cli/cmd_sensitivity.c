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
    "their values (the mode, or the middle of a range).  Exit status: 0 all\n"
    "analysed, 1 some profiles or models failed, 2 usage error.\n\n"
    "example:  imeval sensitivity datasets/cases/isle-of-wight-2013.json";

typedef struct sens_ctx {
    FILE *f;
    int json;
    imv_worker *w;
    imv_registry *reg;
    cJSON *results;             /* JSON: collected, written at the end */
    size_t count;
    size_t failed;
    int markdown;
} sens_ctx;

static int sink(void *ctx, const imv_evaluation *e)
{
    sens_ctx *x = ctx;
    imv_sensitivity *s;
    for (size_t i = 0; i < e->n; i++)
        if (e->results[i].error) {
            x->failed++;
            break;
        }
    if (imv_sensitivity_run(x->w, e->profile, &s) != IMV_OK)
        return -1;
    if (x->json) {
        cJSON_AddItemToArray(x->results, imv_sensitivity_json(s, e->profile, x->reg));
    } else if (x->markdown) {
        cJSON *j = imv_sensitivity_json(s, e->profile, x->reg);
        cli_sensitivity_markdown(x->f, j);
        cJSON_Delete(j);
    } else {
        if (x->count)
            fputc('\n', x->f);
        imv_sensitivity_text(x->f, s, e->profile, x->reg);
    }
    x->count++;
    imv_sensitivity_free(s);
    return ferror(x->f) ? -1 : 0;
}

static void add_errors(cJSON *doc, const imv_diags *d)
{
    cJSON *errs = cJSON_AddArrayToObject(doc, "errors");
    for (size_t i = 0; i < d->n; i++) {
        const imv_diag *g = &d->v[i];
        if (g->warning)
            continue;
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "source", g->source ? g->source : "imeval");
        if (g->line > 0)
            cJSON_AddNumberToObject(e, "line", (double)g->line);
        cJSON_AddStringToObject(e, "where", g->where ? g->where : "");
        cJSON_AddStringToObject(e, "message", g->message);
        cJSON_AddItemToArray(errs, e);
    }
}

int cmd_sensitivity(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, CMD_SENSITIVITY, "sensitivity", &o);
    if (rc || o.help) {
        if (o.help)
            cli_help(stdout, CMD_SENSITIVITY, "sensitivity", synopsis, about);
        cli_opts_free(&o);
        return rc;
    }
    if (o.args.n == 0) {
        fprintf(stderr, "imeval sensitivity: no profile given, e.g.\n"
                        "  imeval sensitivity datasets/cases/isle-of-wight-2013.json\n"
                        "(see imeval sensitivity --help)\n");
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    if (o.format != -1 && o.format != IMV_FMT_TABLE && o.format != IMV_FMT_JSON &&
        o.format != IMV_FMT_MARKDOWN) {
        fprintf(stderr, "imeval sensitivity: --format: table, json or markdown\n"
                        "(see imeval sensitivity --help)\n");
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
    sens_ctx x = {.f = out.f, .json = o.format == IMV_FMT_JSON, .reg = reg,
                  .markdown = o.format == IMV_FMT_MARKDOWN,
                  .w = imv_worker_new(reg)};
    if (x.json)
        x.results = cJSON_CreateArray();
    imv_diags diags;
    imv_diags_init(&diags);
    imv_run_opts ro = {.jobs = 1, .strict = o.strict, .stop = &cli_stop};
    imv_run_stats st;
    cli_catch_signals();
    int run_rc = imv_run(reg, (char *const *)o.args.v, o.args.n, &ro, sink, NULL, &x, &diags, &st);
    int ok = run_rc == IMV_OK;
    if (x.json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "format", "imeval-sensitivity/1");
        cJSON *eng = cJSON_AddObjectToObject(doc, "engine");
        cJSON_AddStringToObject(eng, "version", IMV_VERSION);
        cJSON_AddItemToObject(doc, "results", x.results);
        add_errors(doc, &diags);
        char *s = cJSON_Print(doc);
        if (!s || fprintf(out.f, "%s\n", s) < 0)
            ok = 0;
        free(s);
        cJSON_Delete(doc);
    }
    for (size_t i = 0; i < diags.n; i++) {
        if (diags.v[i].warning && o.quiet)
            continue;
        char buf[1200];
        imv_diag_format(&diags.v[i], buf, sizeof buf);
        fprintf(stderr, "%s%s\n", diags.v[i].warning ? "warning: " : "", buf);
    }
    if (cli_out_close(&out, ok))
        ok = 0;
    rc = st.interrupted                                            ? EXIT_INTERRUPTED
         : (!ok || diags.n_errors || partial || x.failed || !x.count) ? EXIT_PARTIAL
                                                                   : 0;
    imv_worker_free(x.w);
    imv_diags_free(&diags);
    imv_registry_free(reg);
    cli_opts_free(&o);
    return rc;
}
