/* ck_no_reason.c - check-model fixture: explains nothing: a score with no reason (see ck_common.h). */
#define CK_ID "ck_no_reason"
#define CK_NO_REASON 1
#include "ck_common.h"
