/* cmd_partners.c - `imeval partners PARTNER.json PROFILE...`: a partner
 * council's own question.  Which of these councils could we support, under
 * which model, how good a partner would we be, what would make us a
 * better one, and how many can we take on before we are stretched?  The
 * partner describes itself once (PROFILE-FORMAT.md); each profile is
 * scored with it as the only candidate (core/allocate.c). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char synopsis[] = "[options] PARTNER.json PROFILE...";
static const char about[] =
    "For a partner council, described once in PARTNER.json (PROFILE-FORMAT.md: a\n"
    "partner council's own description; a JSON array answers for each), say which\n"
    "of the councils in PROFILE... it could support and under which model: each\n"
    "profile is scored with the partner as its only candidate.  A council can be\n"
    "supported when a model that uses the partner is viable; it is worth it when\n"
    "that model beats the council's best option without a partner.  For each\n"
    "council: the model, its score, the partner's fit and what it is made of, the\n"
    "gain, and what would raise it: each attribute of the partner (commitments,\n"
    "spare leadership capacity, grade, neighbouring, size) changed alone, the\n"
    "nearest value at which it would become viable, reach a fit of 70 or be\n"
    "recommended (\"with one fewer commitment, westshire would be a viable\n"
    "partner\"), and how many more commitments would end its viability.  Then how\n"
    "many the partner can take on: its places (capacity less current\n"
    "commitments), the best use of them (solved exactly, as allocate does for\n"
    "many partners), and the load beyond which no pairing stays viable.\n"
    "A dated partner (available_from, available_until, commitments with from and\n"
    "until) is seen on each profile's as_of, or on --as-of for all, and how many\n"
    "it can take on is counted on --as-of or the latest as_of of the profiles.\n"
    "Formats: table (default), json.  Exit status: 0 done, 1 some profiles or\n"
    "models failed, 2 usage error.\n\n"
    "examples:\n"
    "  imeval partners datasets/partners/partners.json datasets/cases/*.json\n"
    "  imeval partners --format json us.json failing/*.json";

typedef struct pt {
    const cli_opts *o;
    int fmt;
    FILE *f;
    imv_profile **councils;
    size_t n;
    imv_worker *w;
    int bad;
} pt;

static int usage(const char *what)
{
    return cli_usage_error("partners", "%s", what);
}

/* ---- one council ------------------------------------------------------ */

typedef struct what_if {
    const char *label; /* "one fewer commitment" */
    imv_pairing got;
} what_if;

/* The partner as p sees it, changed one way at a time. */
static size_t what_ifs(pt *x, const imv_partner_desc *d, imv_profile *p, what_if *out)
{
    imv_partner base, v;
    size_t n = 0;
    imv_partner_for_profile(d, p, 0, &base);
    if (base.current_commitments >= 1) {
        v = base;
        v.current_commitments -= 1;
        out[n].label = "with one fewer commitment";
        imv_pairing_evaluate(x->w, p, &v, &out[n++].got);
    }
    if (base.spare_leadership_capacity != IMV_UNKNOWN && base.spare_leadership_capacity <= 3) {
        v = base;
        v.spare_leadership_capacity += 1;
        out[n].label = "with one point more spare leadership capacity";
        imv_pairing_evaluate(x->w, p, &v, &out[n++].got);
    }
    if (base.grade == IMV_G_REQUIRES_IMPROVEMENT || base.grade == IMV_G_GOOD) {
        v = base;
        v.grade = base.grade == IMV_G_GOOD ? IMV_G_OUTSTANDING : IMV_G_GOOD;
        out[n].label = base.grade == IMV_G_GOOD ? "if judged outstanding" : "if judged good";
        imv_pairing_evaluate(x->w, p, &v, &out[n++].got);
    }
    return n;
}

static double gain_of(const imv_pairing *base, const imv_pairing *with)
{
    if (!with->viable)
        return NAN;
    return with->score - (base->viable ? base->score : 0);
}

static const char *verdict(const imv_pairing *base, const imv_pairing *with)
{
    if (!with->viable)
        return "not viable";
    return gain_of(base, with) > 0 ? "could support" : "viable, no gain";
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, imv_round1(v));
    else
        cJSON_AddNullToObject(o, k);
}

