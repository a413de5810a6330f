/*
 * output.c - the four output formats.  JSON follows RESULT-FORMAT.md; the
 * table fits an 80-column terminal.  Numbers are rounded once, here, so
 * that every format shows the same figures and output is byte-identical
 * run to run.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "journey.h"
#include "monitor.h"
#include "uncertainty.h"

struct imv_output {
    FILE *f;
    imv_document doc;
    imv_format fmt;
    int explain;
    const imv_registry *reg;
    size_t n_written;
    char *extra_header;
    int io_error;
    imv_provenance *prov; /* borrowed; NULL for no provenance block */
    int prov_stamp;
    int csv_draws; /* CSV: the uncertainty columns (run with draws) */
    /* CSV: an evaluation's rows, written with one fwrite (a cell at a
     * time through stdio was a tenth of a streamed profile's cost). */
    char *row;
    size_t row_len, row_cap;
};

int imv_format_parse(const char *s)
{
    if (strcmp(s, "table") == 0)
        return IMV_FMT_TABLE;
    if (strcmp(s, "json") == 0)
        return IMV_FMT_JSON;
    if (strcmp(s, "csv") == 0)
        return IMV_FMT_CSV;
    if (strcmp(s, "markdown") == 0 || strcmp(s, "md") == 0)
        return IMV_FMT_MARKDOWN;
    return -1;
}

imv_output *imv_output_new(FILE *f, imv_format fmt, int explain, const imv_registry *reg,
                           const char *extra_header_json)
{
    return imv_output_open(f, IMV_DOC_RESULTS, fmt, explain, reg, extra_header_json);
}

imv_output *imv_output_open(FILE *f, imv_document doc, imv_format fmt, int explain,
                            const imv_registry *reg, const char *extra_header_json)
{
    imv_output *o = imv_xcalloc(1, sizeof *o);
    o->f = f;
    o->doc = doc;
    o->fmt = fmt;
    o->explain = explain;
    o->reg = reg;
    o->extra_header = extra_header_json ? imv_xstrdup(extra_header_json) : NULL;
    return o;
}

static void put(imv_output *o, const char *s)
{
    if (fputs(s, o->f) == EOF)
        o->io_error = 1;
}

static void putf(imv_output *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(imv_output *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(o->f, fmt, ap) < 0)
        o->io_error = 1;
    va_end(ap);
}

/* ---- JSON ---------------------------------------------------------------- */

