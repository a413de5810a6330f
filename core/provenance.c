/*
 * provenance.c - the provenance block of a result (provenance.h).  Hashes
 * are taken of the files as they are on disk when the run starts; the
 * result hash streams over the evaluations as they are written, so it
 * costs no extra memory however many profiles there are.
 */
#include "imeval.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"
#include "sha256.h"

#ifndef IMV_BUILD_COMMIT
#define IMV_BUILD_COMMIT "unknown"
#endif

typedef struct prov_file {
    char *path;
    long long bytes;          /* -1 when unknown */
    char hex[IMV_SHA256_HEX]; /* "" when not hashed */
    char *note;               /* why not hashed, or NULL */
} prov_file;

typedef struct prov_model {
    char *id, *version, *language, *file;
    prov_file f;
    cJSON *changed; /* parameter -> {value, default} */
} prov_model;

struct imv_provenance {
    char *reproduce;
    size_t argc;
    char **argv;
    long long time;
    size_t draws;
    uint64_t seed;
    int vary;
    size_t n_profiles, cap_profiles;
    prov_file *profiles;
    size_t n_models;
    prov_model *models;
    imv_sha256_ctx result;
    size_t n_results;
};

imv_provenance *imv_provenance_new(void)
{
    imv_provenance *p = imv_xcalloc(1, sizeof *p);
    imv_sha256_init(&p->result);
    return p;
}

static void file_clear(prov_file *f)
{
    free(f->path);
    free(f->note);
}

void imv_provenance_free(imv_provenance *p)
{
    if (!p)
        return;
    free(p->reproduce);
    for (size_t i = 0; i < p->argc; i++)
        free(p->argv[i]);
    free(p->argv);
    for (size_t i = 0; i < p->n_profiles; i++)
        file_clear(&p->profiles[i]);
    free(p->profiles);
    for (size_t i = 0; i < p->n_models; i++) {
        prov_model *m = &p->models[i];
        free(m->id);
        free(m->version);
        free(m->language);
        free(m->file);
        file_clear(&m->f);
        cJSON_Delete(m->changed);
    }
    free(p->models);
    free(p);
}

void imv_provenance_set_command(imv_provenance *p, const char *reproduce, int argc, char *const *argv)
{
    free(p->reproduce);
    p->reproduce = reproduce ? imv_xstrdup(reproduce) : NULL;
    for (size_t i = 0; i < p->argc; i++)
        free(p->argv[i]);
    free(p->argv);
    p->argc = argv && argc > 0 ? (size_t)argc : 0;
    p->argv = p->argc ? imv_xcalloc(p->argc, sizeof *p->argv) : NULL;
    for (size_t i = 0; i < p->argc; i++)
        p->argv[i] = imv_xstrdup(argv[i] ? argv[i] : "");
}

void imv_provenance_set_draws(imv_provenance *p, size_t draws, uint64_t seed, int vary)
{
    p->draws = draws;
    p->seed = seed;
    p->vary = vary;
}

void imv_provenance_set_time(imv_provenance *p, long long t)
{
    p->time = t ? t : (long long)time(NULL);
}

