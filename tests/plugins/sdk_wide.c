/* sdk_wide.c - a plugin built against a future header whose parameter
 * struct has one more field: the engine must walk its table with the
 * plugin's param_size, reading every row right (tests/check_sdk.c). */
#include "imeval_plugin.h"

typedef struct wide_param {
    const char *name;
    double def, min, max;
    const char *description;
    double plausible_low, plausible_high;
    uint32_t flags;
    double added_later; /* a field this engine does not know */
} wide_param;

static const wide_param params[] = {
    {"alpha", 1, 0, 2, "units", 0.5, 1.5, 0, 99},
    {"beta", 2, 0, 4, "tens", 0, 0, IMV_PARAM_FIXED, 99},
    {"gamma", 3, 0, 100, "base", 0, 0, IMV_PARAM_BASE, 99},
};

static int score(const imv_profile_view *p, const double *w, imv_result *r, const imv_host *h)
{
    (void)p;
    h->set_score(r, w[0] + 10 * w[1] + w[2]);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "sdk_wide",
    .name = "Wide parameters",
    .version = "1.0.0",
    .summary = "parameters declared with a longer struct",
    .evidence = "none",
    .params = (const imv_param_def *)(const void *)params,
    .n_params = sizeof params / sizeof params[0],
    .param_size = sizeof params[0],
    .score = score,
    .directions = "acceptance:0, failure_extent:-",
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
