/*
 * register.c - the backend-independent register: locations, ids, the
 * rules each kind of entry must meet, content hashes and the chain,
 * verification, export and import.  The backends (store.h) only keep rows.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "internal.h"
#include "register.h"
#include "sha256.h"
#include "store.h"

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

struct imv_register {
    imv_store *st;
    char *where;
    const char *backend;
    void *cache; /* record.c's last profile file, see there */
    void (*cache_free)(void *);
};

void *imv_register_cache(imv_register *r)
{
    return r->cache;
}

void imv_register_set_cache(imv_register *r, void *cache, void (*free_fn)(void *))
{
    if (r->cache && r->cache_free)
        r->cache_free(r->cache);
    r->cache = cache;
    r->cache_free = free_fn;
}

void imv_store_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- entries ---------------------------------------------------------- */

static char **column_slot(imv_register_entry *e, int i)
{
    switch (i) {
    case 1: return &e->id;
    case 2: return &e->kind;
    case 3: return &e->authority;
    case 4: return &e->ref;
    case 5: return &e->supersedes;
    case 6: return &e->at;
    case 7: return &e->author;
    case 8: return &e->role;
    case 9: return &e->as_of;
    case 10: return &e->grade;
    case 11: return &e->model;
    case 12: return &e->status;
    case 13: return &e->finding;
    case 15: return &e->profile_sha;
    case 16: return &e->result_sha;
    case 17: return &e->body;
    case 18: return &e->hash;
    case 19: return &e->prev_hash;
    case 20: return &e->row_hash;
    default: return NULL;
    }
}

const char *imv_store_column_text(const imv_register_entry *e, int i, char *buf, size_t n)
{
    if (i == 0) {
        snprintf(buf, n, "%ld", e->seq);
        return buf;
    }
    if (i == 14) {
        if (!e->has_rating)
            return NULL;
        snprintf(buf, n, "%.3f", e->rating);
        return buf;
    }
    char **slot = column_slot((imv_register_entry *)e, i);
    return slot ? *slot : NULL;
}

void imv_store_column_set(imv_register_entry *e, int i, const char *text)
{
    if (i == 0) {
        e->seq = text ? strtol(text, NULL, 10) : 0;
        return;
    }
    if (i == 14) {
        e->has_rating = text != NULL;
        e->rating = text ? strtod(text, NULL) : 0;
        return;
    }
    char **slot = column_slot(e, i);
    if (slot) {
        free(*slot);
        *slot = text ? imv_xstrdup(text) : NULL;
    }
}

void imv_register_entry_clear(imv_register_entry *e)
{
    if (!e)
        return;
    for (int i = 1; i < IMV_STORE_NCOLUMNS; i++) {
        char **slot = column_slot(e, i);
        if (slot)
            free(*slot);
    }
    memset(e, 0, sizeof *e);
}

void imv_register_entry_free(imv_register_entry *e)
{
    imv_register_entry_clear(e);
    free(e);
}

void imv_register_entries_free(imv_register_entry *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        imv_register_entry_clear(&v[i]);
    free(v);
}

static void entry_copy(imv_register_entry *dst, const imv_register_entry *src)
{
    memset(dst, 0, sizeof *dst);
    dst->seq = src->seq;
    dst->has_rating = src->has_rating;
    dst->rating = src->rating;
    for (int i = 1; i < IMV_STORE_NCOLUMNS; i++) {
        char **from = column_slot((imv_register_entry *)src, i);
        if (from && *from)
            *column_slot(dst, i) = imv_xstrdup(*from);
    }
}

static void hex_of(const void *data, size_t len, char out[65])
{
    unsigned char d[32];
    imv_sha256(data, len, d);
    imv_sha256_hex(d, out);
}

/* The content hash: every column but the chain's own, as a JSON array of
 * strings in column order (the format is part of the register: changing
 * it would break every existing chain). */
static void entry_hash(const imv_register_entry *e, char out[65])
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateString("imeval-entry/1"));
    for (int i = 1; i <= 17; i++) {
        char buf[64];
        const char *t = imv_store_column_text(e, i, buf, sizeof buf);
        cJSON_AddItemToArray(a, t ? cJSON_CreateString(t) : cJSON_CreateNull());
    }
    char *s = cJSON_PrintUnformatted(a);
    hex_of(s, strlen(s), out);
    free(s);
    cJSON_Delete(a);
}

static void row_hash(const char *prev, const char *hash, char out[65])
{
    char buf[129];
    memcpy(buf, prev, 64);
    memcpy(buf + 64, hash, 64);
    hex_of(buf, 128, out);
}

/* ---- opening ------------------------------------------------------------ */

int imv_register_schema_version(void)
{
    return IMV_REGISTER_SCHEMA;
}

