/* batch_commissioner.c - models/commissioner.c with a batch path (see batch_wrap.h). */
#define BATCH_MODEL_SRC "../../models/commissioner.c"
#include "batch_wrap.h"
