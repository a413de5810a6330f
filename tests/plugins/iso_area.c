#define _GNU_SOURCE
#define ISO_ID "iso_area"
#include <fcntl.h>
#include <sys/mman.h>

#include "iso_common.h"
/* Attack the request area imeval writes the worker's requests into
 * (plugins/isolate.c): it must be out of reach.  Each way in that works
 * exits with its own status (the test names it); when none works the call
 * scores, and imeval, which writes the next request there, must live.
 * The reply area the worker writes answers into must be there, but no
 * more in reach than that: its descriptor closed, and it cannot shrink
 * under imeval, which reads it. */
static void reply_attack(void)
{
    if (fcntl(5, F_GET_SEALS) >= 0)
        _exit(26); /* the reply area's descriptor was left open */
    unsigned long lo, hi;
    iso_find_mapping("imeval-answers", &lo, &hi);
    if (!hi)
        _exit(27); /* no reply area: the answers crossed the socket */
    char path[128];
    snprintf(path, sizeof path, "/proc/self/map_files/%lx-%lx", lo, hi);
    int fd = open(path, O_RDWR); /* root may; others may not */
    if (fd >= 0) {
        if (ftruncate(fd, 0) == 0)
            _exit(28); /* shrunk: imeval's next read would fault */
        close(fd);
    }
}

static void misbehave(void)
{
    reply_attack();
    if (fcntl(4, F_GET_SEALS) >= 0)
        _exit(21); /* the area's descriptor was left open */
    unsigned long lo, hi;
    iso_find_mapping("imeval-requests", &lo, &hi);
    if (!hi)
        _exit(22); /* no area: the requests crossed the socket */
    if (mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE) == 0)
        _exit(23); /* made writable */
    char path[128];
    snprintf(path, sizeof path, "/proc/self/map_files/%lx-%lx", lo, hi);
    int fd = open(path, O_RDWR); /* root may; others may not */
    if (fd >= 0) {
        if (ftruncate(fd, 0) == 0)
            _exit(24); /* shrunk: imeval's next write would fault */
        void *p = mmap(NULL, hi - lo, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED)
            _exit(25); /* mapped writable */
        close(fd);
    }
}