int imv_register_default_location(char *buf, size_t n)
{
    const char *env = getenv("IMEVAL_REGISTER");
    if (env && *env) {
        snprintf(buf, n, "%s", env);
        return 0;
    }
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && *xdg == '/') {
        snprintf(buf, n, "%s/imeval/register.db", xdg);
        return 0;
    }
    const char *home = getenv("HOME");
    if (!home || !*home)
        return -1;
    snprintf(buf, n, "%s/.local/share/imeval/register.db", home);
    return 0;
}

static int is_url(const char *loc)
{
    return strncmp(loc, "postgresql://", 13) == 0 || strncmp(loc, "postgres://", 11) == 0;
}

/* The URL for messages: userinfo's password and any password= parameter
 * replaced by "***", so a password never reaches output or logs. */
static char *redact(const char *url)
{
    char *s = imv_xstrdup(url);
    char *scheme = strstr(s, "://");
    char *host = scheme ? scheme + 3 : s;
    char *at = strchr(host, '@');
    char *slash = strchr(host, '/');
    if (at && (!slash || at < slash)) {
        char *colon = memchr(host, ':', (size_t)(at - host));
        if (colon) {
            char *r = imv_xasprintf("%.*s:***%s", (int)(colon - s), s, at);
            free(s);
            s = r;
        }
    }
    char *p;
    while ((p = strstr(s, "password=")) && strncmp(p + 9, "***", 3) != 0) {
        char *end = p + 9 + strcspn(p + 9, "&");
        char *r = imv_xasprintf("%.*s***%s", (int)(p + 9 - s), s, end);
        free(s);
        s = r;
    }
    return s;
}

/* mkdir -p for the default location's directory (private: 0700). */
static void make_parent(const char *path)
{
    char *d = imv_xstrdup(path);
    for (char *p = d + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        mkdir(d, 0700);
        *p = '/';
    }
    free(d);
}

static int open_at(const char *location, int create, int version, imv_register **out, char *err,
                   size_t errlen)
{
    char def[4096];
    *out = NULL;
    if (!location || !*location) {
        if (imv_register_default_location(def, sizeof def)) {
            imv_store_err(err, errlen,
                          "no register named and no home directory to keep one in: "
                          "give --register PATH or set IMEVAL_REGISTER");
            return IMV_EUSAGE;
        }
        location = def;
        if (create && !is_url(location))
            make_parent(location);
    }
    imv_store *st = NULL;
    int rc = is_url(location) ? imv_store_pg_open(location, create, version, &st, err, errlen)
                              : imv_store_sqlite_open(location, create, version, &st, err, errlen);
    if (rc)
        return rc;
    imv_register *r = imv_xcalloc(1, sizeof *r);
    r->st = st;
    r->backend = st->ops->name;
    r->where = is_url(location) ? redact(location) : imv_xstrdup(location);
    *out = r;
    return 0;
}

int imv_register_open(const char *location, int create, imv_register **out, char *err, size_t errlen)
{
    return open_at(location, create, IMV_REGISTER_SCHEMA, out, err, errlen);
}

/* For tests of migration: a new register at an older schema version. */
int imv_register_init_version(const char *location, int version, char *err, size_t errlen);
int imv_register_init_version(const char *location, int version, char *err, size_t errlen)
{
    imv_register *r = NULL;
    int rc = open_at(location, 1, version, &r, err, errlen);
    imv_register_close(r);
    return rc;
}

void imv_register_close(imv_register *r)
{
    if (!r)
        return;
    imv_register_set_cache(r, NULL, NULL);
    r->st->ops->close(r->st);
    free(r->where);
    free(r);
}

const char *imv_register_where(const imv_register *r)
{
    return r->where;
}

const char *imv_register_backend(const imv_register *r)
{
    return r->backend;
}

/* ---- appending ---------------------------------------------------------- */

