/*
 * session.c - the server's secrets: the token printed in the address and
 * the session cookie it is exchanged for.  Both are 256 random bits from
 * the kernel (getrandom), written as hex, compared in constant time so
 * that the time a refusal takes says nothing about how much was right.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "serve.h"

int imv_srv_random_hex(char *hex, size_t n_bytes, char *err, size_t errlen)
{
    unsigned char buf[64];
    static const char digits[] = "0123456789abcdef";
    if (n_bytes > sizeof buf) {
        snprintf(err, errlen, "at most %zu random bytes", sizeof buf);
        return -1;
    }
    size_t got = 0;
    while (got < n_bytes) {
        ssize_t r = getrandom(buf + got, n_bytes - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(err, errlen, "cannot get random bytes from the kernel: %s", strerror(errno));
            return -1;
        }
        got += (size_t)r;
    }
    for (size_t i = 0; i < n_bytes; i++) {
        hex[2 * i] = digits[buf[i] >> 4];
        hex[2 * i + 1] = digits[buf[i] & 15];
    }
    hex[2 * n_bytes] = '\0';
    memset(buf, 0, sizeof buf);
    return 0;
}

int imv_srv_secret_eq(const char *a, const char *expect)
{
    if (!a)
        return 0;
    /* The length is not secret (it is in the docs); the content is. */
    size_t n = strnlen(a, SRV_SECRET_HEX + 1);
    if (n != SRV_SECRET_HEX || strlen(expect) != SRV_SECRET_HEX)
        return 0;
    volatile unsigned char diff = 0;
    for (size_t i = 0; i < SRV_SECRET_HEX; i++)
        diff |= (unsigned char)(a[i] ^ expect[i]);
    return diff == 0;
}

int imv_srv_cookie_value(const char *header, const char *name, char *out, size_t len)
{
    size_t k = strlen(name);
    const char *p = header;
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t item = end ? (size_t)(end - p) : strlen(p);
        if (item > k && strncmp(p, name, k) == 0 && p[k] == '=') {
            size_t v = item - k - 1;
            if (v >= len)
                return 0;
            memcpy(out, p + k + 1, v);
            out[v] = '\0';
            return 1;
        }
        p = end;
    }
    return 0;
}
