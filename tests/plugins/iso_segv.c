#define ISO_ID "iso_segv"
#include "iso_common.h"
static void misbehave(void)
{
    volatile int *p = NULL;
    *p = 1;
}
