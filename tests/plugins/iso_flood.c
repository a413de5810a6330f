#define ISO_ID "iso_flood"
#include "iso_common.h"
static void misbehave(void)
{
    for (int i = 0; i < 100000; i++)
        printf("flooding the output with text that nobody asked for %d\n", i);
    fflush(stdout);
}