static cJSON *pairing_json(const imv_pairing *g)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddBoolToObject(j, "viable", g->viable);
    if (g->model)
        cJSON_AddStringToObject(j, "model", g->model);
    else
        cJSON_AddNullToObject(j, "model");
    add_num(j, "score", g->score);
    add_num(j, "fit", g->fit);
    if (g->n_parts) {
        cJSON_AddStringToObject(j, "fit_model", g->fit_model);
        cJSON *cs = cJSON_AddArrayToObject(j, "fit_components");
        for (size_t k = 0; k < g->n_parts; k++) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "name", g->parts[k].name);
            add_num(c, "points", g->parts[k].points);
            cJSON_AddItemToArray(cs, c);
        }
    }
    return j;
}

/* "fit 22.5 (executive_partnership) = base 40, grade -25, ...": the parts
 * that print. */
static void parts_line(FILE *f, const imv_pairing *g)
{
    if (!g->n_parts)
        return;
    fprintf(f, "     fit %.1f (%s) =", imv_round1(g->fit), g->fit_model);
    for (size_t k = 0, shown = 0; k < g->n_parts; k++) {
        double v = imv_round1(g->parts[k].points);
        if (fabs(v) < 0.05)
            continue;
        char name[sizeof g->parts[k].name];
        snprintf(name, sizeof name, "%s", g->parts[k].name);
        for (char *q = name; *q; q++)
            *q = *q == '_' ? ' ' : *q;
        fprintf(f, "%s %s %s%.*f", shown ? "," : "", name, shown && v >= 0 ? "+" : "",
                v == round(v) ? 0 : 1, v);
        shown++;
    }
    fputc('\n', f);
}

/* The table keeps what would raise the partner's use (it becomes viable,
 * its fit reaches 70, its model is recommended), and how many more
 * commitments it takes to stop being viable: one sentence per change. */
static void tips_table(pt *x, const imv_partner_sens *ps, const char *partner)
{
    for (size_t k = 0; k < ps->n;) {
        char text[900];
        int show = imv_partner_tips_shown(ps, k);
        size_t next = imv_partner_tips_text(ps, k, partner, text, sizeof text);
        if (show) {
            fputs("     ", x->f);
            imv_wrap(x->f, text, 5, 7, 100);
        }
        k = next;
    }
}

/* Where the pairing tips as each attribute of the partner varies alone
 * (core/partner_sens.c): JSON, and the sentences to the table. */
static cJSON *tips_json(pt *x, const imv_partner_sens *ps, const char *partner)
{
    if (x->fmt != IMV_FMT_JSON)
        tips_table(x, ps, partner);
    return imv_partner_sens_json(ps, partner);
}

/* The answer for one council, as JSON, and as a table row to f. */
static cJSON *council(pt *x, const imv_partner_desc *d, imv_profile *p)
{
    imv_pairing base, with;
    imv_partner seen;
    what_if wi[3];
    char away[80] = "";
    imv_pairing_evaluate(x->w, p, NULL, &base);
    size_t n_wi = 0;
    if (imv_partner_for_profile(d, p, 0, &seen)) {
        imv_pairing_evaluate(x->w, p, &seen, &with);
        n_wi = what_ifs(x, d, p, wi);
    } else { /* not a partner on that date */
        memset(&with, 0, sizeof with);
        with.score = with.fit = NAN;
        imv_partner_availability(d, d->as_of ? d->as_of : p->as_of, away, sizeof away);
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "council", p->id);
    cJSON_AddStringToObject(j, "name", p->name);
    cJSON_AddStringToObject(j, "verdict", *away ? "not available" : verdict(&base, &with));
    cJSON_AddBoolToObject(j, "available", !*away);
    if (*away)
        cJSON_AddStringToObject(j, "availability", away);
    cJSON_AddNumberToObject(j, "commitments_counted", seen.current_commitments);
    cJSON_AddBoolToObject(j, "neighbouring", seen.neighbouring == 1);
    cJSON_AddItemToObject(j, "with_partner", pairing_json(&with));
    cJSON_AddItemToObject(j, "without_partner", pairing_json(&base));
    add_num(j, "gain", gain_of(&base, &with));
    cJSON *raise = cJSON_AddArrayToObject(j, "what_would_raise_it");
    for (size_t k = 0; k < n_wi; k++) {
        cJSON *e = pairing_json(&wi[k].got);
        cJSON_AddStringToObject(e, "change", wi[k].label);
        cJSON_AddItemToArray(raise, e);
    }
    if (x->fmt == IMV_FMT_JSON) {
        if (!*away) {
            imv_partner_sens ps;
            imv_partner_sensitivity(x->w, p, &seen, &ps);
            cJSON_AddItemToObject(j, "tipping_points", tips_json(x, &ps, d->p.id));
        }
        return j;
    }
    char fit[16] = "-", gain[16] = "";
    if (isfinite(with.fit))
        snprintf(fit, sizeof fit, "%.1f", imv_round1(with.fit));
    if (with.viable)
        snprintf(gain, sizeof gain, "%+.1f", imv_round1(gain_of(&base, &with)));
    fprintf(x->f, " %-24s %-16s %-22s %5s %6s %s\n", p->id,
            *away ? "not available" : verdict(&base, &with), with.model ? with.model : "-", fit,
            gain, seen.neighbouring == 1 ? "neighbour" : "");
    if (*away)
        fprintf(x->f, "     on %s: %s\n", d->as_of ? d->as_of : p->as_of, away);
    parts_line(x->f, &with);
    if (!*away) {
        imv_partner_sens ps;
        imv_partner_sensitivity(x->w, p, &seen, &ps);
        cJSON_AddItemToObject(j, "tipping_points", tips_json(x, &ps, d->p.id));
    }
    return j;
}

