/*
 * reader.c - stream profiles out of a file, one at a time.
 *
 * JSON: a scanner finds where each top-level value ends (tracking strings,
 * escapes and bracket depth) without building anything, so one object, an
 * array of objects, JSON Lines and pretty-printed objects one after another
 * are all read the same way, in memory bounded by one profile.  Only then
 * is the value handed to cJSON.  The scanner also enforces the limits that
 * keep hostile input cheap: nesting depth, value size, NUL bytes, UTF-8.
 *
 * CSV: libcsv splits records (RFC 4180 quoting, CRLF, quoted newlines);
 * each row becomes a JSON object and goes through the same validator, so
 * both formats give the same messages for the same mistakes.
 */
#include <cjson/cJSON.h>
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

#define MAX_DEPTH 32         /* a profile nests 4 deep */
#define MAX_VALUE (4u << 20) /* bytes in one profile */
#define BUFSZ (64u << 10)
#define CSV_MIN_BLK 4096u /* first growth of libcsv's field buffer */

enum { KIND_JSON = 1, KIND_CSV = 2 };

typedef struct csv_row {
    long line;
    size_t n;
    char **cells;
    size_t *lens;
    int bad; /* a cell held a NUL byte */
} csv_row;

struct imv_reader {
    FILE *f;
    int own;
    char *path;
    int strict;
    int kind;
    long line; /* line of the next byte */
    unsigned char *buf;
    size_t pos, end;
    int eof, io_error;
    int dead; /* a read error was reported: no more */
    /* JSON */
    int started, in_array, array_done, n_values;
    char *val;
    size_t vlen, vcap;
    /* CSV */
    struct csv_parser csv;
    int csv_ready, csv_done;
    csv_row cur; /* row being assembled */
    size_t cur_cap;
    long cur_line;    /* line where the current record began */
    long rec_line;    /* line where the record being read began; 0 none */
    size_t rec_bytes; /* its bytes so far, for the MAX_VALUE cap */
    csv_row *rows;    /* complete rows not yet returned */
    size_t n_rows, rows_cap, row_next;
    char **header;
    size_t n_header;
    int header_bad;
};

/* ---- buffered bytes ---------------------------------------------------- */

static int fill(imv_reader *r)
{
    if (r->eof)
        return 0;
    r->pos = 0;
    r->end = fread(r->buf, 1, BUFSZ, r->f);
    if (r->end == 0) {
        r->eof = 1;
        if (ferror(r->f))
            r->io_error = errno ? errno : EIO;
        return 0;
    }
    return 1;
}

static int peek(imv_reader *r)
{
    if (r->pos == r->end && !fill(r))
        return EOF;
    return r->buf[r->pos];
}

static int next(imv_reader *r)
{
    int c = peek(r);
    if (c != EOF) {
        r->pos++;
        if (c == '\n')
            r->line++;
    }
    return c;
}

/* ---- opening ------------------------------------------------------------ */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int detect_kind(imv_reader *r)
{
    if (ends_with(r->path, ".csv") || ends_with(r->path, ".CSV"))
        return KIND_CSV;
    if (ends_with(r->path, ".json") || ends_with(r->path, ".jsonl") || ends_with(r->path, ".ndjson"))
        return KIND_JSON;
    /* By content: JSON starts (after blanks and a BOM) with { or [. */
    if (peek(r) == EOF)
        return KIND_JSON;
    for (size_t i = r->pos; i < r->end; i++) {
        unsigned char c = r->buf[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xEF || c == 0xBB || c == 0xBF)
            continue;
        return c == '{' || c == '[' ? KIND_JSON : KIND_CSV;
    }
    return KIND_JSON;
}

imv_reader *imv_reader_open(const char *path, const imv_read_opts *opts, imv_diags *diags)
{
    FILE *f;
    int own = 1;
    if (strcmp(path, "-") == 0) {
        f = stdin;
        own = 0;
    } else {
        struct stat st;
        if (stat(path, &st) != 0) {
            imv_diags_add(diags, 0, path, NULL, "cannot open: %s", strerror(errno));
            return NULL;
        }
        if (S_ISDIR(st.st_mode)) {
            imv_diags_add(diags, 0, path, NULL,
                          "is a directory: give the profile files inside it (e.g. %s/*.json)", path);
            return NULL;
        }
        f = fopen(path, "rb");
        if (!f) {
            imv_diags_add(diags, 0, path, NULL, "cannot open: %s", strerror(errno));
            return NULL;
        }
    }
    imv_reader *r = imv_xcalloc(1, sizeof *r);
    r->f = f;
    r->own = own;
    r->path = imv_xstrdup(path);
    r->strict = opts ? opts->strict : 0;
    r->line = 1;
    r->buf = imv_xmalloc(BUFSZ);
    r->kind = opts && opts->format ? opts->format : detect_kind(r);
    return r;
}

static void row_free(csv_row *row)
{
    for (size_t i = 0; i < row->n; i++)
        free(row->cells[i]);
    free(row->cells);
    free(row->lens);
    memset(row, 0, sizeof *row);
}