static int is_kind(const char *k)
{
    static const char *const kinds[] = {"assessment", "review", "decision", "assumption", "sign-off"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (k && strcmp(k, kinds[i]) == 0)
            return 1;
    return 0;
}

static int is_role(const char *r)
{
    static const char *const roles[] = {"adviser",  "analyst",      "assurer",
                                        "approver", "commissioner", "other"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (r && strcmp(r, roles[i]) == 0)
            return 1;
    return 0;
}

static int scored(const char *kind)
{
    return kind && (strcmp(kind, "assessment") == 0 || strcmp(kind, "review") == 0);
}

static void new_id(const char *kind, char *out, size_t n)
{
    unsigned char b[6];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        /* Only without /dev/urandom: time and address still differ per call. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long x = (unsigned long)ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 20) ^
                          (unsigned long)(uintptr_t)&ts;
        memcpy(b, &x, sizeof b);
    }
    char letter = strcmp(kind, "assessment") == 0 ? 'A'
                  : strcmp(kind, "review") == 0   ? 'R'
                  : strcmp(kind, "decision") == 0 ? 'D'
                  : strcmp(kind, "sign-off") == 0 ? 'S'
                                                  : 'N';
    snprintf(out, n, "%c-%02x%02x%02x%02x%02x%02x", letter, b[0], b[1], b[2], b[3], b[4], b[5]);
}

static void now_utc(char *out, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Every text: UTF-8, within the size limit, and, for ids, printable. */
static int check_texts(const imv_register_entry *e, char *err, size_t errlen)
{
    static const char *const names[] = {NULL,          "id",         "kind",   "authority", "ref",
                                        "supersedes",  "at",         "author", "role",      "as_of",
                                        "grade",       "model",      "status", "finding",   NULL,
                                        "profile_sha", "result_sha", "body"};
    for (int i = 1; i <= 17; i++) {
        char buf[64];
        const char *t = imv_store_column_text(e, i, buf, sizeof buf);
        if (!t || i == 14)
            continue;
        size_t len = strlen(t);
        if (len > IMV_REGISTER_MAX_TEXT) {
            imv_store_err(err, errlen,
                          "%s is %zu bytes, over the register's limit of %u: "
                          "shorten it or refer to a document instead",
                          names[i], len, IMV_REGISTER_MAX_TEXT);
            return IMV_EINVAL;
        }
        if (!imv_utf8_valid(t, len)) {
            imv_store_err(err, errlen, "%s is not valid UTF-8: save the text as UTF-8", names[i]);
            return IMV_EINVAL;
        }
    }
    if (!e->id[0] || strlen(e->id) > 200 || strpbrk(e->id, " \t\r\n/\\")) {
        imv_store_err(err, errlen,
                      "id \"%.60s\" must be 1-200 characters without spaces or "
                      "slashes (e.g. torbay-2018-review)",
                      e->id);
        return IMV_EUSAGE;
    }
    if (!e->authority || !e->authority[0] || strlen(e->authority) > 200) {
        imv_store_err(err, errlen, "the authority must be named (1-200 characters)");
        return IMV_EUSAGE;
    }
    return 0;
}

static char *body_string(const char *body, const char *key)
{
    cJSON *j = cJSON_Parse(body);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    char *s = cJSON_IsString(v) ? imv_xstrdup(v->valuestring) : NULL;
    cJSON_Delete(j);
    return s;
}

/* The rules of each kind that need the register: refs and supersession. */
static int check_links(imv_register *r, imv_register_entry *e, char *err, size_t errlen)
{
    imv_store *st = r->st;
    imv_register_entry ref = {0}, old = {0};
    int rc = 0;
    if (e->ref) {
        int g = st->ops->get(st, "id", e->ref, &ref, err, errlen);
        if (g < 0) {
            rc = g;
            goto done;
        }
        if (g == 1) {
            imv_store_err(err, errlen,
                          "no entry %s in %s: `imeval register history` lists "
                          "the ids",
                          e->ref, r->where);
            rc = IMV_REG_ENOTFOUND;
            goto done;
        }
        if (!e->authority)
            e->authority = imv_xstrdup(ref.authority);
        if (strcmp(e->authority, ref.authority) != 0) {
            imv_store_err(err, errlen, "%s is about %s, not %s", e->ref, ref.authority, e->authority);
            rc = IMV_EUSAGE;
            goto done;
        }
    }
    if (strcmp(e->kind, "review") == 0 && (!e->ref || strcmp(ref.kind, "decision") != 0)) {
        imv_store_err(err, errlen,
                      "a review must name the decision whose intervention it "
                      "reviews (%s is %s)",
                      e->ref ? e->ref : "none", e->ref ? ref.kind : "not given");
        rc = IMV_EUSAGE;
        goto done;
    }
    if (strcmp(e->kind, "decision") == 0) {
        if (!e->ref || !scored(ref.kind)) {
            imv_store_err(err, errlen, "a decision must name the assessment it rests on");
            rc = IMV_EUSAGE;
            goto done;
        }
        if (!e->model || !*e->model) {
            imv_store_err(err, errlen, "a decision must name the model chosen");
            rc = IMV_EUSAGE;
            goto done;
        }
        char *why = body_string(e->body, "rationale");
        int bare = !why || !*why;
        free(why);
        if (ref.model && strcmp(ref.model, e->model) != 0 && bare) {
            imv_store_err(err, errlen,
                          "%s was recommended for %s but %s is chosen: give the rationale "
                          "(--rationale TEXT or --rationale-file FILE)",
                          ref.model, e->ref, e->model);
            rc = IMV_EUSAGE;
            goto done;
        }
    }
    if ((strcmp(e->kind, "assumption") == 0 || strcmp(e->kind, "sign-off") == 0) && !e->ref) {
        imv_store_err(err, errlen, "an %s must name the entry it concerns", e->kind);
        rc = IMV_EUSAGE;
        goto done;
    }
    if (e->supersedes) {
        int g = st->ops->get(st, "id", e->supersedes, &old, err, errlen);
        if (g < 0) {
            rc = g;
            goto done;
        }
        if (g == 1) {
            imv_store_err(err, errlen, "no entry %s to supersede in %s", e->supersedes, r->where);
            rc = IMV_REG_ENOTFOUND;
            goto done;
        }
        int same = strcmp(old.kind, e->kind) == 0 || (scored(old.kind) && scored(e->kind));
        if (!same || strcmp(old.authority, e->authority) != 0) {
            imv_store_err(err, errlen,
                          "%s is %s %s of %s: a correction must be of the same kind "
                          "and authority",
                          e->supersedes, strcmp(old.kind, "assessment") == 0 ? "an" : "a", old.kind,
                          old.authority);
            rc = IMV_EUSAGE;
            goto done;
        }
    }
done:
    imv_register_entry_clear(&ref);
    imv_register_entry_clear(&old);
    return rc;
}

static int check_entry(const imv_register_entry *e, char *err, size_t errlen)
{
    if (!is_kind(e->kind)) {
        imv_store_err(err, errlen, "unknown entry kind \"%s\"", e->kind ? e->kind : "");
        return IMV_EUSAGE;
    }
    if (!e->author || !*e->author) {
        imv_store_err(err, errlen, "the author must be named (--by NAME)");
        return IMV_EUSAGE;
    }
    if (e->role && !is_role(e->role)) {
        imv_store_err(err, errlen,
                      "role \"%.40s\" is not one of adviser, analyst, assurer, "
                      "approver, commissioner, other",
                      e->role);
        return IMV_EUSAGE;
    }
    if (strcmp(e->kind, "sign-off") == 0 &&
        (!e->role || !(strcmp(e->role, "analyst") == 0 || strcmp(e->role, "assurer") == 0 ||
                       strcmp(e->role, "approver") == 0))) {
        imv_store_err(err, errlen,
                      "a sign-off is by an analyst, an assurer or an approver "
                      "(--role)");
        return IMV_EUSAGE;
    }
    cJSON *b = e->body ? cJSON_Parse(e->body) : NULL;
    int ok = cJSON_IsObject(b);
    cJSON_Delete(b);
    if (!ok) {
        imv_store_err(err, errlen, "the entry's detail is not a JSON object");
        return IMV_EINVAL;
    }
    return 0;
}

/* Insert e after the current tail (inside a transaction). */
static int chain_insert(imv_register *r, imv_register_entry *e, char *err, size_t errlen)
{
    long seq;
    char prev[65];
    int rc = r->st->ops->tail(r->st, &seq, prev, err, errlen);
    if (rc)
        return rc;
    e->seq = seq + 1;
    free(e->prev_hash);
    free(e->row_hash);
    e->prev_hash = imv_xstrdup(seq ? prev : zero_hash);
    char rh[65];
    row_hash(e->prev_hash, e->hash, rh);
    e->row_hash = imv_xstrdup(rh);
    return r->st->ops->insert(r->st, e, err, errlen);
}

int imv_register_append(imv_register *r, imv_register_entry *e, imv_register_blob *blobs,
                        size_t n_blobs, char *err, size_t errlen)
{
    char id[32], at[32], h[65];
    int rc;
    if (!e->id) {
        new_id(e->kind ? e->kind : "", id, sizeof id);
        e->id = imv_xstrdup(id);
    }
    if (!e->at) {
        now_utc(at, sizeof at);
        e->at = imv_xstrdup(at);
    }
    if (!e->body)
        e->body = imv_xstrdup("{}");
    if ((rc = check_entry(e, err, errlen)))
        return rc;
    for (size_t i = 0; i < n_blobs; i++) {
        if (blobs[i].len > 4 * (size_t)IMV_REGISTER_MAX_TEXT ||
            memchr(blobs[i].body, 0, blobs[i].len)) {
            imv_store_err(err, errlen, "the %s document is too large or holds a NUL byte",
                          blobs[i].kind);
            return IMV_EINVAL;
        }
        hex_of(blobs[i].body, blobs[i].len, blobs[i].sha);
    }
    if (scored(e->kind)) {
        if (n_blobs != 2 || !e->as_of || !e->grade) {
            imv_store_err(err, errlen, "an %s needs its profile, its result, a date and a grade",
                          e->kind);
            return IMV_EINVAL;
        }
        free(e->profile_sha);
        free(e->result_sha);
        e->profile_sha = imv_xstrdup(blobs[0].sha);
        e->result_sha = imv_xstrdup(blobs[1].sha);
    }
    imv_store *st = r->st;
    if ((rc = st->ops->begin(st, err, errlen)))
        return rc;
    if ((rc = check_links(r, e, err, errlen)) || (rc = check_texts(e, err, errlen)))
        goto fail;
    imv_register_entry dup = {0};
    int g = st->ops->get(st, "id", e->id, &dup, err, errlen);
    imv_register_entry_clear(&dup);
    if (g < 0) {
        rc = g;
        goto fail;
    }
    if (g == 0) {
        imv_store_err(err, errlen,
                      "%s is already in %s: choose another id (or leave it out "
                      "and one is made)",
                      e->id, r->where);
        rc = IMV_REG_ECONFLICT;
        goto fail;
    }
    for (size_t i = 0; i < n_blobs; i++)
        if ((rc = st->ops->put_blob(st, blobs[i].sha, blobs[i].kind, blobs[i].body, blobs[i].len,
                                    err, errlen)))
            goto fail;
    entry_hash(e, h);
    free(e->hash);
    e->hash = imv_xstrdup(h);
    if ((rc = chain_insert(r, e, err, errlen)))
        goto fail;
    return st->ops->commit(st, err, errlen);
fail:
    st->ops->rollback(st);
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

int imv_register_get(imv_register *r, const char *id, imv_register_entry **out, char *err,
                     size_t errlen)
{
    imv_register_entry *e = imv_xcalloc(1, sizeof *e);
    int rc = r->st->ops->get(r->st, "id", id, e, err, errlen);
    if (rc == 1) {
        imv_store_err(err, errlen,
                      "no entry %s in %s: `imeval register history AUTHORITY` "
                      "lists the ids",
                      id, r->where);
        rc = IMV_REG_ENOTFOUND;
    }
    if (rc) {
        imv_register_entry_free(e);
        e = NULL;
    }
    *out = e;
    return rc;
}

int imv_register_blob_get(imv_register *r, const char *sha, char **body, size_t *len, char *err,
                          size_t errlen)
{
    size_t l = 0;
    *body = NULL;
    int rc = r->st->ops->get_blob(r->st, sha, body, &l, err, errlen);
    if (rc == 1) {
        imv_store_err(err, errlen, "document %s is missing from %s: run `imeval register verify`",
                      sha, r->where);
        rc = IMV_REG_ECORRUPT;
    }
    if (len)
        *len = l;
    return rc;
}

typedef struct list_ctx {
    imv_register_entry *v;
    size_t n, cap;
} list_ctx;

static int list_cb(void *ctx, const imv_register_entry *e)
{
    list_ctx *c = ctx;
    imv_grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v);
    entry_copy(&c->v[c->n++], e);
    return 0;
}

int imv_register_list(imv_register *r, const char *authority, imv_register_entry **out, size_t *n,
                      char *err, size_t errlen)
{
    list_ctx c = {0};
    int rc = r->st->ops->scan(r->st, authority, 0, list_cb, &c, err, errlen);
    if (rc) {
        imv_register_entries_free(c.v, c.n);
        c.v = NULL;
        c.n = 0;
    }
    *out = c.v;
    *n = c.n;
    return rc;
}

int imv_register_scan(imv_register *r, const char *authority, int light, imv_store_entry_cb cb,
                      void *ctx, char *err, size_t errlen)
{
    return r->st->ops->scan(r->st, authority, light, cb, ctx, err, errlen);
}

int imv_register_grant(imv_register *r, const char *role, int adviser, const char *authority,
                       char *err, size_t errlen)
{
    if (!r->st->ops->grant) {
        imv_store_err(err, errlen,
                      "%s is a %s register: it has no roles; the file's permissions "
                      "decide who may read or write it",
                      r->where, r->backend);
        return IMV_EUSAGE;
    }
    if (!adviser && !authority) {
        imv_store_err(err, errlen, "a reader is granted one authority at a time");
        return IMV_EUSAGE;
    }
    return r->st->ops->grant(r->st, role, adviser, authority, err, errlen);
}

/* ---- a set of hashes or ids (verify and import check references) ------ */

typedef struct strset {
    char **v;
    size_t cap, n;
} strset;

static size_t str_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static int set_has(const strset *s, const char *k)
{
    if (!s->cap || !k)
        return 0;
    for (size_t i = str_hash(k) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->v[i])
            return 0;
        if (strcmp(s->v[i], k) == 0)
            return 1;
    }
}

static void set_add(strset *s, const char *k)
{
    if (set_has(s, k))
        return;
    if ((s->n + 1) * 2 > s->cap) {
        strset b = {imv_xcalloc(s->cap ? s->cap * 2 : 64, sizeof(char *)), s->cap ? s->cap * 2 : 64,
                    0};
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i]) {
                size_t j = str_hash(s->v[i]) & (b.cap - 1);
                while (b.v[j])
                    j = (j + 1) & (b.cap - 1);
                b.v[j] = s->v[i];
                b.n++;
            }
        free(s->v);
        *s = b;
    }
    size_t j = str_hash(k) & (s->cap - 1);
    while (s->v[j])
        j = (j + 1) & (s->cap - 1);
    s->v[j] = imv_xstrdup(k);
    s->n++;
}

