#define _GNU_SOURCE
#define ISO_ID "iso_forged"
#include "iso_common.h"
#include <stdint.h>
#include <sys/stat.h>
/* A forged frame of answer records (plugins/isolate.c FRAME_ANSWERS) on
 * the connection to imeval, then sleep for ever.  ISO_FORGED says how:
 *   count         it answers two draws when one was asked for;
 *   length        its length is not its count's;
 *   reply-count   two answers said to lie in the reply area, one asked for;
 *   reply-length  answers said to lie in the reply area, with a body too;
 *   reply-record  one answer in the reply area, its unmet count past any
 *                 a record may hold (written there first).
 * imeval must refuse each as a malformed reply. */
#define FRAME_ANSWERS 0x80000000u
#define FRAME_IN_REPLY 0x40000000u

/* The reply area's mapping in this process, or NULL. */
static unsigned char *reply_area(void)
{
    unsigned long lo, hi;
    iso_find_mapping("imeval-answers", &lo, &hi);
    return (unsigned char *)lo;
}

static void misbehave(void)
{
    const char *mode = getenv("ISO_FORGED");
    mode = mode ? mode : "length";
    uint32_t head[2] = {0, 1u | FRAME_ANSWERS};
    unsigned char rec[2 * 48];
    memset(rec, 0, sizeof rec);
    size_t body = 10;
    if (strcmp(mode, "count") == 0) {
        head[1] = 2u | FRAME_ANSWERS;
        body = sizeof rec;
    } else if (strncmp(mode, "reply-", 6) == 0) {
        head[1] = (strcmp(mode, "reply-count") == 0 ? 2u : 1u) | FRAME_ANSWERS | FRAME_IN_REPLY;
        body = strcmp(mode, "reply-length") == 0 ? 48 : 0;
        unsigned char *area = reply_area();
        if (!area)
            _exit(31); /* no reply area to forge answers in */
        if (strcmp(mode, "reply-record") == 0) {
            uint32_t lie[4] = {0, 1, 100000, 0}; /* declined, has_score, n_unmet, pad */
            memset(area, 0, 48);
            memcpy(area, lie, sizeof lie);
        }
    }
    head[0] = (uint32_t)(sizeof head[1] + body);
    for (int fd = 3; fd < 1024; fd++) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
            if (write(fd, head, sizeof head) != (ssize_t)sizeof head ||
                (body && write(fd, rec, body) < 0))
                break;
        }
    }
    for (;;)
        pause();
}