void imv_reader_close(imv_reader *r)
{
    if (!r)
        return;
    if (r->own && r->f)
        fclose(r->f);
    if (r->csv_ready)
        csv_free(&r->csv);
    for (size_t i = r->row_next; i < r->n_rows; i++)
        row_free(&r->rows[i]);
    free(r->rows);
    row_free(&r->cur);
    for (size_t i = 0; i < r->n_header; i++)
        free(r->header[i]);
    free(r->header);
    free(r->val);
    free(r->buf);
    free(r->path);
    free(r);
}

/* ---- JSON ---------------------------------------------------------------- */

static void skip_space(imv_reader *r)
{
    int c;
    while ((c = peek(r)) == ' ' || c == '\t' || c == '\r' || c == '\n')
        next(r);
}

static void val_push(imv_reader *r, int c)
{
    if (r->vlen + 1 >= r->vcap) {
        r->vcap = r->vcap ? r->vcap * 2 : 4096;
        r->val = imv_xrealloc(r->val, r->vcap);
    }
    r->val[r->vlen++] = (char)c;
}

typedef struct scan {
    long start_line;
    int too_deep, too_big, nul, truncated, runaway;
    long nul_line;
} scan;

/* Past a limit the scanner reads on to the value's end, so that the next
 * line of JSON Lines is read again; but not for ever (yes '[' | imeval). */
#define MAX_SKIP (64u << 20)

/* Room for n more bytes and a NUL in r->val. */
static void val_reserve(imv_reader *r, size_t n)
{
    if (r->vlen + n + 1 <= r->vcap)
        return;
    size_t cap = r->vcap ? r->vcap : 4096;
    while (cap < r->vlen + n + 1)
        cap *= 2;
    r->val = imv_xrealloc(r->val, cap);
    r->vcap = cap;
}

/* Keep n scanned bytes, as long as the value stays within MAX_VALUE. */
static void val_append(imv_reader *r, scan *s, const unsigned char *p, size_t n)
{
    size_t room = r->vlen < MAX_VALUE ? MAX_VALUE - r->vlen : 0;
    if (n > room) {
        s->too_big = 1;
        n = room;
    }
    val_reserve(r, n);
    memcpy(r->val + r->vlen, p, n);
    r->vlen += n;
}

/* A scalar at the top level (not a profile, but reported as JSON): the
 * scanner as it was before objects had their own.  Returns 1 when the
 * input ends inside it. */
static int scan_scalar(imv_reader *r, scan *s)
{
    int depth = 0, in_str = 0, esc = 0, c;
    size_t scanned = 0;
    while ((c = peek(r)) != EOF) {
        if (!in_str && (c == ',' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t' ||
                        c == '{' || c == '['))
            break;
        next(r);
        if (++scanned > MAX_VALUE + MAX_SKIP) {
            s->runaway = 1;
            break;
        }
        if (c == 0 && !s->nul) {
            s->nul = 1;
            s->nul_line = r->line;
        }
        if (r->vlen < MAX_VALUE)
            val_push(r, c);
        else
            s->too_big = 1;
        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '}' && --depth <= 0)
            break;
    }
    return c == EOF && (depth > 0 || in_str);
}

/* The bytes scan_compound stops at: everything else (most of a profile)
 * is skipped by one table look-up a byte. */
static const unsigned char stop_byte[256] = {
    [0] = 1, ['\n'] = 1, ['"'] = 1, ['\\'] = 1, ['{'] = 1, ['['] = 1, ['}'] = 1, [']'] = 1,
};

/* An object or array, up to its closing bracket: a byte at a time (strings,
 * escapes, depth, lines) but a buffer at a time in function calls, since
 * this runs over every byte of every profile.  Returns 1 when the input
 * ends inside it. */
static int scan_compound(imv_reader *r, scan *s)
{
    int depth = 0, in_str = 0, esc = 0;
    size_t scanned = 0;
    for (;;) {
        if (r->pos == r->end && !fill(r))
            return depth > 0 || in_str;
        const unsigned char *b = r->buf + r->pos, *p = b, *e = r->buf + r->end, *keep = NULL;
        /* Scan at most up to the limit; the byte past it is read, not kept. */
        size_t room = MAX_VALUE + MAX_SKIP - scanned;
        const unsigned char *lim = (size_t)(e - p) > room ? p + room : e;
        long line = r->line;
        int done = 0;
        for (;;) {
            /* A byte that is not a stop byte changes nothing, unless it
             * follows a backslash. */
            if (!esc)
                while (p < lim && !stop_byte[*p])
                    p++;
            if (p == lim) {
                if (lim < e) {
                    line += *p++ == '\n';
                    s->runaway = 1;
                    keep = p - 1;
                    done = 1;
                }
                break;
            }
            unsigned char c = *p++;
            line += c == '\n';
            if (c == 0 && !s->nul) {
                s->nul = 1;
                s->nul_line = line;
            }
            if (in_str) {
                if (esc)
                    esc = 0;
                else if (c == '\\')
                    esc = 1;
                else if (c == '"')
                    in_str = 0;
            } else if (c == '"') {
                in_str = 1;
            } else if (c == '{' || c == '[') {
                if (++depth > MAX_DEPTH)
                    s->too_deep = 1;
            } else if ((c == '}' || c == ']') && --depth <= 0) {
                done = 1;
                break;
            }
        }
        scanned += (size_t)(p - b);
        r->line = line;
        r->pos = (size_t)(p - r->buf);
        val_append(r, s, b, (size_t)((keep ? keep : p) - b));
        if (done)
            return 0;
    }
}