static void set_free(strset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ---- verify -------------------------------------------------------------- */

typedef struct verify_ctx {
    imv_register_verify_result *res;
    strset blobs, ids;
    const char *expect;
    int head_seen;
    char prev[65];
} verify_ctx;

static int verify_blob(void *ctx, const char *sha, const char *kind, const char *body, size_t len)
{
    verify_ctx *c = ctx;
    char h[65];
    (void)kind;
    hex_of(body, len, h);
    c->res->blobs++;
    if (!sha || strcmp(h, sha) != 0) {
        snprintf(c->res->problem, sizeof c->res->problem,
                 "document %s was changed: its content now hashes to %s", sha ? sha : "?", h);
        return IMV_REG_ECORRUPT;
    }
    set_add(&c->blobs, sha);
    return 0;
}

static int verify_fail(verify_ctx *c, const imv_register_entry *e, const char *what)
{
    c->res->bad_seq = e->seq ? e->seq : 1;
    snprintf(c->res->problem, sizeof c->res->problem, "entry %ld (%s): %s", e->seq,
             e->id ? e->id : "?", what);
    return IMV_REG_ECORRUPT;
}

static int verify_entry(void *ctx, const imv_register_entry *e)
{
    verify_ctx *c = ctx;
    char h[65], rh[65];
    long want = c->res->entries + 1;
    if (e->seq != want) {
        char m[160];
        snprintf(m, sizeof m, "expected entry %ld next: entries %ld..%ld are missing", want, want,
                 e->seq - 1);
        return verify_fail(c, e, m);
    }
    c->res->entries++;
    if (!e->hash || !e->prev_hash || !e->row_hash || !e->body)
        return verify_fail(c, e, "a hash or the detail is missing");
    entry_hash(e, h);
    if (strcmp(h, e->hash) != 0)
        return verify_fail(c, e, "its content was changed after it was recorded (hash mismatch)");
    if (strcmp(e->prev_hash, c->prev) != 0)
        return verify_fail(c, e,
                           "it does not follow the entry before it (chain broken: an "
                           "entry was removed, inserted or reordered)");
    row_hash(e->prev_hash, e->hash, rh);
    if (strcmp(rh, e->row_hash) != 0)
        return verify_fail(c, e, "its chain hash was changed");
    if ((e->ref && !set_has(&c->ids, e->ref)) || (e->supersedes && !set_has(&c->ids, e->supersedes)))
        return verify_fail(c, e, "it refers to an entry that is not before it");
    if ((e->profile_sha && !set_has(&c->blobs, e->profile_sha)) ||
        (e->result_sha && !set_has(&c->blobs, e->result_sha)))
        return verify_fail(c, e, "a document it refers to is missing");
    set_add(&c->ids, e->id);
    snprintf(c->prev, sizeof c->prev, "%s", e->row_hash);
    if (c->expect && strcmp(c->expect, e->row_hash) == 0)
        c->head_seen = 1;
    return 0;
}

int imv_register_verify(imv_register *r, const char *expect_head, imv_register_verify_result *res,
                        char *err, size_t errlen)
{
    verify_ctx c = {.res = res, .expect = expect_head};
    memset(res, 0, sizeof *res);
    snprintf(c.prev, sizeof c.prev, "%s", zero_hash);
    imv_store *st = r->st;
    int rc = st->ops->check(st, err, errlen);
    if (rc || (rc = st->ops->snapshot(st, err, errlen))) {
        snprintf(res->problem, sizeof res->problem, "%s", err);
        goto done;
    }
    rc = st->ops->scan_blobs(st, verify_blob, &c, err, errlen);
    if (rc == 0)
        rc = st->ops->scan(st, NULL, 0, verify_entry, &c, err, errlen);
    st->ops->rollback(st);
    if (rc && !res->problem[0])
        snprintf(res->problem, sizeof res->problem, "%s", err);
    if (rc == 0 && expect_head && !c.head_seen) {
        snprintf(res->problem, sizeof res->problem,
                 "entry %.16s... noted earlier is no longer in the chain: the register was cut "
                 "short or replaced (it now has %ld entries)",
                 expect_head, res->entries);
        rc = IMV_REG_ECORRUPT;
    }
    if (res->entries)
        snprintf(res->head, sizeof res->head, "%s", c.prev);
    if (rc && rc != IMV_REG_ECORRUPT && rc != IMV_REG_EDB)
        rc = IMV_REG_ECORRUPT;
    if (rc)
        imv_store_err(err, errlen, "%s: %s", r->where, res->problem);
done:
    set_free(&c.blobs);
    set_free(&c.ids);
    return rc;
}

/* ---- export ------------------------------------------------------------- */

typedef struct export_ctx {
    FILE *f;
    int io;
} export_ctx;

static void put_line(export_ctx *c, cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    if (!s || fputs(s, c->f) == EOF || fputc('\n', c->f) == EOF)
        c->io = 1;
    free(s);
    cJSON_Delete(j);
}

static int export_blob(void *ctx, const char *sha, const char *kind, const char *body, size_t len)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "type", "blob");
    cJSON_AddStringToObject(j, "sha256", sha);
    cJSON_AddStringToObject(j, "kind", kind);
    char *b = imv_xstrndup(body, len);
    cJSON_AddStringToObject(j, "body", b);
    free(b);
    put_line(ctx, j);
    return ((export_ctx *)ctx)->io ? IMV_EIO : 0;
}

