/*
 * http.c - the daemon (libmicrohttpd) and the checks every request passes
 * before any route sees it (docs/api.md, "Security"):
 *   Host is the bound address and port (DNS rebinding)          421
 *   only GET, HEAD and POST                                      405
 *   the session cookie, or Authorization: Bearer TOKEN          401
 *   a POST with the cookie comes from the page's own Origin      403
 *   a POST is application/json                                   415
 *   a body of at most SRV_MAX_BODY                               413
 * and the limits the library keeps: connection memory (headers: 431),
 * connections in all and per address, the idle timeout (slow clients).
 * No path is ever opened: the page is compiled in (assets.c) and
 * everything else is the API (api.c).
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "internal.h"
#include "serve.h"

/* libmicrohttpd is loaded when the server starts, not linked: with
 * GnuTLS and what it pulls in it cost every start of imeval ~1.4 ms of
 * CPU and 3.7 M instructions, for a library only `imeval serve` calls. */
#define MHD_FUNCS(X)                   \
    X(MHD_add_response_header)         \
    X(MHD_create_response_from_buffer) \
    X(MHD_destroy_response)            \
    X(MHD_get_daemon_info)             \
    X(MHD_lookup_connection_value)     \
    X(MHD_queue_response)              \
    X(MHD_start_daemon)                \
    X(MHD_stop_daemon)

#define MHD_FIELD(f) __typeof__(f) *f;
static struct {
    MHD_FUNCS(MHD_FIELD)
} mhd;

#define MHD_SYM(f)                          \
    if (!(*(void **)&mhd.f = dlsym(h, #f))) \
        missing = #f;

/* Load the library once (serve starts from one thread); 0, or -1 with
 * what to install in diags. */
static int mhd_load(imv_diags *diags)
{
    static int loaded;
    if (loaded)
        return 0;
    void *h = dlopen("libmicrohttpd.so.12", RTLD_NOW | RTLD_LOCAL);
    const char *missing = h ? NULL : dlerror();
    if (h) {
        MHD_FUNCS(MHD_SYM)
        if (missing)
            dlclose(h);
    }
    if (!h || missing) {
        imv_diags_add(diags, 0, "imeval serve", NULL,
                      "cannot load the HTTP server library libmicrohttpd.so.12 (%s%s): install "
                      "it (Debian: apt-get install libmicrohttpd12)",
                      h ? "it has no " : "", missing);
        return -1;
    }
    loaded = 1;
    return 0;
}

/* From here on every MHD call goes through the loaded library. */
#define MHD_add_response_header mhd.MHD_add_response_header
#define MHD_create_response_from_buffer mhd.MHD_create_response_from_buffer
#define MHD_destroy_response mhd.MHD_destroy_response
#define MHD_get_daemon_info mhd.MHD_get_daemon_info
#define MHD_lookup_connection_value mhd.MHD_lookup_connection_value
#define MHD_queue_response mhd.MHD_queue_response
#define MHD_start_daemon mhd.MHD_start_daemon
#define MHD_stop_daemon mhd.MHD_stop_daemon

static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                          "base-uri 'none'; form-action 'self'";

/* One request's state across the library's calls. */
typedef struct req {
    char *body;
    size_t len;
    int too_big;
    int refused; /* a response is queued already */
} req;

static void secure_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
}

/* Queue reply (taking its body) with the security headers. */
static enum MHD_Result send_reply(struct MHD_Connection *c, imv_serve_reply *rp, const char *cookie,
                                  const char *location)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(rp->len, rp->body,
                                                             MHD_RESPMEM_MUST_FREE);
    if (!r) {
        imv_serve_reply_clear(rp);
        return MHD_NO;
    }
    rp->body = NULL;
    secure_headers(r);
    MHD_add_response_header(r, "Content-Type",
                            rp->type ? rp->type : "application/json; charset=utf-8");
    if (rp->filename) {
        char disp[300];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", rp->filename);
        MHD_add_response_header(r, "Content-Disposition", disp);
    }
    if (cookie)
        MHD_add_response_header(r, "Set-Cookie", cookie);
    if (location)
        MHD_add_response_header(r, "Location", location);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)rp->status, r);
    MHD_destroy_response(r);
    imv_serve_reply_clear(rp);
    return ok;
}

