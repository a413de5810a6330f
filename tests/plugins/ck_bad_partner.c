/* ck_bad_partner.c - check-model fixture: names a partner council that is not among the profile's candidates (see ck_common.h). */
#define CK_ID "ck_bad_partner"
#define CK_BAD_PARTNER 1
#include "ck_common.h"
