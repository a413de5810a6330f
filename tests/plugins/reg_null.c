/* reg_null.c - a plugin whose entry point refuses to load (returns NULL). */
#include "imeval_plugin.h"

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return 0;
}
