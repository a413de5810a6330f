/*
 * fuzz_common.h - what the libFuzzer harnesses share: the fuzz input as a
 * file the reader can open (a memfd, reached through /proc/self/fd, so the
 * reader's public API is used as it is), and the properties every run must
 * keep whatever the input: messages are one line of valid UTF-8 naming
 * their file; a profile that passed validation is within every range of
 * PROFILE-FORMAT.md.  A broken property aborts, which libFuzzer reports
 * as a crash with the input that caused it.
 */
#ifndef IMV_FUZZ_COMMON_H
#define IMV_FUZZ_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "fuzz property broken: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

static int fuzz_fd = -1;
static char fuzz_path[64];

/* Put the input in the memfd; returns the path that opens it. */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
    if (fuzz_fd < 0) {
        fuzz_fd = memfd_create("imeval-fuzz", 0);
        FUZZ_CHECK(fuzz_fd >= 0);
        snprintf(fuzz_path, sizeof fuzz_path, "/proc/self/fd/%d", fuzz_fd);
    }
    FUZZ_CHECK(ftruncate(fuzz_fd, 0) == 0);
    size_t off = 0;
    while (off < size) {
        ssize_t n = pwrite(fuzz_fd, data + off, size - off, (off_t)off);
        FUZZ_CHECK(n > 0);
        off += (size_t)n;
    }
    return fuzz_path;
}

static inline int one_line_utf8(const char *s)
{
    if (!s)
        return 1;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return 0;
    return imv_utf8_valid(s, strlen(s));
}

static inline void check_diags(const imv_diags *d, const char *source)
{
    size_t errors = 0;
    for (size_t i = 0; i < d->n; i++) {
        const imv_diag *g = &d->v[i];
        FUZZ_CHECK(g->message && *g->message);
        FUZZ_CHECK(one_line_utf8(g->message));
        FUZZ_CHECK(one_line_utf8(g->where));
        FUZZ_CHECK(g->source && (strcmp(g->source, source) == 0));
        FUZZ_CHECK(g->line >= 0);
        char buf[1200];
        imv_diag_format(g, buf, sizeof buf);
        FUZZ_CHECK(strchr(buf, '\n') == NULL);
        errors += !g->warning;
    }
    FUZZ_CHECK(errors == d->n_errors);
}

static inline int in(double x, double lo, double hi)
{
    return isfinite(x) && x >= lo && x <= hi;
}

static inline void check_profile(const imv_profile *p)
{
    FUZZ_CHECK(p->id && *p->id && strlen(p->id) <= 128);
    for (const char *c = p->id; *c; c++)
        FUZZ_CHECK((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
                   *c == '-');
    FUZZ_CHECK(p->name && *p->name && imv_utf8_valid(p->name, strlen(p->name)));
    FUZZ_CHECK(p->as_of && imv_date_valid(p->as_of));
    FUZZ_CHECK(p->grade >= 0 && p->grade < IMV_G_COUNT);
    for (int i = 0; i < IMV_R_COUNT; i++) {
        const imv_range *r = &p->ratings[i];
        FUZZ_CHECK(in(r->low, 0, 4) && in(r->mode, 0, 4) && in(r->high, 0, 4));
        FUZZ_CHECK(r->low <= r->mode && r->mode <= r->high);
        FUZZ_CHECK(in(imv_range_point(r), 0, 4));
    }
    for (int i = 0; i < IMV_F_COUNT; i++)
        if (p->facts_present & (1u << i))
            FUZZ_CHECK(isfinite(p->facts[i]) && p->facts[i] >= 0);
    FUZZ_CHECK(p->child_population == IMV_UNKNOWN || in(p->child_population, 0, 1e9));
    FUZZ_CHECK(p->n_partners <= 64 && p->n_previous <= 32);
    for (size_t i = 0; i < p->n_partners; i++)
        FUZZ_CHECK(p->partners[i].id && *p->partners[i].id);
    if (p->extra_json)
        FUZZ_CHECK(imv_utf8_valid(p->extra_json, strlen(p->extra_json)));
}

/* Read every profile of the input with the given reader format (1 JSON,
 * 2 CSV) and strictness; the reader must end, and keep the properties. */
static inline void fuzz_read(const uint8_t *data, size_t size, int format, int strict)
{
    const char *path = fuzz_file(data, size);
    imv_diags d;
    imv_diags_init(&d);
    imv_read_opts o = {.strict = strict, .format = format};
    imv_reader *r = imv_reader_open(path, &o, &d);
    FUZZ_CHECK(r != NULL);
    size_t calls = 0;
    for (;;) {
        imv_profile *p = NULL;
        int rc = imv_reader_next(r, &p, &d);
        /* Each call consumes input: a reader that does not end is a bug. */
        FUZZ_CHECK(++calls <= size + 2);
        if (rc == 0) {
            FUZZ_CHECK(p == NULL);
            break;
        }
        if (rc < 0) {
            FUZZ_CHECK(p == NULL);
            continue;
        }
        FUZZ_CHECK(rc == 1 && p != NULL);
        check_profile(p);
        imv_profile_free(p);
    }
    /* After the end, the end. */
    imv_profile *p = NULL;
    FUZZ_CHECK(imv_reader_next(r, &p, &d) == 0 && p == NULL);
    imv_reader_close(r);
    check_diags(&d, path);
    imv_diags_free(&d);
}

#endif