static const char *const col_names[] = {"seq",        "id",         "kind",   "authority",
                                        "ref",        "supersedes", "at",     "author",
                                        "role",       "as_of",      "grade",  "model",
                                        "status",     "finding",    "rating", "profile_sha",
                                        "result_sha", "body",       "hash",   "prev_hash",
                                        "row_hash"};

static int export_entry(void *ctx, const imv_register_entry *e)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "type", "entry");
    for (int i = 0; i < IMV_STORE_NCOLUMNS; i++) {
        char buf[64];
        const char *t = imv_store_column_text(e, i, buf, sizeof buf);
        if (i == 0)
            cJSON_AddNumberToObject(j, "seq", (double)e->seq);
        else if (t)
            cJSON_AddStringToObject(j, col_names[i], t);
        else
            cJSON_AddNullToObject(j, col_names[i]);
    }
    put_line(ctx, j);
    return ((export_ctx *)ctx)->io ? IMV_EIO : 0;
}

int imv_register_export(imv_register *r, FILE *f, char *err, size_t errlen)
{
    export_ctx c = {f, 0};
    long seq;
    char head[65];
    int rc = r->st->ops->snapshot(r->st, err, errlen);
    if (rc)
        return rc;
    if ((rc = r->st->ops->tail(r->st, &seq, head, err, errlen))) {
        r->st->ops->rollback(r->st);
        return rc;
    }
    cJSON *h = cJSON_CreateObject();
    cJSON_AddStringToObject(h, "format", IMV_REGISTER_EXPORT_FORMAT);
    cJSON_AddNumberToObject(h, "schema", IMV_REGISTER_SCHEMA);
    cJSON_AddStringToObject(h, "engine", IMV_VERSION);
    put_line(&c, h);
    rc = r->st->ops->scan_blobs(r->st, export_blob, &c, err, errlen);
    if (rc == 0)
        rc = r->st->ops->scan(r->st, NULL, 0, export_entry, &c, err, errlen);
    r->st->ops->rollback(r->st);
    if (rc == IMV_EIO || c.io || fflush(f) != 0) {
        imv_store_err(err, errlen, "could not write the export: %s", strerror(errno));
        return IMV_EIO;
    }
    return rc;
}

