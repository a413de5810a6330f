/* ck_bad_batch.c - check-model fixture: a batch path that does not give what single calls give (see ck_common.h). */
#define CK_ID "ck_bad_batch"
#define CK_BATCH 2
#include "ck_common.h"
