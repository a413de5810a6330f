/*
 * json_fast.c - the tree cJSON would build for a profile's text, built
 * without cJSON's parser.
 *
 * cJSON's parser is general: it copies every number into a buffer, asks
 * the locale for its decimal point and calls strtod, and looks at every
 * byte of a string twice.  For a stream of profiles that was an eighth of
 * the CPU (callgrind).  This parser takes the plain part of JSON, which
 * is nearly every profile: strings without escapes, numbers with at most
 * 19 significant digits whose value is exact by one multiplication or
 * division (Clinger's fast path, the same correctly rounded double strtod
 * gives), nesting up to MAX_DEPTH.  Anything else (an escape, a long or
 * huge number, a syntax error, a byte order mark) makes it give up, and
 * the caller parses the text with cJSON instead; so every tree, message
 * and error position is cJSON's own.
 *
 * The tree is cJSON's to the last field (tests/check_profile.c compares
 * the two): nodes from cJSON_malloc, zeroed; keys in ->string, strings in
 * ->valuestring; a list's head's prev is its last node; valueint of a
 * number saturated as cJSON's, 1 for true.
 */
#include <cjson/cJSON.h>
#include <float.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define MAX_DEPTH 64 /* the reader refuses deeper profiles first */

typedef struct cursor {
    const unsigned char *p, *end;
    int depth;
} cursor;

static cJSON *new_item(void)
{
    cJSON *j = cJSON_malloc(sizeof *j);
    if (j)
        memset(j, 0, sizeof *j);
    return j;
}

/* cJSON's whitespace: every byte up to 32. */
static void skip_space(cursor *c)
{
    while (c->p < c->end && *c->p <= 32)
        c->p++;
}

/* The string at c->p (a quote), without escapes: a copy, or NULL. */
static char *string(cursor *c)
{
    const unsigned char *s = c->p + 1;
    const unsigned char *q = memchr(s, '"', (size_t)(c->end - s));
    if (!q || memchr(s, '\\', (size_t)(q - s)))
        return NULL;
    size_t n = (size_t)(q - s);
    char *out = cJSON_malloc(n + 1);
    if (!out)
        return NULL;
    memcpy(out, s, n);
    out[n] = '\0';
    c->p = q + 1;
    return out;
}

static int is_digit(const cursor *c)
{
    return c->p < c->end && *c->p >= '0' && *c->p <= '9';
}

/* After a value inside an array or object, the only bytes JSON allows. */
static int at_delimiter(const cursor *c)
{
    return c->p == c->end || *c->p <= 32 || *c->p == ',' || *c->p == ']' || *c->p == '}';
}

/* A JSON number whose double m * 10^e is exact in one operation: m <=
 * 2^53 and |e| <= 22, both operands exact, so the one rounding makes the
 * correctly rounded double, which is what glibc's strtod returns. */
static int number(cursor *c, cJSON *j)
{
#if FLT_EVAL_METHOD != 0
    (void)c;
    (void)j;
    return 0; /* extended precision would round twice */
#else
    static const double pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    int neg = *c->p == '-';
    c->p += neg;
    if (!is_digit(c))
        return 0;
    uint64_t m = 0;
    int digits = 0, e = 0; /* significant digits; the decimal exponent */
    if (*c->p == '0') {
        c->p++;
    } else {
        for (; is_digit(c); c->p++, digits++)
            m = m * 10 + (uint64_t)(*c->p - '0');
    }
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!is_digit(c))
            return 0;
        for (; is_digit(c); c->p++, e--) {
            m = m * 10 + (uint64_t)(*c->p - '0');
            digits += m != 0;
        }
    }
    if (digits > 19)
        return 0; /* m may have overflowed */
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        int eneg = c->p < c->end && *c->p == '-';
        if (c->p < c->end && (*c->p == '-' || *c->p == '+'))
            c->p++;
        if (!is_digit(c))
            return 0;
        int x = 0;
        for (; is_digit(c) && x < 1000; c->p++)
            x = x * 10 + (*c->p - '0');
        e += eneg ? -x : x;
    }
    if (!at_delimiter(c) || m > (1ull << 53) || e < -22 || e > 22)
        return 0;
    double v = e < 0 ? (double)m / pow10[-e] : (double)m * pow10[e];
    v = neg ? -v : v;
    j->type = cJSON_Number;
    j->valuedouble = v;
    j->valueint = v >= INT_MAX ? INT_MAX : v <= (double)INT_MIN ? INT_MIN : (int)v;
    return 1;
#endif
}

static int value(cursor *c, cJSON *j);

/* Append a new node to the list whose head is *head (and last *last),
 * reachable from parent at once, so that a give-up frees it. */
static cJSON *append(cJSON *parent, cJSON **last)
{
    cJSON *n = new_item();
    if (!n)
        return NULL;
    if (!parent->child) {
        parent->child = n;
    } else {
        (*last)->next = n;
        n->prev = *last;
    }
    *last = n;
    return n;
}

/* An array or an object (close is ']' or '}') at c->p. */
static int container(cursor *c, cJSON *j, unsigned char close)
{
    if (++c->depth > MAX_DEPTH)
        return 0;
    j->type = close == ']' ? cJSON_Array : cJSON_Object;
    c->p++;
    skip_space(c);
    cJSON *last = NULL;
    if (c->p < c->end && *c->p == close) {
        c->p++;
        c->depth--;
        return 1;
    }
    for (;;) {
        cJSON *n = append(j, &last);
        if (!n)
            return 0;
        if (close == '}') {
            if (c->p == c->end || *c->p != '"' || !(n->string = string(c)))
                return 0;
            skip_space(c);
            if (c->p == c->end || *c->p != ':')
                return 0;
            c->p++;
            skip_space(c);
        }
        if (!value(c, n))
            return 0;
        skip_space(c);
        if (c->p == c->end || *c->p != ',')
            break;
        c->p++;
        skip_space(c);
    }
    if (c->p == c->end || *c->p != close)
        return 0;
    c->p++;
    j->child->prev = last;
    c->depth--;
    return 1;
}

/* A literal: its bytes, then a delimiter (cJSON would take "nullx" as
 * null and fail after it; giving up leaves that to cJSON). */
static int literal(cursor *c, const char *word, size_t n)
{
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return 0;
    c->p += n;
    return at_delimiter(c);
}

static int value(cursor *c, cJSON *j)
{
    if (c->p == c->end)
        return 0;
    switch (*c->p) {
    case '"': j->type = cJSON_String; return (j->valuestring = string(c)) != NULL;
    case '{': return container(c, j, '}');
    case '[': return container(c, j, ']');
    case 'n': j->type = cJSON_NULL; return literal(c, "null", 4);
    case 'f': j->type = cJSON_False; return literal(c, "false", 5);
    case 't':
        j->type = cJSON_True;
        j->valueint = 1;
        return literal(c, "true", 4);
    default: return (*c->p == '-' || (*c->p >= '0' && *c->p <= '9')) && number(c, j);
    }
}

cJSON *imv_json_fast_parse(const char *text, size_t len, const char **end)
{
    cursor c = {(const unsigned char *)text, (const unsigned char *)text + len, 0};
    skip_space(&c);
    /* only an object or an array: a byte order mark or a scalar is cJSON's */
    if (c.p == c.end || (*c.p != '{' && *c.p != '['))
        return NULL;
    cJSON *root = new_item();
    if (!root)
        return NULL;
    if (!value(&c, root)) {
        cJSON_Delete(root);
        return NULL;
    }
    if (end)
        *end = (const char *)c.p;
    return root;
}
