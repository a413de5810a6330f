/* cmd_backtest.c - `imeval backtest`: a model set against the recorded
 * outcomes of the cases (datasets/cases/expected.tsv and any file in its
 * format, read by core/expected.c): agreement per case and per model set,
 * "agrees with the record on 17 of 20 cases".  The --b- options of compare
 * add a second set, reported beside the first. */
#include <cjson/cJSON.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char synopsis[] = "[options] [EXPECTED...]";
static const char about[] =
    "Run the loaded models against recorded outcomes and say how far they agree.\n"
    "EXPECTED is a file in the format of datasets/cases/expected.tsv (one assertion\n"
    "a line: CASE RULE ARGS; the rules are listed in it); the default is the case\n"
    "outcomes shipped with imeval.  The profile of case ID is ID.json beside the\n"
    "file.  A case agrees when every assertion on it holds; an assertion naming a\n"
    "model that is not loaded is not applicable, and a case with nothing applicable\n"
    "is not counted.  The --b- options (as for compare) add a second model set,\n"
    "reported beside the first: \"A agrees with the record on 11 of 12 cases, B on\n"
    "12\".  Formats: table (default), json.  Exit status: 0 every applicable\n"
    "assertion holds in every set, 1 some do not (or a file, profile or model\n"
    "failed), 2 usage error.\n\n"
    "examples:\n"
    "  imeval backtest\n"
    "  imeval backtest --b-model my_model.lua\n"
    "  imeval backtest --no-bundled --model my_model.so my_model/expected.tsv";

typedef struct side {
    const char *name; /* "A", "B" */
    char description[1024];
    imv_registry *reg;
    imv_worker *w;
    size_t cases, agree, holds, fails, na;
} side;

typedef struct bt {
    const cli_opts *o;
    side s[2];
    int n_sides;
    int json;
    FILE *f;
    cJSON *jcases;
    int bad; /* files or profiles that could not be read */
    size_t all_cases;
} bt;

static imv_profile *read_case(const char *dir, const char *id, int strict)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.json", dir, id);
    imv_diags d;
    imv_diags_init(&d);
    imv_read_opts ro = {.strict = strict};
    imv_reader *r = imv_reader_open(path, &ro, &d);
    imv_profile *p = NULL;
    if (r && imv_reader_next(r, &p, &d) != 1)
        p = NULL;
    imv_reader_close(r);
    if (!p && d.n)
        cli_print_diags(&d, 0);
    else if (!p)
        cli_error("backtest", "%s: no profile in it", path);
    imv_diags_free(&d);
    return p;
}

static const char *const result_name[] = {"fails", "holds", "n/a"};

