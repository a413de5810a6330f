/* cmd_check_model.c - `imeval check-model FILE`: the conformance check of a
 * plugin (core/conformance.c), one line per check, exit status for CI. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char synopsis[] = "[options] FILE";
static const char about[] =
    "Check that the plugin FILE (.so or .lua) keeps the rules of the plugin guide,\n"
    "one line per check: it loads; ABI; ids and texts; parameters; scores in range\n"
    "and no errors over generated profiles (imeval synth, dated 2006-2025, half at\n"
    "parameters drawn within their ranges); timelines in range; a partner named is\n"
    "one of the profile's candidates; deterministic; every reason has text,\n"
    "evidence and fields naming real profile paths; declared rating directions\n"
    "hold; score-only calls agree with full ones; the batch path equals single\n"
    "calls; time per evaluation; and the same results in the sandbox (a child\n"
    "process for C), with the headroom under its limits.  Exit status: 0 every\n"
    "check passed (or was skipped), 1 some failed, 2 usage error.  --format json\n"
    "gives {file, model, checks: [{name, status, detail, figure}], passed, failed,\n"
    "skipped, ok}.\n\n"
    "example:  imeval check-model my_model/my_model.lua";

static const char *const status_name[] = {"pass", "fail", "skip"};

typedef struct sink {
    int json;
    cJSON *checks;
    char model[80];
    int n[3];
} sink;

static void print_json(sink *s, const char *file, int failed)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "file", file);
    if (s->model[0])
        cJSON_AddStringToObject(doc, "model", s->model);
    else
        cJSON_AddNullToObject(doc, "model");
    cJSON_AddItemToObject(doc, "checks", s->checks);
    cJSON_AddNumberToObject(doc, "passed", s->n[IMV_CHECK_PASS]);
    cJSON_AddNumberToObject(doc, "failed", s->n[IMV_CHECK_FAIL]);
    cJSON_AddNumberToObject(doc, "skipped", s->n[IMV_CHECK_SKIP]);
    cJSON_AddBoolToObject(doc, "ok", failed == 0);
    char *text = imv_json_print(doc, 1);
    if (text)
        printf("%s\n", text);
    free(text);
    cJSON_Delete(doc);
}

static void on_check(void *ctx, const imv_check *c)
{
    sink *s = ctx;
    s->n[c->status]++;
    if (strcmp(c->name, "load") == 0 && c->status == IMV_CHECK_PASS) {
        /* "c model ID from ..." */
        const char *m = strstr(c->detail, "model ");
        if (m)
            sscanf(m + 6, "%79s", s->model);
    }
    if (!s->json) {
        printf("%-4s  %-11s  %s\n",
               c->status == IMV_CHECK_PASS   ? "ok"
               : c->status == IMV_CHECK_FAIL ? "FAIL"
                                             : "skip",
               c->name, c->detail);
        fflush(stdout);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddStringToObject(o, "status", status_name[c->status]);
    cJSON_AddStringToObject(o, "detail", c->detail);
    cJSON_AddNumberToObject(o, "figure", c->figure);
    cJSON_AddItemToArray(s->checks, o);
}

int cmd_check_model(int argc, char **argv)
{
    cli_cmd c;
    int rc = cli_begin(&c, argc, argv, CMD_CHECK_MODEL, "check-model", synopsis, about);
    if (rc != CLI_GO)
        goto done;
    rc = EXIT_USAGE;
    if (c.o.args.n != 1) {
        rc = cli_usage_error("check-model", "expected exactly one plugin FILE, e.g. imeval "
                                            "check-model mymodel.lua");
        goto done;
    }
    if (c.o.format >= 0 && c.o.format != IMV_FMT_TABLE && c.o.format != IMV_FMT_JSON) {
        rc = cli_usage_error("check-model", "--format: check-model writes table or json");
        goto done;
    }
    sink s = {.json = c.o.format == IMV_FMT_JSON};
    if (s.json)
        s.checks = cJSON_CreateArray();
    imv_check_opts co = {.profiles = (size_t)c.o.profiles, .seed = c.o.seed, .limits = c.o.limits};
    co.limits.isolate = -1; /* as users run it: isolated unless bundled */
    int failed = imv_check_model(c.o.args.v[0], &co, on_check, &s);
    if (s.json)
        print_json(&s, c.o.args.v[0], failed);
    else
        printf("%s: %d passed, %d failed, %d skipped\n", c.o.args.v[0], s.n[IMV_CHECK_PASS],
               s.n[IMV_CHECK_FAIL], s.n[IMV_CHECK_SKIP]);
    rc = fflush(stdout) != 0 || failed ? EXIT_PARTIAL : 0;
done:
    return cli_end(&c, rc);
}
