/* cmd_allocate.c - `imeval allocate PROFILES... --partners FILE`: the
 * DfE's national question.  Which partner council should support which
 * council, so that the total gain is largest and no partner carries more
 * than it can?  The engine (core/allocate.c) scores every council with
 * every partner at every load and solves the assignment exactly; this
 * file reads the inputs and writes the answer. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char synopsis[] = "--partners FILE [options] PROFILE...";
static const char about[] =
    "Allocate partner councils to the councils that would gain from one, so that\n"
    "the total gain is largest and no partner is stretched beyond its capacity.\n"
    "Each council is scored with each partner as its only candidate, at every\n"
    "load the partner could carry (its commitments, including those this\n"
    "allocation adds, lower its fit), and the assignment is solved exactly as an\n"
    "integer programme (GLPK).  A council's gain from a partner is the score of\n"
    "the best viable model that uses it, less the council's best viable score\n"
    "without a partner; neighbours break ties.  Every council is either assigned\n"
    "or told its best model without a partner, and the answer names the partner\n"
    "for which one more place would help most.\n\n"
    "FILE holds partner councils as PROFILE-FORMAT.md describes them (one object\n"
    "or a JSON array): id, name, grade, child_population,\n"
    "spare_leadership_capacity, current_commitments, and optionally capacity\n"
    "(councils it can support at once, counting current commitments; without it,\n"
    "one council for every point of spare leadership capacity above 1) and\n"
    "neighbours (authority ids; \"torbay\" matches the profile torbay-2018).\n"
    "Where a profile's own partners item names the same id, its values win.\n"
    "Partners may be dated (available_from, available_until, and commitments\n"
    "with from and until instead of current_commitments): the allocation is made\n"
    "on one date, --as-of or else the latest as_of of the profiles, and counts\n"
    "only the partners available and the commitments in force on that date.\n"
    "Formats: table (default), json, markdown.  Exit status: 0 done, 1 some\n"
    "profiles or models failed (the rest is still allocated), 2 usage error.\n\n"
    "examples:\n"
    "  imeval allocate --partners datasets/partners/partners.json datasets/cases/*.json\n"
    "  imeval allocate --partners mine.json --format json failing-2024.jsonl";

typedef struct al {
    const cli_opts *o;
    int fmt;
    FILE *f;
    imv_profile **councils;
    size_t n;
    imv_partner_set *partners;
    imv_allocation *a;
    const char *as_of; /* the date of the allocation */
    int bad;
} al;

static int usage(const char *what)
{
    return cli_usage_error("allocate", "%s", what);
}

/* ---- what to say about each council and partner ------------------------ */

/* Why a council has no partner: none viable, none better than going
 * without, or its candidates are better used elsewhere. */
static void why_unassigned(const al *x, size_t c, char *buf, size_t len)
{
    const imv_allocation *a = x->a;
    size_t best_p = SIZE_MAX;
    double best = -INFINITY, best_fit = -INFINITY;
    size_t fit_p = SIZE_MAX;
    int any_viable = 0;
    for (size_t p = 0; p < a->pb.n_partners; p++) {
        const imv_pairing *w = imv_allocation_pairing(a, c, p, 1);
        if (!w || a->capacity[p] == 0)
            continue;
        if (isfinite(w->fit) && w->fit > best_fit)
            best_fit = w->fit, fit_p = p;
        if (!w->viable)
            continue;
        any_viable = 1;
        double g = imv_alloc_benefit(&a->pb, c, p, 1);
        if (isfinite(g) && g > 0 && g > best)
            best = g, best_p = p;
    }
    const char *id_fit = fit_p != SIZE_MAX ? x->partners->v[fit_p].p.id : NULL;
    if (best_p != SIZE_MAX)
        snprintf(buf, len, "its candidates are better used elsewhere (%s would add %.1f)",
                 x->partners->v[best_p].p.id, imv_round1(best));
    else if (any_viable)
        snprintf(buf, len, "no partner model would beat its best option without a partner");
    else if (id_fit)
        snprintf(buf, len, "no partner with places left is viable for it (best fit %.1f, %s)",
                 imv_round1(best_fit), id_fit);
    else
        snprintf(buf, len, "no partner has places left or none is viable for it");
}

