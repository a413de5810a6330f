#define ISO_ID "iso_abort"
#include "iso_common.h"
static void misbehave(void)
{
    abort();
}
