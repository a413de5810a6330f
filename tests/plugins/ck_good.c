/* ck_good.c - check-model fixture: keeps every rule, with a batch path that agrees (see ck_common.h). */
#define CK_ID "ck_good"
#define CK_BATCH 1
#include "ck_common.h"
