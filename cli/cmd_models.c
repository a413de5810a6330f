/* cmd_models.c - `imeval models`: what is loaded, with its parameters. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char synopsis[] = "[options]";
static const char about[] =
    "List the loaded models: id, version, language, summary and evidence, and each\n"
    "parameter with its current value, range and meaning.  Change a parameter with\n"
    "--set MODEL.PARAM=VALUE or --params FILE on evaluate, explain and sensitivity.";

static void print_json(FILE *f, const imv_registry *reg)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < imv_registry_count(reg); i++) {
        const imv_model *m = imv_registry_get(reg, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", imv_model_id(m));
        cJSON_AddStringToObject(o, "name", imv_model_name(m));
        cJSON_AddStringToObject(o, "version", imv_model_version(m));
        cJSON_AddStringToObject(o, "language", imv_model_language(m));
        cJSON_AddStringToObject(o, "summary", imv_model_summary(m));
        cJSON_AddStringToObject(o, "evidence", imv_model_evidence(m));
        cJSON_AddStringToObject(o, "path", imv_model_path(m));
        cJSON_AddBoolToObject(o, "isolated", imv_model_isolated(m));
        cJSON *ps = cJSON_AddArrayToObject(o, "parameters");
        for (size_t k = 0; k < imv_model_param_count(m); k++) {
            const imv_param_def *p = imv_model_param(m, k);
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "name", p->name);
            cJSON_AddNumberToObject(x, "value", imv_model_param_values(m)[k]);
            cJSON_AddNumberToObject(x, "default", p->def);
            cJSON_AddNumberToObject(x, "min", p->min);
            cJSON_AddNumberToObject(x, "max", p->max);
            cJSON_AddStringToObject(x, "description", p->description);
            cJSON_AddItemToArray(ps, x);
        }
        cJSON_AddItemToArray(a, o);
    }
    char *s = imv_json_print(a, 1);
    if (s)
        fprintf(f, "%s\n", s);
    free(s);
    cJSON_Delete(a);
}

static void print_table(FILE *f, const imv_registry *reg)
{
    for (size_t i = 0; i < imv_registry_count(reg); i++) {
        const imv_model *m = imv_registry_get(reg, i);
        fprintf(f, "%s%s %s (%s%s) - %s\n", i ? "\n" : "", imv_model_id(m), imv_model_version(m),
                imv_model_language(m), imv_model_isolated(m) ? ", isolated" : "", imv_model_name(m));
        fprintf(f, "  %s\n  evidence: %s\n  file: %s\n", imv_model_summary(m),
                imv_model_evidence(m), imv_model_path(m));
        for (size_t k = 0; k < imv_model_param_count(m); k++) {
            const imv_param_def *p = imv_model_param(m, k);
            double v = imv_model_param_values(m)[k];
            fprintf(f, "  %-28s %6g  [%g..%g]%s\n      %s\n", p->name, v, p->min, p->max,
                    v != p->def ? " (set)" : "", p->description);
        }
    }
}

int cmd_models(int argc, char **argv)
{
    cli_cmd c;
    int rc = cli_begin(&c, argc, argv, CMD_MODELS, "models", synopsis, about);
    if (rc != CLI_GO)
        goto done;
    if ((rc = cli_check_format(&c.o, "models", CLI_FMT(IMV_FMT_TABLE) | CLI_FMT(IMV_FMT_JSON))))
        goto done;
    if (c.o.args.n) {
        rc = cli_usage_error("models", "unexpected argument \"%s\": models takes no file",
                             c.o.args.v[0]);
        goto done;
    }
    if ((rc = cli_load(&c)) != CLI_GO || (rc = cli_open_output(&c)) != CLI_GO)
        goto done;
    if (c.o.format == IMV_FMT_JSON)
        print_json(c.out.f, c.reg);
    else
        print_table(c.out.f, c.reg);
    rc = cli_close_output(&c, !ferror(c.out.f)) != 0 || c.partial ? EXIT_PARTIAL : 0;
done:
    return cli_end(&c, rc);
}
