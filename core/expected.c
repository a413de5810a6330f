/*
 * expected.c - recorded outcomes (datasets/cases/expected.tsv and any file
 * in its format): one reader, and the check of one assertion against an
 * evaluation.  tests/check_models.c and `imeval backtest` both use it, so
 * the format has one definition.
 *
 * The format: one assertion a line, "CASE RULE ARG [ARG2]", fields
 * separated by blanks; a line starting with # and a blank line are
 * skipped.  The rules are in the table below.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "monitor.h"

/* Rule, number of arguments, what it asserts (for messages and docs). */
static const struct {
    const char *name;
    int nargs;
} rules[] = {
    {"first", 1},             /* the recommended model is one of A|B */
    {"top2", 1},              /* A ranks first or second */
    {"viable", 1},            /* every one of A,B is viable */
    {"nonviable", 1},         /* every one of A,B is non-viable */
    {"not_first", 1},         /* none of A,B is recommended */
    {"partner", 2},           /* model A reports partner B */
    {"strong", 1},            /* A is viable and scores >= 70 */
    {"weak_or_nonviable", 1}, /* A is non-viable or scores below 50 */
    {"status", 2},    /* A is in place and the monitor says one of B1|B2 (stalled = stalling) */
    {"no_lag", 1},    /* A (in place) shows no set-up lag */
    {"outlook", 1},   /* the commissioner's likely outcome is one of A1|A2 */
    {"no_reason", 2}, /* no reason of A contains the word B */
    {"no_plus", 2},   /* no reason of A that adds points contains the word B */
};

#define N_RULES (sizeof rules / sizeof rules[0])
#define MAX_LINE 4096

static int rule_index(const char *name)
{
    for (size_t i = 0; i < N_RULES; i++)
        if (strcmp(rules[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void rule_list(char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_RULES && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", rules[i].name);
}

void imv_expects_free(imv_expects *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].case_id);
        free(e->v[i].rule);
        free(e->v[i].a);
        free(e->v[i].b);
    }
    free(e->v);
    free(e->source);
    memset(e, 0, sizeof *e);
}

/* Split line into at most 5 blank-separated fields (in place). */
static int split(char *line, char **f)
{
    int n = 0;
    for (char *s = line; *s && n < 5;) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        f[n++] = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
        if (*s)
            *s++ = '\0';
    }
    return n;
}

static int parse_line(imv_expects *e, char *line, long lineno, imv_diags *d)
{
    char *f[5];
    int n = split(line, f);
    if (n == 0 || f[0][0] == '#')
        return 0;
    int r = n >= 2 ? rule_index(f[1]) : -1;
    if (r < 0) {
        char known[256];
        rule_list(known, sizeof known);
        imv_diags_add_at(d, 0, e->source, lineno, NULL,
                         "%s%s%s: expected CASE RULE ARGS with RULE one of %s",
                         n >= 2 ? "unknown rule \"" : "a case with no rule", n >= 2 ? f[1] : "",
                         n >= 2 ? "\"" : "", known);
        return -1;
    }
    if (n - 2 != rules[r].nargs) {
        imv_diags_add_at(d, 0, e->source, lineno, NULL,
                         "rule %s takes %d argument%s, this line has %d", rules[r].name,
                         rules[r].nargs, rules[r].nargs == 1 ? "" : "s", n - 2);
        return -1;
    }
    imv_grow((void **)&e->v, &e->cap, e->n + 1, sizeof *e->v);
    imv_expect *x = &e->v[e->n++];
    x->line = lineno;
    x->case_id = imv_xstrdup(f[0]);
    x->rule = imv_xstrdup(f[1]);
    x->a = imv_xstrdup(f[2]);
    x->b = n > 3 ? imv_xstrdup(f[3]) : NULL;
    return 0;
}

