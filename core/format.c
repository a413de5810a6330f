/*
 * format.c - the presentation rules that every document shares: numbers
 * rounded once, the band of a score, and text wrapped for a terminal.
 * The analyses use them too, so that a figure reads the same in the
 * table, the JSON and the sensitivity report.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

double imv_round1(double x)
{
    double r = round(x * 10.0) / 10.0;
    return r == 0 ? 0 : r; /* no "-0" */
}

const char *imv_band(double score)
{
    if (score >= 70)
        return "strong";
    if (score >= 50)
        return "moderate";
    if (score >= 30)
        return "weak";
    return "poor";
}

/* Write text to f wrapped at width; the cursor is at column `col`, and
 * every line after the first starts at column `indent`.  Runs of spaces
 * separate words and are not kept. */
static int wrap_safe(FILE *f, const char *text, int col, int indent, int width);

/* Text from a model or a profile reaches a terminal: no control character
 * (an escape sequence, a carriage return) goes through as it is. */
int imv_wrap(FILE *f, const char *text, int col, int indent, int width)
{
    char *safe = imv_text_terminal(text);
    int rc = wrap_safe(f, safe, col, indent, width);
    free(safe);
    return rc;
}

static int wrap_safe(FILE *f, const char *text, int col, int indent, int width)
{
    int first = 1, bad = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        int len = (int)(p - w);
        if (!first && col + 1 + len > width) {
            bad |= fprintf(f, "\n%*s", indent, "") < 0;
            col = indent;
        } else if (!first) {
            bad |= fputc(' ', f) == EOF;
            col++;
        }
        /* A word that does not fit where it is: move it to a fresh line if
         * it fits there, else break it (after a comma when one is near:
         * lists of JSON paths have no spaces), so no line passes width. */
        while (col + len > width && width - indent >= 8) {
            if (len <= width - indent && col > indent) {
                bad |= fprintf(f, "\n%*s", indent, "") < 0;
                col = indent;
                break;
            }
            int room = width - col, cut = room;
            if (room < 4) { /* too little left here: next line */
                bad |= fprintf(f, "\n%*s", indent, "") < 0;
                col = indent;
                continue;
            }
            for (int k = room; k > room / 2; k--)
                if (w[k - 1] == ',') {
                    cut = k;
                    break;
                }
            while (cut > 1 && ((unsigned char)w[cut] & 0xC0) == 0x80)
                cut--; /* not inside a UTF-8 character */
            bad |= fprintf(f, "%.*s\n%*s", cut, w, indent, "") < 0;
            w += cut;
            len -= cut;
            col = indent;
        }
        bad |= fprintf(f, "%.*s", len, w) < 0;
        col += len;
        first = 0;
    }
    bad |= fputc('\n', f) == EOF;
    return bad ? IMV_EIO : IMV_OK;
}