/* One case: its assertions x[0..n-1], every side. */
static void run_case(bt *b, const char *file, const char *dir, const imv_expect *x, size_t n)
{
    imv_profile *p = read_case(dir, x[0].case_id, b->o->strict);
    cJSON *jc = NULL, *jsides = NULL;
    if (b->json) {
        jc = cJSON_CreateObject();
        cJSON_AddStringToObject(jc, "id", x[0].case_id);
        cJSON_AddStringToObject(jc, "file", file);
        jsides = cJSON_AddArrayToObject(jc, "sets");
    }
    if (!p) {
        b->bad++;
        if (jc) {
            cJSON_AddStringToObject(jc, "error", "the case's profile could not be read");
            cJSON_AddItemToArray(b->jcases, jc);
        } else {
            fprintf(b->f, "%-22s could not read %s/%s.json\n", x[0].case_id, dir, x[0].case_id);
        }
        return;
    }
    b->all_cases++;
    char cell[2][64], why[2][600];
    for (int s = 0; s < b->n_sides; s++) {
        side *sd = &b->s[s];
        imv_evaluation e;
        imv_evaluate(sd->w, p, &e);
        size_t holds = 0, fails = 0, na = 0;
        why[s][0] = '\0';
        cJSON *ja = NULL;
        if (jsides) {
            cJSON *js = cJSON_CreateObject();
            cJSON_AddStringToObject(js, "set", sd->name);
            ja = cJSON_AddArrayToObject(js, "assertions");
            cJSON_AddItemToArray(jsides, js);
        }
        for (size_t i = 0; i < n; i++) {
            char msg[512];
            int got = imv_expect_check(&x[i], &e, msg, sizeof msg);
            holds += got == IMV_EXPECT_HOLDS;
            fails += got == IMV_EXPECT_FAILS;
            na += got == IMV_EXPECT_NA;
            if (got == IMV_EXPECT_FAILS && !why[s][0])
                snprintf(why[s], sizeof why[s], "line %ld %s %s: %s", x[i].line, x[i].rule, x[i].a,
                         msg);
            if (ja) {
                cJSON *a = cJSON_CreateObject();
                cJSON_AddNumberToObject(a, "line", (double)x[i].line);
                cJSON_AddStringToObject(a, "rule", x[i].rule);
                cJSON *args = cJSON_AddArrayToObject(a, "args");
                cJSON_AddItemToArray(args, cJSON_CreateString(x[i].a));
                if (x[i].b)
                    cJSON_AddItemToArray(args, cJSON_CreateString(x[i].b));
                cJSON_AddStringToObject(a, "result", result_name[got]);
                cJSON_AddStringToObject(a, "found", msg);
                cJSON_AddItemToArray(ja, a);
            }
        }
        imv_evaluation_clear(&e);
        int applicable = holds + fails > 0;
        sd->holds += holds;
        sd->fails += fails;
        sd->na += na;
        sd->cases += applicable;
        sd->agree += applicable && !fails;
        if (!applicable)
            snprintf(cell[s], sizeof cell[s], "n/a");
        else if (!fails)
            snprintf(cell[s], sizeof cell[s], "agrees (%zu/%zu)", holds, holds + fails);
        else
            snprintf(cell[s], sizeof cell[s], "DISAGREES (%zu/%zu)", holds, holds + fails);
        if (jsides) {
            cJSON *js = cJSON_GetArrayItem(jsides, s);
            cJSON_AddBoolToObject(js, "applicable", applicable);
            cJSON_AddBoolToObject(js, "agrees", applicable && !fails);
            cJSON_AddNumberToObject(js, "holds", (double)holds);
            cJSON_AddNumberToObject(js, "fails", (double)fails);
            cJSON_AddNumberToObject(js, "not_applicable", (double)na);
        }
    }
    imv_profile_free(p);
    if (jc) {
        cJSON_AddItemToArray(b->jcases, jc);
        return;
    }
    if (b->n_sides > 1)
        fprintf(b->f, "%-22s %-22s %s\n", x[0].case_id, cell[0], cell[1]);
    else
        fprintf(b->f, "%-22s %s\n", x[0].case_id, cell[0]);
    for (int s = 0; s < b->n_sides; s++)
        if (why[s][0])
            fprintf(b->f, "    %s: %s\n", b->s[s].name, why[s]);
}

/* Every case of one file, in the order of its first assertion. */
static int run_file(bt *b, const char *path)
{
    imv_expects ex;
    imv_diags d;
    imv_diags_init(&d);
    int rc = imv_expects_read(path, &ex, &d);
    cli_print_diags(&d, 0);
    imv_diags_free(&d);
    if (rc != IMV_OK) {
        b->bad++;
        imv_expects_free(&ex);
        return -1;
    }
    char *copy = strdup(path);
    const char *dir = copy ? dirname(copy) : ".";
    unsigned char *done = calloc(ex.n + 1, 1);
    imv_expect *group = calloc(ex.n + 1, sizeof *group);
    if (!done || !group) {
        cli_error("backtest", "out of memory");
        exit(EXIT_USAGE);
    }
    for (size_t i = 0; i < ex.n && !cli_stop; i++) {
        if (done[i])
            continue;
        size_t n = 0;
        for (size_t k = i; k < ex.n; k++)
            if (!done[k] && strcmp(ex.v[k].case_id, ex.v[i].case_id) == 0) {
                group[n++] = ex.v[k];
                done[k] = 1;
            }
        run_case(b, path, dir, group, n);
    }
    free(group);
    free(done);
    free(copy);
    imv_expects_free(&ex);
    return 0;
}

