/*
 * httpc.c - a small HTTP/1.1 client for the what-if server's tests and
 * bench (tests/e2e/serve_*.sh, bench/serve.sh): what curl cannot do
 * alone, i.e. many concurrent keep-alive clients with latency figures,
 * holding connections open, and a client that stalls.
 *
 *   httpc load PORT TOKEN CLIENTS SECONDS BODY_TEMPLATE
 *       CLIENTS threads, each on its own keep-alive connection, for
 *       SECONDS: a mix of GET /api/session, GET /api/profiles, POST
 *       /api/evaluate (plain, and with 200 draws) and POST
 *       /api/sensitivity, the body read from BODY_TEMPLATE with every @R@
 *       replaced by a rating 0..4.  Prints one line of JSON: requests,
 *       errors (any status but 200, any broken connection), rps,
 *       median_ms, p99_ms.  Exit 0 when errors is 0.
 *   httpc latency PORT TOKEN N BODY_TEMPLATE DRAWS
 *       N sequential POST /api/evaluate, each with another rating (one
 *       change, as the page sends it); prints median_ms and p90_ms.
 *   httpc hold PORT N
 *       opens N connections at once, sends nothing, and prints how many
 *       the server closed within 3 s ("closed K of N").
 *   httpc stall PORT
 *       sends half a request and then nothing; prints the seconds until
 *       the server closed the connection (or "open" after 120 s).
 *
 * Loopback only (127.0.0.1).  C11 + POSIX threads; no libraries.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;
static const char *token;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int connect_lo(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One request on fd; the status, or -1 when the connection broke. */
static int request(int fd, const char *method, const char *path, const char *body)
{
    char head[600];
    size_t blen = body ? strlen(body) : 0;
    int hn = snprintf(head, sizeof head,
                      "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
                      "%sContent-Length: %zu\r\n\r\n",
                      method, path, port, token, body ? "Content-Type: application/json\r\n" : "",
                      blen);
    if (write_all(fd, head, (size_t)hn) || (blen && write_all(fd, body, blen)))
        return -1;
    /* Read the head, then exactly Content-Length bytes. */
    static __thread char *buf;
    static __thread size_t cap;
    size_t len = 0;
    long clen = -1;
    char *end = NULL;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? 2 * cap : 1 << 16;
            buf = realloc(buf, cap);
            if (!buf)
                return -1;
        }
        ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            return -1;
        }
        len += (size_t)r;
        buf[len] = '\0';
        if (!end && (end = strstr(buf, "\r\n\r\n"))) {
            char *cl = strcasestr(buf, "\r\nContent-Length:");
            clen = cl && cl < end ? strtol(cl + 17, NULL, 10) : 0;
        }
        if (end && (long)(len - (size_t)(end + 4 - buf)) >= clen)
            break;
    }
    int status = 0;
    if (sscanf(buf, "HTTP/1.1 %d", &status) != 1)
        return -1;
    return status;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = malloc(1 << 20);
    size_t n = s ? fread(s, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (s)
        s[n] = '\0';
    return s;
}

