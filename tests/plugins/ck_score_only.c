/* ck_score_only.c - check-model fixture: scores otherwise when asked for the score only (see ck_common.h). */
#define CK_ID "ck_score_only"
#define CK_SCORE_ONLY_DIFFERS 1
#include "ck_common.h"
