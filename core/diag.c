/* diag.c - the list of problems a run collects (errors are values). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void imv_diags_init(imv_diags *d)
{
    d->v = NULL;
    d->n = d->cap = d->n_errors = 0;
    d->on_add = NULL;
    d->on_add_ctx = NULL;
}

static void diag_clear(imv_diag *g)
{
    free(g->source);
    free(g->where);
    free(g->message);
    free(g->profile);
}

void imv_diags_free(imv_diags *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        diag_clear(&d->v[i]);
    free(d->v);
    imv_diags_init(d);
}

static void vadd(imv_diags *d, int warning, const char *source, long line, const char *profile,
                 const char *where, const char *fmt, va_list ap0)
    __attribute__((format(printf, 7, 0)));

static void vadd(imv_diags *d, int warning, const char *source, long line, const char *profile,
                 const char *where, const char *fmt, va_list ap0)
{
    va_list ap;
    imv_grow((void **)&d->v, &d->cap, d->n + 1, sizeof *d->v);
    imv_diag *g = &d->v[d->n++];
    g->source = source ? imv_xstrdup(source) : NULL;
    /* One line of UTF-8 whatever the input or a plugin put in a key or a
     * message: "ofsted.grade: \"bad\ngrade\" is not a grade". */
    g->where = where ? imv_text_oneline(where, strlen(where), strlen(where)) : NULL;
    g->warning = warning;
    g->line = line;
    g->profile = profile && *profile ? imv_text_oneline(profile, strlen(profile), 128) : NULL;
    va_copy(ap, ap0);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    g->message = imv_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    g->message[0] = '\0';
    va_copy(ap, ap0);
    if (n > 0)
        vsnprintf(g->message, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (n > 0) {
        char *clean = imv_text_oneline(g->message, (size_t)n, (size_t)n);
        free(g->message);
        g->message = clean;
    }
    if (!warning)
        d->n_errors++;
    if (d->on_add && !d->on_add(d->on_add_ctx, g)) {
        diag_clear(g);
        d->n--;
    }
}

void imv_diags_add(imv_diags *d, int warning, const char *source, const char *where,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(d, warning, source, 0, NULL, where, fmt, ap);
    va_end(ap);
}

void imv_diags_add_at(imv_diags *d, int warning, const char *source, long line, const char *where,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(d, warning, source, line, NULL, where, fmt, ap);
    va_end(ap);
}

void imv_diags_add_in(imv_diags *d, int warning, const char *source, long line, const char *profile,
                      const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(d, warning, source, line, profile, where, fmt, ap);
    va_end(ap);
}

/* PROFILE-FORMAT.md: a value error is "file: json.path: message" (its
 * example, word for word); a syntax error is "file:line: message".  A
 * value error in a profile that does not start the file also says where
 * that profile starts, after the message, so the contract form stays a
 * prefix of what is printed. */
void imv_diag_format(const imv_diag *g, char *buf, size_t len)
{
    const char *src = g->source ? g->source : "imeval";
    const char *id = g->profile;
    if (g->where && *g->where) {
        char at[200] = "";
        if (id && g->line > 1)
            snprintf(at, sizeof at, " (profile %s at line %ld)", id, g->line);
        else if (id)
            snprintf(at, sizeof at, " (profile %s)", id);
        else if (g->line > 1)
            snprintf(at, sizeof at, " (profile at line %ld)", g->line);
        snprintf(buf, len, "%s: %s: %s%s", src, g->where, g->message, at);
        return;
    }
    char at[32] = "", in[160] = "";
    if (g->line > 0)
        snprintf(at, sizeof at, ":%ld", g->line);
    if (id)
        snprintf(in, sizeof in, ", in profile %s", id);
    snprintf(buf, len, "%s%s: %s%s", src, at, g->message, in);
}

void imv_diags_move(imv_diags *to, imv_diags *from)
{
    for (size_t i = 0; i < from->n; i++) {
        imv_grow((void **)&to->v, &to->cap, to->n + 1, sizeof *to->v);
        imv_diag *g = &to->v[to->n++];
        *g = from->v[i];
        if (!g->warning)
            to->n_errors++;
        if (to->on_add && !to->on_add(to->on_add_ctx, g)) {
            diag_clear(g);
            to->n--;
        }
    }
    from->n = from->n_errors = 0;
}

void imv_diags_truncate(imv_diags *d, size_t n)
{
    while (d->n > n) {
        imv_diag *g = &d->v[--d->n];
        if (!g->warning)
            d->n_errors--;
        diag_clear(g);
    }
}
