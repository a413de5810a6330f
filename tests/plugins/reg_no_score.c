/* reg_no_score.c - a definition without the required score function. */
#include "imeval_plugin.h"

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "reg_no_score",
    .name = "No score",
    .version = "1.0.0",
    .summary = "forgot the score function",
    .evidence = "none",
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
