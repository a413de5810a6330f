/*
 * model.c - one model's lifecycle: building it from the declaration a
 * host read (checked and copied, so a plugin's memory is never kept) and
 * freeing it; the read-only accessors of the public API.  The hosts in
 * plugins/ call imv_model_init; nothing here knows how a model is loaded.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int valid_model_id(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static int text_ok(const char *s, size_t max)
{
    return s && strlen(s) <= max && imv_utf8_valid(s, strlen(s));
}

int imv_model_init(imv_model *m, const char *path, const char *id, const char *name,
                   const char *version, const char *summary, const char *evidence,
                   const imv_param_def *params, size_t n_params, char *err, size_t errlen)
{
    if (!valid_model_id(id)) {
        /* The id comes from the plugin: quoted, so that the message stays
         * one line of UTF-8 (found by tests/fuzz/fuzz_model_def.c). */
        char *shown = id ? imv_text_oneline(id, strlen(id), 40) : NULL;
        snprintf(err, errlen, "model id \"%s\" is not valid: expected [a-z0-9_]+, at most 64",
                 shown ? shown : "(none)");
        free(shown);
        return IMV_EPLUGIN;
    }
    const char *what = !text_ok(name, 200)        ? "name"
                       : !text_ok(version, 40)    ? "version"
                       : !text_ok(summary, 1000)  ? "summary"
                       : !text_ok(evidence, 4000) ? "evidence"
                                                  : NULL;
    if (what) {
        snprintf(err, errlen, "model %s: %s is missing, too long or not UTF-8", id, what);
        return IMV_EPLUGIN;
    }
    if (n_params > 100) {
        snprintf(err, errlen, "model %s declares %zu parameters; at most 100", id, n_params);
        return IMV_EPLUGIN;
    }
    for (size_t i = 0; i < n_params; i++) {
        const imv_param_def *p = &params[i];
        if (!valid_model_id(p->name) || !text_ok(p->description, 1000)) {
            snprintf(err, errlen,
                     "model %s: parameter %zu has no valid name ([a-z0-9_]+) or description", id,
                     i + 1);
            return IMV_EPLUGIN;
        }
        if (imv_param_def_check(id, p, err, errlen))
            return IMV_EPLUGIN;
        for (size_t k = 0; k < i; k++)
            if (strcmp(params[k].name, p->name) == 0) {
                snprintf(err, errlen, "model %s declares parameter %s twice", id, p->name);
                return IMV_EPLUGIN;
            }
    }
    if (imv_params_check_base(id, params, n_params, err, errlen))
        return IMV_EPLUGIN;
    m->path = imv_xstrdup(path);
    m->id = imv_xstrdup(id);
    m->name = imv_xstrdup(name);
    m->version = imv_xstrdup(version);
    m->summary = imv_xstrdup(summary);
    m->evidence = imv_xstrdup(evidence);
    m->n_params = n_params;
    m->params = imv_xcalloc(n_params, sizeof *m->params);
    m->values = imv_xcalloc(n_params, sizeof *m->values);
    for (size_t i = 0; i < n_params; i++) {
        m->params[i] = params[i];
        m->params[i].name = imv_xstrdup(params[i].name);
        m->params[i].description = imv_xstrdup(params[i].description);
        m->values[i] = params[i].def;
    }
    return IMV_OK;
}

void imv_model_free(imv_model *m)
{
    if (!m)
        return;
    if (m->be && m->be->unload)
        m->be->unload(m);
    for (size_t i = 0; i < m->n_params; i++) {
        free((char *)m->params[i].name);
        free((char *)m->params[i].description);
    }
    free(m->params);
    free(m->values);
    free(m->id);
    free(m->name);
    free(m->version);
    free(m->summary);
    free(m->evidence);
    free(m->path);
}

const char *imv_model_id(const imv_model *m)
{
    return m->id;
}
const char *imv_model_name(const imv_model *m)
{
    return m->name;
}
const char *imv_model_version(const imv_model *m)
{
    return m->version;
}
const char *imv_model_summary(const imv_model *m)
{
    return m->summary;
}
const char *imv_model_evidence(const imv_model *m)
{
    return m->evidence;
}
const char *imv_model_language(const imv_model *m)
{
    return m->be->language;
}
const char *imv_model_path(const imv_model *m)
{
    return m->path;
}
size_t imv_model_param_count(const imv_model *m)
{
    return m->n_params;
}
const double *imv_model_param_values(const imv_model *m)
{
    return m->values;
}
int imv_model_isolated(const imv_model *m)
{
    return m->isolated;
}

const imv_param_def *imv_model_param(const imv_model *m, size_t i)
{
    return i < m->n_params ? &m->params[i] : NULL;
}
