/*
 * native.c - the host for C plugins (shared objects loaded with dlopen).
 *
 * RTLD_NOW makes a missing symbol fail at load, not in the middle of a
 * run; RTLD_LOCAL keeps one plugin's symbols away from the next.  A
 * library whose entry point has run is never closed again (its code may
 * have registered destructors or threads), only one that was refused
 * before any of its code ran past the entry point.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/internal.h"

/* The smallest model definition ABI 1 understands: everything up to and
 * including `score`.  Later fields are read only when struct_size says
 * the plugin has them. */
#define DEF_V1_SIZE (offsetof(imv_model_def, score) + sizeof(imv_score_fn))
#define HAS_FIELD(def, field) \
    ((def)->struct_size >= offsetof(imv_model_def, field) + sizeof((def)->field))

static void native_score(const imv_model *m, void *inst, const imv_profile_view *v,
                         unsigned long key, const double *params, imv_result *r)
{
    (void)inst;
    (void)key;
    const imv_model_def *def = m->cls;
    int rc = def->score(v, params, r, imv_host_table());
    if (rc != 0 && !r->error)
        r->error = imv_xasprintf("plugin returned error code %d without a message", rc);
}

static void native_score_batch(const imv_model *m, void *inst, const imv_profile_view *const *v,
                               const double *const *params, size_t n, imv_result *const *r)
{
    (void)inst;
    const imv_model_def *def = m->cls;
    int rc = def->score_batch(v, params, n, r, imv_host_table());
    if (rc != 0)
        for (size_t i = 0; i < n; i++)
            if (!r[i]->error && !r[i]->has_score)
                r[i]->error = imv_xasprintf("plugin batch call returned error code %d", rc);
}

static const imv_backend native_backend = {
    .language = "c",
    .score = native_score,
    .score_batch = native_score_batch,
};

int imv_native_load(imv_model *m, const char *path, char *err, size_t errlen)
{
    /* dlopen searches the library path for a bare name; a plugin is
     * always a file the user named, so make the path explicit. */
    char buf[4096];
    if (!strchr(path, '/'))
        snprintf(buf, sizeof buf, "./%s", path);
    else
        snprintf(buf, sizeof buf, "%s", path);
    void *h = dlopen(buf, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(err, errlen, "cannot load plugin: %s (try `ldd %s` for missing libraries)",
                 e ? e : "unknown error", path);
        return IMV_EPLUGIN;
    }
    imv_entry_fn entry;
    *(void **)&entry = dlsym(h, IMV_ENTRY_SYMBOL);
    if (!entry) {
        snprintf(err, errlen,
                 "no entry point %s(): is it an imeval plugin? (export it with IMV_EXPORT)",
                 IMV_ENTRY_SYMBOL);
        dlclose(h);
        return IMV_EPLUGIN;
    }
    const imv_model_def *def = entry(imv_host_table());
    if (!def) {
        snprintf(err, errlen, "plugin refused to load: %s() returned NULL", IMV_ENTRY_SYMBOL);
        return IMV_EPLUGIN;
    }
    if (def->abi != IMV_PLUGIN_ABI) {
        snprintf(err, errlen,
                 "built for plugin ABI %u, this engine has ABI %d: rebuild it against this "
                 "imeval's imeval_plugin.h",
                 (unsigned)def->abi, IMV_PLUGIN_ABI);
        return IMV_EPLUGIN;
    }
    if (def->struct_size < DEF_V1_SIZE || !def->score) {
        snprintf(err, errlen, "model definition is incomplete (struct_size %u, score %s)",
                 (unsigned)def->struct_size, def->score ? "set" : "missing");
        return IMV_EPLUGIN;
    }
    size_t np = def->params ? def->n_params : 0;
    imv_param_def *params = NULL;
    int rc = imv_param_defs_copy(def->params, np, def->param_size, &params, err, errlen);
    if (rc == IMV_OK)
        rc = imv_model_init(m, path, def->id, def->name, def->version, def->summary, def->evidence,
                            params, np, err, errlen);
    free(params);
    if (rc == IMV_OK && HAS_FIELD(def, directions))
        rc = imv_model_set_directions(m, def->directions, err, errlen);
    if (rc)
        return rc;
    m->be = &native_backend;
    m->cls = (void *)def;
    m->has_batch = HAS_FIELD(def, score_batch) && def->score_batch != NULL;
    return IMV_OK;
}
