#define ISO_ID "iso_exit"
#include "iso_common.h"
static void misbehave(void)
{
    exit(3);
}