static void capacity_note(const imv_partner_desc *d, char *buf, size_t len)
{
    char why[80];
    int k;
    if (imv_partner_availability(d, d->as_of, why, sizeof why)[0])
        k = snprintf(buf, len, "not available on %s (%s)", d->as_of, why);
    else if (d->capacity_derived)
        k = snprintf(buf, len,
                     "capacity %d derived from spare leadership capacity %g (one council "
                     "for each point above 1)",
                     d->capacity, d->p.spare_leadership_capacity);
    else
        k = snprintf(buf, len, "capacity %d as given", d->capacity);
    if (d->dated && k > 0 && (size_t)k < len)
        snprintf(buf + k, len - (size_t)k, "; %g of its %zu dated commitment%s in force on %s",
                 d->p.current_commitments, d->n_dated, d->n_dated == 1 ? "" : "s", d->as_of);
}

/* The date of the allocation: --as-of, else the latest as_of given. */
static const char *allocation_date(const al *x)
{
    const char *d = x->o->as_of;
    for (size_t c = 0; !x->o->as_of && c < x->n; c++)
        if (!d || imv_date_cmp(x->councils[c]->as_of, d) > 0)
            d = x->councils[c]->as_of;
    return d;
}

static size_t best_extra(const al *x)
{
    size_t best = SIZE_MAX;
    for (size_t p = 0; p < x->a->pb.n_partners; p++) {
        double g = x->a->extra_gain[p];
        if (isfinite(g) && g > 0.05 && (best == SIZE_MAX || g > x->a->extra_gain[best]))
            best = p;
    }
    return best;
}

/* ---- JSON --------------------------------------------------------------- */

static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, imv_round1(v));
    else
        cJSON_AddNullToObject(o, k);
}

static cJSON *assignment_json(const al *x, size_t c)
{
    const imv_allocation *a = x->a;
    size_t p = a->solution.partner_of[c];
    int m = a->solution.load[p];
    const imv_pairing *w = imv_allocation_pairing(a, c, p, m);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "council", x->councils[c]->id);
    cJSON_AddStringToObject(j, "name", x->councils[c]->name);
    cJSON_AddStringToObject(j, "partner", x->partners->v[p].p.id);
    cJSON_AddStringToObject(j, "model", w->model ? w->model : "");
    add_num(j, "score", w->score);
    add_num(j, "fit", w->fit);
    if (w->n_parts) { /* what the fit is made of, at this load */
        cJSON_AddStringToObject(j, "fit_model", w->fit_model);
        cJSON *cs = cJSON_AddArrayToObject(j, "fit_components");
        for (size_t k = 0; k < w->n_parts; k++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", w->parts[k].name);
            add_num(e, "points", w->parts[k].points);
            cJSON_AddItemToArray(cs, e);
        }
    }
    add_num(j, "gain", imv_alloc_benefit(&a->pb, c, p, m));
    cJSON_AddBoolToObject(j, "neighbouring", a->neighbouring[c * a->pb.n_partners + p]);
    if (a->baseline[c].viable)
        cJSON_AddStringToObject(j, "without_partner", a->baseline[c].model);
    else
        cJSON_AddNullToObject(j, "without_partner");
    add_num(j, "without_partner_score", a->baseline[c].score);
    return j;
}

static cJSON *unassigned_json(const al *x, size_t c)
{
    char why[300];
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "council", x->councils[c]->id);
    cJSON_AddStringToObject(j, "name", x->councils[c]->name);
    if (x->a->baseline[c].viable)
        cJSON_AddStringToObject(j, "best_model", x->a->baseline[c].model);
    else
        cJSON_AddNullToObject(j, "best_model");
    add_num(j, "score", x->a->baseline[c].score);
    why_unassigned(x, c, why, sizeof why);
    cJSON_AddStringToObject(j, "why", why);
    return j;
}

static cJSON *partner_json(const al *x, size_t p)
{
    const imv_partner_desc *d = &x->partners->v[p];
    char note[200];
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "id", d->p.id);
    if (d->p.name)
        cJSON_AddStringToObject(j, "name", d->p.name);
    cJSON_AddNumberToObject(j, "capacity", d->capacity);
    cJSON_AddBoolToObject(j, "capacity_derived", d->capacity_derived);
    capacity_note(d, note, sizeof note);
    cJSON_AddStringToObject(j, "capacity_note", note);
    add_num(j, "current_commitments",
            d->p.current_commitments == IMV_UNKNOWN ? 0 : d->p.current_commitments);
    cJSON_AddNumberToObject(j, "places", imv_partner_places(d));
    cJSON_AddBoolToObject(j, "available", imv_partner_available(d, d->as_of));
    cJSON_AddNumberToObject(j, "assigned", x->a->solution.load[p]);
    cJSON *list = cJSON_AddArrayToObject(j, "councils");
    for (size_t c = 0; c < x->n; c++)
        if (x->a->solution.partner_of[c] == p)
            cJSON_AddItemToArray(list, cJSON_CreateString(x->councils[c]->id));
    add_num(j, "extra_place_gain", x->a->extra_gain[p]);
    return j;
}

