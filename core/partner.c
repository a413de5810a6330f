/*
 * partner.c - partner councils described once (PROFILE-FORMAT.md, "A
 * partner council's own description"), and how one such council looks
 * from a given receiving profile: the profile's own `partners` item of the
 * same id wins, field by field; the description's `neighbours` decide
 * `neighbouring` otherwise; commitments an allocation adds come on top.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imeval.h"
#include "internal.h"

#define MAX_FILE (16u << 20) /* a national list is a few kB */
#define MAX_NEIGHBOURS 64

static const char *const own_keys[] = {"capacity",        "neighbours",  "available_from",
                                       "available_until", "commitments", NULL};
#define MAX_DATED 64

void imv_partner_set_free(imv_partner_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        imv_partner_desc *d = &s->v[i];
        free(d->p.id);
        free(d->p.name);
        for (size_t k = 0; k < d->n_neighbours; k++)
            free(d->neighbours[k]);
        free(d->neighbours);
        free(d->available_from);
        free(d->available_until);
        for (size_t k = 0; k < d->n_dated; k++) {
            free(d->dated[k].council);
            free(d->dated[k].from);
            free(d->dated[k].until);
        }
        free(d->dated);
    }
    free(s->v);
    free(s->source);
    free(s);
}

/* Read a whole file of at most MAX_FILE bytes; NULL with a message. */
static char *slurp(const char *path, size_t *len, imv_diags *diags)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f) {
        imv_diags_add(diags, 0, path, "", "cannot open: %s", strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 65536;
            buf = imv_xrealloc(buf, cap + 1);
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (n > MAX_FILE) {
            imv_diags_add(diags, 0, path, "", "more than %u MiB: not a list of partner councils",
                          MAX_FILE >> 20);
            goto fail;
        }
        if (k == 0)
            break;
    }
    if (ferror(f)) {
        imv_diags_add(diags, 0, path, "", "cannot read: %s", strerror(errno));
        goto fail;
    }
    if (f != stdin)
        fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
fail:
    if (f != stdin)
        fclose(f);
    free(buf);
    return NULL;
}

static void read_capacity(const cJSON *j, const char *source, const char *path, imv_partner_desc *d,
                          imv_diags *diags)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "capacity");
    d->capacity = -1;
    if (!c || cJSON_IsNull(c))
        return;
    double v = cJSON_IsNumber(c) ? c->valuedouble : NAN;
    if (!(v >= 0 && v <= IMV_ALLOC_MAX_CAPACITY + 1000 && v == floor(v))) {
        imv_diags_add(diags, 0, source, path,
                      "capacity: expected a whole number of councils (0 or more)");
        return;
    }
    d->capacity = (int)v;
}

static void read_neighbours(const cJSON *j, const char *source, const char *path,
                            imv_partner_desc *d, imv_diags *diags)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "neighbours");
    if (!a || cJSON_IsNull(a))
        return;
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1;
    if (n < 0 || n > MAX_NEIGHBOURS) {
        imv_diags_add(diags, 0, source, path,
                      "neighbours: expected an array of at most %d authority ids", MAX_NEIGHBOURS);
        return;
    }
    d->neighbours = imv_xcalloc((size_t)n + 1, sizeof *d->neighbours);
    int i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        if (!cJSON_IsString(e) || !e->valuestring[0] || strlen(e->valuestring) > 128) {
            imv_diags_add(diags, 0, source, path, "neighbours[%d]: expected an authority id", i);
            continue;
        }
        d->neighbours[d->n_neighbours++] = imv_xstrdup(e->valuestring);
    }
}

/* An optional date field of j: 1 and a copy in *out (NULL when absent),
 * or 0 with a message. */
static int read_date(const cJSON *j, const char *key, const char *source, const char *path,
                     const char *where, char **out, imv_diags *diags)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 1;
    if (!cJSON_IsString(v) || !imv_date_valid(v->valuestring)) {
        imv_diags_add(diags, 0, source, path, "%s%s: expected a date YYYY, YYYY-MM or YYYY-MM-DD",
                      where, key);
        return 0;
    }
    *out = imv_xstrdup(v->valuestring);
    return 1;
}

/* from and until in order, when both are given. */
static void check_order(const char *from, const char *until, const char *source, const char *path,
                        const char *what, imv_diags *diags)
{
    if (from && until && imv_date_cmp(from, until) > 0)
        imv_diags_add(diags, 0, source, path, "%s: %s is after %s", what, from, until);
}