/* Copy one JSON value (object, array or scalar) into r->val, stopping
 * storing (but not scanning) when it breaks a limit. */
static void scan_value(imv_reader *r, scan *s)
{
    r->vlen = 0;
    s->start_line = r->line;
    int c = peek(r);
    if (c == '{' || c == '[')
        s->truncated = scan_compound(r, s);
    else
        s->truncated = scan_scalar(r, s);
    val_push(r, '\0');
    r->vlen--;
}

/* Report a read error once; every later call then sees the end, so a
 * caller that goes on after a bad profile (IMV_EIO is also -1) stops. */
static int read_failed(imv_reader *r, imv_diags *d)
{
    imv_diags_add_at(d, 0, r->path, r->line, NULL, "read error: %s", strerror(r->io_error));
    r->dead = 1;
    return IMV_EIO;
}

/* Report a problem with the value that began at line of path. */
static int path_error(const char *path, long line, imv_diags *d, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int path_error(const char *path, long line, imv_diags *d, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    imv_diags_add_at(d, 0, path, line, NULL, "%s", msg);
    return -1;
}

static long line_of(const char *base, const char *at, long first)
{
    long line = first;
    for (const char *p = base; p < at; p++)
        if (*p == '\n')
            line++;
    return line;
}

/* 1 when \u0000 occurs anywhere in the value: only then can
 * imv_json_nul_escape (which names the field, at some cost a byte) find
 * one, and almost no profile has it. */
static int has_nul_escape(const char *v, size_t n)
{
    for (const char *p = v, *end = v + n; (p = memchr(p, '\\', (size_t)(end - p))) != NULL; p++)
        if ((size_t)(end - p) >= 6 && memcmp(p, "\\u0000", 6) == 0)
            return 1;
    return 0;
}

/* What a value's scan found wrong (limits, NUL bytes, the end of the
 * input inside it): 0, or -1 with the message.  Needs the reader: a
 * runaway value ends the file. */
static int scan_errors(imv_reader *r, const scan *s, imv_diags *d)
{
    if (s->runaway) {
        r->dead = 1;
        return path_error(r->path, s->start_line, d,
                          "a value that does not end after %u MiB: not a profile; the rest of "
                          "the file is not read",
                          (MAX_VALUE + MAX_SKIP) >> 20);
    }
    if (s->nul)
        return path_error(r->path, s->nul_line, d,
                          "NUL byte in the file: is it really a text profile?");
    if (s->truncated)
        return path_error(r->path, s->start_line, d,
                          "truncated JSON: the value starting here is not closed at the end of the file");
    if (s->too_deep)
        return path_error(r->path, s->start_line, d,
                          "JSON nested deeper than %d levels: not a profile", MAX_DEPTH);
    if (s->too_big)
        return path_error(r->path, s->start_line, d,
                          "profile larger than %u MiB: not a profile (is a field pasted by mistake?)",
                          MAX_VALUE >> 20);
    return 0;
}

/* A message names the profile in a file of many (an array, JSON Lines),
 * not in a lone profile, where the contract form is the whole line. */
static int names_profile(const imv_reader *r, const scan *s)
{
    return r->in_array || r->n_values > 1 || s->start_line > 1 || ends_with(r->path, ".jsonl") ||
           ends_with(r->path, ".ndjson");
}

/* Parse the len bytes of JSON at text (NUL after them), which began at
 * line of path, into *out: 1, or -1 with the messages.  Uses nothing of
 * a reader, so that it can run on any thread: cJSON is safe to use from
 * several at once as long as cJSON_GetErrorPtr is not used and
 * cJSON_InitHooks is called before any thread starts (its README; a parse
 * still writes a global error position that nothing here reads: cJSON
 * issue #314). */
static int parse_text(const char *text, size_t len, const char *path, long line, int strict,
                      int many, imv_profile **out, imv_diags *d)
{
    if (!imv_utf8_valid(text, len))
        return path_error(path, line, d, "invalid UTF-8: save the file as UTF-8");
    long nul_at;
    char field[80];
    if (has_nul_escape(text, len) && imv_json_nul_escape(text, len, &nul_at, field, sizeof field))
        return path_error(path, line + nul_at, d,
                          "%s: \\u0000 (a NUL character) in a string: not allowed in a profile",
                          *field ? field : "(top level)");
    const char *end = NULL;
    cJSON *j = imv_json_arena_parse(text, len, &end);
    if (!j) {
        long at = line;
        char near[24] = "";
        if (end && end >= text && end <= text + len) {
            at = line_of(text, end, line);
            size_t k = 0;
            for (const char *p = end; *p && *p != '\n' && k < sizeof near - 1; p++)
                near[k++] = *p;
            near[k] = '\0';
        }
        return path_error(path, at, d,
                          "malformed JSON%s%s%s (NaN, Infinity, comments and trailing commas are not JSON)",
                          *near ? " near '" : "", near, *near ? "'" : "");
    }
    int rc = imv_profile_read(j, path, line, strict, many, out, d);
    imv_json_arena_release(j);
    return rc == 0 ? 1 : -1;
}

static int parse_value(imv_reader *r, const scan *s, imv_profile **out, imv_diags *d)
{
    if (scan_errors(r, s, d))
        return -1;
    return parse_text(r->val, r->vlen, r->path, s->start_line, r->strict, names_profile(r, s), out,
                      d);
}

static int check_bom(imv_reader *r, imv_diags *d)
{
    if (r->pos + 3 <= r->end && r->buf[r->pos] == 0xEF && r->buf[r->pos + 1] == 0xBB &&
        r->buf[r->pos + 2] == 0xBF) {
        r->pos += 3;
        /* CSV: a warning, since Excel's "CSV UTF-8" always writes one.
         * JSON: an error (RFC 8259: JSON text must not start with one), but
         * the profiles after it are still read in full. */
        int csv = r->kind == KIND_CSV;
        imv_diags_add_at(d, csv, r->path, 1, NULL,
                         "starts with a UTF-8 byte order mark; save it as UTF-8 without BOM "
                         "(the profiles after it were still read)");
        return 1;
    }
    return 0;
}

/* UTF-16 is what Excel's "Unicode Text" and Windows tools write: named
 * as such, rather than as a NUL byte or a file that is not a profile.
 * Known by its byte order mark, or without one by the NUL in every other
 * byte of text that is otherwise ASCII. */
static int check_utf16(imv_reader *r, imv_diags *d)
{
    const unsigned char *b = r->buf + r->pos;
    size_t n = r->end - r->pos;
    int bom = n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF));
    size_t pairs = n / 2 < 64 ? n / 2 : 64, nul_odd = 0, nul_even = 0;
    for (size_t i = 0; i < pairs; i++) {
        nul_even += b[2 * i] == 0 && b[2 * i + 1] != 0;
        nul_odd += b[2 * i + 1] == 0 && b[2 * i] != 0;
    }
    int pattern = pairs >= 2 && (nul_odd == pairs || nul_even == pairs);
    if (!bom && !pattern)
        return 0;
    imv_diags_add_at(d, 0, r->path, 1, NULL,
                     "the file is UTF-16 (%s), not UTF-8: save it as UTF-8 (in Excel: Save As, "
                     "\"CSV UTF-8 (Comma delimited)\")",
                     bom ? "it starts with a UTF-16 byte order mark" : "every other byte is NUL");
    r->dead = 1;
    return -1;
}

