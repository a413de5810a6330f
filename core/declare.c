/*
 * declare.c - what a model declares about itself beyond its code: the
 * parameters' hard limits, plausible ranges and flags, and the direction
 * in which each rating moves its score (plugin ABI 2).
 *
 * The engine reads these instead of keeping its own table: draws use the
 * plausible ranges (issue 11 point 9: bases and rule dates are never
 * drawn), and the property tests and check-model read the directions.
 * Everything is checked at load, with a message naming the parameter or
 * the rating, so a typo never passes as "undeclared".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The first fields of imv_param_def, which every plugin has. */
#define PARAM_MIN_SIZE (offsetof(imv_param_def, description) + sizeof(const char *))

int imv_param_defs_copy(const imv_param_def *params, size_t n, size_t stride, imv_param_def **out,
                        char *err, size_t errlen)
{
    *out = NULL;
    if (n == 0)
        return IMV_OK;
    if (n > IMV_MAX_PARAMS) {
        snprintf(err, errlen, "the model declares %zu parameters; at most %d", n, IMV_MAX_PARAMS);
        return IMV_EPLUGIN;
    }
    if (stride < PARAM_MIN_SIZE) {
        snprintf(err, errlen,
                 "the model declares %zu parameters but param_size is %zu: set it to "
                 "sizeof(imv_param_def) (IMV_PARAMS(table) does)",
                 n, stride);
        return IMV_EPLUGIN;
    }
    imv_param_def *v = imv_xcalloc(n, sizeof *v);
    size_t k = stride < sizeof *v ? stride : sizeof *v;
    for (size_t i = 0; i < n; i++)
        memcpy(&v[i], (const char *)params + i * stride, k);
    *out = v;
    return IMV_OK;
}

int imv_param_drawn(const imv_param_def *p)
{
    return !(p->flags & (IMV_PARAM_FIXED | IMV_PARAM_BASE)) && p->plausible_low < p->plausible_high;
}

int imv_param_def_check(const char *model, const imv_param_def *p, char *err, size_t errlen)
{
    if (!(isfinite(p->min) && isfinite(p->max) && isfinite(p->def) && p->min <= p->def &&
          p->def <= p->max)) {
        snprintf(err, errlen,
                 "model %s: parameter %s needs min <= default <= max, got %g <= %g <= %g", model,
                 p->name, p->min, p->def, p->max);
        return IMV_EPLUGIN;
    }
    if (p->flags & ~(uint32_t)(IMV_PARAM_FIXED | IMV_PARAM_BASE)) {
        snprintf(err, errlen,
                 "model %s: parameter %s has unknown flags 0x%x (known: "
                 "IMV_PARAM_FIXED, IMV_PARAM_BASE)",
                 model, p->name, (unsigned)p->flags);
        return IMV_EPLUGIN;
    }
    double lo = p->plausible_low, hi = p->plausible_high;
    if (lo == 0 && hi == 0)
        return IMV_OK;
    if (p->flags & (IMV_PARAM_FIXED | IMV_PARAM_BASE)) {
        snprintf(err, errlen,
                 "model %s: parameter %s is %s and so never drawn: it cannot have a "
                 "plausible range",
                 model, p->name, p->flags & IMV_PARAM_BASE ? "the base score" : "fixed");
        return IMV_EPLUGIN;
    }
    if (!(isfinite(lo) && isfinite(hi) && p->min <= lo && lo <= p->def && p->def <= hi &&
          hi <= p->max)) {
        snprintf(err, errlen,
                 "model %s: parameter %s needs min <= plausible_low <= default <= "
                 "plausible_high <= max, got %g <= %g <= %g <= %g <= %g",
                 model, p->name, p->min, lo, p->def, hi, p->max);
        return IMV_EPLUGIN;
    }
    return IMV_OK;
}

int imv_params_check_base(const char *model, const imv_param_def *params, size_t n, char *err,
                          size_t errlen)
{
    const char *first = NULL;
    for (size_t i = 0; i < n; i++)
        if (params[i].flags & IMV_PARAM_BASE) {
            if (first) {
                snprintf(err, errlen,
                         "model %s: parameters %s and %s are both flagged "
                         "IMV_PARAM_BASE; a model has one base score",
                         model, first, params[i].name);
                return IMV_EPLUGIN;
            }
            first = params[i].name;
        }
    return IMV_OK;
}

/* One "rating:+" item of length n at s into dir; 0 or -1 with err set. */
static int direction_item(const char *model, const char *s, size_t n, signed char *dir, char *err,
                          size_t errlen)
{
    const char *colon = memchr(s, ':', n);
    size_t k = colon ? (size_t)(colon - s) : n;
    char name[64];
    if (!colon || k == 0 || k >= sizeof name || n - k != 2) {
        snprintf(err, errlen, "model %s: directions: \"%.*s\" is not rating:+, rating:- or rating:0",
                 model, (int)(n > 60 ? 60 : n), s);
        return -1;
    }
    memcpy(name, s, k);
    name[k] = '\0';
    int r = imv_rating_index(name);
    char sign = s[k + 1];
    if (r < 0) {
        snprintf(err, errlen,
                 "model %s: directions: \"%s\" is not a rating (expected one of "
                 "senior_leadership ... initial_response, as in ratings.*)",
                 model, name);
        return -1;
    }
    if (sign != '+' && sign != '-' && sign != '0') {
        snprintf(err, errlen, "model %s: directions: %s:%c: expected +, - or 0", model, name, sign);
        return -1;
    }
    if (dir[r] != IMV_DIR_UNDECLARED) {
        snprintf(err, errlen, "model %s: directions: %s is declared twice", model, name);
        return -1;
    }
    dir[r] = (signed char)(sign == '+' ? 1 : sign == '-' ? -1 : 0);
    return 0;
}

int imv_directions_parse(const char *model, const char *s, signed char dir[IMV_R_COUNT], char *err,
                         size_t errlen)
{
    for (int i = 0; i < IMV_R_COUNT; i++)
        dir[i] = IMV_DIR_UNDECLARED;
    if (!s)
        return IMV_OK;
    if (strnlen(s, 4001) > 4000) {
        snprintf(err, errlen, "model %s: directions is longer than 4000 bytes", model);
        return IMV_EPLUGIN;
    }
    const char *p = s;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, ", ");
        if (direction_item(model, p, n, dir, err, errlen))
            return IMV_EPLUGIN;
        p += n;
    }
    return IMV_OK;
}

int imv_model_set_directions(imv_model *m, const char *s, char *err, size_t errlen)
{
    int rc = imv_directions_parse(m->id, s, m->dir, err, errlen);
    m->has_directions = rc == IMV_OK && s != NULL;
    return rc;
}

int imv_model_direction(const imv_model *m, int rating)
{
    if (rating < 0 || rating >= IMV_R_COUNT || !m->has_directions)
        return IMV_DIR_UNDECLARED;
    return m->dir[rating];
}

double imv_model_stall_months(const imv_model *m)
{
    for (size_t i = 0; i < m->n_params; i++)
        if (strcmp(m->params[i].name, IMV_PARAM_STALL_MONTHS) == 0)
            return m->values[i];
    return IMV_UNKNOWN;
}

size_t imv_model_base_param(const imv_model *m)
{
    for (size_t i = 0; i < m->n_params; i++)
        if (m->params[i].flags & IMV_PARAM_BASE)
            return i;
    return SIZE_MAX;
}
