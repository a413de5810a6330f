#define _GNU_SOURCE
#define ISO_ID "iso_forged"
#include "iso_common.h"
#include <stdint.h>
#include <sys/stat.h>
/* A forged frame of answer records (plugins/isolate.c FRAME_ANSWERS) on
 * the connection to imeval, then sleep for ever: with ISO_FORGED=count it
 * answers two draws when one was asked for; otherwise its length is not
 * its count's.  imeval must refuse either as a malformed reply. */
static void misbehave(void)
{
    const char *mode = getenv("ISO_FORGED");
    int lie_count = mode && strcmp(mode, "count") == 0;
    uint32_t head[2] = {0, (lie_count ? 2u : 1u) | 0x80000000u};
    unsigned char rec[2 * 48];
    memset(rec, 0, sizeof rec);
    size_t body = lie_count ? sizeof rec : 10;
    head[0] = (uint32_t)(sizeof head[1] + body);
    for (int fd = 3; fd < 1024; fd++) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
            if (write(fd, head, sizeof head) != (ssize_t)sizeof head || write(fd, rec, body) < 0)
                break;
        }
    }
    for (;;)
        pause();
}
