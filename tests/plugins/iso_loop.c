#define ISO_ID "iso_loop"
#include "iso_common.h"
static void misbehave(void)
{
    for (volatile unsigned long i = 0;; i++)
        ;
}
