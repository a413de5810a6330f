/* ck_no_evidence.c - check-model fixture: cites nothing: its reason has no evidence (see ck_common.h). */
#define CK_ID "ck_no_evidence"
#define CK_EVIDENCE ""
#include "ck_common.h"