/* Scan the next value into r->val (*s says what the scan found): 1, 0 at
 * the end, -1 for a file that is not a stream of values (a message in d). */
static int json_value(imv_reader *r, scan *s, imv_diags *d)
{
    if (!r->started) {
        r->started = 1;
        peek(r);
        if (check_utf16(r, d))
            return -1;
        check_bom(r, d);
        skip_space(r);
        if (peek(r) == EOF) {
            if (r->io_error)
                return read_failed(r, d);
            return path_error(r->path, 1, d,
                              "empty file: expected a profile object, an array of them, or JSON Lines");
        }
        if (peek(r) == '[') {
            next(r);
            r->in_array = 1;
        }
    }
    for (;;) {
        skip_space(r);
        int c = peek(r);
        if (c == EOF) {
            if (r->io_error)
                return read_failed(r, d);
            if (r->in_array && !r->array_done) {
                r->array_done = 1;
                return path_error(r->path, r->line, d,
                                  "truncated JSON: the array is not closed with ]");
            }
            return 0;
        }
        if (r->array_done) {
            long line = r->line;
            while (next(r) != EOF)
                ;
            return path_error(r->path, line, d,
                              "unexpected content after the closing ] of the array");
        }
        if (r->in_array) {
            if (c == ']') {
                next(r);
                r->array_done = 1;
                continue;
            }
            if (r->n_values > 0) {
                if (c != ',') {
                    long line = r->line;
                    r->array_done = 1;
                    while (next(r) != EOF)
                        ;
                    return path_error(r->path, line, d,
                                      "malformed JSON: expected , or ] between profiles");
                }
                next(r);
                skip_space(r);
            }
        }
        *s = (scan){0};
        scan_value(r, s);
        r->n_values++;
        if (r->vlen == 0) { /* a stray , or ] */
            long line = r->line;
            next(r);
            return path_error(r->path, line, d, "malformed JSON: unexpected '%c'", c);
        }
        return 1;
    }
}

static int json_next(imv_reader *r, imv_profile **out, imv_diags *d)
{
    scan s;
    int rc = json_value(r, &s, d);
    return rc == 1 ? parse_value(r, &s, out, d) : rc;
}

/* ---- CSV ------------------------------------------------------------------ */