static void write_json(const al *x)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "format", "imeval-allocation/1");
    cJSON_AddBoolToObject(doc, "optimal", x->a->solution.optimal);
    if (x->as_of)
        cJSON_AddStringToObject(doc, "as_of", x->as_of);
    else
        cJSON_AddNullToObject(doc, "as_of");
    add_num(doc, "total_gain", x->a->solution.total);
    cJSON *as = cJSON_AddArrayToObject(doc, "assignments");
    cJSON *un = cJSON_AddArrayToObject(doc, "unassigned");
    for (size_t c = 0; c < x->n; c++)
        cJSON_AddItemToArray(x->a->solution.partner_of[c] == SIZE_MAX ? un : as,
                             x->a->solution.partner_of[c] == SIZE_MAX ? unassigned_json(x, c)
                                                                      : assignment_json(x, c));
    cJSON *ps = cJSON_AddArrayToObject(doc, "partners");
    for (size_t p = 0; p < x->a->pb.n_partners; p++)
        cJSON_AddItemToArray(ps, partner_json(x, p));
    size_t b = best_extra(x);
    if (b == SIZE_MAX) {
        cJSON_AddNullToObject(doc, "best_extra_place");
    } else {
        cJSON *e = cJSON_AddObjectToObject(doc, "best_extra_place");
        cJSON_AddStringToObject(e, "partner", x->partners->v[b].p.id);
        add_num(e, "gain", x->a->extra_gain[b]);
    }
    char *text = imv_json_print(doc, 1);
    if (text)
        fprintf(x->f, "%s\n", text);
    free(text);
    cJSON_Delete(doc);
}

/* ---- table and markdown ---------------------------------------------- */

static void write_text(const al *x)
{
    const imv_allocation *a = x->a;
    int md = x->fmt == IMV_FMT_MARKDOWN;
    size_t n_as = 0;
    for (size_t c = 0; c < x->n; c++)
        n_as += a->solution.partner_of[c] != SIZE_MAX;
    fprintf(x->f,
            "%s%zu council%s, %zu partner council%s: %zu assigned, total gain %.1f points "
            "(optimal)%s%s\n\n",
            md ? "# National allocation\n\n" : "", x->n, x->n == 1 ? "" : "s", a->pb.n_partners,
            a->pb.n_partners == 1 ? "" : "s", n_as, imv_round1(a->solution.total),
            x->as_of ? ", as of " : "", x->as_of ? x->as_of : "");
    if (n_as) {
        fprintf(x->f,
                md ? "| council | partner | model | score | gain | load |\n"
                     "|---|---|---|---:|---:|---|\n"
                   : " %-24s %-16s %-22s %5s %6s  %s\n",
                "council", "partner", "model", "score", "gain", "load");
        for (size_t c = 0; c < x->n; c++) {
            size_t p = a->solution.partner_of[c];
            if (p == SIZE_MAX)
                continue;
            int m = a->solution.load[p];
            const imv_pairing *w = imv_allocation_pairing(a, c, p, m);
            char load[64];
            snprintf(load, sizeof load, "%d/%d%s", m, imv_partner_places(&x->partners->v[p]),
                     a->neighbouring[c * a->pb.n_partners + p] ? " neighbour" : "");
            fprintf(x->f,
                    md ? "| %s | %s | %s | %.1f | %+.1f | %s |\n"
                       : " %-24s %-16s %-22s %5.1f %+6.1f  %s\n",
                    x->councils[c]->id, x->partners->v[p].p.id, w->model ? w->model : "",
                    imv_round1(w->score), imv_round1(imv_alloc_benefit(&a->pb, c, p, m)), load);
        }
        fputc('\n', x->f);
    }
    if (n_as < x->n) {
        fprintf(x->f, md ? "## Without a partner\n\n" : "without a partner:\n");
        for (size_t c = 0; c < x->n; c++) {
            if (a->solution.partner_of[c] != SIZE_MAX)
                continue;
            char why[300];
            why_unassigned(x, c, why, sizeof why);
            const imv_pairing *b = &a->baseline[c];
            fprintf(x->f, md ? "- %s: %s %.1f; %s\n" : " %-24s %s %.1f; %s\n", x->councils[c]->id,
                    b->viable ? b->model : "no viable model",
                    b->viable ? imv_round1(b->score) : 0.0, why);
        }
        fputc('\n', x->f);
    }
    fprintf(x->f, md ? "## Partners\n\n" : "partners:\n");
    for (size_t p = 0; p < a->pb.n_partners; p++) {
        char note[200];
        capacity_note(&x->partners->v[p], note, sizeof note);
        fprintf(x->f, md ? "- %s: %d of %d places used; %s\n" : " %-16s %d of %d places used; %s\n",
                x->partners->v[p].p.id, a->solution.load[p], imv_partner_places(&x->partners->v[p]),
                note);
    }
    size_t b = best_extra(x);
    if (b == SIZE_MAX)
        fprintf(x->f, "\none more place at any partner would add nothing\n");
    else
        fprintf(x->f, "\nmost help from one more place: %s (%+.1f points)\n",
                x->partners->v[b].p.id, imv_round1(a->extra_gain[b]));
}