static cJSON *models_json(const imv_registry *reg)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < imv_registry_count(reg); i++) {
        const imv_model *m = imv_registry_get(reg, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", m->id);
        cJSON_AddStringToObject(o, "name", m->name);
        cJSON_AddStringToObject(o, "version", m->version);
        cJSON_AddStringToObject(o, "language", m->be->language);
        cJSON_AddStringToObject(o, "summary", m->summary);
        cJSON *p = cJSON_AddObjectToObject(o, "parameters");
        for (size_t k = 0; k < m->n_params; k++)
            cJSON_AddNumberToObject(p, m->params[k].name, m->values[k]);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static void add_months(cJSON *o, const char *k, double v)
{
    if (v == IMV_UNKNOWN)
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, round(v));
}

static cJSON *strings_json(char *const *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

static cJSON *fields_json(const char *fields)
{
    cJSON *a = cJSON_CreateArray();
    const char *p = fields;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        while (n && *p == ' ') {
            p++;
            n--;
        }
        if (n) {
            char *s = imv_xstrndup(p, n);
            cJSON_AddItemToArray(a, cJSON_CreateString(s));
            free(s);
        }
        p += n + (c ? 1 : 0);
        if (!c)
            break;
    }
    return a;
}

/* low / likely / high of each leg (core/journey.c), beside "timeline". */
static void timeline_range_json(cJSON *o, const imv_profile *p, const imv_result *r)
{
    imv_timeline_range tr;
    imv_timeline_range_compute(p, r, &tr);
    const imv_months_range *legs[] = {&tr.setup, &tr.fair, &tr.good};
    static const char *const names[] = {"setup_months", "months_to_fair", "months_to_good"};
    cJSON *t = cJSON_AddObjectToObject(o, "timeline_range");
    for (size_t i = 0; i < 3; i++) {
        cJSON *x = cJSON_AddObjectToObject(t, names[i]);
        add_months(x, "low", legs[i]->low);
        add_months(x, "likely", legs[i]->likely);
        add_months(x, "high", legs[i]->high);
    }
}

cJSON *imv_output_ranking_json(const imv_evaluation *e, size_t rank)
{
    const imv_result *r = &e->results[e->order[rank]];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", r->model->id);
    cJSON_AddNumberToObject(o, "rank", (double)rank + 1);
    if (r->error) {
        cJSON_AddBoolToObject(o, "viable", 0);
        cJSON_AddStringToObject(o, "error", r->error);
        return o;
    }
    cJSON_AddNumberToObject(o, "score", imv_round1(r->score));
    cJSON_AddStringToObject(o, "band", imv_band(imv_round1(r->score)));
    cJSON_AddBoolToObject(o, "viable", r->viable);
    cJSON *rs = cJSON_AddArrayToObject(o, "reasons");
    for (size_t i = 0; i < r->n_reasons; i++) {
        const imv_reason *x = &r->reasons[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddItemToObject(j, "fields", fields_json(x->fields));
        cJSON_AddNumberToObject(j, "points", imv_round1(x->points));
        cJSON_AddStringToObject(j, "text", x->text);
        cJSON_AddStringToObject(j, "evidence", x->evidence);
        cJSON_AddItemToArray(rs, j);
    }
    cJSON_AddItemToObject(o, "unmet_preconditions", strings_json(r->unmet, r->n_unmet));
    cJSON_AddItemToObject(o, "risks", strings_json(r->risks, r->n_risks));
    cJSON *t = cJSON_AddObjectToObject(o, "timeline");
    add_months(t, "setup_months", r->setup_months);
    add_months(t, "months_to_fair", r->months_to_fair);
    add_months(t, "months_to_good", r->months_to_good);
    timeline_range_json(o, e->profile, r);
    if (r->partner_id) {
        cJSON *p = cJSON_AddObjectToObject(o, "partner");
        cJSON_AddStringToObject(p, "id", r->partner_id);
        cJSON_AddNumberToObject(p, "fit", imv_round1(r->partner_fit));
        if (r->n_fit_parts) {
            cJSON *cs = cJSON_AddArrayToObject(p, "components");
            for (size_t i = 0; i < r->n_fit_parts; i++) {
                cJSON *c = cJSON_CreateObject();
                cJSON_AddStringToObject(c, "name", r->fit_parts[i].name);
                cJSON_AddNumberToObject(c, "points", imv_round1(r->fit_parts[i].points));
                cJSON_AddStringToObject(c, "evidence", r->fit_parts[i].evidence);
                cJSON_AddItemToArray(cs, c);
            }
        }
    }
    return o;
}

/* When the commissioner comes first: what its review is likely to
 * recommend, and why (core/monitor.c). */
static void outlook_json(cJSON *o, const imv_evaluation *e)
{
    imv_outlook ol;
    imv_outlook_assess(e, &ol);
    if (ol.kind == IMV_OUTLOOK_NONE)
        return;
    char text[2400];
    cJSON *c = cJSON_AddObjectToObject(o, "commissioner_outlook");
    cJSON_AddStringToObject(c, "outcome", imv_outlook_name(ol.kind));
    if (ol.model)
        cJSON_AddStringToObject(c, "model", ol.model);
    else
        cJSON_AddNullToObject(c, "model");
    cJSON *rs = cJSON_AddArrayToObject(c, "reasons");
    for (size_t i = 0; i < ol.n_reasons; i++)
        cJSON_AddItemToArray(rs, cJSON_CreateString(ol.reasons[i]));
    imv_outlook_sentence(&ol, text, sizeof text);
    cJSON_AddStringToObject(c, "text", text);
}

static void wrap(imv_output *o, const char *text, int col, int indent, int width);

static void outlook_text(imv_output *o, const imv_evaluation *e)
{
    imv_outlook ol;
    imv_outlook_assess(e, &ol);
    if (ol.kind == IMV_OUTLOOK_NONE)
        return;
    char text[2400];
    imv_outlook_sentence(&ol, text, sizeof text);
    put(o, "review: ");
    wrap(o, text, 8, 2, 80);
}

cJSON *imv_output_evaluation_json(const imv_evaluation *e)
{
    const imv_profile *p = e->profile;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "profile", p->id);
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddStringToObject(o, "as_of", p->as_of);
    cJSON_AddStringToObject(o, "source", p->source);
    /* "source" was already the file; the profile's own `source` field
     * (where its ratings come from) is this one. */
    if (p->src_note)
        cJSON_AddStringToObject(o, "profile_source", p->src_note);
    else
        cJSON_AddNullToObject(o, "profile_source");
    cJSON_AddStringToObject(o, "grade", imv_grade_name(p->grade));
    if (e->recommended)
        cJSON_AddStringToObject(o, "recommended", e->recommended);
    else
        cJSON_AddNullToObject(o, "recommended");
    cJSON *a = cJSON_AddArrayToObject(o, "ranking");
    for (size_t i = 0; i < e->n; i++)
        cJSON_AddItemToArray(a, imv_output_ranking_json(e, i));
    if (e->uncertainty)
        cJSON_AddItemToObject(o, "uncertainty", imv_uncertainty_json(e->uncertainty, e));
    const imv_monitor *mon = e->monitor;
    if (mon) {
        char text[1200];
        cJSON *iv = cJSON_AddObjectToObject(o, "intervention");
        cJSON_AddStringToObject(iv, "model", mon->model);
        add_months(iv, "months", mon->months == IMV_UNKNOWN ? IMV_UNKNOWN : floor(mon->months));
        add_months(iv, "expected_months", mon->expected_months);
        cJSON_AddStringToObject(iv, "status", imv_monitor_status_name(mon->status));
        if (mon->escalate_to)
            cJSON_AddStringToObject(iv, "escalate_to", mon->escalate_to);
        else
            cJSON_AddNullToObject(iv, "escalate_to");
        imv_monitor_sentence(mon, text, sizeof text);
        cJSON_AddStringToObject(iv, "text", text);
        cJSON_AddStringToObject(iv, "why", mon->why);
    }
    outlook_json(o, e);
    if (p->extra_json) {
        cJSON *x = cJSON_Parse(p->extra_json);
        if (x)
            cJSON_AddItemToObject(o, "unknown_fields", x);
    }
    return o;
}

char *imv_json_print(const cJSON *doc, int pretty)
{
    char *raw = pretty ? cJSON_Print(doc) : cJSON_PrintUnformatted(doc);
    if (!raw)
        return NULL;
    /* A file name need not be UTF-8; the document must be.  The repair
     * touches only bytes >= 0x80, so it never breaks the JSON syntax. */
    if (imv_utf8_valid(raw, strlen(raw)))
        return raw;
    char *s = imv_utf8_repair(raw);
    free(raw);
    return s;
}

static int print_json(imv_output *o, cJSON *j, const char *indent)
{
    char *s = imv_json_print(j, 1);
    if (!s)
        return IMV_ENOMEM;
    /* Indent nested output so the envelope reads as one document: a line
     * at a time (a byte at a time took 3% of a Monte Carlo run). */
    for (const char *p = s;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (len && fwrite(p, 1, len, o->f) != len)
            o->io_error = 1;
        if (!nl)
            break;
        put(o, indent);
        p = nl + 1;
    }
    free(s);
    return IMV_OK;
}

static void json_begin(imv_output *o)
{
    cJSON *models = models_json(o->reg);
    putf(o, "{\n\t\"format\":\t\"%s\",\n\t\"engine\":\t{\n\t\t\"version\":\t\"%s\"\n\t},\n",
         IMV_RESULT_FORMAT, IMV_VERSION);
    if (o->extra_header)
        putf(o, "%s", o->extra_header);
    put(o, "\t\"models\":\t");
    print_json(o, models, "\t");
    put(o, ",\n\t\"results\":\t[");
    cJSON_Delete(models);
}

static void json_evaluation(imv_output *o, const imv_evaluation *e)
{
    cJSON *j = imv_output_evaluation_json(e);
    put(o, o->n_written ? ", " : "");
    print_json(o, j, "\t");
    if (o->prov)
        imv_provenance_add_result(o->prov, j);
    cJSON_Delete(j);
}

cJSON *imv_diags_json(const imv_diags *d, int warnings)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; d && i < d->n; i++) {
        const imv_diag *g = &d->v[i];
        if (!g->warning != !warnings)
            continue;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "source", g->source ? g->source : "imeval");
        if (g->line > 0)
            cJSON_AddNumberToObject(x, "line", (double)g->line);
        cJSON_AddStringToObject(x, "where", g->where ? g->where : "");
        cJSON_AddStringToObject(x, "message", g->message);
        if (g->profile)
            cJSON_AddStringToObject(x, "profile_id", g->profile);
        cJSON_AddItemToArray(a, x);
    }
    return a;
}