static void csv_field(void *data, size_t len, void *ctx)
{
    imv_reader *r = ctx;
    csv_row *row = &r->cur;
    const char *s = data ? data : "";
    if (row->n == 0) {
        long nl = 0;
        for (size_t i = 0; i < len; i++)
            nl += s[i] == '\n';
        row->line = r->cur_line - nl;
    }
    if (row->n == r->cur_cap) {
        r->cur_cap = r->cur_cap ? r->cur_cap * 2 : 32;
        row->cells = imv_xrealloc(row->cells, r->cur_cap * sizeof *row->cells);
        row->lens = imv_xrealloc(row->lens, r->cur_cap * sizeof *row->lens);
    }
    if (memchr(s, '\0', len))
        row->bad = 1;
    row->cells[row->n] = imv_xstrndup(s, len);
    row->lens[row->n] = len;
    row->n++;
}

static void csv_record(int term, void *ctx)
{
    (void)term;
    imv_reader *r = ctx;
    imv_grow((void **)&r->rows, &r->rows_cap, r->n_rows + 1, sizeof *r->rows);
    r->rows[r->n_rows++] = r->cur;
    memset(&r->cur, 0, sizeof r->cur);
    r->cur_cap = 0;
    r->rec_line = 0;
    r->rec_bytes = 0;
}

/* Feed libcsv up to the end of the next physical line, so that each
 * record's line number is known. Returns 0 at end of input. */
static int csv_feed_line(imv_reader *r, imv_diags *d)
{
    if (peek(r) == EOF) {
        if (!r->csv_done) {
            r->csv_done = 1;
            if (csv_fini(&r->csv, csv_field, csv_record, r) != 0)
                imv_diags_add_at(d, 0, r->path, r->rec_line ? r->rec_line : r->line, NULL,
                                 "malformed CSV: a quoted field in the row starting here is not "
                                 "closed at the end of the file");
        }
        return 0;
    }
    r->cur_line = r->line;
    size_t start = r->pos, stop = r->pos;
    while (stop < r->end && r->buf[stop] != '\n')
        stop++;
    int newline = stop < r->end;
    if (newline)
        stop++;
    size_t n = stop - start;
    /* libcsv keeps a record whole until it ends: cap it as JSON values are. */
    if (r->rec_line == 0)
        r->rec_line = r->cur_line;
    r->rec_bytes += n;
    if (r->rec_bytes > MAX_VALUE) {
        imv_diags_add_at(d, 0, r->path, r->rec_line, NULL,
                         "CSV row larger than %u MiB: not a profile (a quote never closed?)",
                         MAX_VALUE >> 20);
        r->csv_done = 1;
        r->eof = 1;
        r->pos = r->end;
        return -1;
    }
    /* libcsv grows its field buffer by a fixed block (128 bytes by
     * default), so a long field costs one realloc and copy per block:
     * quadratic, and ruinous under ASan, where every realloc moves.  Make
     * the next block as large as the buffer already is: it doubles. */
    csv_set_blk_size(&r->csv, r->csv.entry_size > CSV_MIN_BLK ? r->csv.entry_size : CSV_MIN_BLK);
    if (csv_parse(&r->csv, r->buf + start, n, csv_field, csv_record, r) != n) {
        imv_diags_add_at(d, 0, r->path, r->line, NULL,
                         "malformed CSV: %s (RFC 4180 quoting expected)",
                         csv_strerror(csv_error(&r->csv)));
        r->csv_done = 1;
        r->eof = 1;
        r->pos = r->end;
        return -1;
    }
    r->pos = stop;
    if (newline)
        r->line++;
    return 1;
}

static int take_row(imv_reader *r, csv_row *out, imv_diags *d)
{
    while (r->row_next == r->n_rows) {
        r->row_next = r->n_rows = 0;
        if (r->csv_done)
            return 0;
        int rc = csv_feed_line(r, d);
        if (rc < 0)
            return -1;
        if (rc == 0 && r->row_next == r->n_rows)
            return 0;
    }
    *out = r->rows[r->row_next++];
    return 1;
}

/* The row's id cell, for messages about it (NULL when there is none). */
static const char *row_id(const imv_reader *r, const csv_row *row)
{
    for (size_t i = 0; i < r->n_header && i < row->n; i++)
        if (strcmp(r->header[i], "id") == 0)
            return row->cells[i][0] ? row->cells[i] : NULL;
    return NULL;
}

static int csv_cell_error(imv_reader *r, const csv_row *row, imv_diags *d)
{
    if (row->bad) {
        imv_diags_add_in(d, 0, r->path, row->line, row_id(r, row), NULL, "NUL byte in a CSV cell");
        return -1;
    }
    for (size_t i = 0; i < row->n; i++)
        if (!imv_utf8_valid(row->cells[i], row->lens[i])) {
            imv_diags_add_in(d, 0, r->path, row->line, row_id(r, row), NULL,
                             "invalid UTF-8 in column %zu: save the file as UTF-8", i + 1);
            return -1;
        }
    return 0;
}

