/* iso_draw.c - misbehaves in the draws (score-only calls) whose
 * acceptance is below 0.6, as $ISO_DRAW says: "error" (a plain error, the
 * figures the others must match), "segv", "exit" or "hang".  For
 * check_isolate's batch tests: a worker process sends several results a
 * frame, and the draw blamed must still be the one whose call failed. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imeval_plugin.h"

static int misbehave(imv_result *r, const imv_host *h)
{
    const char *mode = getenv("ISO_DRAW");
    if (!mode || strcmp(mode, "error") == 0) {
        h->set_error(r, "acceptance below 0.6");
        return 0;
    }
    if (strcmp(mode, "segv") == 0)
        raise(SIGSEGV);
    if (strcmp(mode, "exit") == 0)
        _exit(3);
    for (;;)
        pause();
}

static int score(const imv_profile_view *p, const double *params, imv_result *r, const imv_host *h)
{
    (void)params;
    double a = p->ratings[IMV_R_ACCEPTANCE];
    if ((p->flags & IMV_VIEW_SCORE_ONLY) && a < 0.6)
        return misbehave(r, h);
    h->set_score(r, 10 * a);
    h->add_reason(r, "ratings.acceptance", 10 * a, "acceptance counts", "test fixture");
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "iso_draw",
    .name = "Isolation fixture for draws",
    .version = "1.0.0",
    .summary = "misbehaves in draws whose acceptance is below 0.6",
    .evidence = "none",
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
