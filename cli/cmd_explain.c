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

static int sink(void *ctx, const imv_evaluation *e)
{
    explain_ctx *x = ctx;
    cli_print_trace(stderr, e, x->model);
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
    char *s = imv_json_print(o, 1);
    int rc = s && fprintf(x->f, "%s%s", x->count++ ? ",\n" : "", s) >= 0 ? 0 : -1;
    free(s);
    cJSON_Delete(o);
    return rc;
}

/* The model explained, by id; prints the loaded ids when there is none. */
static int find_model(const imv_registry *reg, const char *id, size_t *model)
{
    size_t n = imv_registry_count(reg);
    for (size_t i = 0; i < n; i++)
        if (strcmp(imv_model_id(imv_registry_get(reg, i)), id) == 0) {
            *model = i;
            return 0;
        }
    const char *ids[64];
    char list[1024] = "";
    size_t at = 0, k = n < 64 ? n : 64;
    for (size_t i = 0; i < k; i++) {
        ids[i] = imv_model_id(imv_registry_get(reg, i));
        at += (size_t)snprintf(list + at, at < sizeof list ? sizeof list - at : 0, "%s%s",
                               i ? ", " : "", ids[i]);
        if (at >= sizeof list)
            at = sizeof list - 1;
    }
    const char *near = imv_nearest(id, ids, k);
    return cli_usage_error("explain", "no model \"%s\" is loaded (%s%s%sthe models are: %s)", id,
                           near ? "did you mean " : "", near ? near : "", near ? "? " : "", list);
}

int cmd_explain(int argc, char **argv)
{
    cli_cmd c;
    int rc = cli_begin(&c, argc, argv, CMD_EXPLAIN, "explain", synopsis, about);
    if (rc != CLI_GO)
        goto done;
    if ((rc = cli_check_format(&c.o, "explain", CLI_FMT(IMV_FMT_TABLE) | CLI_FMT(IMV_FMT_JSON))))
        goto done;
    const cli_opts *o = &c.o;
    if (o->args.n != 2) {
        rc = cli_usage_error("explain", "expected MODEL and PROFILE, e.g. imeval explain trust "
                                        "datasets/cases/doncaster-2013.json (imeval models lists "
                                        "the ids)");
        goto done;
    }
    size_t model = 0;
    if ((rc = cli_load(&c)) != CLI_GO || (rc = find_model(c.reg, o->args.v[0], &model)) != 0 ||
        (rc = cli_open_output(&c)) != CLI_GO)
        goto done;
    explain_ctx x = {.f = c.out.f, .model = model, .json = o->format == IMV_FMT_JSON};
    if (x.json)
        fputs("[\n", c.out.f);
    /* Messages are printed as they come and not kept: a long stream of
     * bad profiles must not grow memory. */
    cli_diag_sink ds = {.print = 1};
    cli_diag_sink_attach(&ds, &c.diags);
    imv_run_opts ro = {.jobs = o->jobs,
                       .draws = (size_t)o->draws,
                       .seed = o->seed,
                       .vary_parameters = o->vary_parameters,
                       .rating_noise = o->rating_noise,
                       .strict = o->strict,
                       .stop = &cli_stop};
    imv_run_stats st;
    cli_catch_signals();
    int run_rc = imv_run(c.reg, (char *const *)&o->args.v[1], 1, &ro, sink, NULL, &x, &c.diags, &st);
    if (x.json)
        fputs("\n]\n", c.out.f);
    int ok = run_rc == IMV_OK;
    /* Explaining nothing while something failed is a failed run: it must
     * not replace a previous -o FILE. */
    int commit = ok && (x.count || (c.diags.n_errors == 0 && !st.interrupted));
    if (ok && !commit && c.out.path && !c.out.direct)
        cli_error("explain", "nothing was explained, so %s was left as it was", c.out.path);
    if (cli_close_output(&c, commit))
        ok = 0;
    rc = st.interrupted                                                ? cli_interrupted_exit()
         : (!ok || c.diags.n_errors || c.partial || st.model_failures) ? EXIT_PARTIAL
                                                                       : 0;
done:
    return cli_end(&c, rc);
}