/* 1 when h names a field of the profile format's CSV form. */
static int known_column(const char *h)
{
    static const char *const plain[] = {"format",
                                        "id",
                                        "name",
                                        "as_of",
                                        "source",
                                        "ofsted.grade",
                                        "ofsted.previous",
                                        "ofsted.inspected",
                                        "size.child_population",
                                        "size.children_in_care",
                                        "current_intervention.model",
                                        "current_intervention.since",
                                        "current_intervention.kind",
                                        "current_intervention.partner",
                                        NULL};
    for (const char *const *p = plain; *p; p++)
        if (strcmp(h, *p) == 0)
            return 1;
    if (strncmp(h, "ratings.", 8) == 0)
        return imv_rating_index(h + 8) >= 0;
    if (strncmp(h, "facts.", 6) == 0)
        return imv_fact_index(h + 6) >= 0;
    if (strncmp(h, "ofsted.judgements.", 18) == 0)
        return imv_judgement_index(h + 18) >= 0;
    return 0;
}

/* A header wider than this is not a profile's (about 80 fields are known). */
#define MAX_HEADER_COLUMNS 1024

typedef struct named_col {
    const char *name;
    size_t col, times;
} named_col;

static int cmp_by_name(const void *a, const void *b)
{
    const named_col *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->col > y->col) - (x->col < y->col);
}

static int cmp_by_col(const void *a, const void *b)
{
    const named_col *x = a, *y = b;
    return (x->col > y->col) - (x->col < y->col);
}

/* Each column name once.  Sorted, equal names are neighbours: n log n,
 * where comparing every pair took minutes (and printed every pair) on a
 * wide header.  One message per name that repeats, in the order of the
 * columns.  Returns the number of such names. */
static size_t duplicate_columns(imv_reader *r, const csv_row *row, imv_diags *d)
{
    size_t n = row->n, n_rep = 0;
    named_col *v = imv_xcalloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (named_col){row->cells[i], i, 1};
    qsort(v, n, sizeof *v, cmp_by_name);
    /* The first column of each repeated name, with how often it appears. */
    for (size_t i = 0; i < n;) {
        size_t k = i + 1;
        while (k < n && strcmp(v[k].name, v[i].name) == 0)
            k++;
        if (k - i > 1)
            v[n_rep++] = (named_col){v[i].name, v[i].col, k - i};
        i = k;
    }
    qsort(v, n_rep, sizeof *v, cmp_by_col);
    for (size_t a = 0; a < n_rep; a++) {
        if (v[a].times == 2)
            path_error(r->path, row->line, d,
                       "column \"%.60s\" appears twice in the header (first as column %zu)",
                       v[a].name, v[a].col + 1);
        else
            path_error(r->path, row->line, d,
                       "column \"%.60s\" appears %zu times in the header (first as column %zu)",
                       v[a].name, v[a].times, v[a].col + 1);
    }
    free(v);
    return n_rep;
}

static int read_header(imv_reader *r, imv_diags *d)
{
    csv_row row;
    int rc = take_row(r, &row, d);
    if (rc <= 0) {
        if (rc == 0)
            path_error(r->path, 1, d,
                       "empty file: expected a CSV header row (id,name,as_of,ofsted.grade,ratings.…)");
        r->header_bad = 1;
        return -1;
    }
    if (csv_cell_error(r, &row, d)) {
        row_free(&row);
        r->header_bad = 1;
        return -1;
    }
    if (row.n > MAX_HEADER_COLUMNS) {
        path_error(r->path, row.line, d,
                   "header row of %zu columns: not a profile CSV (at most %d are read; "
                   "a profile has fewer than 100 fields)",
                   row.n, MAX_HEADER_COLUMNS);
        row_free(&row);
        r->header_bad = 1;
        return -1;
    }
    if (duplicate_columns(r, &row, d))
        r->header_bad = 1;
    size_t known = 0;
    for (size_t i = 0; i < row.n; i++) {
        known += known_column(row.cells[i]);
        if (row.cells[i][0] == '\0' && !r->header_bad) {
            path_error(r->path, row.line, d, "column %zu of the header row has no name", i + 1);
            r->header_bad = 1;
        }
    }
    /* Excel writes ";" between the columns where the decimal mark is a
     * comma (most of Europe): the whole header is then one cell. */
    if (known == 0 && !r->header_bad && row.n == 1 && strchr(row.cells[0], ';')) {
        char *first = imv_xstrndup(row.cells[0], strcspn(row.cells[0], ";"));
        int profile_like = known_column(first) || strstr(row.cells[0], ";ratings.") != NULL;
        free(first);
        if (profile_like) {
            path_error(r->path, row.line, d,
                       "the columns are separated by \";\", not \",\" (as Excel writes CSV where "
                       "the decimal mark is a comma): save it with commas between the columns "
                       "and points in the numbers (RFC 4180)");
            r->header_bad = 1;
        }
    }
    /* Content that is neither JSON nor a profile CSV would otherwise be a
     * header with no rows: "0 invalid", exit 0, for any garbage. */
    if (known == 0 && !r->header_bad) {
        path_error(r->path, row.line, d,
                   "not a profile file: expected JSON (starting with { or [) or CSV whose "
                   "header row names profile fields (id,name,as_of,ofsted.grade,ratings.…)");
        r->header_bad = 1;
    }
    r->header = row.cells;
    r->n_header = row.n;
    free(row.lens);
    return r->header_bad ? -1 : 0;
}

