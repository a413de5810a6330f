#define _GNU_SOURCE
#define ISO_ID "iso_partial"
#include "iso_common.h"
#include <sys/stat.h>
/* Half a reply on the connection to imeval (a length of 100 bytes, then
 * 10 of them), then sleep for ever: the reply's end must have a deadline. */
static void misbehave(void)
{
    for (int fd = 3; fd < 1024; fd++) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
            unsigned n = 100;
            char part[10] = {0};
            if (write(fd, &n, sizeof n) != (ssize_t)sizeof n || write(fd, part, sizeof part) < 0)
                break;
        }
    }
    for (;;)
        pause();
}
