/* batch_executive_partnership.c - models/executive_partnership.c with a batch path (see batch_wrap.h). */
#define BATCH_MODEL_SRC "../../models/executive_partnership.c"
#include "batch_wrap.h"