/* ---- how many ---------------------------------------------------------- */

/* The largest load (up to the engine's limit) at which some council's
 * pairing is still viable: beyond it the partner is stretched. */
static int stretch_point(pt *x, const imv_partner_desc *d)
{
    int last = 0;
    for (int m = 1; m <= IMV_ALLOC_MAX_CAPACITY && !cli_stop; m++) {
        int any = 0;
        for (size_t c = 0; c < x->n && !any; c++) {
            imv_partner seen;
            imv_pairing g;
            if (!imv_partner_for_profile(d, x->councils[c], m - 1, &seen))
                continue; /* not a partner on that date */
            imv_pairing_evaluate(x->w, x->councils[c], &seen, &g);
            any = g.viable;
        }
        if (!any)
            break;
        last = m;
    }
    return last;
}

static int capacity_json(pt *x, const imv_partner_desc *d, cJSON *j)
{
    imv_partner_set one = {.source = NULL, .n = 1, .v = (imv_partner_desc *)d};
    imv_allocation *a = NULL;
    char err[512];
    if (imv_allocation_run(x->w, x->councils, x->n, &one, &a, err, sizeof err) < 0) {
        cli_error("partners", "%s", err);
        return -1;
    }
    int stretch = stretch_point(x, d);
    cJSON_AddNumberToObject(j, "capacity", d->capacity);
    cJSON_AddBoolToObject(j, "capacity_derived", d->capacity_derived);
    cJSON_AddNumberToObject(j, "places", imv_partner_places(d));
    cJSON_AddNumberToObject(j, "best_use", a->solution.load[0]);
    cJSON *list = cJSON_AddArrayToObject(j, "best_use_councils");
    for (size_t c = 0; c < x->n; c++)
        if (a->solution.partner_of[c] == 0)
            cJSON_AddItemToArray(list, cJSON_CreateString(x->councils[c]->id));
    add_num(j, "best_use_gain", a->solution.total);
    cJSON_AddNumberToObject(j, "viable_up_to", stretch);
    if (x->fmt != IMV_FMT_JSON) {
        fprintf(x->f,
                "\n%d place%s (capacity %d%s, less %g current commitment%s); best use: %d "
                "council%s, total gain %.1f\n",
                imv_partner_places(d), imv_partner_places(d) == 1 ? "" : "s", d->capacity,
                d->capacity_derived ? ", derived from spare leadership capacity: one council for "
                                      "each point above 1"
                                    : "",
                d->p.current_commitments == IMV_UNKNOWN ? 0 : d->p.current_commitments,
                d->p.current_commitments == 1 ? "" : "s", a->solution.load[0],
                a->solution.load[0] == 1 ? "" : "s", imv_round1(a->solution.total));
        if (stretch == 0)
            fprintf(x->f, "no pairing is viable even as its next commitment\n");
        else
            fprintf(x->f, "stretched beyond %d council%s: past that no pairing stays viable\n",
                    stretch, stretch == 1 ? "" : "s");
    }
    imv_allocation_free(a);
    return 0;
}

/* The date on which to count how many it can take on: --as-of, else the
 * latest as_of of the profiles. */
static const char *capacity_date(const pt *x)
{
    const char *d = x->o->as_of;
    for (size_t c = 0; !x->o->as_of && c < x->n; c++)
        if (!d || imv_date_cmp(x->councils[c]->as_of, d) > 0)
            d = x->councils[c]->as_of;
    return d;
}

