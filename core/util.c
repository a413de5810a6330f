/* util.c - allocation helpers, UTF-8 validation and the escaping of
 * quoted text used across the engine. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void oom(size_t n)
{
    fprintf(stderr, "imeval: out of memory (asked for %zu bytes)\n", n);
    abort();
}

void *imv_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *imv_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *imv_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *imv_xstrdup(const char *s)
{
    return imv_xstrndup(s, strlen(s));
}

char *imv_xstrndup(const char *s, size_t n)
{
    char *d = imv_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *imv_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return imv_xstrdup("");
    char *s = imv_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void imv_grow(void **v, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : 4;
    while (c < need)
        c *= 2;
    *v = imv_xrealloc(*v, c * sz);
    *cap = c;
}

int imv_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        /* ASCII, 8 bytes at a time: nearly every text is */
        uint64_t w;
        if (i + 8 <= n && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ull) == 0)) {
            i += 8;
            continue;
        }
        unsigned c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

char *imv_text_oneline(const char *s, size_t n, size_t max)
{
    size_t cap = (n < max ? n : max) * 4 + 1, k = 0;
    char *out = imv_xmalloc(cap);
    for (size_t i = 0; i < n && k + 4 < cap;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        if (len > 1 && i + len <= n && imv_utf8_valid(s + i, len)) {
            memcpy(out + k, s + i, len);
            k += len;
            i += len;
            continue;
        }
        if (c == '\n' || c == '\r' || c == '\t') {
            out[k++] = '\\';
            out[k++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c == 0x7f || c >= 0x80) {
            k += (size_t)snprintf(out + k, 5, "\\x%02X", c);
        } else {
            out[k++] = (char)c;
        }
        i++;
    }
    out[k] = '\0';
    return out;
}

char *imv_text_quote(const char *s)
{
    size_t n = strlen(s ? s : "");
    return imv_text_oneline(s ? s : "", n, n);
}

/* Edit distance with adjacent transpositions ("trsut" is one from
 * "trust"), case-insensitive, giving up past max. */
static size_t edit_distance(const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64 || (la > lb ? la - lb : lb - la) > max)
        return max + 1;
    static _Thread_local size_t m[65][65];
    for (size_t i = 0; i <= la; i++)
        m[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        m[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t best = max + 1;
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t v = m[i - 1][j - 1] + (ca != cb);
            if (m[i - 1][j] + 1 < v)
                v = m[i - 1][j] + 1;
            if (m[i][j - 1] + 1 < v)
                v = m[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && m[i - 2][j - 2] + 1 < v)
                v = m[i - 2][j - 2] + 1;
            m[i][j] = v;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
    }
    return m[la][lb];
}

const char *imv_nearest(const char *word, const char *const *cands, size_t n)
{
    if (!word || !*word)
        return NULL;
    /* A third of the word, at least 1 and at most 3: "politcal_commitment"
     * finds political_commitment, "foo" does not find "id". */
    size_t len = strlen(word), max = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;
    const char *best = NULL;
    size_t best_d = max + 1;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i] || strcmp(cands[i], word) == 0)
            continue;
        size_t d = edit_distance(word, cands[i], max);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}

int imv_json_nul_escape(const char *buf, size_t n, long *line, char *field, size_t fieldlen)
{
    long ln = 0;
    size_t start = 0;
    int in_str = 0;
    char last[128] = ""; /* the last key: the field a value belongs to */
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (c == '\n')
            ln++;
        if (!in_str) {
            if (c == '"') {
                in_str = 1;
                start = i + 1;
            }
            continue;
        }
        if (c == '\\' && i + 5 < n && buf[i + 1] == 'u' && memcmp(buf + i + 2, "0000", 4) == 0) {
            /* In a key (a ':' follows its end) the field is that key. */
            size_t k = i;
            while (k < n && buf[k] != '"')
                k += buf[k] == '\\' ? 2 : 1;
            size_t after = k + 1;
            while (after < n && (buf[after] == ' ' || buf[after] == '\t' || buf[after] == '\r' ||
                                 buf[after] == '\n'))
                after++;
            if (after < n && buf[after] == ':')
                snprintf(field, fieldlen, "%.*s", (int)(i - start), buf + start);
            else
                snprintf(field, fieldlen, "%s", last);
            *line = ln;
            return 1;
        }
        if (c == '\\') {
            i++;
            continue;
        }
        if (c == '"') {
            in_str = 0;
            size_t k = i + 1;
            while (k < n && (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\r' || buf[k] == '\n'))
                k++;
            if (k < n && buf[k] == ':')
                snprintf(last, sizeof last, "%.*s", (int)(i - start), buf + start);
        }
    }
    return 0;
}

char *imv_text_terminal(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *out = imv_xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        /* C1 controls (U+0080..U+009F, 0xC2 0x80..0x9F): CSI and others */
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9F) {
            out[k++] = '?';
            i++;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            out[k++] = ' ';
        } else if (c < 0x20 || c == 0x7f) {
            out[k++] = '?';
        } else {
            out[k++] = (char)c;
        }
    }
    out[k] = '\0';
    return out;
}

char *imv_utf8_repair(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *out = imv_xmalloc(n * 3 + 1);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        if (len && i + len <= n && (len == 1 || imv_utf8_valid(s + i, len))) {
            memcpy(out + k, s + i, len);
            k += len;
            i += len;
        } else {
            memcpy(out + k, "\xEF\xBF\xBD", 3); /* U+FFFD */
            k += 3;
            i++;
        }
    }
    out[k] = '\0';
    return out;
}
