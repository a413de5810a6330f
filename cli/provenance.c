/*
 * provenance.c - the provenance of a command's run (cli.h): the options
 * that change a result, written back as the command that reproduces it.
 * Options that cannot change it (-o, --jobs, --quiet, --explain, the
 * format) are left out, so the same inputs, models, parameters and seed
 * give the same provenance block, byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void *checked(void *p)
{
    if (!p) {
        cli_error(NULL, "out of memory");
        exit(EXIT_PARTIAL);
    }
    return p;
}

/* Append " arg" (quoted for a shell) to the growing string *s. */
static void add(char **s, size_t *len, const char *arg)
{
    char *q = imv_shell_quote(arg);
    size_t n = strlen(q);
    *s = checked(realloc(*s, *len + n + 2));
    (*s)[(*len)++] = ' ';
    memcpy(*s + *len, q, n + 1);
    *len += n;
    free(q);
}

static char *reproduce(const cli_opts *o)
{
    size_t len = strlen("imeval evaluate --format json");
    char *s = checked(strdup("imeval evaluate --format json")), num[32];
    if (o->draws > 0) {
        add(&s, &len, "--draws");
        snprintf(num, sizeof num, "%ld", o->draws);
        add(&s, &len, num);
        add(&s, &len, "--seed");
        snprintf(num, sizeof num, "%llu", (unsigned long long)o->seed);
        add(&s, &len, num);
        if (o->vary_parameters)
            add(&s, &len, "--vary-parameters");
        if (o->rating_noise > 0) {
            add(&s, &len, "--rating-noise");
            snprintf(num, sizeof num, "%.17g", o->rating_noise);
            add(&s, &len, num);
        }
    }
    if (o->no_bundled)
        add(&s, &len, "--no-bundled");
    for (size_t i = 0; i < o->model_dirs.n; i++) {
        add(&s, &len, "--models");
        add(&s, &len, o->model_dirs.v[i]);
    }
    for (size_t i = 0; i < o->model_files.n; i++) {
        add(&s, &len, "--model");
        add(&s, &len, o->model_files.v[i]);
    }
    if (o->only) {
        add(&s, &len, "--only");
        add(&s, &len, o->only);
    }
    if (o->params_file) {
        add(&s, &len, "--params");
        add(&s, &len, o->params_file);
    }
    for (size_t i = 0; i < o->sets.n; i++) {
        add(&s, &len, "--set");
        add(&s, &len, o->sets.v[i]);
    }
    if (o->strict)
        add(&s, &len, "--strict");
    int dashes = 0; /* a profile named like an option needs "--" before the names */
    for (size_t i = 0; i < o->args.n; i++)
        dashes |= o->args.v[i][0] == '-' && strcmp(o->args.v[i], "-") != 0;
    if (dashes)
        add(&s, &len, "--");
    for (size_t i = 0; i < o->args.n; i++)
        add(&s, &len, o->args.v[i]);
    return s;
}

imv_provenance *cli_provenance(const cli_opts *o, const imv_registry *reg, int argc, char **argv)
{
    imv_provenance *p = imv_provenance_new();
    char *cmd = reproduce(o);
    imv_provenance_set_command(p, cmd, argc, argv);
    free(cmd);
    imv_provenance_set_draws(p, o->draws > 0 ? (size_t)o->draws : 0, o->draws > 0 ? o->seed : 0,
                             o->draws > 0 && o->vary_parameters);
    imv_provenance_set_time(p, 0);
    for (size_t i = 0; i < o->args.n; i++)
        imv_provenance_add_profile(p, o->args.v[i]);
    imv_provenance_add_models(p, reg);
    return p;
}
