/* cmd_template.c - `imeval template`: a blank profile to fill in, as JSON
 * or as a CSV header row.  Written from the engine's own tables of ratings,
 * facts and judgements, so a field added there appears here too, and
 * `imeval template | imeval validate -` holds by construction (tested). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char synopsis[] = "[--format json|csv] [-o FILE]";
static const char about[] =
    "Write a blank authority profile (PROFILE-FORMAT.md) to fill in.  JSON (the\n"
    "default) has every field: the required ones with placeholders that pass\n"
    "validation (each rating the whole range 0..4, meaning \"not rated yet\"; the\n"
    "grade not_inspected; the date this month) and the optional ones null or\n"
    "empty.  Replace the id, name, date, grade and ratings; delete what you do not\n"
    "know.  --format csv writes the CSV header row, one column per field that has\n"
    "a CSV form, for a spreadsheet: one profile a row below it (CSV has no\n"
    "comments, so no example row is written).\n\n"
    "examples:  imeval template -o my-council.json\n"
    "           imeval template | imeval validate -\n"
    "           imeval template --format csv -o councils.csv";

static void put_names(FILE *f, const char *indent, const char *(*name)(int), int n, const char *value)
{
    for (int i = 0; i < n; i++)
        fprintf(f, "%s\"%s\": %s%s\n", indent, name(i), value, i + 1 < n ? "," : "");
}

static void write_json(FILE *f)
{
    char month[16] = "2025-01";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(month, sizeof month, "%Y-%m", &tm);
    fprintf(f,
            "{\n"
            "  \"format\": \"%s\",\n"
            "  \"id\": \"council-%.4s\",\n"
            "  \"name\": \"Council\",\n"
            "  \"as_of\": \"%s\",\n"
            "  \"source\": \"where the ratings come from: the inspection report, the adviser\",\n"
            "  \"size\": { \"child_population\": null, \"children_in_care\": null },\n"
            "  \"ofsted\": {\n"
            "    \"grade\": \"not_inspected\",\n"
            "    \"inspected\": null,\n"
            "    \"previous\": [],\n"
            "    \"judgements\": {\n",
            IMV_PROFILE_FORMAT, month, month);
    put_names(f, "      ", imv_judgement_name, IMV_J_COUNT, "null");
    fprintf(f, "    }\n  },\n  \"ratings\": {\n");
    put_names(f, "    ", imv_rating_name, IMV_R_COUNT, "{ \"low\": 0, \"high\": 4 }");
    fprintf(f, "  },\n  \"facts\": {\n");
    put_names(f, "    ", imv_fact_name, IMV_F_COUNT, "null");
    fprintf(f, "  },\n  \"current_intervention\": null,\n  \"partners\": []\n}\n");
}

static void put_columns(FILE *f, const char *prefix, const char *(*name)(int), int n)
{
    for (int i = 0; i < n; i++)
        fprintf(f, ",%s%s", prefix, name(i));
}

static void write_csv(FILE *f)
{
    fputs("id,name,as_of,source,ofsted.grade,ofsted.inspected,ofsted.previous", f);
    put_columns(f, "ofsted.judgements.", imv_judgement_name, IMV_J_COUNT);
    fputs(",size.child_population,size.children_in_care", f);
    put_columns(f, "ratings.", imv_rating_name, IMV_R_COUNT);
    put_columns(f, "facts.", imv_fact_name, IMV_F_COUNT);
    fputs(",current_intervention.model,current_intervention.since,current_intervention.kind,"
          "current_intervention.partner\n",
          f);
}

int cmd_template(int argc, char **argv)
{
    cli_cmd c;
    int rc = cli_begin(&c, argc, argv, CMD_TEMPLATE, "template", synopsis, about);
    if (rc != CLI_GO)
        goto done;
    if (c.o.args.n) {
        rc = cli_usage_error("template", "unexpected argument \"%s\": the template takes no file",
                             c.o.args.v[0]);
        goto done;
    }
    if ((rc = cli_check_format(&c.o, "template", CLI_FMT(IMV_FMT_JSON) | CLI_FMT(IMV_FMT_CSV))))
        goto done;
    if ((rc = cli_open_output(&c)) != CLI_GO)
        goto done;
    if (c.o.format == IMV_FMT_CSV)
        write_csv(c.out.f);
    else
        write_json(c.out.f);
    rc = cli_close_output(&c, 1) ? EXIT_PARTIAL : 0;
done:
    return cli_end(&c, rc);
}
