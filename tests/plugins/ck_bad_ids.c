/* ck_bad_ids.c - check-model fixture: an empty summary (see ck_common.h). */
#define CK_ID "ck_bad_ids"
#define CK_SUMMARY " "
#include "ck_common.h"