/* available_from, available_until and the dated commitments. */
static void read_dates(const cJSON *j, const char *source, const char *path, imv_partner_desc *d,
                       imv_diags *diags)
{
    if (read_date(j, "available_from", source, path, "", &d->available_from, diags) &&
        read_date(j, "available_until", source, path, "", &d->available_until, diags))
        check_order(d->available_from, d->available_until, source, path,
                    "available_from / available_until", diags);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "commitments");
    if (!a || cJSON_IsNull(a))
        return;
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1;
    if (n < 0 || n > MAX_DATED) {
        imv_diags_add(diags, 0, source, path,
                      "commitments: expected an array of at most %d "
                      "{council, from, until} objects",
                      MAX_DATED);
        return;
    }
    if (d->p.current_commitments != IMV_UNKNOWN) {
        imv_diags_add(diags, 0, source, path,
                      "give current_commitments (a count) or commitments "
                      "(dated), not both: the dated list counts those in force on each date");
        return;
    }
    d->dated = imv_xcalloc((size_t)n + 1, sizeof *d->dated);
    int i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        char where[40];
        snprintf(where, sizeof where, "commitments[%d].", i);
        if (!cJSON_IsObject(e)) {
            imv_diags_add(diags, 0, source, path,
                          "commitments[%d]: expected {council, from, "
                          "until}",
                          i);
            continue;
        }
        imv_commitment *c = &d->dated[d->n_dated++];
        const cJSON *who = cJSON_GetObjectItemCaseSensitive(e, "council");
        if (cJSON_IsString(who) && who->valuestring[0] && strlen(who->valuestring) <= 128)
            c->council = imv_xstrdup(who->valuestring);
        else if (who && !cJSON_IsNull(who))
            imv_diags_add(diags, 0, source, path, "%scouncil: expected an authority id", where);
        if (read_date(e, "from", source, path, where, &c->from, diags) &&
            read_date(e, "until", source, path, where, &c->until, diags))
            check_order(c->from, c->until, source, path, where, diags);
    }
}

int imv_partner_available(const imv_partner_desc *d, const char *date)
{
    if (!date)
        return 1;
    if (d->available_from && imv_date_cmp(date, d->available_from) < 0)
        return 0;
    return !(d->available_until && imv_date_cmp(date, d->available_until) > 0);
}

const char *imv_partner_availability(const imv_partner_desc *d, const char *date, char *buf, size_t n)
{
    buf[0] = '\0';
    if (imv_partner_available(d, date))
        return buf;
    if (d->available_from && imv_date_cmp(date, d->available_from) < 0)
        snprintf(buf, n, "available from %s", d->available_from);
    else
        snprintf(buf, n, "available until %s", d->available_until);
    return buf;
}

/* id names the authority of profile_id: equal, or its prefix and "-". */
static int same_authority(const char *id, const char *profile_id)
{
    size_t n = strlen(id);
    return strncmp(profile_id, id, n) == 0 && (profile_id[n] == '\0' || profile_id[n] == '-');
}

/* The dated commitments in force on date, but for one to `except` (the
 * council being scored: supporting it is not a commitment elsewhere). */
static double count_dated(const imv_partner_desc *d, const char *date, const char *except)
{
    double k = 0;
    for (size_t i = 0; i < d->n_dated; i++) {
        const imv_commitment *c = &d->dated[i];
        if (except && c->council && same_authority(c->council, except))
            continue;
        if (!date)
            k += c->until == NULL;
        else
            k += (!c->from || imv_date_cmp(c->from, date) <= 0) &&
                 (!c->until || imv_date_cmp(date, c->until) < 0);
    }
    return k;
}

double imv_partner_commitments_at(const imv_partner_desc *d, const char *date)
{
    if (!d->dated)
        return d->p.current_commitments == IMV_UNKNOWN ? 0 : d->p.current_commitments;
    return count_dated(d, date, NULL);
}

void imv_partner_desc_at(imv_partner_desc *d, const char *date)
{
    d->as_of = date;
    if (!d->dated)
        return;
    d->p.current_commitments = imv_partner_commitments_at(d, date);
    if (d->capacity_derived)
        d->capacity = (int)d->p.current_commitments + d->derived_more;
}

/* Capacity, when not given: one council for every point of spare
 * leadership capacity above 1 (3 -> two more, 2 -> one, 1.5 or less ->
 * none), on top of what it already supports.  Said in the output. */
static void derive_capacity(imv_partner_desc *d, const char *source, const char *path,
                            imv_diags *diags)
{
    double cur = d->p.current_commitments == IMV_UNKNOWN ? 0 : d->p.current_commitments;
    if (d->capacity >= 0) {
        if (d->capacity < cur)
            imv_diags_add(diags, 1, source, path,
                          "capacity %d is below its %g current commitments: it can take on none",
                          d->capacity, cur);
        return;
    }
    if (d->p.spare_leadership_capacity == IMV_UNKNOWN) {
        imv_diags_add(diags, 0, source, path,
                      "give capacity (councils it can support at once) or "
                      "spare_leadership_capacity (0..4) to derive it from");
        return;
    }
    double more = floor(d->p.spare_leadership_capacity) - 1;
    d->derived_more = more > 0 ? (int)more : 0;
    d->capacity = (int)cur + d->derived_more;
    d->capacity_derived = 1;
}