/* Hash path into f; the note says why not when it cannot. */
static int hash_file(prov_file *f, const char *path)
{
    unsigned char d[IMV_SHA256_LEN];
    struct stat st;
    f->path = imv_xstrdup(path);
    f->bytes = -1;
    f->hex[0] = '\0';
    if (strcmp(path, "-") == 0) {
        f->note = imv_xstrdup("standard input: not hashed");
        return 0;
    }
    if (stat(path, &st) != 0) {
        f->note = imv_xasprintf("not hashed: %s", strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        f->note = imv_xstrdup("not hashed: not a regular file");
        return -1;
    }
    if (imv_sha256_file(path, d) != 0) {
        f->note = imv_xasprintf("not hashed: %s", strerror(errno));
        return -1;
    }
    f->bytes = (long long)st.st_size;
    imv_sha256_hex(d, f->hex);
    return 0;
}

int imv_provenance_add_profile(imv_provenance *p, const char *path)
{
    imv_grow((void **)&p->profiles, &p->cap_profiles, p->n_profiles + 1, sizeof *p->profiles);
    prov_file *f = &p->profiles[p->n_profiles++];
    memset(f, 0, sizeof *f);
    errno = 0;
    return hash_file(f, path);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

void imv_provenance_add_models(imv_provenance *p, const imv_registry *reg)
{
    size_t n = imv_registry_count(reg);
    p->models = imv_xrealloc(p->models, (p->n_models + n) * sizeof *p->models);
    for (size_t i = 0; i < n; i++) {
        const imv_model *m = imv_registry_get(reg, i);
        prov_model *x = &p->models[p->n_models++];
        memset(x, 0, sizeof *x);
        x->id = imv_xstrdup(imv_model_id(m));
        x->version = imv_xstrdup(imv_model_version(m));
        x->language = imv_xstrdup(imv_model_language(m));
        const char *path = imv_model_path(m) ? imv_model_path(m) : "";
        x->file = imv_xstrdup(base_name(path));
        errno = 0;
        hash_file(&x->f, path);
        x->changed = cJSON_CreateObject();
        const double *v = imv_model_param_values(m);
        for (size_t k = 0; k < imv_model_param_count(m); k++) {
            const imv_param_def *d = imv_model_param(m, k);
            if (v[k] == d->def)
                continue;
            cJSON *c = cJSON_AddObjectToObject(x->changed, d->name);
            cJSON_AddNumberToObject(c, "value", v[k]);
            cJSON_AddNumberToObject(c, "default", d->def);
        }
    }
}

/* ---- the canonical form the result hash is taken of ---------------------
 * Compact JSON, keys in their order, numbers in the shortest form that
 * reads back to the same double, strings with only ", \\ and control
 * characters escaped (\b \f \n \r \t, others \u00xx): what Python's
 * json.dumps(r, separators=(",", ":"), ensure_ascii=False) and jq 1.6's
 * -c print, so anyone can check the hash without imeval. */

static void h_put(imv_sha256_ctx *c, const char *s, size_t n)
{
    imv_sha256_update(c, s, n);
}

static void h_str(imv_sha256_ctx *c, const char *s)
{
    h_put(c, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        h_put(c, run, (size_t)(s - run));
        char e[8];
        switch (ch) {
        case '"': h_put(c, "\\\"", 2); break;
        case '\\': h_put(c, "\\\\", 2); break;
        case '\b': h_put(c, "\\b", 2); break;
        case '\f': h_put(c, "\\f", 2); break;
        case '\n': h_put(c, "\\n", 2); break;
        case '\r': h_put(c, "\\r", 2); break;
        case '\t': h_put(c, "\\t", 2); break;
        default: snprintf(e, sizeof e, "\\u%04x", ch); h_put(c, e, 6);
        }
        run = s + 1;
    }
    h_put(c, run, (size_t)(s - run));
    h_put(c, "\"", 1);
}

static void h_num(imv_sha256_ctx *c, double v)
{
    char b[40];
    if (v == 0)
        v = 0; /* no "-0" */
    if (v == (double)(long long)v && v > -1e15 && v < 1e15) {
        snprintf(b, sizeof b, "%lld", (long long)v);
    } else {
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(b, sizeof b, "%.*g", prec, v);
            if (strtod(b, NULL) == v)
                break;
        }
    }
    h_put(c, b, strlen(b));
}

static void h_value(imv_sha256_ctx *c, const cJSON *j)
{
    const cJSON *x;
    int first = 1;
    if (cJSON_IsObject(j)) {
        h_put(c, "{", 1);
        cJSON_ArrayForEach(x, j)
        {
            if (!first)
                h_put(c, ",", 1);
            first = 0;
            h_str(c, x->string ? x->string : "");
            h_put(c, ":", 1);
            h_value(c, x);
        }
        h_put(c, "}", 1);
    } else if (cJSON_IsArray(j)) {
        h_put(c, "[", 1);
        cJSON_ArrayForEach(x, j)
        {
            if (!first)
                h_put(c, ",", 1);
            first = 0;
            h_value(c, x);
        }
        h_put(c, "]", 1);
    } else if (cJSON_IsString(j)) {
        h_str(c, j->valuestring ? j->valuestring : "");
    } else if (cJSON_IsNumber(j)) {
        h_num(c, j->valuedouble);
    } else if (cJSON_IsTrue(j)) {
        h_put(c, "true", 4);
    } else if (cJSON_IsFalse(j)) {
        h_put(c, "false", 5);
    } else {
        h_put(c, "null", 4);
    }
}

void imv_provenance_add_result(imv_provenance *p, const cJSON *evaluation)
{
    h_value(&p->result, evaluation);
    imv_sha256_update(&p->result, "\n", 1);
    p->n_results++;
}

void imv_provenance_result_hex(const imv_provenance *p, char hex[IMV_SHA256_HEX])
{
    imv_sha256_ctx c = p->result; /* a copy: finishing it leaves p's running */
    unsigned char d[IMV_SHA256_LEN];
    imv_sha256_final(&c, d);
    imv_sha256_hex(d, hex);
}

size_t imv_provenance_result_count(const imv_provenance *p)
{
    return p->n_results;
}

const char *imv_provenance_compiler(void)
{
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "gcc " __VERSION__;
#else
    return "unknown";
#endif
}

const char *imv_provenance_commit(void)
{
    return IMV_BUILD_COMMIT;
}

char *imv_shell_quote(const char *a)
{
    if (*a && strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                        "@%+=:,./_-") == strlen(a))
        return imv_xstrdup(a);
    size_t n = 3;
    for (const char *s = a; *s; s++)
        n += *s == '\'' ? 4 : 1;
    char *q = imv_xmalloc(n), *o = q;
    *o++ = '\'';
    for (const char *s = a; *s; s++) {
        if (*s == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *s;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

static cJSON *file_json(const prov_file *f, int with_path)
{
    cJSON *o = cJSON_CreateObject();
    if (with_path)
        cJSON_AddStringToObject(o, "path", f->path);
    if (f->bytes >= 0)
        cJSON_AddNumberToObject(o, "bytes", (double)f->bytes);
    if (f->hex[0])
        cJSON_AddStringToObject(o, "sha256", f->hex);
    else
        cJSON_AddNullToObject(o, "sha256");
    if (f->note)
        cJSON_AddStringToObject(o, "note", f->note);
    return o;
}

cJSON *imv_provenance_json(const imv_provenance *p, int with_stamp)
{
    char hex[IMV_SHA256_HEX];
    cJSON *o = cJSON_CreateObject();
    cJSON *eng = cJSON_AddObjectToObject(o, "engine");
    cJSON_AddStringToObject(eng, "version", IMV_VERSION);
    cJSON_AddStringToObject(eng, "commit", imv_provenance_commit());
    cJSON_AddStringToObject(eng, "compiler", imv_provenance_compiler());
    cJSON_AddStringToObject(eng, "lua", LUA_RELEASE);
    cJSON_AddStringToObject(eng, "cjson", cJSON_Version());
    cJSON_AddNumberToObject(eng, "plugin_abi", IMV_PLUGIN_ABI);
    if (p->reproduce)
        cJSON_AddStringToObject(o, "command", p->reproduce);
    else
        cJSON_AddNullToObject(o, "command");
    cJSON_AddNumberToObject(o, "draws", (double)p->draws);
    if (p->draws)
        cJSON_AddNumberToObject(o, "seed", (double)p->seed);
    else
        cJSON_AddNullToObject(o, "seed"); /* no draws: no seed was used */
    cJSON_AddBoolToObject(o, "vary_parameters", p->vary);
    cJSON *pr = cJSON_AddArrayToObject(o, "profiles");
    for (size_t i = 0; i < p->n_profiles; i++)
        cJSON_AddItemToArray(pr, file_json(&p->profiles[i], 1));
    cJSON *ms = cJSON_AddArrayToObject(o, "models");
    for (size_t i = 0; i < p->n_models; i++) {
        const prov_model *m = &p->models[i];
        cJSON *x = file_json(&m->f, 0);
        cJSON_AddStringToObject(x, "id", m->id);
        cJSON_AddStringToObject(x, "version", m->version);
        cJSON_AddStringToObject(x, "language", m->language);
        cJSON_AddStringToObject(x, "file", m->file);
        cJSON_AddItemToObject(x, "changed_parameters", cJSON_Duplicate(m->changed, 1));
        cJSON_AddItemToArray(ms, x);
    }
    imv_provenance_result_hex(p, hex);
    cJSON *res = cJSON_AddObjectToObject(o, "result");
    cJSON_AddNumberToObject(res, "evaluations", (double)p->n_results);
    cJSON_AddStringToObject(res, "sha256", hex);
    cJSON_AddStringToObject(res, "of", "jq -c '.results[]' FILE | sha256sum");
    cJSON_AddStringToObject(res, "or",
                            "python3 -c 'import json,sys; [print(json.dumps(r, "
                            "separators=(\",\",\":\"), ensure_ascii=False)) for r in "
                            "json.load(open(sys.argv[1]))[\"results\"]]' FILE | sha256sum");
    if (with_stamp) {
        char when[32] = "";
        time_t t = (time_t)(p->time ? p->time : (long long)time(NULL));
        struct tm tm;
        if (gmtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        cJSON_AddStringToObject(o, "time", when);
        cJSON *a = cJSON_AddArrayToObject(o, "argv");
        for (size_t i = 0; i < p->argc; i++)
            cJSON_AddItemToArray(a, cJSON_CreateString(p->argv[i]));
    }
    return o;
}
