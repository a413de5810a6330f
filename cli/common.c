/* common.c - what every subcommand needs: models and diagnostics (the output
 * file and signals are in outfile.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_print_diags(const imv_diags *d, size_t from)
{
    char buf[1200];
    for (size_t i = from; i < d->n; i++) {
        imv_diag_format(&d->v[i], buf, sizeof buf);
        fprintf(stderr, "%s%s\n", d->v[i].warning ? "warning: " : "", buf);
    }
}

static void load_path_env(imv_registry *reg, imv_diags *d)
{
    const char *env = getenv("IMEVAL_MODEL_PATH");
    if (!env || !*env)
        return;
    char *copy = strdup(env), *save = NULL;
    if (!copy)
        return;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
        if (*dir)
            imv_registry_load_dir(reg, dir, 0, d);
    free(copy);
}

imv_registry *cli_registry(const cli_opts *o, int *partial)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_registry *reg = imv_registry_new(&o->limits);
    if (!o->no_bundled) {
        const char *dir = imv_registry_bundled_dir();
        if (dir)
            imv_registry_load_dir(reg, dir, 1, &d);
        else
            imv_diags_add(&d, 1, "imeval", NULL,
                          "bundled models not found next to the program (build them with make, or set IMEVAL_BUNDLED_DIR)");
    }
    load_path_env(reg, &d);
    for (size_t i = 0; i < o->model_dirs.n; i++)
        imv_registry_load_dir(reg, o->model_dirs.v[i], 0, &d);
    for (size_t i = 0; i < o->model_files.n; i++)
        imv_registry_load_file(reg, o->model_files.v[i], 0, &d);
    size_t load_errors = d.n_errors;
    int usage = 0;
    if (o->only && imv_registry_select(reg, o->only, &d))
        usage = 1;
    if (!usage && o->params_file && imv_registry_set_file(reg, o->params_file, &d))
        usage = 1;
    for (size_t i = 0; !usage && i < o->sets.n; i++)
        if (imv_registry_set(reg, o->sets.v[i], &d))
            usage = 1;
    cli_print_diags(&d, 0);
    if (!usage && imv_registry_count(reg) == 0) {
        fprintf(stderr, "imeval %s: no models loaded%s\n", o->cmd_name,
                load_errors ? " (see the errors above)" : "; give --model FILE or --models DIR");
        usage = 1;
    }
    imv_diags_free(&d);
    if (usage) {
        imv_registry_free(reg);
        return NULL;
    }
    if (partial)
        *partial = load_errors > 0;
    return reg;
}