/* ---- import ------------------------------------------------------------- */

typedef struct bundle {
    cJSON **blobs;
    size_t n_blobs, cap_blobs;
    imv_register_entry *entries;
    size_t n_entries, cap_entries;
} bundle;

static void bundle_free(bundle *b)
{
    for (size_t i = 0; i < b->n_blobs; i++)
        cJSON_Delete(b->blobs[i]);
    free(b->blobs);
    imv_register_entries_free(b->entries, b->n_entries);
}

static int read_line(FILE *f, char **line, size_t *cap)
{
    ssize_t n = getline(line, cap, f);
    if (n < 0)
        return 0;
    if ((size_t)n != strlen(*line))
        return -1; /* a NUL byte inside the line */
    return 1;
}

/* Parse every line and check it against itself: blob hashes, entry hashes
 * and the bundle's own chain. */
static int bundle_read(FILE *f, const char *src, bundle *b, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0, got;
    char prev[65];
    snprintf(prev, sizeof prev, "%s", zero_hash);
    while ((got = read_line(f, &line, &cap)) != 0) {
        lineno++;
        cJSON *j = got > 0 ? cJSON_Parse(line) : NULL;
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
        if (lineno == 1) {
            const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(j, "format");
            if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, IMV_REGISTER_EXPORT_FORMAT)) {
                imv_store_err(err, errlen,
                              "%s:1: not a register export (expected \"format\": "
                              "\"%s\")",
                              src, IMV_REGISTER_EXPORT_FORMAT);
                rc = IMV_EPARSE;
            }
            cJSON_Delete(j);
            if (rc)
                break;
            continue;
        }
        if (!cJSON_IsString(type)) {
            imv_store_err(err, errlen, "%s:%ld: not a blob or entry line", src, lineno);
            cJSON_Delete(j);
            rc = IMV_EPARSE;
            break;
        }
        if (strcmp(type->valuestring, "blob") == 0) {
            const cJSON *sha = cJSON_GetObjectItemCaseSensitive(j, "sha256");
            const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
            const cJSON *body = cJSON_GetObjectItemCaseSensitive(j, "body");
            char h[65] = "";
            if (cJSON_IsString(body))
                hex_of(body->valuestring, strlen(body->valuestring), h);
            if (!cJSON_IsString(sha) || !cJSON_IsString(kind) || strcmp(h, sha->valuestring)) {
                imv_store_err(err, errlen,
                              "%s:%ld: a document whose content does not match its "
                              "hash: the export was changed",
                              src, lineno);
                cJSON_Delete(j);
                rc = IMV_REG_ECORRUPT;
                break;
            }
            imv_grow((void **)&b->blobs, &b->cap_blobs, b->n_blobs + 1, sizeof *b->blobs);
            b->blobs[b->n_blobs++] = j;
            continue;
        }
        imv_grow((void **)&b->entries, &b->cap_entries, b->n_entries + 1, sizeof *b->entries);
        imv_register_entry *e = &b->entries[b->n_entries++];
        memset(e, 0, sizeof *e);
        for (int i = 1; i < IMV_STORE_NCOLUMNS; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, col_names[i]);
            imv_store_column_set(e, i, cJSON_IsString(v) ? v->valuestring : NULL);
        }
        cJSON_Delete(j);
        char h[65], rh[65];
        if (!e->id || !e->kind || !e->authority || !e->hash || !e->prev_hash || !e->row_hash) {
            imv_store_err(err, errlen, "%s:%ld: an entry without its id, kind or hashes", src,
                          lineno);
            rc = IMV_EPARSE;
            break;
        }
        entry_hash(e, h);
        row_hash(prev, e->hash, rh);
        if (strcmp(h, e->hash) || strcmp(prev, e->prev_hash) || strcmp(rh, e->row_hash)) {
            imv_store_err(err, errlen,
                          "%s:%ld: entry %s does not match its hash or its chain: "
                          "the export was changed or cut",
                          src, lineno, e->id);
            rc = IMV_REG_ECORRUPT;
            break;
        }
        snprintf(prev, sizeof prev, "%s", e->row_hash);
    }
    if (rc == 0 && lineno == 0) {
        imv_store_err(err, errlen, "%s is empty: not a register export", src);
        rc = IMV_EPARSE;
    }
    free(line);
    return rc;
}