static int read_one(const cJSON *j, const char *source, const char *path, imv_partner_desc *d,
                    imv_diags *diags)
{
    size_t before = diags->n_errors;
    if (!cJSON_IsObject(j)) {
        imv_diags_add(diags, 0, source, path, "expected a partner council object");
        return IMV_EINVAL;
    }
    imv_partner_from_json(j, source, path, own_keys, &d->p, diags);
    read_capacity(j, source, path, d, diags);
    read_neighbours(j, source, path, d, diags);
    read_dates(j, source, path, d, diags);
    if (d->dated) /* until a date is chosen: those that have not ended */
        d->p.current_commitments = imv_partner_commitments_at(d, NULL);
    if (diags->n_errors == before)
        derive_capacity(d, source, path, diags);
    return diags->n_errors == before ? IMV_OK : IMV_EINVAL;
}

int imv_partner_set_read(const char *path, imv_partner_set **out, imv_diags *diags)
{
    size_t len = 0;
    int rc = IMV_EINVAL;
    *out = NULL;
    char *text = slurp(path, &len, diags);
    if (!text)
        return IMV_EIO;
    imv_partner_set *s = imv_xcalloc(1, sizeof *s);
    s->source = imv_xstrdup(path);
    const char *end = NULL;
    /* the length counts the NUL: cJSON checks for it inside the buffer */
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (!doc) {
        long line = 1;
        for (const char *q = text; end && q < end; q++)
            line += *q == '\n';
        imv_diags_add_at(diags, 0, path, line, "",
                         "not valid JSON here: expected one partner "
                         "council object or an array of them");
        goto done;
    }
    int array = cJSON_IsArray(doc);
    size_t n = array ? (size_t)cJSON_GetArraySize(doc) : 1;
    if (n > IMV_ALLOC_MAX_PARTNERS) {
        imv_diags_add(diags, 0, path, "", "%zu partner councils: at most %d are read", n,
                      IMV_ALLOC_MAX_PARTNERS);
        goto done;
    }
    s->v = imv_xcalloc(n ? n : 1, sizeof *s->v);
    size_t before = diags->n_errors;
    const cJSON *e = array ? doc->child : doc;
    for (size_t i = 0; i < n && e; i++, e = e->next) {
        char where[32] = "";
        if (array)
            snprintf(where, sizeof where, "[%zu]", i);
        read_one(e, path, where, &s->v[s->n++], diags);
        for (size_t k = 0; k + 1 < s->n && s->v[i].p.id; k++)
            if (s->v[k].p.id && strcmp(s->v[k].p.id, s->v[i].p.id) == 0)
                imv_diags_add(diags, 0, path, where, "duplicate partner id \"%s\": also at [%zu]",
                              s->v[i].p.id, k);
    }
    if (diags->n_errors == before)
        rc = IMV_OK;
done:
    cJSON_Delete(doc);
    free(text);
    if (rc == IMV_OK)
        *out = s;
    else
        imv_partner_set_free(s);
    return rc;
}

int imv_partner_neighbour_of(const imv_partner_desc *d, const char *profile_id)
{
    for (size_t k = 0; k < d->n_neighbours; k++)
        if (same_authority(d->neighbours[k], profile_id))
            return 1;
    return 0;
}

int imv_partner_places(const imv_partner_desc *d)
{
    if (!imv_partner_available(d, d->as_of))
        return 0;
    double cur = d->p.current_commitments == IMV_UNKNOWN ? 0 : d->p.current_commitments;
    int left = d->capacity - (int)cur;
    return left > 0 ? left : 0;
}

int imv_partner_for_profile(const imv_partner_desc *d, const imv_profile *p, int added,
                            imv_partner *out)
{
    const char *date = d->as_of ? d->as_of : p->as_of;
    *out = d->p;
    if (d->dated)
        out->current_commitments = count_dated(d, date, p->id);
    out->neighbouring = imv_partner_neighbour_of(d, p->id);
    for (size_t i = 0; i < p->n_partners; i++) {
        const imv_partner *own = &p->partners[i];
        if (!own->id || strcmp(own->id, d->p.id) != 0)
            continue;
        if (own->name)
            out->name = own->name;
        if (own->grade != IMV_G_NOT_INSPECTED)
            out->grade = own->grade;
        if (own->neighbouring >= 0)
            out->neighbouring = own->neighbouring;
        if (own->child_population != IMV_UNKNOWN)
            out->child_population = own->child_population;
        if (own->spare_leadership_capacity != IMV_UNKNOWN)
            out->spare_leadership_capacity = own->spare_leadership_capacity;
        if (own->current_commitments != IMV_UNKNOWN)
            out->current_commitments = own->current_commitments;
    }
    if (out->current_commitments == IMV_UNKNOWN)
        out->current_commitments = 0;
    out->current_commitments += added;
    return imv_partner_available(d, date);
}
