/*
 * registry.c - the set of loaded models: discovery, duplicate ids,
 * isolation, parameter values and overrides.  The hosts in plugins/ do
 * the loading (plugins/hosts.c picks one); core/model.c builds a model.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct imv_registry {
    imv_model **models;
    size_t n, cap;
    imv_limits limits;
    char **dropped; /* ids loaded but left out by --only */
    size_t n_dropped;
    char **warned; /* ids of models in place not loaded, said once */
    size_t n_warned;
};

void imv_limits_default(imv_limits *l)
{
    *l = (imv_limits){0}; /* every field a later version adds starts at 0 */
    l->lua_instructions = 10 * 1000 * 1000;
    l->lua_memory = 32u << 20;
    l->lua_memory_total = (size_t)1 << 30;
    l->isolate_timeout = 2.0;
    l->isolate = -1;
}

imv_registry *imv_registry_new(const imv_limits *limits)
{
    imv_registry *reg = imv_xcalloc(1, sizeof *reg);
    if (limits)
        reg->limits = *limits;
    else
        imv_limits_default(&reg->limits);
    return reg;
}

void imv_registry_free(imv_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->n; i++) {
        imv_model_free(reg->models[i]);
        free(reg->models[i]);
    }
    free(reg->models);
    for (size_t i = 0; i < reg->n_dropped; i++)
        free(reg->dropped[i]);
    free(reg->dropped);
    for (size_t i = 0; i < reg->n_warned; i++)
        free(reg->warned[i]);
    free(reg->warned);
    free(reg);
}

/* Refuse plugin files and directories that someone else could have
 * written, as ssh does with its keys: loading one runs its code. */
static int check_permissions(const char *path, imv_diags *d)
{
    char dir[PATH_MAX];
    struct stat st;
    if (stat(path, &st) != 0) {
        imv_diags_add(d, 0, path, NULL, "cannot read model: %s", strerror(errno));
        return IMV_EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        imv_diags_add(d, 0, path, NULL, "is not a regular file: a model is a .so or .lua file");
        return IMV_EIO;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        imv_diags_add(d, 0, path, NULL,
                      "refused: the file is writable by other users (mode %03o); run chmod go-w on it",
                      (unsigned)(st.st_mode & 0777));
        return IMV_EPLUGIN;
    }
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    if (stat(dir, &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
        imv_diags_add(
            d, 0, path, NULL,
            "refused: its directory %s is writable by other users (mode %03o); run chmod go-w on it",
            dir, (unsigned)(st.st_mode & 0777));
        return IMV_EPLUGIN;
    }
    return IMV_OK;
}

/* For a plugin from outside the bundled set, as ssh does for its keys:
 * the file itself (where symbolic links lead) and every directory above
 * it up to / may be written only by root or this user: not by group or
 * others (a sticky directory owned by root, like /tmp, keeps others from
 * replacing what is not theirs), and owned by root or this user.
 * IMEVAL_TRUST_PLUGIN_DIRS=1 skips the directories above the file. */
static int check_whole_path(const char *path, imv_diags *d)
{
    char *real = realpath(path, NULL);
    if (!real) {
        imv_diags_add(d, 0, path, NULL, "cannot read model: %s", strerror(errno));
        return IMV_EIO;
    }
    const char *trust = getenv("IMEVAL_TRUST_PLUGIN_DIRS");
    int dirs = !(trust && strcmp(trust, "1") == 0);
    uid_t me = geteuid();
    int rc = IMV_OK;
    for (int depth = 0; rc == IMV_OK; depth++) {
        struct stat st;
        if (stat(real, &st) != 0)
            break;
        int writable = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
        int sticky_root = depth > 0 && (st.st_mode & S_ISVTX) && st.st_uid == 0;
        const char *what = depth == 0 ? "the file" : "its directory";
        const char *or_trust = depth == 0 ? ""
                                          : ", or set IMEVAL_TRUST_PLUGIN_DIRS=1 if you trust them";
        if (writable && !sticky_root) {
            imv_diags_add(d, 0, path, NULL,
                          "refused: %s %s is writable by other users (mode %03o): whoever can write "
                          "there could change the code imeval runs; run chmod go-w on it%s",
                          what, real, (unsigned)(st.st_mode & 0777), or_trust);
            rc = IMV_EPLUGIN;
        } else if (st.st_uid != 0 && st.st_uid != me) {
            imv_diags_add(d, 0, path, NULL,
                          "refused: %s %s belongs to another user (uid %u): only root's and your "
                          "own plugins are loaded%s",
                          what, real, (unsigned)st.st_uid, or_trust);
            rc = IMV_EPLUGIN;
        }
        char *slash = strrchr(real, '/');
        if (!dirs || !slash || strcmp(real, "/") == 0)
            break;
        slash[slash == real ? 1 : 0] = '\0';
    }
    free(real);
    return rc;
}

int imv_registry_load_file(imv_registry *reg, const char *path, int bundled, imv_diags *d)
{
    char err[1024] = "";
    const imv_loader *ld = imv_loader_for(path);
    if (!ld) {
        imv_diags_add(d, 0, path, NULL, "not a model: expected a .so (C) or .lua file");
        return IMV_EUSAGE;
    }
    int rc = check_permissions(path, d);
    if (!rc && !bundled)
        rc = check_whole_path(path, d);
    if (rc)
        return rc;
    imv_model *m = imv_xcalloc(1, sizeof *m);
    m->bundled = bundled;
    m->limits = &reg->limits;
    /* A model from outside the bundled set (C or Lua) runs in a child
     * process unless --no-isolate; --isolate moves the bundled ones too.
     * Decided here once, before any of its code runs: it is loaded in a
     * child too, and the worker calls whatever backend the model has. */
    int isolate = reg->limits.isolate == 1 || (!bundled && reg->limits.isolate != 0);
    rc = isolate ? imv_isolated_load(m, path, &reg->limits, err, sizeof err)
                 : ld->load(m, path, &reg->limits, err, sizeof err);
    if (rc) {
        imv_diags_add(d, 0, path, NULL, "%s", err);
        imv_model_free(m);
        free(m);
        return rc;
    }
    imv_model *dup = imv_registry_find(reg, m->id);
    if (dup) {
        imv_diags_add(d, 0, path, NULL, "two plugins with id \"%s\": %s and %s", m->id, dup->path,
                      path);
        imv_model_free(m);
        free(m);
        return IMV_EPLUGIN;
    }
    m->isolated = isolate;
    imv_grow((void **)&reg->models, &reg->cap, reg->n + 1, sizeof *reg->models);
    size_t at = reg->n;
    while (at > 0 && strcmp(reg->models[at - 1]->id, m->id) > 0) {
        reg->models[at] = reg->models[at - 1];
        at--;
    }
    reg->models[at] = m;
    reg->n++;
    for (size_t i = 0; i < reg->n; i++) /* ranks break ties by it (--only keeps the order) */
        reg->models[i]->order = (unsigned)i;
    return IMV_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int imv_registry_load_dir(imv_registry *reg, const char *dir, int bundled, imv_diags *d)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        imv_diags_add(d, 0, dir, NULL, "cannot open model directory: %s", strerror(errno));
        return IMV_EIO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.' || !imv_loader_for(e->d_name))
            continue;
        imv_grow((void **)&names, &cap, n + 1, sizeof *names);
        names[n++] = imv_xasprintf("%s/%s", dir, e->d_name);
    }
    closedir(dp);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = IMV_OK;
    for (size_t i = 0; i < n; i++) {
        int r = imv_registry_load_file(reg, names[i], bundled, d);
        if (r && !rc)
            rc = r;
        free(names[i]);
    }
    free(names);
    return rc;
}

