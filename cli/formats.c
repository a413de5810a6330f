/*
 * formats.c - a command refuses a --format it does not write, rather than
 * printing its table under another name (issue 12: explain, models and
 * validate used to print the table for csv and markdown).
 */
#include <stdio.h>

#include "cli.h"

static const char *const names[] = {"table", "json", "csv", "markdown"};

int cli_check_format(const cli_opts *o, const char *name, unsigned allowed)
{
    if (o->format < 0 || (allowed & (1u << o->format)))
        return 0;
    char list[64] = "";
    size_t at = 0, n = 0, k = 0;
    for (unsigned f = 0; f < 4; f++)
        n += (allowed >> f) & 1u;
    for (unsigned f = 0; f < 4; f++)
        if (allowed & (1u << f)) {
            const char *sep = k == 0 ? "" : k + 1 == n ? " or " : ", ";
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", sep, names[f]);
            k++;
        }
    return cli_usage_error(name, "--format %s is not written by %s; it writes %s",
                           o->format < 4 ? names[o->format] : "?", name, list);
}