int imv_expects_read(const char *path, imv_expects *out, imv_diags *d)
{
    memset(out, 0, sizeof *out);
    out->source = imv_xstrdup(path);
    FILE *f = fopen(path, "r");
    if (!f) {
        imv_diags_add(d, 0, path, NULL, "cannot open the expected outcomes: %s", strerror(errno));
        return IMV_EIO;
    }
    char line[MAX_LINE];
    long lineno = 0;
    int rc = IMV_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            imv_diags_add_at(d, 0, path, lineno, NULL, "line longer than %d bytes", MAX_LINE - 2);
            rc = IMV_EPARSE;
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
            continue;
        }
        if (parse_line(out, line, lineno, d))
            rc = IMV_EPARSE;
    }
    if (ferror(f)) {
        imv_diags_add(d, 0, path, NULL, "read error: %s", strerror(errno));
        rc = IMV_EIO;
    }
    fclose(f);
    if (rc == IMV_OK && out->n == 0) {
        imv_diags_add(d, 0, path, NULL, "no assertions (expected lines CASE RULE ARGS)");
        rc = IMV_EPARSE;
    }
    return rc;
}

/* ---- checking --------------------------------------------------------- */

static const imv_result *find(const imv_evaluation *e, const char *id, size_t *rank)
{
    for (size_t k = 0; k < e->n; k++) {
        const imv_result *r = &e->results[e->order[k]];
        if (strcmp(imv_model_id(r->model), id) == 0) {
            if (rank)
                *rank = k + 1;
            return r;
        }
    }
    return NULL;
}

/* 1 when id is one of the sep-separated items of list. */
static int in_list(const char *id, const char *list, char sep)
{
    size_t n = strlen(id);
    for (const char *s = list; s && *s;) {
        const char *end = strchr(s, sep);
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len == n && strncmp(s, id, n) == 0)
            return 1;
        s = end ? end + 1 : NULL;
    }
    return 0;
}

/* Every item of list (sep-separated; sep 0: list is one id) loaded?
 * Names the first missing in msg. */
static int all_loaded(const imv_evaluation *e, const char *list, char sep, char *msg, size_t len)
{
    char item[128];
    for (const char *s = list; s && *s;) {
        const char *end = sep ? strchr(s, sep) : NULL;
        size_t n = end ? (size_t)(end - s) : strlen(s);
        snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item ? n : sizeof item - 1), s);
        if (!find(e, item, NULL)) {
            snprintf(msg, len, "model %s is not loaded", item);
            return 0;
        }
        s = end ? end + 1 : NULL;
    }
    return 1;
}

static int check_each(const imv_evaluation *e, const char *list, int want, char *msg, size_t len)
{
    char item[128];
    for (const char *s = list; s && *s;) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item ? n : sizeof item - 1), s);
        const imv_result *r = find(e, item, NULL);
        if (r->error) {
            snprintf(msg, len, "%s failed: %s", item, r->error);
            return 0;
        }
        if (r->viable != want) {
            snprintf(msg, len, "%s is %sviable", item, want ? "not " : "");
            return 0;
        }
        s = end ? end + 1 : NULL;
    }
    snprintf(msg, len, "%s %s", list, want ? "viable" : "non-viable");
    return 1;
}

