/* ck_bad_timeline.c - check-model fixture: reaches fair after good (see ck_common.h). */
#define CK_ID "ck_bad_timeline"
#define CK_BAD_TIMELINE 1
#include "ck_common.h"
