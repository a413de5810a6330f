/* ck_stateful.c - check-model fixture: keeps state between calls, so two runs differ (see ck_common.h). */
#define CK_ID "ck_stateful"
#define CK_STATEFUL 1
#include "ck_common.h"
