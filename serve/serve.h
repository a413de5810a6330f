/*
 * serve.h - the what-if server's parts, private to serve/ (the command
 * sees only imeval.h's imv_serve_*).  One file, one job:
 *   http.c     the libmicrohttpd daemon: limits, the security checks every
 *              request passes, bodies, response headers;
 *   session.c  the token and the session cookie: random secrets, hex,
 *              constant-time comparison, reading the Cookie header;
 *   api.c      the JSON routes (docs/api.md) behind the checks;
 *   whatif.c   profiles in, result documents out: evaluation, draws,
 *              sensitivity, the difference view, the report's sections;
 *   store.c    the profiles served (files, register) and what is saved
 *              to the register (what-if scenarios, decisions);
 *   assets.c   the page's files, compiled in (build/gen/assets.c).
 */
#ifndef IMV_SERVE_INT_H
#define IMV_SERVE_INT_H

#include <pthread.h>
#include <stddef.h>

#include "imeval.h"

struct cJSON;
struct imv_register;
struct MHD_Daemon;

/* Limits of docs/api.md. */
#define SRV_MAX_BODY (256u * 1024)
#define SRV_CONN_MEMORY (32u * 1024)
#define SRV_MAX_CONNECTIONS 64
#define SRV_MAX_PER_IP 32
#define SRV_CONN_TIMEOUT 10 /* seconds idle or too slow */
#define SRV_MAX_DRAWS 20000
#define SRV_DEFAULT_DRAWS 2000
#define SRV_MAX_WORKERS 16
#define SRV_WORKER_WAIT 60 /* seconds a request waits for an evaluation slot */
#define SRV_SECRET_HEX 64  /* 256 bits */
#define SRV_COOKIE "imeval_session"

/* A profile given on the command line: its JSON as read. */
typedef struct imv_srv_profile {
    char key[24];
    char *id, *name, *as_of, *source;
    char *json; /* compact JSON of the object as given */
} imv_srv_profile;

struct imv_serve {
    imv_registry *reg; /* borrowed */
    int strict;
    /* what was bound, and what a request must say it is talking to */
    char bind[64];
    unsigned port;
    char hosts[4][96]; /* accepted Host header values */
    size_t n_hosts;
    char url[256];
    char public_host[200], public_origin[220]; /* --public-origin, "" without */
    char token[SRV_SECRET_HEX + 1], session[SRV_SECRET_HEX + 1];
    struct MHD_Daemon *daemon;
    /* engine workers: one evaluation each at a time */
    pthread_mutex_t wmu;
    pthread_cond_t wcv;
    imv_worker **workers;
    size_t n_workers, n_idle;
    imv_worker **idle;
    /* profiles from files */
    imv_srv_profile *profiles;
    size_t n_profiles;
    /* the register (NULL without --register); one request at a time uses it */
    struct imv_register *regs;
    pthread_mutex_t rmu;
    char *models_json; /* the result document's "models" array */
};

/* ---- http.c ---- */
void imv_srv_http_stop(imv_serve *s);
int imv_srv_public_origin(imv_serve *s, const char *origin, imv_diags *diags);

/* ---- session.c ---- */
/* n random bytes from the kernel as 2n hex digits; 0, or -1 with err. */
int imv_srv_random_hex(char *hex, size_t n_bytes, char *err, size_t errlen);
/* 1 when a and b are equal strings of length SRV_SECRET_HEX, compared in
 * time that does not depend on where they differ. */
int imv_srv_secret_eq(const char *a, const char *expect);
/* The value of cookie `name` in a Cookie header into out (NUL-terminated);
 * 1 when found. */
int imv_srv_cookie_value(const char *header, const char *name, char *out, size_t len);

/* ---- assets.c ---- */
/* The embedded file for path ("/", "/app.js"); NULL when there is none. */
typedef struct imv_srv_asset {
    const char *path, *type;
    const unsigned char *data;
    size_t len;
} imv_srv_asset;
const imv_srv_asset *imv_srv_asset_find(const char *path);

/* ---- whatif.c ---- */
/* A request's profile: parse `profile` of root; 0 and *out, or an HTTP
 * status with the reply filled. */
int imv_srv_profile_of(imv_serve *s, const struct cJSON *root, const char *key, imv_profile **out,
                       imv_serve_reply *reply);
/* Evaluate p (with draws) on a worker; the result document as text
 * (caller frees) or NULL with the reply filled. */
typedef struct imv_srv_draws {
    size_t draws;
    uint64_t seed;
    int vary;
} imv_srv_draws;
int imv_srv_draws_of(const struct cJSON *root, size_t dflt, imv_srv_draws *d, imv_serve_reply *reply);
char *imv_srv_evaluate_doc(imv_serve *s, const imv_profile *p, const imv_srv_draws *d,
                           struct cJSON **sens, imv_serve_reply *reply);
char *imv_srv_sensitivity_doc(imv_serve *s, const imv_profile *p, imv_serve_reply *reply);
struct cJSON *imv_srv_diff(const struct cJSON *base_profile, const struct cJSON *profile,
                           const struct cJSON *base_doc, const struct cJSON *doc);
/* The report (html 1) or its sections (json object of name: html). */
char *imv_srv_report_html(imv_serve *s, const imv_profile *p, const struct cJSON *doc_json,
                          const char *doc_text, const struct cJSON *sens,
                          const struct cJSON *changed, size_t *len);
struct cJSON *imv_srv_sections(imv_serve *s, const imv_profile *p, const struct cJSON *doc,
                               const char *doc_text, const struct cJSON *sens,
                               const struct cJSON *names, imv_serve_reply *reply);
/* The worker pool. */
imv_worker *imv_srv_worker_take(imv_serve *s);
void imv_srv_worker_give(imv_serve *s, imv_worker *w);

/* ---- store.c ---- */
int imv_srv_profiles_load(imv_serve *s, const char *const *paths, size_t n, imv_diags *diags);
void imv_srv_profiles_free(imv_serve *s);
struct cJSON *imv_srv_profiles_list(imv_serve *s, imv_serve_reply *reply);
/* The profile of key as a JSON object (caller deletes) or NULL (404). */
struct cJSON *imv_srv_profile_get(imv_serve *s, const char *key, const char **origin);
int imv_srv_save_scenario(imv_serve *s, const struct cJSON *root, imv_serve_reply *reply);
int imv_srv_record_decision(imv_serve *s, const struct cJSON *root, imv_serve_reply *reply);

/* ---- api.c ---- */
void imv_srv_reply_json(imv_serve_reply *r, int status, struct cJSON *doc); /* takes doc */
void imv_srv_reply_text(imv_serve_reply *r, int status, const char *type, char *body, size_t len);
void imv_srv_reply_error(imv_serve_reply *r, int status, const imv_diags *d, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