const char *imv_registry_bundled_dir(void)
{
    static char found[PATH_MAX + 64];
    char exe[PATH_MAX];
    struct stat st;
    const char *env = getenv("IMEVAL_BUNDLED_DIR");
    if (env && *env)
        return env;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    /* In the build tree (build/imeval, build/models) and once installed
     * (PREFIX/bin/imeval, PREFIX/lib/imeval/models). */
    static const char *const rel[] = {"/models", "/../lib/imeval/models"};
    for (size_t i = 0; i < 2; i++) {
        if (snprintf(found, sizeof found, "%s%s", exe, rel[i]) >= (int)sizeof found)
            continue;
        if (stat(found, &st) == 0 && S_ISDIR(st.st_mode))
            return found;
    }
    return NULL;
}

size_t imv_registry_count(const imv_registry *reg)
{
    return reg->n;
}

imv_model *imv_registry_get(const imv_registry *reg, size_t i)
{
    return i < reg->n ? reg->models[i] : NULL;
}

imv_model *imv_registry_find(const imv_registry *reg, const char *id)
{
    for (size_t i = 0; i < reg->n; i++)
        if (strcmp(reg->models[i]->id, id) == 0)
            return reg->models[i];
    return NULL;
}

/* The loaded id nearest to id, for "did you mean"; NULL when none is close. */
static const char *nearest_id(const imv_registry *reg, const char *id)
{
    const char *ids[256];
    size_t n = reg->n < 256 ? reg->n : 256;
    for (size_t i = 0; i < n; i++)
        ids[i] = reg->models[i]->id;
    return imv_nearest(id, ids, n);
}

