#define _GNU_SOURCE
#define ISO_ID "iso_closefds"
#include "iso_common.h"
/* Close every descriptor, then spin: imeval sees its connection end, and
 * must kill the process rather than wait for it to exit. */
static void misbehave(void)
{
    for (int fd = 0; fd < 1024; fd++)
        close(fd);
    for (volatile unsigned long i = 0;; i++)
        ;
}
