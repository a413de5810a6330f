/* batch_self_improvement.c - models/self_improvement.c with a batch path (see batch_wrap.h). */
#define BATCH_MODEL_SRC "../../models/self_improvement.c"
#include "batch_wrap.h"