int imv_registry_select(imv_registry *reg, const char *ids, imv_diags *d)
{
    char *list = imv_xstrdup(ids);
    char *save = NULL;
    unsigned char *keep = imv_xcalloc(reg->n, 1);
    int rc = IMV_OK;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < reg->n && strcmp(reg->models[i]->id, t) != 0; i++)
            ;
        if (i == reg->n) {
            const char *near = nearest_id(reg, t);
            imv_diags_add(d, 0, NULL, "--only",
                          "no model with id \"%s\" is loaded (%s%s%simeval models "
                          "lists them)",
                          t, near ? "did you mean " : "", near ? near : "", near ? "? " : "");
            rc = IMV_EUSAGE;
        } else {
            keep[i] = 1;
        }
    }
    if (rc == IMV_OK) {
        size_t k = 0;
        for (size_t i = 0; i < reg->n; i++) {
            if (keep[i]) {
                reg->models[k++] = reg->models[i];
            } else {
                reg->dropped = imv_xrealloc(reg->dropped,
                                            (reg->n_dropped + 1) * sizeof *reg->dropped);
                reg->dropped[reg->n_dropped++] = imv_xstrdup(reg->models[i]->id);
                imv_model_free(reg->models[i]);
                free(reg->models[i]);
            }
        }
        reg->n = k;
    }
    free(keep);
    free(list);
    return rc;
}

static int set_value(imv_registry *reg, const char *model, const char *param, double v,
                     const char *origin, imv_diags *d)
{
    imv_model *m = imv_registry_find(reg, model);
    if (!m) {
        const char *near = nearest_id(reg, model);
        imv_diags_add(d, 0, origin, NULL,
                      "no model with id \"%s\" is loaded (%s%s%simeval models "
                      "lists them)",
                      model, near ? "did you mean " : "", near ? near : "", near ? "? " : "");
        return IMV_EUSAGE;
    }
    for (size_t i = 0; i < m->n_params; i++) {
        const imv_param_def *p = &m->params[i];
        if (strcmp(p->name, param) != 0)
            continue;
        if (!isfinite(v) || v < p->min || v > p->max) {
            imv_diags_add(d, 0, origin, NULL, "%s.%s: %g is outside its range %g..%g", model, param,
                          v, p->min, p->max);
            return IMV_EINVAL;
        }
        m->values[i] = v;
        return IMV_OK;
    }
    const char *names[256];
    size_t n = m->n_params < 256 ? m->n_params : 256;
    for (size_t i = 0; i < n; i++)
        names[i] = m->params[i].name;
    const char *near = imv_nearest(param, names, n);
    imv_diags_add(d, 0, origin, NULL,
                  "model %s has no parameter \"%s\" (%s%s%simeval models "
                  "lists them)",
                  model, param, near ? "did you mean " : "", near ? near : "", near ? "? " : "");
    return IMV_EUSAGE;
}

int imv_registry_set(imv_registry *reg, const char *a, imv_diags *d)
{
    const char *dot = strchr(a, '.'), *eq = strchr(a, '=');
    if (!dot || !eq || dot > eq || dot == a || eq == dot + 1 || !eq[1]) {
        imv_diags_add(d, 0, NULL, "--set", "\"%s\" is not MODEL.PARAM=VALUE", a);
        return IMV_EUSAGE;
    }
    char *model = imv_xstrndup(a, (size_t)(dot - a));
    char *param = imv_xstrndup(dot + 1, (size_t)(eq - dot - 1));
    char *end;
    errno = 0;
    double v = strtod(eq + 1, &end);
    int rc;
    if (*end || errno == ERANGE || !isfinite(v)) {
        imv_diags_add(d, 0, NULL, "--set", "%s: \"%s\" is not a finite number", a, eq + 1);
        rc = IMV_EUSAGE;
    } else {
        rc = set_value(reg, model, param, v, "--set", d);
    }
    free(model);
    free(param);
    return rc;
}

/* The first key of obj (at most 1,000 read) that appears twice, or NULL. */
static const char *repeated_key(const cJSON *obj)
{
    size_t k = 0;
    for (const cJSON *a = obj->child; a && k < 1000; a = a->next, k++)
        for (const cJSON *b = a->next; b; b = b->next)
            if (a->string && b->string && strcmp(a->string, b->string) == 0)
                return a->string;
    return NULL;
}

/* A model or a parameter named twice in a parameters file: refused,
 * rather than one value silently winning. */
static int duplicate_keys(const cJSON *j, const char *path, imv_diags *d)
{
    int bad = 0;
    const char *k = repeated_key(j);
    if (k) {
        imv_diags_add(d, 0, path, k, "model \"%s\" appears twice: give each model once", k);
        bad = 1;
    }
    for (const cJSON *m = j->child; m; m = m->next) {
        k = cJSON_IsObject(m) ? repeated_key(m) : NULL;
        if (k) {
            char where[200];
            snprintf(where, sizeof where, "%s.%s", m->string, k);
            imv_diags_add(d, 0, path, where, "duplicate key \"%s\": give each parameter once", k);
            bad = 1;
        }
    }
    return bad;
}