int imv_expect_check(const imv_expect *x, const imv_evaluation *e, char *msg, size_t len)
{
    const char *rec = e->recommended ? e->recommended : "(none)";
    const char *r = x->rule;
    /* "first A|B" holds when one of them is loaded and first; the others
     * need every model they name. */
    int first_rule = strcmp(r, "first") == 0;
    if (strcmp(r, "outlook") == 0) {
        imv_outlook ol;
        imv_outlook_assess(e, &ol);
        snprintf(msg, len, "likely outcome %s, expected %s", imv_outlook_name(ol.kind), x->a);
        return in_list(imv_outlook_name(ol.kind), x->a, '|');
    }
    int listed = strcmp(r, "viable") == 0 || strcmp(r, "nonviable") == 0 ||
                 strcmp(r, "not_first") == 0;
    if (!first_rule && !all_loaded(e, x->a, listed ? ',' : 0, msg, len))
        return IMV_EXPECT_NA;
    if (first_rule) {
        int any = 0;
        char item[128];
        for (const char *s = x->a; s && *s;) {
            const char *end = strchr(s, '|');
            size_t n = end ? (size_t)(end - s) : strlen(s);
            snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item ? n : sizeof item - 1), s);
            any |= find(e, item, NULL) != NULL;
            s = end ? end + 1 : NULL;
        }
        if (!any) {
            snprintf(msg, len, "none of %s is loaded", x->a);
            return IMV_EXPECT_NA;
        }
        snprintf(msg, len, "recommended %s, expected %s", rec, x->a);
        return in_list(rec, x->a, '|');
    }
    if (strcmp(r, "top2") == 0) {
        size_t rank = 0;
        find(e, x->a, &rank);
        snprintf(msg, len, "%s ranks %zu", x->a, rank);
        return rank <= 2;
    }
    if (strcmp(r, "viable") == 0 || strcmp(r, "nonviable") == 0)
        return check_each(e, x->a, r[0] == 'v', msg, len);
    if (strcmp(r, "not_first") == 0) {
        snprintf(msg, len, "recommended %s, expected none of %s", rec, x->a);
        return !in_list(rec, x->a, ',');
    }
    const imv_result *m = find(e, x->a, NULL);
    if (strcmp(r, "partner") == 0) {
        snprintf(msg, len, "%s partner %s, expected %s", x->a,
                 m->partner_id ? m->partner_id : "(none)", x->b);
        return m->partner_id && strcmp(m->partner_id, x->b) == 0;
    }
    if (strcmp(r, "strong") == 0) {
        snprintf(msg, len, "%s %s at %.1f, expected viable at 70 or more", x->a,
                 m->error    ? "failed"
                 : m->viable ? "viable"
                             : "non-viable",
                 m->score);
        return !m->error && m->viable && m->score >= 70;
    }
    if (strcmp(r, "weak_or_nonviable") == 0) {
        snprintf(msg, len, "%s %s at %.1f, expected non-viable or below 50", x->a,
                 m->error    ? "failed"
                 : m->viable ? "viable"
                             : "non-viable",
                 m->score);
        return !m->error && (!m->viable || m->score < 50);
    }
    if (strcmp(r, "status") == 0) {
        imv_monitor mon;
        imv_monitor_assess(e, &mon);
        const char *got = imv_monitor_status_name(mon.status);
        if (strcmp(got, "stalling") == 0)
            got = "stalled";
        snprintf(msg, len, "in place %s: %s (%s), expected %s %s", mon.model ? mon.model : "(none)",
                 got, mon.why, x->a, x->b);
        return mon.model && strcmp(mon.model, x->a) == 0 && in_list(got, x->b, '|');
    }
    if (strcmp(r, "no_lag") == 0) {
        snprintf(msg, len, "%s set-up lag %.1f months, expected none", x->a, m->setup_months);
        return !m->error && m->setup_months == 0;
    }
    if (strcmp(r, "no_reason") == 0 || strcmp(r, "no_plus") == 0) {
        int plus_only = r[3] == 'p';
        for (size_t i = 0; i < m->n_reasons; i++) {
            const imv_reason *q = &m->reasons[i];
            if (plus_only && q->points <= 0)
                continue;
            if (strcasestr(q->text, x->b) || strcasestr(q->evidence, x->b)) {
                snprintf(msg, len, "%s reason cites %s: %s (%s)", x->a, x->b, q->text, q->evidence);
                return 0;
            }
        }
        snprintf(msg, len, "no %sreason of %s cites %s", plus_only ? "positive " : "", x->a, x->b);
        return 1;
    }
    snprintf(msg, len, "unknown rule %s", r); /* the reader refuses these */
    return 0;
}
