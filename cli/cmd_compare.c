/* cmd_compare.c - `imeval compare`: two model sets, or two parameter sets,
 * over the same profiles: which recommendations change and where, rank
 * agreement (Kendall's tau per profile), score correlation per model,
 * viability changes.  Side A is what the common options load; side B is
 * A changed by the --b-* options (cli_registry_b, shared with backtest). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char synopsis[] = "[options] --b-... PROFILE...";
static const char about[] =
    "Compare two model sets, or two parameter sets, over the same profiles.  Side A\n"
    "is what the common options load (the bundled models, --model, --models,\n"
    "--no-bundled, --only, --set, --params); side B is side A changed by the --b-\n"
    "options: --b-model FILE and --b-models DIR add models, --b-no-bundled drops\n"
    "the bundled ones, --b-only keeps some, --b-set M.P=V and --b-params FILE set\n"
    "parameters; --b-separate makes B a set of its own (the bundled models unless\n"
    "--no-bundled or --b-no-bundled, and only the --b- options).  For each profile: the recommendation on each side (and whether\n"
    "it changed), Kendall's tau between the two rankings of the models both sides\n"
    "have, and the models whose viability changed; then, per model, the\n"
    "correlation of its scores on the two sides and its mean change.  Formats:\n"
    "table (default), json, markdown.  Exit status: 0 compared, 1 some profiles or\n"
    "models failed, 2 usage error.\n\n"
    "examples:\n"
    "  imeval compare --b-set trust.w_commitment=15 datasets/cases/*.json\n"
    "  imeval compare --b-model my_model.lua --format markdown datasets/cases/*.json\n"
    "  imeval compare --no-bundled --models v1/ --b-separate --b-models v2/ cases/*.json\n"
    "  imeval synth --count 2000 | imeval compare --b-params tuned.json -";

/* ---- side B ----------------------------------------------------------- */

static void concat(cli_list *out, const cli_list *a, const cli_list *b)
{
    out->n = out->cap = a->n + b->n;
    out->v = calloc(out->cap ? out->cap : 1, sizeof *out->v);
    if (!out->v) {
        cli_error("compare", "out of memory");
        exit(EXIT_USAGE);
    }
    if (a->n) /* an empty list's v is NULL, which memcpy may not be given */
        memcpy(out->v, a->v, a->n * sizeof *a->v);
    if (b->n)
        memcpy(out->v + a->n, b->v, b->n * sizeof *b->v);
}

imv_registry *cli_registry_b(const cli_opts *o, int *partial)
{
    /* --b-separate: B is built from its own options (and the bundled
     * models unless --no-bundled or --b-no-bundled), nothing of A's. */
    static const cli_list none;
    cli_opts b = *o;
    int sep = o->b_separate;
    concat(&b.model_dirs, sep ? &none : &o->model_dirs, &o->b_model_dirs);
    concat(&b.model_files, sep ? &none : &o->model_files, &o->b_model_files);
    b.no_bundled = o->no_bundled || o->b_no_bundled;
    if (sep) {
        b.sets.n = 0;
        b.params_file = NULL;
        b.only = NULL;
    }
    if (o->b_only)
        b.only = o->b_only;
    imv_registry *reg = cli_registry(&b, partial);
    free(b.model_dirs.v);
    free(b.model_files.v);
    if (!reg)
        return NULL;
    /* B's parameters after A's, so that they win. */
    imv_diags d;
    imv_diags_init(&d);
    int bad = o->b_params_file && imv_registry_set_file(reg, o->b_params_file, &d);
    for (size_t i = 0; !bad && i < o->b_sets.n; i++)
        bad = imv_registry_set(reg, o->b_sets.v[i], &d) != 0;
    cli_print_diags(&d, 0);
    imv_diags_free(&d);
    if (bad) {
        imv_registry_free(reg);
        return NULL;
    }
    return reg;
}

void cli_describe_b(const cli_opts *o, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "%s", o->b_separate ? "separate:" : "A with");
    const char *sep = " ";
