/* ck_brief.c - check-model fixture: a brief call (a CSV) leaves out the timeline (see ck_common.h). */
#define CK_ID "ck_brief"
#define CK_BRIEF_DIFFERS 1
#include "ck_common.h"
