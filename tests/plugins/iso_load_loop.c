/* A constructor that never returns: loading it is refused at a deadline. */
#include "imeval_plugin.h"
__attribute__((constructor)) static void spin(void)
{
    for (volatile unsigned long i = 0;; i++)
        ;
}
IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return 0;
}
