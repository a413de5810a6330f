/* ck_bad_fit.c - check-model fixture: the components it gives of its partner's fit (40 + 15) do not sum to the fit (50) (see ck_common.h). */
#define CK_ID "ck_bad_fit"
#define CK_GRADE_POINTS 15
#include "ck_common.h"