/* A member "name": [diagnostics] of the envelope, indented one level. */
static void json_diags(imv_output *o, const char *name, const imv_diags *d, int warnings)
{
    cJSON *a = imv_diags_json(d, warnings);
    putf(o, "\t\"%s\":\t", name);
    print_json(o, a, "\t");
    cJSON_Delete(a);
}

static void json_end(imv_output *o, const imv_diags *d)
{
    put(o, "],\n");
    json_diags(o, "errors", d, 0);
    if (o->prov) {
        cJSON *pj = imv_provenance_json(o->prov, o->prov_stamp);
        put(o, ",\n\t\"provenance\":\t");
        print_json(o, pj, "\t");
        cJSON_Delete(pj);
    }
    put(o, "\n}\n");
}

/* ---- the sensitivity and validation documents ------------------------------ *
 *
 * The same envelope as results: written as each profile comes, so that a
 * long input streams, with the diagnostics at the end. */

static void sens_begin(imv_output *o)
{
    if (o->fmt == IMV_FMT_JSON)
        putf(o,
             "{\n\t\"format\":\t\"%s\",\n\t\"engine\":\t{\n\t\t\"version\":\t\"%s\"\n\t},\n"
             "\t\"results\":\t[",
             IMV_SENSITIVITY_FORMAT, IMV_VERSION);
}

static int sens_evaluation(imv_output *o, const imv_evaluation *e)
{
    if (!e->sensitivity)
        return IMV_EINVAL; /* the run was not asked for it */
    if (o->fmt == IMV_FMT_JSON) {
        cJSON *j = imv_sensitivity_json(e->sensitivity, e->profile, o->reg);
        put(o, o->n_written ? ", " : "");
        print_json(o, j, "\t\t"); /* as deep as cJSON puts an array's objects */
        cJSON_Delete(j);
    } else {
        if (o->n_written)
            put(o, "\n");
        imv_sensitivity_text(o->f, e->sensitivity, e->profile, o->reg);
        if (ferror(o->f))
            o->io_error = 1;
    }
    return IMV_OK;
}

static void valid_begin(imv_output *o)
{
    if (o->fmt == IMV_FMT_JSON)
        put(o, "{\n\t\"valid\":\t[");
}

int imv_output_profile(imv_output *o, const imv_profile *p)
{
    if (o->fmt == IMV_FMT_JSON) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", p->id);
        cJSON_AddStringToObject(x, "source", p->source);
        cJSON_AddNumberToObject(x, "line", (double)p->line);
        cJSON_AddBoolToObject(x, "uncertain", p->uncertain);
        char *s = cJSON_PrintUnformatted(x);
        putf(o, "%s\n\t\t%s", o->n_written ? "," : "", s ? s : "null");
        free(s);
        cJSON_Delete(x);
    } else {
        putf(o, "%s:%ld: %s: ok%s\n", p->source, p->line, p->id,
             p->uncertain ? " (has uncertain ratings)" : "");
    }
    o->n_written++;
    return o->io_error ? IMV_EIO : IMV_OK;
}

static void valid_end(imv_output *o, const imv_diags *d)
{
    if (o->fmt != IMV_FMT_JSON)
        return;
    putf(o, "%s],\n", o->n_written ? "\n\t" : "");
    json_diags(o, "errors", d, 0);
    put(o, ",\n");
    json_diags(o, "warnings", d, 1);
    put(o, "\n}\n");
}

/* ---- table ----------------------------------------------------------------- */

static void months_cell(char *buf, size_t n, double v)
{
    if (v == IMV_UNKNOWN)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.0f", round(v));
}