static enum MHD_Result refuse(struct MHD_Connection *c, req *q, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum MHD_Result refuse(struct MHD_Connection *c, req *q, int status, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    imv_serve_reply rp = {0};
    imv_srv_reply_error(&rp, status, NULL, "%s", msg);
    q->refused = 1;
    return send_reply(c, &rp, NULL, NULL);
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static int host_ok(const imv_serve *s, const char *host)
{
    if (!host)
        return 0;
    if (*s->public_host && strcasecmp(host, s->public_host) == 0)
        return 1;
    for (size_t i = 0; i < s->n_hosts; i++)
        if (strcasecmp(host, s->hosts[i]) == 0)
            return 1;
    return 0;
}

/* 1 cookie, 2 bearer, 0 neither matched. */
static int authenticated(const imv_serve *s, struct MHD_Connection *c)
{
    const char *auth = header(c, MHD_HTTP_HEADER_AUTHORIZATION);
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
        return imv_srv_secret_eq(auth + 7, s->token) ? 2 : 0;
    const char *cookies = header(c, MHD_HTTP_HEADER_COOKIE);
    char v[SRV_SECRET_HEX + 2];
    if (cookies && imv_srv_cookie_value(cookies, SRV_COOKIE, v, sizeof v))
        return imv_srv_secret_eq(v, s->session) ? 1 : 0;
    return 0;
}

static int json_type(const char *ct)
{
    if (!ct)
        return 0;
    size_t n = strlen("application/json");
    if (strncasecmp(ct, "application/json", n) != 0)
        return 0;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* GET /?token=: exchange the token for the cookie and drop it from the
 * address. */
static enum MHD_Result sign_in(imv_serve *s, struct MHD_Connection *c, req *q, const char *token)
{
    if (!imv_srv_secret_eq(token, s->token))
        return refuse(c, q, 401,
                      "the token is not this server's: open the address imeval serve "
                      "printed when it started");
    char cookie[200];
    const char *host = header(c, MHD_HTTP_HEADER_HOST);
    int tls = *s->public_host && strcasecmp(host, s->public_host) == 0 &&
              strncmp(s->public_origin, "https://", 8) == 0;
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", SRV_COOKIE,
             s->session, tls ? "; Secure" : "");
    imv_serve_reply rp = {.status = 303, .type = "text/plain; charset=utf-8"};
    rp.body = imv_xstrdup("signed in\n");
    rp.len = strlen(rp.body);
    q->refused = 1;
    return send_reply(c, &rp, cookie, "/");
}

static enum MHD_Result asset(struct MHD_Connection *c, const char *url)
{
    const imv_srv_asset *a = imv_srv_asset_find(url);
    imv_serve_reply rp = {0};
    if (!a) {
        imv_srv_reply_error(&rp, 404, NULL, "no such page: the what-if page is / and its API /api/");
        return send_reply(c, &rp, NULL, NULL);
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(a->len, (void *)a->data,
                                                             MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    secure_headers(r);
    MHD_add_response_header(r, "Content-Type", a->type);
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

/* The checks that need only the request line and headers. */
static enum MHD_Result check_headers(imv_serve *s, struct MHD_Connection *c, req *q,
                                     const char *url, const char *method)
{
    if (!host_ok(s, header(c, MHD_HTTP_HEADER_HOST)))
        return refuse(c, q, 421, "this server answers only to %s (Host header)", s->hosts[0]);
    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    int post = strcmp(method, "POST") == 0;
    if (!get && !post)
        return refuse(c, q, 405, "only GET and POST (%s refused)", method);
    const char *token = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
    if (get && token && strcmp(url, "/") == 0)
        return sign_in(s, c, q, token);
    int how = authenticated(s, c);
    if (!how)
        return refuse(c, q, 401,
                      "not signed in: open the address imeval serve printed "
                      "(http://%s/?token=...), or send Authorization: Bearer TOKEN",
                      s->hosts[0]);
    if (!post)
        return MHD_YES;
    if (how == 1) {
        const char *origin = header(c, "Origin");
        char own[240];
        const char *host = header(c, MHD_HTTP_HEADER_HOST);
        if (*s->public_host && strcasecmp(host, s->public_host) == 0)
            snprintf(own, sizeof own, "%s", s->public_origin);
        else
            snprintf(own, sizeof own, "http://%s", host);
        if (!origin || strcasecmp(origin, own) != 0)
            return refuse(c, q, 403, "a change must come from the page itself (Origin %s, not %s)",
                          own, origin ? origin : "missing");
    }
    if (!json_type(header(c, MHD_HTTP_HEADER_CONTENT_TYPE)))
        return refuse(c, q, 415, "send the request as Content-Type: application/json");
    const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > SRV_MAX_BODY)
        return refuse(c, q, 413, "the body is larger than %u KiB", SRV_MAX_BODY / 1024);
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    imv_serve *s = cls;
    req *q = *con_cls;
    if (!q) {
        q = calloc(1, sizeof *q);
        if (!q)
            return MHD_NO;
        *con_cls = q;
        return check_headers(s, c, q, url, method);
    }
    if (q->refused) {
        *upload_size = 0; /* already answered: the rest is discarded */
        return MHD_YES;
    }
    if (*upload_size) {
        if (q->len + *upload_size > SRV_MAX_BODY) {
            q->too_big = 1;
        } else {
            char *b = realloc(q->body, q->len + *upload_size + 1);
            if (!b)
                return MHD_NO;
            memcpy(b + q->len, upload, *upload_size);
            q->body = b;
            q->len += *upload_size;
            q->body[q->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (q->too_big)
        return refuse(c, q, 413, "the body is larger than %u KiB", SRV_MAX_BODY / 1024);
    q->refused = 1;
    if (strncmp(url, "/api/", 5) == 0) {
        imv_serve_reply rp = {0};
        imv_serve_api(s, strcmp(method, "HEAD") == 0 ? "GET" : method, url, q->body ? q->body : "",
                      q->len, &rp);
        return send_reply(c, &rp, NULL, NULL);
    }
    if (strcmp(method, "POST") == 0)
        return refuse(c, q, 405, "%s takes GET only", url);
    return asset(c, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    req *q = *con_cls;
    if (q) {
        free(q->body);
        free(q);
    }
    *con_cls = NULL;
}

/* The library's own messages (a malformed request, an accept failure)
 * are not ours to print: the engine never prints. */
static void quiet_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    (void)fmt;
    (void)ap;
}

static void add_host(imv_serve *s, const char *addr, int brackets)
{
    if (s->n_hosts < sizeof s->hosts / sizeof s->hosts[0])
        snprintf(s->hosts[s->n_hosts++], sizeof s->hosts[0], "%s%s%s:%u", brackets ? "[" : "", addr,
                 brackets ? "]" : "", s->port);
}

int imv_serve_listen(imv_serve *s, const imv_serve_opts *o, imv_diags *diags)
{
    const char *bind = o->bind && *o->bind ? o->bind : "127.0.0.1";
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    if (inet_pton(AF_INET, bind, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)o->port);
        sa = (struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, bind, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)o->port);
        sa = (struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        imv_diags_add(diags, 0, "imeval serve", "--bind",
                      "%s is not an IPv4 or IPv6 address (e.g. 127.0.0.1 or ::1)", bind);
        return IMV_EUSAGE;
    }
    if (strcmp(bind, "0.0.0.0") == 0 || strcmp(bind, "::") == 0) {
        imv_diags_add(diags, 0, "imeval serve", "--bind",
                      "%s is every address, and the Host check needs the one clients use: "
                      "name that address",
                      bind);
        return IMV_EUSAGE;
    }
    if (mhd_load(diags))
        return IMV_EIO;
    s->daemon = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, s,
                                 MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                 (size_t)SRV_CONN_MEMORY, MHD_OPTION_CONNECTION_LIMIT,
                                 (unsigned)SRV_MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                 (unsigned)SRV_MAX_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT,
                                 (unsigned)SRV_CONN_TIMEOUT, MHD_OPTION_NOTIFY_COMPLETED,
                                 on_completed, s, MHD_OPTION_EXTERNAL_LOGGER, quiet_log, s,
                                 MHD_OPTION_END);
    if (!s->daemon) {
        imv_diags_add(diags, 0, "imeval serve", NULL,
                      "cannot listen on %s port %u (in use, or not an address of this machine?)",
                      bind, o->port);
        return IMV_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : o->port;
    snprintf(s->bind, sizeof s->bind, "%s", bind);
    int v6 = sa->sa_family == AF_INET6;
    s->n_hosts = 0;
    add_host(s, bind, v6);
    if (strcmp(bind, "127.0.0.1") == 0 || strcmp(bind, "::1") == 0)
        add_host(s, "localhost", 0);
    snprintf(s->url, sizeof s->url, "http://%s/?token=%s", s->hosts[0], s->token);
    return IMV_OK;
}

int imv_srv_public_origin(imv_serve *s, const char *origin, imv_diags *diags)
{
    /* scheme://host[:port] and nothing else: what a browser sends as Origin */
    const char *rest = strncmp(origin, "https://", 8) == 0  ? origin + 8
                       : strncmp(origin, "http://", 7) == 0 ? origin + 7
                                                            : NULL;
    size_t n = rest ? strlen(rest) : 0;
    if (!rest || n == 0 || n >= sizeof s->public_host || strcspn(rest, "/?#@ \t") != n) {
        imv_diags_add(diags, 0, "imeval serve", "--public-origin",
                      "\"%.100s\" is not an origin: give scheme://host[:port], e.g. "
                      "https://whatif.example.org, with no path",
                      origin);
        return IMV_EUSAGE;
    }
    snprintf(s->public_host, sizeof s->public_host, "%s", rest);
    snprintf(s->public_origin, sizeof s->public_origin, "%s", origin);
    return IMV_OK;
}

void imv_srv_http_stop(imv_serve *s)
{
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
}

const char *imv_serve_url(const imv_serve *s)
{
    return s->url;
}

unsigned imv_serve_port(const imv_serve *s)
{
    return s->port;
}
