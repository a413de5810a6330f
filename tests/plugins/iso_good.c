#define ISO_ID "iso_good"
#include "iso_common.h"
static void misbehave(void) {}