/* Wrapped as every document wraps (core/format.c); a write error is
 * kept for imv_output_end. */
static void wrap(imv_output *o, const char *text, int col, int indent, int width)
{
    if (imv_wrap(o->f, text, col, indent, width))
        o->io_error = 1;
}

static const char *robust_note(const imv_evaluation *e, char *buf, size_t n)
{
    buf[0] = '\0';
    if (e->uncertainty && e->recommended)
        imv_uncertainty_first_share(e->uncertainty, e, buf, n);
    return buf;
}

static void table_header(imv_output *o, const imv_evaluation *e)
{
    const imv_profile *p = e->profile;
    char note[160];
    char *title = imv_xasprintf("%s (%s, as of %s): %s%s", p->name, p->id, p->as_of,
                                imv_grade_name(p->grade),
                                p->grade_was_adequate ? " (was \"adequate\")" : "");
    wrap(o, title, 0, 2, 80);
    free(title);
    if (e->recommended) {
        const imv_result *first = &e->results[e->order[0]];
        putf(o, "recommended: %s%s\n", e->recommended, robust_note(e, note, sizeof note));
        if (first->score < 50)
            put(o, "  caution: even the best viable model fits poorly here; read the reasons\n"
                   "  (--explain) and why the others are not viable before relying on it\n");
    } else
        put(o, "recommended: none - no model is viable for this profile\n");
    if (e->monitor) {
        char text[1200];
        imv_monitor_sentence(e->monitor, text, sizeof text);
        put(o, "in place: ");
        wrap(o, text, 10, 2, 80);
    }
    outlook_text(o, e);
}

static void table_row(imv_output *o, const imv_evaluation *e, size_t rank)
{
    const imv_result *r = &e->results[e->order[rank]];
    char s[16], fair[16], good[16], setup[16], partner[40] = "";
    if (r->error) {
        putf(o, "%2zu  %-21.21s %5s  %-8s %-6s ", rank + 1, r->model->id, "-", "-", "error");
        wrap(o, r->error, 49, 49, 80);
        return;
    }
    snprintf(s, sizeof s, "%.1f", imv_round1(r->score));
    months_cell(setup, sizeof setup, r->setup_months);
    months_cell(fair, sizeof fair, r->months_to_fair);
    months_cell(good, sizeof good, r->months_to_good);
    if (r->partner_id) {
        char *id = imv_text_terminal(r->partner_id);
        snprintf(partner, sizeof partner, "%.10s %.0f", id, imv_round1(r->partner_fit));
        free(id);
    }
    /* 64 columns, then at most 2 + 14 for the partner: 80 in all. */
    putf(o, "%2zu  %-21.21s %5s  %-8s %-6s %5s %4s %4s%s%s\n", rank + 1, r->model->id, s,
         imv_band(imv_round1(r->score)), r->viable ? "yes" : "no", setup, fair, good,
         *partner ? "  " : "", partner);
}

/* "a,b" as "a, b", so that a long field list can wrap. */
static char *spaced_fields(const char *fields)
{
    size_t n = 0;
    for (const char *p = fields; *p; p++)
        n += *p == ',' ? 2 : 1;
    char *s = imv_xmalloc(n + 1), *q = s;
    for (const char *p = fields; *p; p++) {
        *q++ = *p;
        if (*p == ',' && p[1] != ' ')
            *q++ = ' ';
    }
    *q = '\0';
    return s;
}

/* "base 40, grade +25, spare capacity +8, ...": the parts of r's partner
 * fit that print (|points| >= 0.05), in the model's order, into a new
 * string (caller frees); NULL when the model gives none. */
static char *fit_parts_line(const imv_result *r)
{
    if (!r->partner_id || r->n_fit_parts == 0)
        return NULL;
    size_t cap = 64 * r->n_fit_parts + 1, k = 0;
    char *s = imv_xmalloc(cap);
    s[0] = '\0';
    for (size_t i = 0; i < r->n_fit_parts; i++) {
        const imv_fit_part *x = &r->fit_parts[i];
        double v = imv_round1(x->points);
        if (fabs(v) < IMV_REASON_MIN_POINTS)
            continue;
        char name[40];
        snprintf(name, sizeof name, "%s", x->name);
        for (char *q = name; *q; q++)
            if (*q == '_')
                *q = ' ';
        k += (size_t)snprintf(s + k, cap - k, "%s%s %s%.*f", k ? ", " : "", name,
                              strcmp(x->name, "base") == 0 || v < 0 ? "" : "+",
                              v == round(v) ? 0 : 1, v);
    }
    return s;
}

/* The partner of r and what its fit is made of, one (wrapped) line. */
static void fit_parts_text(imv_output *o, const imv_result *r, int indent, int with_model)
{
    char *parts = fit_parts_line(r);
    char *line = parts ? imv_xasprintf("%s%s%s%s's fit %.1f: %s",
                                       with_model ? imv_model_id(r->model) : "",
                                       with_model ? ": " : "", "partner ", r->partner_id,
                                       imv_round1(r->partner_fit), parts)
                       : imv_xasprintf("partner: %s (fit %.1f)", r->partner_id,
                                       imv_round1(r->partner_fit));
    putf(o, "%*s", indent, "");
    wrap(o, line, indent, indent + 2, 80);
    free(line);
    free(parts);
}

