/* cmd_explain.c - `imeval explain MODEL PROFILE`: one model's full reasoning. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char synopsis[] = "[options] MODEL PROFILE";
static const char about[] =
    "Show one model's full reasoning on each profile in PROFILE: its rank among\n"
    "all loaded models, every reason with its points and evidence, unmet\n"
    "preconditions, risks, timeline and partner.  With --draws, how robust it is.\n\n"
    "example:\n  imeval explain executive_partnership datasets/cases/isle-of-wight-2013.json";

typedef struct explain_ctx {
    FILE *f;
    size_t model;
    int json;
    size_t count;
} explain_ctx;

/* Messages are printed as they come and not kept: a long stream of bad
 * profiles must not grow memory. */
static int on_diag(void *ctx, const imv_diag *g)
{
    (void)ctx;
    char buf[1200];
    imv_diag_format(g, buf, sizeof buf);
    fprintf(stderr, "%s%s\n", g->warning ? "warning: " : "", buf);
    return 0;
}

static int sink(void *ctx, const imv_evaluation *e)
{
    explain_ctx *x = ctx;
    if (!x->json) {
        if (x->count++)
            fputc('\n', x->f);
        return imv_output_explain_text(x->f, e, x->model) == IMV_OK ? 0 : -1;
    }
    size_t rank = 0;
    while (rank < e->n && e->order[rank] != x->model)
        rank++;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "profile", e->profile->id);
    cJSON_AddStringToObject(o, "name", e->profile->name);
    cJSON_AddStringToObject(o, "as_of", e->profile->as_of);
    cJSON_AddItemToObject(o, "result", imv_output_ranking_json(e, rank));
    if (e->recommended)
        cJSON_AddStringToObject(o, "recommended", e->recommended);
    else
        cJSON_AddNullToObject(o, "recommended");
    char *s = cJSON_Print(o);
    int rc = s && fprintf(x->f, "%s%s", x->count++ ? ",\n" : "", s) >= 0 ? 0 : -1;
    free(s);
    cJSON_Delete(o);
    return rc;
}

int cmd_explain(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, CMD_EXPLAIN, "explain", &o);
    if (rc || o.help) {
        if (o.help)
            cli_help(stdout, CMD_EXPLAIN, "explain", synopsis, about);
        cli_opts_free(&o);
        return rc;
    }
    if (o.args.n != 2) {
        fprintf(stderr, "imeval explain: expected MODEL and PROFILE, e.g.\n"
                        "  imeval explain trust datasets/cases/doncaster-2013.json\n"
                        "(see imeval models for the ids, imeval explain --help)\n");
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    int partial = 0;
    imv_registry *reg = cli_registry(&o, &partial);
    if (!reg) {
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    size_t model = imv_registry_count(reg);
    for (size_t i = 0; i < imv_registry_count(reg); i++)
        if (strcmp(imv_model_id(imv_registry_get(reg, i)), o.args.v[0]) == 0)
            model = i;
    if (model == imv_registry_count(reg)) {
        fprintf(stderr, "imeval explain: no model \"%s\" is loaded; the models are:", o.args.v[0]);
        for (size_t i = 0; i < imv_registry_count(reg); i++)
            fprintf(stderr, " %s", imv_model_id(imv_registry_get(reg, i)));
        fputc('\n', stderr);
        imv_registry_free(reg);
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    cli_out out;
    if (cli_out_open(&out, o.output)) {
        imv_registry_free(reg);
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    explain_ctx x = {.f = out.f, .model = model, .json = o.format == IMV_FMT_JSON};
    if (x.json)
        fputs("[\n", out.f);
    imv_diags diags;
    imv_diags_init(&diags);
    diags.on_add = on_diag;
    imv_run_opts ro = {.jobs = 1, .draws = (size_t)o.draws, .seed = o.seed,
                       .vary_parameters = o.vary_parameters, .rating_noise = o.rating_noise, .strict = o.strict, .stop = &cli_stop};
    imv_run_stats st;
    cli_catch_signals();
    int run_rc = imv_run(reg, (char *const *)&o.args.v[1], 1, &ro, sink, NULL, &x, &diags, &st);
    if (x.json)
        fputs("\n]\n", out.f);
    int ok = run_rc == IMV_OK;
    /* Explaining nothing while something failed is a failed run: it must
     * not replace a previous -o FILE. */
    int commit = ok && (x.count || (diags.n_errors == 0 && !st.interrupted));
    if (ok && !commit && out.path)
        fprintf(stderr, "imeval: nothing was explained, so %s was left as it was\n", out.path);
    if (cli_out_close(&out, commit))
        ok = 0;
    rc = st.interrupted ? EXIT_INTERRUPTED
         : (!ok || diags.n_errors || partial || st.model_failures) ? EXIT_PARTIAL
                                                                    : 0;
    imv_diags_free(&diags);
    imv_registry_free(reg);
    cli_opts_free(&o);
    return rc;
}