static void summary(bt *b)
{
    if (!b->json) {
        fputc('\n', b->f);
        for (int s = 0; s < b->n_sides; s++) {
            const side *sd = &b->s[s];
            fprintf(b->f,
                    "%s (%s): agrees with the record on %zu of %zu case%s (%zu of %zu "
                    "assertions",
                    sd->name, sd->description, sd->agree, sd->cases, sd->cases == 1 ? "" : "s",
                    sd->holds, sd->holds + sd->fails);
            if (sd->na)
                fprintf(b->f, "; %zu not applicable", sd->na);
            fputs(")\n", b->f);
        }
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "format", "imeval-backtest/1");
    cJSON *files = cJSON_AddArrayToObject(doc, "files");
    for (size_t i = 0; i < b->o->args.n; i++)
        cJSON_AddItemToArray(files, cJSON_CreateString(b->o->args.v[i]));
    cJSON *sets = cJSON_AddArrayToObject(doc, "sets");
    for (int s = 0; s < b->n_sides; s++) {
        const side *sd = &b->s[s];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "name", sd->name);
        cJSON_AddStringToObject(x, "description", sd->description);
        cJSON *ids = cJSON_AddArrayToObject(x, "models");
        for (size_t i = 0; i < imv_registry_count(sd->reg); i++)
            cJSON_AddItemToArray(ids, cJSON_CreateString(imv_model_id(imv_registry_get(sd->reg, i))));
        cJSON_AddNumberToObject(x, "cases", (double)sd->cases);
        cJSON_AddNumberToObject(x, "cases_agree", (double)sd->agree);
        cJSON_AddNumberToObject(x, "assertions", (double)(sd->holds + sd->fails));
        cJSON_AddNumberToObject(x, "assertions_hold", (double)sd->holds);
        cJSON_AddNumberToObject(x, "not_applicable", (double)sd->na);
        cJSON_AddItemToArray(sets, x);
    }
    cJSON_AddItemToObject(doc, "cases", b->jcases);
    b->jcases = NULL;
    char *text = imv_json_print(doc, 1);
    if (text)
        fprintf(b->f, "%s\n", text);
    free(text);
    cJSON_Delete(doc);
}

int cmd_backtest(int argc, char **argv)
{
    cli_cmd cc;
    bt b;
    memset(&b, 0, sizeof b);
    int rc = cli_begin(&cc, argc, argv, CMD_BACKTEST, "backtest", synopsis, about), pb = 0;
    if (rc != CLI_GO)
        goto done;
    cli_opts *o = &cc.o;
    b.o = o;
    b.json = o->format == IMV_FMT_JSON;
    char dflt[PATH_MAX];
    rc = EXIT_USAGE;
    if (o->format >= 0 && o->format != IMV_FMT_TABLE && o->format != IMV_FMT_JSON) {
        cli_usage_error("backtest", "--format: backtest writes table or json");
        goto done;
    }
    if (o->args.n == 0) {
        if (imv_data_path("datasets/cases/expected.tsv", dflt, sizeof dflt)) {
            cli_usage_error("backtest", "no EXPECTED file given: the shipped case outcomes are not "
                                        "beside the program (name an EXPECTED file)");
            goto done;
        }
        free(o->args.v);
        o->args.cap = o->args.n = 0;
        o->args.v = malloc(sizeof *o->args.v);
        if (!o->args.v)
            goto done;
        o->args.v[o->args.n++] = dflt;
    }
    if ((rc = cli_load(&cc)) != CLI_GO)
        goto done;
    rc = EXIT_USAGE;
    b.s[0].name = "A";
    b.s[0].reg = cc.reg;
    cli_describe_a(o, b.s[0].reg, b.s[0].description, sizeof b.s[0].description);
    b.n_sides = 1;
    if (o->have_b) {
        b.s[1].name = "B";
        if (!(b.s[1].reg = cli_registry_b(o, &pb)))
            goto done;
        cli_describe_b(o, b.s[1].description, sizeof b.s[1].description);
        b.n_sides = 2;
    }
    for (int s = 0; s < b.n_sides; s++)
        b.s[s].w = imv_worker_new(b.s[s].reg);
    if ((rc = cli_open_output(&cc)) != CLI_GO)
        goto done;
    b.f = cc.out.f;
    cli_catch_signals();
    if (b.json)
        b.jcases = cJSON_CreateArray();
    else if (b.n_sides > 1)
        fprintf(b.f, "%-22s %-22s %s\n", "case", "A", "B");
    else
        fprintf(b.f, "%-22s %s\n", "case", "A");
    for (size_t i = 0; i < o->args.n && !cli_stop; i++)
        run_file(&b, o->args.v[i]);
    summary(&b);
    size_t fails = b.s[0].fails + (b.n_sides > 1 ? b.s[1].fails : 0);
    rc = cli_stop                               ? cli_interrupted_exit()
         : (fails || b.bad || cc.partial || pb) ? EXIT_PARTIAL
                                                : 0;
    if (cli_close_output(&cc, b.all_cases > 0) && rc == 0)
        rc = EXIT_PARTIAL;
done:
    cJSON_Delete(b.jcases);
    for (int s = 0; s < 2; s++)
        imv_worker_free(b.s[s].w);
    imv_registry_free(b.s[1].reg); /* side A's is cc's */
    return cli_end(&cc, rc);
}