#define PART(...)                                                 \
    do {                                                          \
        if (n < len)                                              \
            n += (size_t)snprintf(buf + n, len - n, "%s", sep);   \
        if (n < len)                                              \
            n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); \
        sep = ", ";                                               \
    } while (0)
    for (size_t i = 0; i < o->b_model_files.n; i++)
        PART("--b-model %s", o->b_model_files.v[i]);
    for (size_t i = 0; i < o->b_model_dirs.n; i++)
        PART("--b-models %s", o->b_model_dirs.v[i]);
    if (o->b_no_bundled)
        PART("--b-no-bundled");
    if (o->b_only)
        PART("--b-only %s", o->b_only);
    if (o->b_params_file)
        PART("--b-params %s", o->b_params_file);
    for (size_t i = 0; i < o->b_sets.n; i++)
        PART("--b-set %s", o->b_sets.v[i]);
#undef PART
}

void cli_describe_a(const cli_opts *o, const imv_registry *reg, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "%s", o->no_bundled ? "" : "the bundled models");
    const char *sep = o->no_bundled ? "" : " + ";
    for (size_t i = 0; i < o->model_files.n && n < len; i++, sep = ", ")
        n += (size_t)snprintf(buf + n, len - n, "%s%s", sep, o->model_files.v[i]);
    for (size_t i = 0; i < o->model_dirs.n && n < len; i++, sep = ", ")
        n += (size_t)snprintf(buf + n, len - n, "%s%s/", sep, o->model_dirs.v[i]);
    if (o->only && n < len)
        n += (size_t)snprintf(buf + n, len - n, ", only %s", o->only);
    if (o->params_file && n < len)
        n += (size_t)snprintf(buf + n, len - n, ", --params %s", o->params_file);
    for (size_t i = 0; i < o->sets.n && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, ", --set %s", o->sets.v[i]);
    if (n < len)
        snprintf(buf + n, len - n, "; %zu model%s", imv_registry_count(reg),
                 imv_registry_count(reg) == 1 ? "" : "s");
}

/* ---- per-model figures ----------------------------------------------- */

typedef struct model_cmp {
    const char *id;
    int in_a, in_b;
    imv_pearson scores;
    double sum_change;
    size_t viability_changes;
} model_cmp;

typedef struct cmp {
    const cli_opts *o;
    imv_registry *a, *b;
    imv_worker *wa, *wb;
    model_cmp *m;
    size_t nm;
    size_t profiles, changed, viability, tau_n;
    size_t model_failures; /* results with an error, either side */
    double tau_sum, tau_min;
    cJSON *json_profiles, *changed_ids;
    FILE *f;
    int fmt;
} cmp;

static model_cmp *model_entry(cmp *c, const char *id)
{
    for (size_t i = 0; i < c->nm; i++)
        if (strcmp(c->m[i].id, id) == 0)
            return &c->m[i];
    return NULL;
}

/* Every model of either side, sorted by id as the registries are. */
static void collect_models(cmp *c)
{
    size_t na = imv_registry_count(c->a), nb = imv_registry_count(c->b);
    c->m = calloc(na + nb + 1, sizeof *c->m);
    if (!c->m)
        exit(EXIT_USAGE);
    for (size_t i = 0; i < na; i++) {
        c->m[c->nm].id = imv_model_id(imv_registry_get(c->a, i));
        c->m[c->nm++].in_a = 1;
    }
    for (size_t i = 0; i < nb; i++) {
        const char *id = imv_model_id(imv_registry_get(c->b, i));
        model_cmp *e = model_entry(c, id);
        if (!e) {
            e = &c->m[c->nm++];
            e->id = id;
        }
        e->in_b = 1;
    }
}

static const imv_result *result_of(const imv_evaluation *e, const char *id, size_t *rank)
{
    for (size_t k = 0; k < e->n; k++)
        if (strcmp(imv_model_id(e->results[e->order[k]].model), id) == 0) {
            *rank = k + 1;
            return &e->results[e->order[k]];
        }
    return NULL;
}

static double round6(double x)
{
    return round(x * 1e6) / 1e6 + 0.0;
}

static void add_number_or_null(cJSON *o, const char *key, double x)
{
    if (isnan(x))
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, round6(x));
}

/* ---- one profile ------------------------------------------------------ */

