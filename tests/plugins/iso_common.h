/* iso_common.h - one misbehaving plugin per file, selected by ISO_MODE,
 * for the isolation tests (tests/check_isolate.c).  The behaviour happens
 * only for profiles whose id starts with "bad", so one run mixes good and
 * bad calls. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imeval_plugin.h"

static void misbehave(void);

/* Where this process maps the memfd named name (its /proc/self/maps
 * line): *lo and *hi, both 0 when it maps none.  For the fixtures that
 * look for imeval's shared areas. */
static inline void iso_find_mapping(const char *name, unsigned long *lo, unsigned long *hi)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    *lo = *hi = 0;
    while (maps && fgets(line, sizeof line, maps))
        if (strstr(line, name) && sscanf(line, "%lx-%lx", lo, hi) == 2)
            break;
    if (maps)
        fclose(maps);
}

static int score(const imv_profile_view *p, const double *params, imv_result *r, const imv_host *h)
{
    (void)params;
    if (strncmp(p->id, "bad", 3) == 0)
        misbehave();
    h->set_score(r, 10 * p->ratings[IMV_R_ACCEPTANCE]);
    h->add_reason(r, "ratings.acceptance", 10 * p->ratings[IMV_R_ACCEPTANCE], "acceptance counts",
                  "test fixture");
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = ISO_ID,
    .name = "Isolation fixture",
    .version = "1.0.0",
    .summary = "misbehaves on profiles whose id starts with bad",
    .evidence = "none",
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