/* ---- the command ----------------------------------------------------- */

static void al_free(al *x)
{
    for (size_t c = 0; c < x->n; c++)
        imv_profile_free(x->councils[c]);
    free(x->councils);
    imv_partner_set_free(x->partners);
    imv_allocation_free(x->a);
}

static int read_partners(al *x)
{
    imv_diags d;
    imv_diags_init(&d);
    int rc = imv_partner_set_read(x->o->partners_file, &x->partners, &d);
    for (size_t k = 0; k < d.n; k++)
        cli_print_diag(&d.v[k], x->o->quiet);
    imv_diags_free(&d);
    return rc;
}

int cmd_allocate(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, CMD_ALLOCATE, "allocate", &o);
    if (rc || o.help) {
        if (o.help)
            cli_help(stdout, CMD_ALLOCATE, "allocate", synopsis, about);
        cli_opts_free(&o);
        return rc;
    }
    al x;
    memset(&x, 0, sizeof x);
    x.o = &o;
    x.fmt = o.format < 0 ? IMV_FMT_TABLE : o.format;
    rc = EXIT_USAGE;
    cli_out out = {0};
    imv_registry *reg = NULL;
    imv_worker *w = NULL;
    int opened = 0, partial = 0, ok = 0;
    char err[512];
    if (x.fmt == IMV_FMT_CSV) {
        usage("--format: allocate writes table, json or markdown");
        goto done;
    }
    if (!o.partners_file) {
        usage("no partner councils: give them with --partners FILE");
        goto done;
    }
    if (o.args.n == 0) {
        usage("no profiles given, e.g. imeval allocate --partners FILE datasets/cases/*.json");
        goto done;
    }
    if (o.as_of && !imv_date_valid(o.as_of)) {
        usage("--as-of: expected a date YYYY, YYYY-MM or YYYY-MM-DD");
        goto done;
    }
    if (read_partners(&x) < 0) {
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
    x.bad = cli_read_profiles(&o, 0, &x.councils, &x.n);
    if (cli_stop) {
        rc = cli_interrupted_exit();
        goto done;
    }
    x.as_of = allocation_date(&x);
    for (size_t p = 0; p < x.partners->n; p++)
        imv_partner_desc_at(&x.partners->v[p], x.as_of);
    w = imv_worker_new(reg);
    if (imv_allocation_run(w, x.councils, x.n, x.partners, &x.a, err, sizeof err) < 0) {
        cli_error("allocate", "%s", err);
        rc = EXIT_PARTIAL;
        goto done;
    }
    if (x.fmt == IMV_FMT_JSON)
        write_json(&x);
    else
        write_text(&x);
    ok = 1;
    rc = x.bad || partial ? EXIT_PARTIAL : 0;
done:
    if (opened && cli_out_close(&out, ok) && rc == 0)
        rc = EXIT_PARTIAL;
    imv_worker_free(w);
    imv_registry_free(reg);
    al_free(&x);
    cli_opts_free(&o);
    return rc;
}