static void row_text(cmp *c, const imv_profile *p, const char *ra, const char *rb, double tau,
                     const char *vchanges)
{
    int md = c->fmt == IMV_FMT_MARKDOWN;
    char taus[16];
    if (isnan(tau))
        snprintf(taus, sizeof taus, "-");
    else
        snprintf(taus, sizeof taus, "%.2f", tau);
    int changed = strcmp(ra, rb) != 0;
    char rec[160];
    if (changed)
        snprintf(rec, sizeof rec, "%s -> %s", ra, rb);
    else
        snprintf(rec, sizeof rec, "%s", ra);
    if (md)
        fprintf(c->f, "| %s | %s | %s | %s | %s |\n", p->id, rec, changed ? "**changed**" : "",
                taus, vchanges);
    else
        fprintf(c->f, "%-22s %-46s %-7s %5s  %s\n", p->id, rec, changed ? "CHANGED" : "", taus,
                vchanges);
}

static void compare_one(cmp *c, const imv_profile *p)
{
    imv_evaluation ea, eb;
    imv_evaluate(c->wa, p, &ea);
    imv_evaluate(c->wb, p, &eb);
    const char *ra = ea.recommended ? ea.recommended : "(none)";
    const char *rb = eb.recommended ? eb.recommended : "(none)";
    int changed = strcmp(ra, rb) != 0;
    double xa[256], xb[256];
    size_t n = 0;
    char vchanges[1024] = "";
    size_t vlen = 0;
    cJSON *jp = NULL, *jv = NULL;
    if (c->json_profiles) {
        jp = cJSON_CreateObject();
        cJSON_AddStringToObject(jp, "id", p->id);
        cJSON_AddStringToObject(jp, "source", p->source);
        cJSON_AddStringToObject(jp, "recommended_a", ra);
        cJSON_AddStringToObject(jp, "recommended_b", rb);
        cJSON_AddBoolToObject(jp, "changed", changed);
        jv = cJSON_CreateArray();
    }
    for (size_t i = 0; i < c->nm; i++) {
        model_cmp *m = &c->m[i];
        size_t rka = 0, rkb = 0;
        const imv_result *a = m->in_a ? result_of(&ea, m->id, &rka) : NULL;
        const imv_result *b = m->in_b ? result_of(&eb, m->id, &rkb) : NULL;
        if (!a || !b)
            continue;
        if (n < sizeof xa / sizeof xa[0]) {
            xa[n] = (double)rka;
            xb[n++] = (double)rkb;
        }
        if (a->error || b->error) {
            c->model_failures++;
            continue;
        }
        imv_pearson_add(&m->scores, a->score, b->score);
        m->sum_change += b->score - a->score;
        if (a->viable != b->viable) {
            m->viability_changes++;
            c->viability++;
            if (vlen < sizeof vchanges)
                vlen += (size_t)snprintf(vchanges + vlen, sizeof vchanges - vlen, "%s%s %s",
                                         vlen ? ", " : "", m->id,
                                         b->viable ? "now viable" : "no longer viable");
            if (jv) {
                cJSON *x = cJSON_CreateObject();
                cJSON_AddStringToObject(x, "model", m->id);
                cJSON_AddBoolToObject(x, "viable_a", a->viable);
                cJSON_AddBoolToObject(x, "viable_b", b->viable);
                cJSON_AddItemToArray(jv, x);
            }
        }
    }
    double tau = n >= 2 ? imv_kendall_tau(xa, xb, n) : NAN;
    if (!isnan(tau)) {
        c->tau_sum += tau;
        c->tau_min = c->tau_n ? fmin(c->tau_min, tau) : tau;
        c->tau_n++;
    }
    c->profiles++;
    if (changed) {
        c->changed++;
        cJSON_AddItemToArray(c->changed_ids, cJSON_CreateString(p->id));
    }
    if (jp) {
        cJSON_AddNumberToObject(jp, "common_models", (double)n);
        add_number_or_null(jp, "kendall_tau", tau);
        cJSON_AddItemToObject(jp, "viability_changes", jv);
        cJSON_AddItemToArray(c->json_profiles, jp);
    } else {
        row_text(c, p, ra, rb, tau, vchanges);
    }
    imv_evaluation_clear(&ea);
    imv_evaluation_clear(&eb);
}

/* ---- the run ---------------------------------------------------------- */