static void explain_result(imv_output *o, const imv_profile *p, const imv_result *r, int indent)
{
    char line[64];
    if (r->error) {
        putf(o, "%*serror: ", indent, "");
        wrap(o, r->error, indent + 7, indent + 4, 80);
        return;
    }
    for (size_t i = 0; i < r->n_reasons; i++) {
        const imv_reason *x = &r->reasons[i];
        snprintf(line, sizeof line, "%+6.1f  ", imv_round1(x->points));
        putf(o, "%*s%s", indent, "", line);
        wrap(o, x->text, indent + 8, indent + 8, 80);
        if (*x->evidence || *x->fields) {
            char *fields = spaced_fields(x->fields);
            char *ev = imv_xasprintf("evidence: %s%s%s%s", x->evidence, *fields ? " (" : "", fields,
                                     *fields ? ")" : "");
            free(fields);
            putf(o, "%*s", indent + 8, "");
            wrap(o, ev, indent + 8, indent + 10, 80);
            free(ev);
        }
    }
    for (size_t i = 0; i < r->n_unmet; i++) {
        putf(o, "%*snot met: ", indent, "");
        wrap(o, r->unmet[i], indent + 9, indent + 9, 80);
    }
    for (size_t i = 0; i < r->n_risks; i++) {
        putf(o, "%*srisk: ", indent, "");
        wrap(o, r->risks[i], indent + 6, indent + 6, 80);
    }
    char a[16], b[16], c[16];
    months_cell(a, sizeof a, r->setup_months);
    months_cell(b, sizeof b, r->months_to_fair);
    months_cell(c, sizeof c, r->months_to_good);
    putf(o, "%*stimeline: set-up %s months, fair at %s, good at %s\n", indent, "", a, b, c);
    imv_timeline_range tr;
    imv_timeline_range_compute(p, r, &tr);
    if (tr.fair.likely != IMV_UNKNOWN && tr.good.likely != IMV_UNKNOWN) {
        char rng[300];
        snprintf(rng, sizeof rng,
                 "fair at %.0f-%.0f, good at %.0f-%.0f months (the record's "
                 "spread, widened by this profile's uncertain ratings and workforce)",
                 round(tr.fair.low), round(tr.fair.high), round(tr.good.low), round(tr.good.high));
        putf(o, "%*srange: ", indent, "");
        wrap(o, rng, indent + 7, indent + 7, 80);
    }
    if (r->partner_id)
        fit_parts_text(o, r, indent, 0);
}

static void table_evaluation(imv_output *o, const imv_evaluation *e)
{
    if (o->n_written)
        put(o, "\n");
    table_header(o, e);
    /* the unit of the three timeline columns, over them */
    putf(o, "%49s%s\n", "", "--- months ----");
    putf(o, "%2s  %-21s %5s  %-8s %-6s %5s %4s %4s  %s\n", "#", "model", "score", "band", "viable",
         "setup", "fair", "good", "partner");
    for (size_t i = 0; i < e->n; i++) {
        table_row(o, e, i);
        if (o->explain)
            explain_result(o, e->profile, &e->results[e->order[i]], 4);
    }
    /* Without --explain, what each partner's fit is made of, compactly. */
    for (size_t i = 0; !o->explain && i < e->n; i++) {
        const imv_result *r = &e->results[e->order[i]];
        if (!r->error && r->partner_id && r->n_fit_parts)
            fit_parts_text(o, r, 4, 1);
    }
    /* Without --explain, still say why a model is out of the running. */
    for (size_t i = 0; !o->explain && i < e->n; i++) {
        const imv_result *r = &e->results[e->order[i]];
        if (r->error || r->viable || r->n_unmet == 0)
            continue;
        char *line = imv_xasprintf("%s not viable: %s%s", r->model->id, r->unmet[0],
                                   r->n_unmet > 1 ? " (and more: --explain)" : "");
        put(o, "    ");
        wrap(o, line, 4, 6, 80);
        free(line);
    }
    if (e->uncertainty)
        imv_uncertainty_table(o->f, e->uncertainty, e);
}

/* ---- CSV and Markdown ---------------------------------------------------- */

/* Room for n more bytes in the row being built. */
static void row_reserve(imv_output *o, size_t n)
{
    if (o->row_len + n > o->row_cap) {
        o->row_cap = o->row_len + n > 2 * o->row_cap ? o->row_len + n : 2 * o->row_cap;
        o->row = imv_xrealloc(o->row, o->row_cap);
    }
}

static void row_add(imv_output *o, const char *s, size_t n)
{
    row_reserve(o, n);
    memcpy(o->row + o->row_len, s, n);
    o->row_len += n;
}

/* What a CSV cell's bytes ask for: 1 a quoted cell (, " CR LF), 2 the
 * end of the cell (its NUL).  Most cells have none of the first. */
