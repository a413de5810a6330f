/* ck_bad_direction.c - check-model fixture: declares that more acceptance never raises the score, and it does (see ck_common.h). */
#define CK_ID "ck_bad_direction"
#define CK_DIRECTIONS "acceptance:-"
#include "ck_common.h"
