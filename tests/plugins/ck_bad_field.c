/* ck_bad_field.c - check-model fixture: names ratings.nonsense, which is not a profile field (see ck_common.h). */
#define CK_ID "ck_bad_field"
#define CK_FIELDS "ratings.acceptance,ratings.nonsense"
#include "ck_common.h"