static const unsigned char csv_byte[256] = {[','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1, [0] = 2};

/* A cell a spreadsheet would read as a formula (=, +, -, @, tab, CR
 * first: OWASP's CSV injection list) gets a leading ' so it is text.  No
 * number this writes starts with one of them. */
static const unsigned char csv_formula[256] = {
    ['='] = 1, ['+'] = 1, ['-'] = 1, ['@'] = 1, ['\t'] = 1, ['\r'] = 1,
};

static void csv_quoted(imv_output *o, const char *s)
{
    row_add(o, csv_formula[(unsigned char)*s] ? "\"'" : "\"", csv_formula[(unsigned char)*s] ? 2 : 1);
    for (const char *p = s; *p;) {
        size_t k = strcspn(p, "\"");
        row_add(o, p, k);
        p += k;
        if (*p == '"') {
            row_add(o, "\"\"", 2);
            p++;
        }
    }
    row_add(o, "\"", 1);
}

static void csv_cell(imv_output *o, const char *s, int last)
{
    size_t n = 0;
    while (!csv_byte[(unsigned char)s[n]])
        n++;
    if (s[n] || csv_formula[(unsigned char)*s]) {
        csv_quoted(o, s);
        n = 0;
    }
    /* the plain cell and its separator in one go: most cells are short */
    row_reserve(o, n + 2);
    memcpy(o->row + o->row_len, s, n);
    o->row_len += n;
    if (last) {
        o->row[o->row_len++] = '\r';
        o->row[o->row_len++] = '\n';
    } else {
        o->row[o->row_len++] = ',';
    }
}

/* Write the rows built so far. */
static void row_flush(imv_output *o)
{
    if (o->row_len && fwrite(o->row, 1, o->row_len, o->f) != o->row_len)
        o->io_error = 1;
    o->row_len = 0;
}

/* The digits of v in buf (room for 20 and a NUL); returns buf. */
static char *utoa(char *buf, unsigned long long v)
{
    char t[24];
    size_t n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while (v /= 10);
    for (size_t i = 0; i < n; i++)
        buf[i] = t[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

#define FAST_MAX 1e9 /* fits the cells' 16 bytes; v * 10 is exact enough far beyond */

/* What snprintf "%.1f" writes for v, a value of imv_round1: v is the
 * double nearest k/10, so "%.1f" writes k/10's digits exactly.  Anything
 * else (negative, NaN, huge) goes to snprintf itself. */
static void fmt_1f(char *buf, size_t n, double v)
{
    if (!(v >= 0 && v < FAST_MAX) || signbit(v)) {
        snprintf(buf, n, "%.1f", v);
        return;
    }
    unsigned long long k = (unsigned long long)round(v * 10.0);
    char *end = buf + strlen(utoa(buf, k / 10));
    end[0] = '.';
    end[1] = (char)('0' + k % 10);
    end[2] = '\0';
}

/* What months_cell writes, without snprintf for the usual whole months. */
static void fmt_months(char *buf, size_t n, double v)
{
    double r = round(v);
    if (v != IMV_UNKNOWN && r >= 0 && r < FAST_MAX && !signbit(r))
        utoa(buf, (unsigned long long)r);
    else
        months_cell(buf, n, v);
}

/* The uncertainty columns of model m (registry index): mean, p05, p95
 * of the score over the draws, the share of draws in which it was first,
 * in the top two, and viable; empty when the profile had no draws. */
static void csv_uncertainty(imv_output *o, const imv_evaluation *e, size_t m)
{
    const imv_uncertainty *u = e->uncertainty;
    char v[6][40];
    for (int k = 0; k < 6; k++)
        v[k][0] = '\0';
    if (u && m < u->n) {
        snprintf(v[0], sizeof v[0], "%.1f", imv_round1(u->mean[m]));
        snprintf(v[1], sizeof v[1], "%.1f", imv_round1(u->p05[m]));
        snprintf(v[2], sizeof v[2], "%.1f", imv_round1(u->p95[m]));
        double p1 = u->rank_prob[m * u->n], p2 = p1 + (u->n > 1 ? u->rank_prob[m * u->n + 1] : 0);
        snprintf(v[3], sizeof v[3], "%.15g", p1);
        snprintf(v[4], sizeof v[4], "%.15g", p2);
        snprintf(v[5], sizeof v[5], "%.15g", u->viable_share[m]);
    }
    for (int k = 0; k < 6; k++)
        csv_cell(o, v[k], k == 5);
}

static void csv_evaluation(imv_output *o, const imv_evaluation *e)
{
    for (size_t i = 0; i < e->n; i++) {
        const imv_result *r = &e->results[e->order[i]];
        char rank[24], score[16], a[16], b[16], c[16], fit[16];
        utoa(rank, i + 1);
        score[0] = fit[0] = '\0'; /* formatted only where a cell shows them */
        if (!r->error)
            fmt_1f(score, sizeof score, imv_round1(r->score));
        fmt_months(a, sizeof a, r->setup_months);
        fmt_months(b, sizeof b, r->months_to_fair);
        fmt_months(c, sizeof c, r->months_to_good);
        if (r->partner_id)
            fmt_1f(fit, sizeof fit, imv_round1(r->partner_fit));
        csv_cell(o, e->profile->id, 0);
        csv_cell(o, e->profile->as_of, 0);
        csv_cell(o, r->model->id, 0);
        csv_cell(o, rank, 0);
        csv_cell(o, r->error ? "" : score, 0);
        csv_cell(o, r->error ? "" : imv_band(imv_round1(r->score)), 0);
        csv_cell(o, r->viable ? "true" : "false", 0);
        csv_cell(o, r->error || r->setup_months == IMV_UNKNOWN ? "" : a, 0);
        csv_cell(o, r->error || r->months_to_fair == IMV_UNKNOWN ? "" : b, 0);
        csv_cell(o, r->error || r->months_to_good == IMV_UNKNOWN ? "" : c, 0);
        csv_cell(o, r->partner_id ? r->partner_id : "", 0);
        csv_cell(o, r->partner_id ? fit : "", 0);
        csv_cell(o, r->n_unmet ? r->unmet[0] : "", 0);
        csv_cell(o, r->error ? r->error : "", !o->csv_draws);
        if (o->csv_draws)
            csv_uncertainty(o, e, e->order[i]);
    }
    row_flush(o);
}

/* Text in Markdown: no table cell broken (|, newlines, CR), no HTML a
 * renderer would run (<, >, & as entities), no control character. */
static void md_text(imv_output *o, const char *s)
{
    char *safe = imv_text_terminal(s);
    for (const char *p = safe; *p; p++) {
        const char *esc = *p == '|'   ? "\\|"
                          : *p == '<' ? "&lt;"
                          : *p == '>' ? "&gt;"
                          : *p == '&' ? "&amp;"
                                      : NULL;
        if (esc)
            put(o, esc);
        else if (fputc(*p, o->f) == EOF)
            o->io_error = 1;
    }
    free(safe);
}

/* The uncertainty table: each model's score over the draws and how often
 * it ranked first and in the top two. */
static void md_uncertainty(imv_output *o, const imv_evaluation *e)
{
    const imv_uncertainty *u = e->uncertainty;
    putf(o, "Over %zu draws of the uncertain ratings (seed %llu%s):\n\n", u->draws,
         (unsigned long long)u->seed, u->vary_parameters ? ", parameters drawn too" : "");
    put(o, "| model | mean | p05 | p95 | first | top two | viable in |\n");
    put(o, "|---|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < e->n; i++) {
        size_t m = e->order[i];
        if (m >= u->n)
            continue;
        double p1 = u->rank_prob[m * u->n], p2 = p1 + (u->n > 1 ? u->rank_prob[m * u->n + 1] : 0);
        putf(o, "| %s | %.1f | %.1f | %.1f | %.0f%% | %.0f%% | %.0f%% |\n", e->results[m].model->id,
             imv_round1(u->mean[m]), imv_round1(u->p05[m]), imv_round1(u->p95[m]), p1 * 100,
             p2 * 100, u->viable_share[m] * 100);
    }
    put(o, "\n");
}

/* The provenance at the end of a Markdown document. */
static void md_provenance(imv_output *o)
{
    cJSON *pj = imv_provenance_json(o->prov, o->prov_stamp);
    const cJSON *eng = cJSON_GetObjectItemCaseSensitive(pj, "engine"), *x;
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(pj, "result");
#define J(obj, k)                                                \
    (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(obj, k))    \
         ? cJSON_GetObjectItemCaseSensitive(obj, k)->valuestring \
         : "-")
    put(o, "## Provenance\n\n");
    putf(o, "- Engine: imeval %s (commit %s, %s; %s, cJSON %s)\n", J(eng, "version"),
         J(eng, "commit"), J(eng, "compiler"), J(eng, "lua"), J(eng, "cjson"));
    put(o, "- Reproduce with: `");
    md_text(o, J(pj, "command"));
    put(o, "`\n");
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(pj, "seed");
    if (cJSON_IsNumber(seed))
        putf(o, "- Draws: %.0f, seed %.0f\n",
             cJSON_GetObjectItemCaseSensitive(pj, "draws")->valuedouble, seed->valuedouble);
    else
        put(o, "- Draws: none\n");
    putf(o, "- Result SHA-256: `%s` (of `jq -c '.results[]'` of the JSON result)\n",
         J(res, "sha256"));
    if (o->prov_stamp)
        putf(o, "- Run at: %s\n", J(pj, "time"));
    put(o, "\n| input | SHA-256 |\n|---|---|\n");
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(pj, "profiles"))
    {
        put(o, "| profile ");
        md_text(o, J(x, "path"));
        putf(o, " | `%s` |\n",
             cJSON_IsString(cJSON_GetObjectItemCaseSensitive(x, "sha256")) ? J(x, "sha256")
                                                                           : J(x, "note"));
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(pj, "models"))
    {
        put(o, "| model ");
        md_text(o, J(x, "id"));
        put(o, " ");
        md_text(o, J(x, "version"));
        put(o, " (");
        md_text(o, J(x, "file"));
        putf(o, ") | `%s` |\n",
             cJSON_IsString(cJSON_GetObjectItemCaseSensitive(x, "sha256")) ? J(x, "sha256")
                                                                           : J(x, "note"));
    }
#undef J
    put(o, "\n");
    cJSON_Delete(pj);
}

static void md_evaluation(imv_output *o, const imv_evaluation *e)
{
    const imv_profile *p = e->profile;
    char note[160];
    put(o, "## ");
    md_text(o, p->name);
    putf(o, " (`%s`, as of %s, %s)\n\n", p->id, p->as_of, imv_grade_name(p->grade));
    putf(o, "Recommended: **%s**%s\n\n", e->recommended ? e->recommended : "none (no viable model)",
         robust_note(e, note, sizeof note));
    if (e->recommended && e->results[e->order[0]].score < 50)
        put(o, "> **Caution:** even the best viable model fits poorly here; read the reasons and "
               "why the others are not viable before relying on it.\n\n");
    imv_monitor mon;
    imv_monitor_assess(e, &mon);
    if (mon.status != IMV_MON_NONE) {
        char text[1200];
        imv_monitor_sentence(&mon, text, sizeof text);
        put(o, "In place: ");
        md_text(o, text);
        putf(o, " (%s)\n\n", imv_monitor_status_name(mon.status));
    }
    put(o, "| # | model | score | band | viable | set-up (months) | to fair (months) | "
           "to good (months) | partner (fit) |\n");
    put(o, "|---|---|---:|---|---|---:|---:|---:|---|\n");
    for (size_t i = 0; i < e->n; i++) {
        const imv_result *r = &e->results[e->order[i]];
        if (r->error) {
            putf(o, "| %zu | %s | - | - | error: ", i + 1, r->model->id);
            md_text(o, r->error);
            put(o, " | | | | |\n");
            continue;
        }
        char a[16], b[16], c[16];
        months_cell(a, sizeof a, r->setup_months);
        months_cell(b, sizeof b, r->months_to_fair);
        months_cell(c, sizeof c, r->months_to_good);
        putf(o, "| %zu | %s | %.1f | %s | %s | %s | %s | %s | ", i + 1, r->model->id,
             imv_round1(r->score), imv_band(imv_round1(r->score)), r->viable ? "yes" : "no", a, b, c);
        if (r->partner_id) {
            md_text(o, r->partner_id);
            putf(o, " (%.0f)", imv_round1(r->partner_fit));
        }
        put(o, " |\n");
    }
    put(o, "\n");
    if (e->uncertainty)
        md_uncertainty(o, e);
    if (!o->explain)
        return;
    for (size_t i = 0; i < e->n; i++) {
        const imv_result *r = &e->results[e->order[i]];
        putf(o, "### %s\n\n", r->model->id);
        if (r->error) {
            put(o, "Error: ");
            md_text(o, r->error);
            put(o, "\n\n");
            continue;
        }
        for (size_t k = 0; k < r->n_reasons; k++) {
            putf(o, "- %+.1f: ", imv_round1(r->reasons[k].points));
            md_text(o, r->reasons[k].text);
            put(o, " *(");
            md_text(o, r->reasons[k].evidence);
            put(o, ")*\n");
        }
        for (size_t k = 0; k < r->n_unmet; k++) {
            put(o, "- **Not met:** ");
            md_text(o, r->unmet[k]);
            put(o, "\n");
        }
        for (size_t k = 0; k < r->n_risks; k++) {
            put(o, "- Risk: ");
            md_text(o, r->risks[k]);
            put(o, "\n");
        }
        put(o, "\n");
    }
}

/* ---- dispatch --------------------------------------------------------------- */

void imv_output_set_provenance(imv_output *o, imv_provenance *p, int with_stamp)
{
    o->prov = p;
    o->prov_stamp = with_stamp;
}

void imv_output_set_draws(imv_output *o, size_t draws)
{
    o->csv_draws = draws > 0;
}

int imv_output_begin(imv_output *o)
{
    if (o->doc == IMV_DOC_SENSITIVITY)
        sens_begin(o);
    else if (o->doc == IMV_DOC_VALIDATION)
        valid_begin(o);
    else if (o->fmt == IMV_FMT_JSON)
        json_begin(o);
    else if (o->fmt == IMV_FMT_CSV)
        put(o, o->csv_draws
                   ? "profile,as_of,model,rank,score,band,viable,setup_months,months_to_fair,"
                     "months_to_good,partner,partner_fit,first_unmet_precondition,error,"
                     "mean,p05,p95,first_share,top_two_share,viable_share\r\n"
                   : "profile,as_of,model,rank,score,band,viable,setup_months,months_to_fair,"
                     "months_to_good,partner,partner_fit,first_unmet_precondition,error\r\n");
    return o->io_error ? IMV_EIO : IMV_OK;
}

int imv_output_evaluation(imv_output *o, const imv_evaluation *e)
{
    if (o->doc == IMV_DOC_SENSITIVITY) {
        int rc = sens_evaluation(o, e);
        if (rc)
            return rc;
        o->n_written++;
        return o->io_error ? IMV_EIO : IMV_OK;
    }
    switch (o->fmt) {
    case IMV_FMT_JSON: json_evaluation(o, e); break;
    case IMV_FMT_TABLE: table_evaluation(o, e); break;
    case IMV_FMT_CSV: csv_evaluation(o, e); break;
    case IMV_FMT_MARKDOWN:
        md_evaluation(o, e);
        if (o->prov) { /* the result hash is the JSON's, whatever the format */
            cJSON *j = imv_output_evaluation_json(e);
            imv_provenance_add_result(o->prov, j);
            cJSON_Delete(j);
        }
        break;
    }
    o->n_written++;
    return o->io_error ? IMV_EIO : IMV_OK;
}

int imv_output_end(imv_output *o, const imv_diags *d)
{
    if (!o)
        return IMV_OK;
    if (o->doc == IMV_DOC_VALIDATION)
        valid_end(o, d);
    else if (o->fmt == IMV_FMT_JSON)
        json_end(o, d);
    if (o->fmt == IMV_FMT_MARKDOWN && o->prov)
        md_provenance(o);
    if (fflush(o->f) != 0)
        o->io_error = 1;
    int rc = o->io_error ? IMV_EIO : IMV_OK;
    free(o->extra_header);
    free(o->row);
    free(o);
    return rc;
}

int imv_output_explain_text(FILE *f, const imv_evaluation *e, size_t idx)
{
    imv_output o = {.f = f, .fmt = IMV_FMT_TABLE, .explain = 1};
    const imv_result *r = &e->results[idx];
    size_t rank = 0;
    while (rank < e->n && e->order[rank] != idx)
        rank++;
    const imv_profile *p = e->profile;
    char *title = imv_xasprintf("%s (%s) for %s (%s, as of %s, %s)", r->model->name, r->model->id,
                                p->name, p->id, p->as_of, imv_grade_name(p->grade));
    wrap(&o, title, 0, 2, 80);
    free(title);
    if (r->error)
        putf(&o, "rank %zu of %zu: the model failed\n", rank + 1, e->n);
    else
        putf(&o, "rank %zu of %zu, score %.1f (%s), %s\n", rank + 1, e->n, imv_round1(r->score),
             imv_band(imv_round1(r->score)), r->viable ? "viable" : "not viable");
    explain_result(&o, p, r, 2);
    if (strcmp(r->model->id, "commissioner") == 0)
        outlook_text(&o, e);
    if (e->uncertainty)
        imv_uncertainty_model_text(f, e->uncertainty, e, idx);
    if (fflush(f) != 0)
        o.io_error = 1;
    return o.io_error ? IMV_EIO : IMV_OK;
}