/* Parse "2", "1..3" or "1..2..3" into a JSON number or range object. */
static cJSON *csv_number(const char *s, int allow_range)
{
    const char *parts[3];
    size_t n = 0;
    parts[n++] = s;
    if (allow_range)
        for (const char *p = s; *p && n < 3; p++)
            if (p[0] == '.' && p[1] == '.') {
                parts[n++] = p + 2;
                p++;
            }
    double v[3] = {0}; /* every v[i < n] is set; -O1 cannot tell */
    for (size_t i = 0; i < n; i++) {
        /* Each part on its own: strtod would take the "1." of "1..3". */
        size_t len = i + 1 < n ? (size_t)(parts[i + 1] - 2 - parts[i]) : strlen(parts[i]);
        char *part = imv_xstrndup(parts[i], len), *end;
        errno = 0;
        v[i] = strtod(part, &end);
        int whole = len > 0 && *end == '\0';
        int overflow = errno == ERANGE && fabs(v[i]) > 1;
        free(part);
        if (!whole)
            return NULL;
        if (!isfinite(v[i]) || overflow)
            v[i] = INFINITY; /* reported as "not a finite number" */
    }
    if (n == 1)
        return cJSON_CreateNumber(v[0]);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "low", v[0]);
    if (n == 3)
        cJSON_AddNumberToObject(o, "mode", v[1]);
    cJSON_AddNumberToObject(o, "high", v[n - 1]);
    return o;
}

/* Find (or make) the object at a dotted path's parent, at any depth
 * ("ofsted.judgements.leadership" lives in ofsted.judgements). */
static cJSON *parent_of(cJSON *root, const char *path, const char **leaf)
{
    cJSON *o = root;
    const char *dot;
    while (o && (dot = strchr(path, '.')) != NULL) {
        char key[64];
        size_t n = (size_t)(dot - path);
        if (n >= sizeof key)
            n = sizeof key - 1;
        memcpy(key, path, n);
        key[n] = '\0';
        cJSON *next = cJSON_GetObjectItemCaseSensitive(o, key);
        if (!next)
            next = cJSON_AddObjectToObject(o, key);
        o = cJSON_IsObject(next) ? next : NULL;
        path = dot + 1;
    }
    *leaf = path;
    return o;
}

/* "inadequate@2013-06" -> {"grade", "date"}; a bare grade stays a string. */
static cJSON *csv_previous_item(const char *t)
{
    const char *at = strchr(t, '@');
    if (!at)
        return cJSON_CreateString(t);
    char *g = imv_xstrndup(t, (size_t)(at - t));
    for (size_t k = strlen(g); k && g[k - 1] == ' '; k--)
        g[k - 1] = '\0';
    const char *d = at + 1;
    while (*d == ' ')
        d++;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "grade", g);
    cJSON_AddStringToObject(o, "date", d);
    free(g);
    return o;
}

static int is_numeric_column(const char *h)
{
    return strncmp(h, "ratings.", 8) == 0 || strncmp(h, "facts.", 6) == 0 ||
           strncmp(h, "size.", 5) == 0;
}

static cJSON *csv_cell_value(const char *h, const char *cell)
{
    if (strcmp(h, "ofsted.previous") == 0) {
        cJSON *a = cJSON_CreateArray();
        const char *p = cell;
        while (*p) {
            const char *e = strchr(p, ';');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            char *g = imv_xstrndup(p, n);
            char *t = g;
            while (*t == ' ')
                t++;
            for (size_t k = strlen(t); k && t[k - 1] == ' '; k--)
                t[k - 1] = '\0';
            cJSON_AddItemToArray(a, csv_previous_item(t));
            free(g);
            p += n + (e ? 1 : 0);
        }
        return a;
    }
    if (is_numeric_column(h))
        return csv_number(cell, strncmp(h, "ratings.", 8) == 0);
    return cJSON_CreateString(cell);
}

