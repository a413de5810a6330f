/* A definition whose name is a wild pointer: reading it crashes, in the
 * loading child and not in imeval. */
#include "imeval_plugin.h"
#include <stdint.h>
static int score(const imv_profile_view *p, const double *params, imv_result *r, const imv_host *h)
{
    (void)p;
    (void)params;
    h->set_score(r, 1);
    return 0;
}
static imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "iso_load_wild",
    .version = "1",
    .summary = "s",
    .evidence = "e",
    .score = score,
};
IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    def.name = (const char *)(uintptr_t)0x10;
    return &def;
}
