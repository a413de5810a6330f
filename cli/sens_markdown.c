/*
 * sens_markdown.c - `imeval sensitivity --format markdown`: the tipping
 * points of one profile as Markdown, written from the JSON object the
 * engine gives (imv_sensitivity_json), so the figures are the JSON's.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cJSON *get(const cJSON *o, const char *k)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Text in a Markdown table cell or line: no cell break, no line break,
 * no HTML a renderer would run. */
static void md(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '|': fputs("\\|", f); break;
        case '\\': fputs("\\\\", f); break;
        case '`': fputs("\\`", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '\n':
        case '\r': fputc(' ', f); break;
        default: fputc(*s, f);
        }
    }
}

static void tip_cell(FILE *f, const cJSON *t)
{
    if (!cJSON_IsObject(t)) {
        fputs("none", f);
        return;
    }
    fprintf(f, "%.2f: ", num(t, "to"));
    md(f, str(t, "first"));
    if (cJSON_IsTrue(get(t, "within_range")))
        fputs(" (**inside the given range**)", f);
}

void cli_sensitivity_markdown(FILE *f, const cJSON *s)
{
    const cJSON *x;
    fputs("## ", f);
    md(f, str(s, "name"));
    fputs(" (`", f);
    md(f, str(s, "profile"));
    fputs("`, as of ", f);
    md(f, str(s, "as_of"));
    fputs(")\n\nFirst: **", f);
    md(f, str(s, "first"));
    fprintf(f, "**, %.1f", num(s, "score"));
    if (cJSON_IsString(get(s, "second")) && isfinite(num(s, "margin"))) {
        fprintf(f, ", %.1f points ahead of ", num(s, "margin"));
        md(f, str(s, "second"));
    }
    fputs(cJSON_IsFalse(get(s, "first_viable")) ? " (not viable)" : "", f);
    fputs(".\n\n### Tipping points\n\nOne rating changed, the others at their values (the mode, or "
          "the middle of a range); the nearest value that puts another model first.\n\n"
          "| rating | value | range | lowering it to | raising it to |\n|---|---:|---:|---|---|\n",
          f);
    cJSON_ArrayForEach(x, get(s, "ratings"))
    {
        const cJSON *rg = get(x, "range");
        fputs("| ", f);
        md(f, x->string ? x->string : "");
        fprintf(f, " | %.2f | ", num(x, "value"));
        if (rg)
            fprintf(f, "%.2f-%.2f", num(rg, "low"), num(rg, "high"));
        else
            fputs("-", f);
        fputs(" | ", f);
        tip_cell(f, get(x, "decrease"));
        fputs(" | ", f);
        tip_cell(f, get(x, "increase"));
        fputs(" |\n", f);
    }
    fputs("\n### What would bring each other model first\n\n| # | model | score | one rating "
          "change |\n|---:|---|---:|---|\n",
          f);
    cJSON_ArrayForEach(x, get(s, "models"))
    {
        if (num(x, "rank") == 1)
            continue;
        const cJSON *t = get(x, "tip");
        fprintf(f, "| %.0f | ", num(x, "rank"));
        md(f, x->string ? x->string : "");
        fprintf(f, " | %.1f | ", num(x, "score"));
        if (cJSON_IsObject(t)) {
            md(f, str(t, "rating"));
            fprintf(f, " %.2f -> %.2f", num(t, "from"), num(t, "to"));
        } else {
            fputs("no single rating change in 0..4", f);
        }
        fputs(" |\n", f);
    }
    fputs("\n### Parameters the first place depends on\n\n", f);
    int any = 0;
    cJSON_ArrayForEach(x, get(s, "parameters"))
    {
        const cJSON *t = get(x, "tip");
        if (!cJSON_IsObject(t))
            continue;
        if (!any++)
            fputs("| parameter | value | range | at this value another model is first | share of "
                  "range |\n|---|---:|---:|---|---:|\n",
                  f);
        fputs("| ", f);
        md(f, str(x, "model"));
        fputs(".", f);
        md(f, str(x, "parameter"));
        fprintf(f, " | %g | %g-%g | %g: ", num(x, "value"), num(x, "min"), num(x, "max"),
                num(t, "to"));
        md(f, str(t, "first"));
        fprintf(f, " | %.0f%% |\n", num(x, "share_of_range") * 100);
    }
    fputs(any ? "\n" : "No model parameter changes the first place within its range.\n\n", f);
    any = 0;
    cJSON_ArrayForEach(x, get(s, "partners"))
    {
        if (!any++)
            fputs("### Candidate partners\n\nEach alone as the council's only candidate, one "
                  "attribute changed.\n\n",
                  f);
        const cJSON *t;
        cJSON_ArrayForEach(t, get(x, "tipping_points"))
        {
            fputs("- ", f);
            md(f, str(t, "text"));
            fputs("\n", f);
        }
    }
    if (any)
        fputs("\n", f);
}