static int csv_row_profile(imv_reader *r, csv_row *row, imv_profile **out, imv_diags *d)
{
    if (csv_cell_error(r, row, d))
        return -1;
    if (row->n != r->n_header) {
        imv_diags_add_in(d, 0, r->path, row->line, row->n > 0 ? row_id(r, row) : NULL, NULL,
                         "row has %zu cells, the header has %zu", row->n, r->n_header);
        return -1;
    }
    cJSON *o = cJSON_CreateObject();
    size_t before = d->n_errors;
    if (!cJSON_GetObjectItemCaseSensitive(o, "format"))
        cJSON_AddStringToObject(o, "format", IMV_PROFILE_FORMAT);
    for (size_t i = 0; i < row->n; i++) {
        const char *h = r->header[i];
        if (row->cells[i][0] == '\0')
            continue; /* an empty cell is an absent field */
        if (strcmp(h, "format") == 0)
            cJSON_DeleteItemFromObjectCaseSensitive(o, "format");
        const char *leaf;
        cJSON *parent = parent_of(o, h, &leaf);
        cJSON *v = csv_cell_value(h, row->cells[i]);
        if (!v) {
            size_t len = strlen(row->cells[i]);
            char *num = strncmp(h, "facts.", 6) == 0 && len > 1 && row->cells[i][len - 1] == '%'
                            ? imv_xstrndup(row->cells[i], len - 1)
                            : NULL;
            cJSON *pct = num ? csv_number(num, 0) : NULL;
            if (cJSON_IsNumber(pct))
                imv_diags_add_in(d, 0, r->path, row->line, row_id(r, row), h,
                                 "\"%.40s\" looks like a percentage: write %g", row->cells[i],
                                 pct->valuedouble / 100);
            else
                imv_diags_add_in(d, 0, r->path, row->line, row_id(r, row), h,
                                 "\"%.40s\" is not a number%s", row->cells[i],
                                 strncmp(h, "ratings.", 8) == 0 ? " or a range like 1..3 or 1..2..3"
                                                                : "");
            cJSON_Delete(pct);
            free(num);
            continue;
        }
        if (!parent) {
            cJSON_Delete(v);
            continue;
        }
        cJSON_AddItemToObject(parent, leaf, v);
    }
    /* PROFILE-FORMAT.md: an empty current_intervention.model means none. */
    cJSON *iv = cJSON_GetObjectItemCaseSensitive(o, "current_intervention");
    if (iv && !cJSON_GetObjectItemCaseSensitive(iv, "model"))
        cJSON_DeleteItemFromObjectCaseSensitive(o, "current_intervention");
    int rc = -1;
    if (d->n_errors == before)
        rc = imv_profile_read(o, r->path, row->line, r->strict, 1, out, d) == 0 ? 1 : -1;
    cJSON_Delete(o);
    return rc;
}

static int csv_next(imv_reader *r, imv_profile **out, imv_diags *d)
{
    if (!r->csv_ready) {
        csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
        r->csv_ready = 1;
        peek(r);
        if (check_utf16(r, d))
            return -1;
        check_bom(r, d);
        if (read_header(r, d) < 0)
            return -1;
    }
    if (r->header_bad)
        return 0;
    for (;;) {
        csv_row row;
        int rc = take_row(r, &row, d);
        if (rc <= 0) {
            if (r->io_error)
                return read_failed(r, d);
            return rc;
        }
        rc = csv_row_profile(r, &row, out, d);
        row_free(&row);
        return rc;
    }
}

int imv_reader_next(imv_reader *r, imv_profile **out, imv_diags *diags)
{
    *out = NULL;
    if (r->dead)
        return 0;
    return r->kind == KIND_CSV ? csv_next(r, out, diags) : json_next(r, out, diags);
}

/* ---- read now, parsed later -------------------------------------------------- */

struct imv_pending {
    char *text; /* JSON: the value, NUL-terminated (a buffer swapped with the reader's) */
    size_t len, cap;
    char *source; /* the file's name, as the profile and its messages give it */
    long line;    /* where the value starts */
    int strict, many;
    int csv; /* a CSV row, parsed as it was split: its profile is here */
    imv_profile *profile;
};

imv_pending *imv_pending_new(void)
{
    return imv_xcalloc(1, sizeof(imv_pending));
}

void imv_pending_free(imv_pending *pend)
{
    if (!pend)
        return;
    imv_profile_free(pend->profile);
    free(pend->text);
    free(pend->source);
    free(pend);
}

/* A value this large keeps its buffer only until it is parsed: a batch
 * holds many pendings, and each would otherwise keep its largest. */
#define PENDING_KEEP (256u << 10)

int imv_reader_take(imv_reader *r, imv_pending *pend, imv_diags *diags)
{
    imv_profile_free(pend->profile);
    pend->profile = NULL;
    pend->len = 0;
    if (r->dead)
        return 0;
    if (!pend->source || strcmp(pend->source, r->path) != 0) {
        free(pend->source);
        pend->source = imv_xstrdup(r->path);
    }
    pend->csv = r->kind == KIND_CSV;
    if (pend->csv)
        return csv_next(r, &pend->profile, diags);
    scan s;
    int rc = json_value(r, &s, diags);
    if (rc != 1)
        return rc;
    if (scan_errors(r, &s, diags))
        return -1;
    /* the reader scans the next value into the pending's old buffer */
    char *t = pend->text;
    size_t cap = pend->cap;
    pend->text = r->val;
    pend->cap = r->vcap;
    pend->len = r->vlen;
    r->val = t;
    r->vcap = cap;
    r->vlen = 0;
    pend->line = s.start_line;
    pend->strict = r->strict;
    pend->many = names_profile(r, &s);
    return 1;
}

int imv_pending_parse(imv_pending *pend, imv_profile **out, imv_diags *diags)
{
    *out = NULL;
    if (pend->csv) {
        *out = pend->profile;
        pend->profile = NULL;
        return *out ? 1 : -1;
    }
    int rc = parse_text(pend->text, pend->len, pend->source, pend->line, pend->strict, pend->many,
                        out, diags);
    if (pend->cap > PENDING_KEEP) {
        free(pend->text);
        pend->text = NULL;
        pend->cap = 0;
    }
    pend->len = 0;
    return rc;
}
