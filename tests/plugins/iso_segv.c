#define ISO_ID "iso_segv"
#include "iso_common.h"
/* The pointer itself is volatile, so no optimiser can see that it is NULL
 * and turn the fault into a trap or drop it: a genuine SIGSEGV. */
static int *volatile target;
static void misbehave(void)
{
    *target = 1;
}
