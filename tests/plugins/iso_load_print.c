/* A constructor that prints: in-process it would put text in front of
 * --format json's document.  ISO_CTOR_PIDFILE, when set, receives the pid
 * of the process that ran the constructor. */
#define _GNU_SOURCE
#include "imeval_plugin.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
__attribute__((constructor)) static void chatty(void)
{
    const char *pidfile = getenv("ISO_CTOR_PIDFILE");
    FILE *f = pidfile ? fopen(pidfile, "w") : NULL;
    if (f) {
        fprintf(f, "%d\n", (int)getpid());
        fclose(f);
    }
    printf("hello from a plugin constructor\n");
    fflush(stdout);
}
static int score(const imv_profile_view *p, const double *params, imv_result *r, const imv_host *h)
{
    (void)p;
    (void)params;
    h->set_score(r, 1);
    return 0;
}
static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "iso_load_print",
    .name = "Prints",
    .version = "1",
    .summary = "s",
    .evidence = "e",
    .score = score,
};
IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
