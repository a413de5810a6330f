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
    fprintf(stderr, "imeval %s: --format %s is not written by %s; it writes", name,
            o->format < 4 ? names[o->format] : "?", name);
    const char *sep = " ";
    for (unsigned k = 0; k < 4; k++)
        if (allowed & (1u << k)) {
            fprintf(stderr, "%s%s", sep, names[k]);
            sep = ", ";
        }
    fprintf(stderr, "\n(see imeval %s --help)\n", name);
    return EXIT_USAGE;
}