static int read_all(cmp *c, int *bad)
{
    imv_read_opts ro = {.strict = c->o->strict};
    for (size_t i = 0; i < c->o->args.n && !cli_stop; i++) {
        imv_diags d;
        imv_diags_init(&d);
        imv_reader *r = imv_reader_open(c->o->args.v[i], &ro, &d);
        imv_profile *p;
        int got;
        while (r && !cli_stop && (got = imv_reader_next(r, &p, &d)) != 0) {
            if (got < 0) {
                (*bad)++;
                continue;
            }
            compare_one(c, p);
            imv_profile_free(p);
        }
        if (!r)
            (*bad)++;
        imv_reader_close(r);
        for (size_t k = 0; k < d.n; k++)
            cli_print_diag(&d.v[k], c->o->quiet);
        imv_diags_free(&d);
    }
    return 0;
}

static void header_text(cmp *c, const char *da, const char *db)
{
    if (c->fmt == IMV_FMT_MARKDOWN) {
        fprintf(c->f, "# Comparison\n\n- **A**: %s\n- **B**: %s\n\n", da, db);
        fprintf(c->f, "| profile | recommended (A -> B) | changed | tau | viability changes |\n"
                      "|---|---|---|---|---|\n");
        return;
    }
    fprintf(c->f, "A: %s\nB: %s\n\n", da, db);
    fprintf(c->f, "%-22s %-46s %-7s %5s  %s\n", "profile", "recommended (A -> B)", "", "tau",
            "viability changes");
}

static void summary_text(cmp *c)
{
    int md = c->fmt == IMV_FMT_MARKDOWN;
    fprintf(c->f, "\n%s%zu profile%s: the recommendation changed on %zu", md ? "" : "", c->profiles,
            c->profiles == 1 ? "" : "s", c->changed);
    if (c->changed) {
        fputs(" (", c->f);
        for (int i = 0; i < cJSON_GetArraySize(c->changed_ids) && i < 20; i++)
            fprintf(c->f, "%s%s", i ? ", " : "", cJSON_GetArrayItem(c->changed_ids, i)->valuestring);
        fputs(cJSON_GetArraySize(c->changed_ids) > 20 ? ", ...)" : ")", c->f);
    }
    if (c->tau_n)
        fprintf(c->f, "; rank agreement (Kendall's tau) mean %.2f, lowest %.2f",
                c->tau_sum / (double)c->tau_n, c->tau_min);
    fprintf(c->f, "; %zu viability change%s\n\n", c->viability, c->viability == 1 ? "" : "s");
    if (md)
        fprintf(c->f, "| model | in | score correlation | mean score change | viability changes |\n"
                      "|---|---|---|---|---|\n");
    else
        fprintf(c->f, "%-24s %-5s %17s %17s %17s\n", "model", "in", "score correlation",
                "mean score change", "viability changes");
    for (size_t i = 0; i < c->nm; i++) {
        const model_cmp *m = &c->m[i];
        const char *in = m->in_a && m->in_b ? "A, B" : m->in_a ? "A" : "B";
        char r[16] = "-", d[16] = "-", v[16] = "-";
        double rr = imv_pearson_r(&m->scores);
        if (!isnan(rr))
            snprintf(r, sizeof r, "%.3f", rr);
        else if (m->scores.n >= 2)
            snprintf(r, sizeof r, "%s", m->sum_change == 0 ? "same" : "constant");
        if (m->scores.n) {
            snprintf(d, sizeof d, "%+.1f", m->sum_change / (double)m->scores.n);
            snprintf(v, sizeof v, "%zu", m->viability_changes);
        }
        if (md)
            fprintf(c->f, "| %s | %s | %s | %s | %s |\n", m->id, in, r, d, v);
        else
            fprintf(c->f, "%-24s %-5s %17s %17s %17s\n", m->id, in, r, d, v);
    }
}

