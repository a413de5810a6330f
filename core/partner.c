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

#define MAX_FILE (16u << 20)          /* a national list is a few kB */
#define MAX_NEIGHBOURS 64

static const char *const own_keys[] = {"capacity", "neighbours", NULL};

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

static void read_capacity(const cJSON *j, const char *source, const char *path,
                          imv_partner_desc *d, imv_diags *diags)
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
    d->capacity = (int)cur + (more > 0 ? (int)more : 0);
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
        imv_diags_add_at(diags, 0, path, line, "", "not valid JSON here: expected one partner "
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
    for (size_t k = 0; k < d->n_neighbours; k++) {
        size_t n = strlen(d->neighbours[k]);
        if (strncmp(profile_id, d->neighbours[k], n) == 0 &&
            (profile_id[n] == '\0' || profile_id[n] == '-'))
            return 1;
    }
    return 0;
}

int imv_partner_places(const imv_partner_desc *d)
{
    double cur = d->p.current_commitments == IMV_UNKNOWN ? 0 : d->p.current_commitments;
    int left = d->capacity - (int)cur;
    return left > 0 ? left : 0;
}

void imv_partner_for_profile(const imv_partner_desc *d, const imv_profile *p, int added,
                             imv_partner *out)
{
    *out = d->p;
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
}
