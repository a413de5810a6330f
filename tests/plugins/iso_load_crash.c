/* A constructor that crashes: loading it must not take imeval down. */
#include "imeval_plugin.h"
#include <signal.h>
__attribute__((constructor)) static void crash(void)
{
    raise(SIGSEGV);
}
IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return 0;
}
