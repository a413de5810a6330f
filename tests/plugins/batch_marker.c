/* batch_marker.c - tells which path the engine used: a single call scores
 * 40, the batch path 60 (a real plugin's two paths must agree; this one
 * disagrees on purpose).  A plain evaluation must show 40, the Monte
 * Carlo draws of an uncertain profile 60 (tests/check_uncertainty.c). */
#include "imeval_plugin.h"

static int score(const imv_profile_view *p, const double *params, imv_result *r, const imv_host *h)
{
    (void)p;
    (void)params;
    h->set_score(r, 40);
    return 0;
}

static int score_batch(const imv_profile_view *const *views, const double *const *params, size_t n,
                       imv_result *const *results, const imv_host *h)
{
    (void)views;
    (void)params;
    for (size_t i = 0; i < n; i++)
        h->set_score(results[i], 60);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "batch_marker",
    .name = "Batch path marker",
    .version = "1.0.0",
    .summary = "40 from a single call, 60 from the batch path",
    .evidence = "none (test)",
    .score = score,
    .score_batch = score_batch,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