static int import_entry(imv_register *r, bundle *b, imv_register_entry *e,
                        imv_register_import_stats *st, char *err, size_t errlen)
{
    imv_store *s = r->st;
    imv_register_entry here = {0};
    int g = s->ops->get(s, "hash", e->hash, &here, err, errlen);
    imv_register_entry_clear(&here);
    if (g <= 0) {
        if (g == 0)
            st->present++;
        return g;
    }
    g = s->ops->get(s, "id", e->id, &here, err, errlen);
    imv_register_entry_clear(&here);
    if (g < 0)
        return g;
    if (g == 0) {
        imv_store_err(err, errlen,
                      "%s is already in %s with other content: the registers "
                      "disagree about it; nothing was imported",
                      e->id, r->where);
        return IMV_REG_ECONFLICT;
    }
    const char *shas[2] = {e->profile_sha, e->result_sha};
    for (int k = 0; k < 2; k++) {
        if (!shas[k])
            continue;
        char *body = NULL;
        size_t len;
        int have = s->ops->get_blob(s, shas[k], &body, &len, err, errlen);
        free(body);
        if (have < 0)
            return have;
        if (have == 0)
            continue;
        const cJSON *found = NULL;
        for (size_t i = 0; i < b->n_blobs && !found; i++)
            if (strcmp(cJSON_GetObjectItemCaseSensitive(b->blobs[i], "sha256")->valuestring,
                       shas[k]) == 0)
                found = b->blobs[i];
        if (!found) {
            imv_store_err(err, errlen,
                          "entry %s refers to document %s, which the export "
                          "lacks; nothing was imported",
                          e->id, shas[k]);
            return IMV_REG_ECORRUPT;
        }
        const char *kind = cJSON_GetObjectItemCaseSensitive(found, "kind")->valuestring;
        const char *bb = cJSON_GetObjectItemCaseSensitive(found, "body")->valuestring;
        int rc = s->ops->put_blob(s, shas[k], kind, bb, strlen(bb), err, errlen);
        if (rc)
            return rc;
        st->blobs_added++;
    }
    int rc = chain_insert(r, e, err, errlen);
    if (rc == 0)
        st->added++;
    return rc;
}

int imv_register_import(imv_register *r, FILE *f, const char *source, imv_register_import_stats *st,
                        char *err, size_t errlen)
{
    bundle b = {0};
    memset(st, 0, sizeof *st);
    int rc = bundle_read(f, source, &b, err, errlen);
    if (rc)
        goto done;
    if ((rc = r->st->ops->begin(r->st, err, errlen)))
        goto done;
    for (size_t i = 0; i < b.n_entries && rc == 0; i++) {
        rc = check_texts(&b.entries[i], err, errlen);
        if (rc == 0)
            rc = import_entry(r, &b, &b.entries[i], st, err, errlen);
    }
    if (rc == 0)
        rc = r->st->ops->commit(r->st, err, errlen);
    else
        r->st->ops->rollback(r->st);
    if (rc)
        st->added = st->present = st->blobs_added = 0;
done:
    bundle_free(&b);
    return rc;
}
