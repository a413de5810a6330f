/* isolate.c - run a native plugin's score in a child process.
 * Interim: scores in-process until the child-process host lands. */
#include "../core/internal.h"

static void iso_score(const imv_model *m, void *inst, const imv_profile_view *v,
                      unsigned long key, const double *params, imv_result *r)
{
    m->be->score(m, inst, v, key, params, r);
}

const imv_backend imv_isolated_backend = {
    .language = "c",
    .score = iso_score,
};