static void document_json(cmp *c, const char *da, const char *db)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "format", "imeval-compare/1");
    const imv_registry *regs[2] = {c->a, c->b};
    const char *desc[2] = {da, db};
    for (int s = 0; s < 2; s++) {
        cJSON *side = cJSON_AddObjectToObject(doc, s ? "b" : "a");
        cJSON_AddStringToObject(side, "description", desc[s]);
        cJSON *ids = cJSON_AddArrayToObject(side, "models");
        for (size_t i = 0; i < imv_registry_count(regs[s]); i++)
            cJSON_AddItemToArray(ids, cJSON_CreateString(imv_model_id(imv_registry_get(regs[s], i))));
    }
    cJSON_AddItemToObject(doc, "profiles", c->json_profiles);
    cJSON *models = cJSON_AddArrayToObject(doc, "models");
    for (size_t i = 0; i < c->nm; i++) {
        const model_cmp *m = &c->m[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", m->id);
        cJSON_AddBoolToObject(x, "in_a", m->in_a);
        cJSON_AddBoolToObject(x, "in_b", m->in_b);
        cJSON_AddNumberToObject(x, "profiles", (double)m->scores.n);
        add_number_or_null(x, "score_correlation", imv_pearson_r(&m->scores));
        add_number_or_null(x, "mean_score_change",
                           m->scores.n ? m->sum_change / (double)m->scores.n : NAN);
        cJSON_AddNumberToObject(x, "viability_changes", (double)m->viability_changes);
        cJSON_AddItemToArray(models, x);
    }
    cJSON *s = cJSON_AddObjectToObject(doc, "summary");
    cJSON_AddNumberToObject(s, "profiles", (double)c->profiles);
    cJSON_AddNumberToObject(s, "recommendation_changed", (double)c->changed);
    cJSON_AddItemToObject(s, "changed_profiles", c->changed_ids);
    add_number_or_null(s, "mean_kendall_tau", c->tau_n ? c->tau_sum / (double)c->tau_n : NAN);
    add_number_or_null(s, "min_kendall_tau", c->tau_n ? c->tau_min : NAN);
    cJSON_AddNumberToObject(s, "viability_changes", (double)c->viability);
    char *text = imv_json_print(doc, 1);
    if (text)
        fprintf(c->f, "%s\n", text);
    free(text);
    cJSON_Delete(doc);
}

static int usage(const char *what)
{
    return cli_usage_error("compare", "%s", what);
}

int cmd_compare(int argc, char **argv)
{
    cli_cmd cc;
    cmp c;
    memset(&c, 0, sizeof c);
    int rc = cli_begin(&cc, argc, argv, CMD_COMPARE, "compare", synopsis, about), bad = 0, pb = 0;
    if (rc != CLI_GO)
        goto done;
    const cli_opts *o = &cc.o;
    c.o = o;
    c.fmt = o->format < 0 ? IMV_FMT_TABLE : o->format;
    rc = EXIT_USAGE;
    if (c.fmt == IMV_FMT_CSV) {
        usage("--format: compare writes table, json or markdown");
        goto done;
    }
    if (!o->have_b) {
        usage("nothing to compare: say how side B differs from A with --b-model, --b-models, "
              "--b-no-bundled, --b-only, --b-set, --b-params or --b-separate");
        goto done;
    }
    if (o->args.n == 0) {
        usage("no profiles given, e.g. imeval compare --b-set ... datasets/cases/*.json");
        goto done;
    }
    if ((rc = cli_load(&cc)) != CLI_GO)
        goto done;
    rc = EXIT_USAGE;
    c.a = cc.reg;
    if (!(c.b = cli_registry_b(o, &pb)) || (rc = cli_open_output(&cc)) != CLI_GO)
        goto done;
    c.f = cc.out.f;
    c.wa = imv_worker_new(c.a);
    c.wb = imv_worker_new(c.b);
    collect_models(&c);
    c.changed_ids = cJSON_CreateArray();
    if (c.fmt == IMV_FMT_JSON)
        c.json_profiles = cJSON_CreateArray();
    char da[512], db[1024];
    cli_describe_a(o, c.a, da, sizeof da);
    cli_describe_b(o, db, sizeof db);
    cli_catch_signals();
    if (c.fmt != IMV_FMT_JSON)
        header_text(&c, da, db);
    read_all(&c, &bad);
    if (c.fmt == IMV_FMT_JSON) {
        document_json(&c, da, db);
    } else {
        summary_text(&c);
        cJSON_Delete(c.changed_ids);
    }
    rc = cli_stop                                      ? cli_interrupted_exit()
         : bad || cc.partial || pb || c.model_failures ? EXIT_PARTIAL
                                                       : 0;
    if (cli_close_output(&cc, c.profiles > 0) && rc == 0)
        rc = EXIT_PARTIAL;
done:
    imv_worker_free(c.wa);
    imv_worker_free(c.wb);
    imv_registry_free(c.b);
    free(c.m);
    return cli_end(&cc, rc);
}