static int one_partner(pt *x, imv_partner_desc *d, cJSON *out)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "partner", d->p.id);
    if (d->p.name)
        cJSON_AddStringToObject(j, "name", d->p.name);
    if (x->fmt != IMV_FMT_JSON)
        fprintf(x->f, "%s%s%s%s: %zu council%s\n %-24s %-16s %-22s %5s %6s\n", d->p.id,
                d->p.name ? " (" : "", d->p.name ? d->p.name : "", d->p.name ? ")" : "", x->n,
                x->n == 1 ? "" : "s", "council", "verdict", "model", "fit", "gain");
    cJSON *cs = cJSON_AddArrayToObject(j, "councils");
    for (size_t c = 0; c < x->n && !cli_stop; c++)
        cJSON_AddItemToArray(cs, council(x, d, x->councils[c]));
    const char *when = capacity_date(x);
    imv_partner_desc_at(d, when);
    if (when)
        cJSON_AddStringToObject(j, "places_as_of", when);
    int rc = capacity_json(x, d, j);
    imv_partner_desc_at(d, x->o->as_of);
    cJSON_AddItemToArray(out, j);
    return rc;
}

int cmd_partners(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, CMD_PARTNERS, "partners", &o);
    if (rc || o.help) {
        if (o.help)
            cli_help(stdout, CMD_PARTNERS, "partners", synopsis, about);
        cli_opts_free(&o);
        return rc;
    }
    pt x;
    memset(&x, 0, sizeof x);
    x.o = &o;
    x.fmt = o.format < 0 ? IMV_FMT_TABLE : o.format;
    rc = EXIT_USAGE;
    cli_out out = {0};
    imv_registry *reg = NULL;
    imv_partner_set *ps = NULL;
    cJSON *doc = NULL;
    int opened = 0, partial = 0, failed = 0;
    if (x.fmt != IMV_FMT_TABLE && x.fmt != IMV_FMT_JSON) {
        usage("--format: partners writes table or json");
        goto done;
    }
    if (o.as_of && !imv_date_valid(o.as_of)) {
        usage("--as-of: expected a date YYYY, YYYY-MM or YYYY-MM-DD");
        goto done;
    }
    if (o.args.n < 2) {
        usage("give the partner's description and the profiles, e.g. imeval partners "
              "datasets/partners/hampshire.json datasets/cases/*.json");
        goto done;
    }
    imv_diags d;
    imv_diags_init(&d);
    int prc = imv_partner_set_read(o.args.v[0], &ps, &d);
    for (size_t k = 0; k < d.n; k++)
        cli_print_diag(&d.v[k], o.quiet);
    imv_diags_free(&d);
    if (prc < 0) {
        rc = EXIT_PARTIAL;
        goto done;
    }
    if (!(reg = cli_registry(&o, &partial)))
        goto done;
    if (cli_out_open(&out, o.output))
        goto done;
    opened = 1;
    x.f = out.f;
    cli_catch_signals();
    x.bad = cli_read_profiles(&o, 1, &x.councils, &x.n);
    x.w = imv_worker_new(reg);
    for (size_t i = 0; i < ps->n; i++)
        imv_partner_desc_at(&ps->v[i], o.as_of);
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "format", "imeval-partners/1");
    cJSON *list = cJSON_AddArrayToObject(doc, "partners");
    for (size_t i = 0; i < ps->n && !cli_stop; i++) {
        if (i && x.fmt != IMV_FMT_JSON)
            fputc('\n', x.f);
        failed |= one_partner(&x, &ps->v[i], list) < 0;
    }
    if (x.fmt == IMV_FMT_JSON) {
        char *text = imv_json_print(doc, 1);
        if (text)
            fprintf(x.f, "%s\n", text);
        free(text);
    }
    rc = cli_stop ? cli_interrupted_exit() : failed || x.bad || partial ? EXIT_PARTIAL : 0;
done:
    if (opened && cli_out_close(&out, rc != EXIT_USAGE && !failed) && rc == 0)
        rc = EXIT_PARTIAL;
    cJSON_Delete(doc);
    for (size_t c = 0; c < x.n; c++)
        imv_profile_free(x.councils[c]);
    free(x.councils);
    imv_worker_free(x.w);
    imv_registry_free(reg);
    imv_partner_set_free(ps);
    cli_opts_free(&o);
    return rc;
}
