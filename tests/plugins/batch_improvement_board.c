/* batch_improvement_board.c - models/improvement_board.c with a batch path (see batch_wrap.h). */
#define BATCH_MODEL_SRC "../../models/improvement_board.c"
#include "batch_wrap.h"