int imv_registry_set_file(imv_registry *reg, const char *path, imv_diags *d)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        imv_diags_add(d, 0, path, NULL, "cannot open parameters file: %s", strerror(errno));
        return IMV_EIO;
    }
    char *buf = imv_xmalloc(1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    int big = !feof(f);
    fclose(f);
    buf[n] = '\0';
    int rc = IMV_OK;
    cJSON *j = big ? NULL : cJSON_ParseWithLength(buf, n);
    if (big) {
        imv_diags_add(d, 0, path, NULL, "parameters file larger than 1 MiB");
        rc = IMV_EPARSE;
    } else if (!cJSON_IsObject(j)) {
        imv_diags_add(d, 0, path, NULL, "expected a JSON object {\"model\": {\"param\": number}}");
        rc = IMV_EPARSE;
    }
    long nul_at;
    char field[80];
    if (rc == IMV_OK && imv_json_nul_escape(buf, n, &nul_at, field, sizeof field)) {
        imv_diags_add_at(d, 0, path, nul_at + 1, NULL,
                         "%s: \\u0000 (a NUL character) in a string: not allowed", field);
        rc = IMV_EPARSE;
    }
    if (rc == IMV_OK && duplicate_keys(j, path, d))
        rc = IMV_EPARSE;
    for (cJSON *m = j && rc == IMV_OK ? j->child : NULL; m; m = m->next) {
        if (!cJSON_IsObject(m)) {
            imv_diags_add(d, 0, path, m->string, "expected an object of parameter values");
            rc = IMV_EINVAL;
            continue;
        }
        for (cJSON *p = m->child; p; p = p->next) {
            if (!cJSON_IsNumber(p)) {
                char where[200];
                snprintf(where, sizeof where, "%s.%s", m->string, p->string);
                imv_diags_add(d, 0, path, where, "expected a number");
                rc = IMV_EINVAL;
                continue;
            }
            int r = set_value(reg, m->string, p->string, p->valuedouble, path, d);
            if (r && !rc)
                rc = r;
        }
    }
    cJSON_Delete(j);
    free(buf);
    return rc;
}

/* A model in place that no loaded model is (a typo, most often) turns the
 * monitor off for that profile without a word: say so, with the nearest
 * id and the ids there are, once per id and run (naming the first
 * profile), since a run without the bundled models would otherwise say it
 * of every profile.  A model left out by --only is known, and not a
 * mistake.  PROFILE-FORMAT.md allows any id there (a model this run does
 * not load), so this is a warning, not an error. */
void imv_registry_check_profile(imv_registry *reg, const imv_profile *p, imv_diags *d)
{
    if (!reg || !p->iv_model || reg->n == 0 || imv_registry_find(reg, p->iv_model))
        return;
    for (size_t i = 0; i < reg->n_dropped; i++)
        if (strcmp(reg->dropped[i], p->iv_model) == 0)
            return;
    for (size_t i = 0; i < reg->n_warned; i++)
        if (strcmp(reg->warned[i], p->iv_model) == 0)
            return;
    if (reg->n_warned < 64) {
        reg->warned = imv_xrealloc(reg->warned, (reg->n_warned + 1) * sizeof *reg->warned);
        reg->warned[reg->n_warned++] = imv_xstrdup(p->iv_model);
    }
    size_t n = reg->n + reg->n_dropped;
    const char **ids = imv_xmalloc(n * sizeof *ids);
    size_t len = 1;
    for (size_t i = 0; i < n; i++) {
        ids[i] = i < reg->n ? reg->models[i]->id : reg->dropped[i - reg->n];
        len += strlen(ids[i]) + 2;
    }
    char *list = imv_xmalloc(len), *at = list;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(ids[i]);
        if (i) {
            memcpy(at, ", ", 2);
            at += 2;
        }
        memcpy(at, ids[i], k);
        at += k;
    }
    *at = '\0';
    const char *near = imv_nearest(p->iv_model, ids, n);
    char hint[200] = "";
    if (near)
        snprintf(hint, sizeof hint, "did you mean %s? ", near);
    imv_diags_add_in(d, 1, p->source, p->line, p->id, "current_intervention.model",
                     "\"%s\" is not a loaded model, so whether it is on track, stalling or should "
                     "be escalated is not assessed, here or in any other profile that names it "
                     "(%sthe models are: %s)",
                     p->iv_model, hint, list);
    free(list);
    free(ids);
}
