/* iso_exe.c - tells which executable its process runs (the evidence text
 * of its one reason is the name of /proc/self/exe), and crashes on
 * profiles whose id starts with "bad", so that the next call needs a new
 * process (tests/check_isolate.c). */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "imeval_plugin.h"

static int score(const imv_profile_view *p, const double *params, imv_result *r, const imv_host *h)
{
    (void)params;
    if (strncmp(p->id, "bad", 3) == 0)
        raise(SIGSEGV);
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    const char *base = strrchr(exe, '/');
    h->set_score(r, 10 * p->ratings[IMV_R_ACCEPTANCE]);
    h->add_reason(r, "ratings.acceptance", 10 * p->ratings[IMV_R_ACCEPTANCE], "acceptance counts",
                  base ? base + 1 : "?");
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "iso_exe",
    .name = "Isolation fixture",
    .version = "1.0.0",
    .summary = "names the executable of its process",
    .evidence = "none",
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
