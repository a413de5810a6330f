/*
 * server.c - the server's life: built once on the command's thread
 * (profiles read, register opened, engine workers made and isolated
 * models' processes started before any other thread exists), then
 * shared by the daemon's threads; freed after the daemon has stopped.
 *
 * Thread safety: a worker (its Lua states, its isolated children) is
 * used by one request at a time, taken from the idle list and given
 * back; the registry is only read; the register is used under rmu.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "internal.h"
#include "register.h"
#include "serve.h"

static void set_models_json(imv_serve *s)
{
    /* The "models" array exactly as the result document has it. */
    char *doc = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&doc, &len);
    if (!m)
        return;
    imv_output *o = imv_output_new(m, IMV_FMT_JSON, 0, s->reg, NULL);
    imv_output_begin(o);
    imv_diags d;
    imv_diags_init(&d);
    imv_output_end(o, &d);
    imv_diags_free(&d);
    fclose(m);
    cJSON *j = doc ? cJSON_Parse(doc) : NULL;
    cJSON *models = cJSON_GetObjectItemCaseSensitive(j, "models");
    s->models_json = models ? cJSON_PrintUnformatted(models) : imv_xstrdup("[]");
    cJSON_Delete(j);
    free(doc);
}

int imv_serve_new(imv_registry *reg, const imv_serve_opts *o, imv_serve **out, imv_diags *diags)
{
    *out = NULL;
    imv_serve *s = imv_xcalloc(1, sizeof *s);
    int rc = IMV_OK;
    s->reg = reg;
    s->strict = o->strict;
    pthread_mutex_init(&s->wmu, NULL);
    pthread_cond_init(&s->wcv, NULL);
    pthread_mutex_init(&s->rmu, NULL);
    char err[1024];
    if (imv_srv_random_hex(s->token, SRV_SECRET_HEX / 2, err, sizeof err) != 0 ||
        imv_srv_random_hex(s->session, SRV_SECRET_HEX / 2, err, sizeof err) != 0) {
        imv_diags_add(diags, 0, "imeval serve", NULL, "%s", err);
        rc = IMV_EIO;
        goto fail;
    }
    if (o->public_origin && (rc = imv_srv_public_origin(s, o->public_origin, diags)) != IMV_OK)
        goto fail;
    if ((rc = imv_srv_profiles_load(s, o->profiles, o->n_profiles, diags)) != IMV_OK)
        goto fail;
    if (o->register_location) {
        int r = imv_register_open(o->register_location, 0, &s->regs, err, sizeof err);
        if (r != 0) {
            imv_diags_add(diags, 0, o->register_location, "--register", "%s", err);
            rc = r;
            goto fail;
        }
    }
    int n = o->workers > 0 ? o->workers : imv_cpu_count();
    s->n_workers = (size_t)(n > SRV_MAX_WORKERS ? SRV_MAX_WORKERS : n < 1 ? 1 : n);
    s->workers = imv_xcalloc(s->n_workers, sizeof *s->workers);
    s->idle = imv_xcalloc(s->n_workers, sizeof *s->idle);
    for (size_t i = 0; i < s->n_workers; i++) {
        s->workers[i] = imv_worker_new(reg);
        imv_worker_start_isolated(s->workers[i]);
        s->idle[s->n_idle++] = s->workers[i];
    }
    set_models_json(s);
    *out = s;
    return IMV_OK;
fail:
    imv_serve_free(s);
    return rc;
}

void imv_serve_free(imv_serve *s)
{
    if (!s)
        return;
    imv_srv_http_stop(s);
    for (size_t i = 0; i < s->n_workers; i++)
        imv_worker_free(s->workers[i]);
    free(s->workers);
    free(s->idle);
    imv_srv_profiles_free(s);
    imv_register_close(s->regs);
    free(s->models_json);
    pthread_mutex_destroy(&s->wmu);
    pthread_cond_destroy(&s->wcv);
    pthread_mutex_destroy(&s->rmu);
    memset(s->token, 0, sizeof s->token);
    memset(s->session, 0, sizeof s->session);
    free(s);
}

imv_worker *imv_srv_worker_take(imv_serve *s)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += SRV_WORKER_WAIT;
    imv_worker *w = NULL;
    pthread_mutex_lock(&s->wmu);
    while (s->n_idle == 0)
        if (pthread_cond_timedwait(&s->wcv, &s->wmu, &until) == ETIMEDOUT)
            break;
    if (s->n_idle)
        w = s->idle[--s->n_idle];
    pthread_mutex_unlock(&s->wmu);
    return w;
}

void imv_srv_worker_give(imv_serve *s, imv_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&s->wmu);
    s->idle[s->n_idle++] = w;
    pthread_cond_signal(&s->wcv);
    pthread_mutex_unlock(&s->wmu);
}