/* tpl with every @R@ replaced by r, and @D@ by draws. */
static char *fill(const char *tpl, double r, long draws)
{
    size_t n = strlen(tpl) + 64 * 8;
    char *out = malloc(n), *o = out;
    for (const char *p = tpl; *p && (size_t)(o - out) < n - 32;) {
        if (strncmp(p, "@R@", 3) == 0) {
            o += sprintf(o, "%.1f", r);
            p += 3;
        } else if (strncmp(p, "@D@", 3) == 0) {
            o += sprintf(o, "%ld", draws);
            p += 3;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct client {
    pthread_t t;
    const char *tpl;
    double until;
    unsigned seed;
    double *lat;
    size_t n, cap, errors;
} client;

static void *run_client(void *arg)
{
    client *c = arg;
    int fd = connect_lo();
    size_t k = 0;
    while (now() < c->until) {
        if (fd < 0 && (fd = connect_lo()) < 0) {
            c->errors++;
            continue;
        }
        double r = (double)(rand_r(&c->seed) % 9) / 2;
        int kind = (int)(k++ % 10);
        char *body = NULL;
        const char *method = "POST", *path = "/api/evaluate";
        if (kind == 0) {
            method = "GET";
            path = "/api/session";
        } else if (kind == 1) {
            method = "GET";
            path = "/api/profiles";
        } else if (kind == 2) {
            path = "/api/sensitivity";
            body = fill(c->tpl, r, 0);
        } else {
            body = fill(c->tpl, r, kind >= 8 ? 200 : 0);
        }
        double t0 = now();
        int st = request(fd, method, path, body);
        double dt = now() - t0;
        free(body);
        if (st != 200) {
            c->errors++;
            if (st < 0) {
                close(fd);
                fd = -1;
            }
            continue;
        }
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 1024;
            c->lat = realloc(c->lat, c->cap * sizeof *c->lat);
        }
        c->lat[c->n++] = dt;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static int load(int nclients, double seconds, const char *tpl)
{
    client *cs = calloc((size_t)nclients, sizeof *cs);
    double t0 = now();
    for (int i = 0; i < nclients; i++) {
        cs[i] = (client){.tpl = tpl, .until = t0 + seconds, .seed = (unsigned)i * 7919u + 1};
        pthread_create(&cs[i].t, NULL, run_client, &cs[i]);
    }
    size_t total = 0, errors = 0;
    for (int i = 0; i < nclients; i++) {
        pthread_join(cs[i].t, NULL);
        total += cs[i].n;
        errors += cs[i].errors;
    }
    double el = now() - t0;
    double *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < nclients; i++) {
        memcpy(all + k, cs[i].lat, cs[i].n * sizeof *all);
        k += cs[i].n;
        free(cs[i].lat);
    }
    qsort(all, total, sizeof *all, cmp_d);
    double med = total ? all[total / 2] * 1e3 : 0, p99 = total ? all[(total * 99) / 100] * 1e3 : 0;
    printf("{\"clients\":%d,\"seconds\":%.1f,\"requests\":%zu,\"errors\":%zu,\"rps\":%.1f,"
           "\"median_ms\":%.2f,\"p99_ms\":%.2f}\n",
           nclients, el, total + errors, errors, (double)total / el, med, p99);
    free(all);
    free(cs);
    return errors == 0 && total > 0 ? 0 : 1;
}

static int latency(long n, const char *tpl, long draws)
{
    int fd = connect_lo();
    double *lat = calloc((size_t)n, sizeof *lat);
    long ok = 0;
    for (long i = 0; i < n && fd >= 0; i++) {
        char *body = fill(tpl, (double)(i % 9) / 2, draws);
        double t0 = now();
        int st = request(fd, "POST", "/api/evaluate", body);
        lat[ok] = now() - t0;
        free(body);
        if (st != 200) {
            fprintf(stderr, "httpc: status %d\n", st);
            return 1;
        }
        ok++;
    }
    qsort(lat, (size_t)ok, sizeof *lat, cmp_d);
    printf("{\"requests\":%ld,\"draws\":%ld,\"median_ms\":%.2f,\"p90_ms\":%.2f}\n", ok, draws,
           ok ? lat[ok / 2] * 1e3 : 0, ok ? lat[(ok * 9) / 10] * 1e3 : 0);
    free(lat);
    close(fd);
    return ok == n ? 0 : 1;
}

static int hold(int n)
{
    int *fds = calloc((size_t)n, sizeof *fds);
    for (int i = 0; i < n; i++)
        fds[i] = connect_lo();
    int closed = 0;
    double until = now() + 3;
    for (int i = 0; i < n; i++) {
        if (fds[i] < 0) {
            closed++;
            continue;
        }
        struct pollfd p = {.fd = fds[i], .events = POLLIN};
        double left = until - now();
        int r = poll(&p, 1, left > 0 ? (int)(left * 1000) : 0);
        char c;
        if (r > 0 && recv(fds[i], &c, 1, MSG_DONTWAIT) <= 0)
            closed++;
    }
    printf("closed %d of %d\n", closed, n);
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
    return 0;
}

static int stall(void)
{
    int fd = connect_lo();
    if (fd < 0)
        return 1;
    char half[200];
    int n = snprintf(half, sizeof half,
                     "GET /api/session HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: ", port);
    double t0 = now();
    if (write_all(fd, half, (size_t)n))
        return 1;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (now() - t0 < 120) {
        if (poll(&p, 1, 500) > 0) {
            char buf[512];
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r <= 0) {
                printf("%.1f\n", now() - t0);
                close(fd);
                return 0;
            }
        }
    }
    puts("open");
    close(fd);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: httpc load|latency|hold|stall PORT ...\n", stderr);
        return 2;
    }
    port = atoi(argv[2]);
    if (strcmp(argv[1], "load") == 0 && argc == 7) {
        token = argv[3];
        char *tpl = slurp(argv[6]);
        return tpl ? load(atoi(argv[4]), atof(argv[5]), tpl) : 2;
    }
    if (strcmp(argv[1], "latency") == 0 && argc == 7) {
        token = argv[3];
        char *tpl = slurp(argv[5]);
        return tpl ? latency(atol(argv[4]), tpl, atol(argv[6])) : 2;
    }
    if (strcmp(argv[1], "hold") == 0 && argc == 4)
        return hold(atoi(argv[3]));
    if (strcmp(argv[1], "stall") == 0 && argc == 3)
        return stall();
    fputs("httpc: bad arguments\n", stderr);
    return 2;
}
