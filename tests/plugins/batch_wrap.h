/*
 * batch_wrap.h - give a bundled C model a batch path without touching
 * models/ (owned by the models' authors): the model's source is compiled
 * in with its entry point renamed, and a new entry point returns a copy
 * of its definition with score_batch set to a loop over score.  The model
 * id stays the same, so `--no-bundled --models DIR` of these wrappers must
 * give byte-identical output to the bundled models: that is what
 * tests/e2e/batch_path.sh checks, and bench/ measures the batch path with.
 *
 * usage, in a .c of its own:
 *     #define BATCH_MODEL_SRC "../../models/improvement_board.c"
 *     #include "batch_wrap.h"
 */
#define imeval_model batch_wrap_inner_model
#include BATCH_MODEL_SRC
#undef imeval_model

#include <stdio.h>

static imv_model_def batch_wrap_def; /* set once, at load */
static const imv_model_def *batch_wrap_inner;

static int batch_wrap_score_batch(const imv_profile_view *const *batch_views,
                                  const double *const *batch_params, size_t n,
                                  imv_result *const *results, const imv_host *host)
{
    for (size_t i = 0; i < n; i++) {
        int rc = batch_wrap_inner->score(batch_views[i], batch_params[i], results[i], host);
        if (rc != 0) {
            /* what the engine says for a single call that fails silently */
            char msg[80];
            snprintf(msg, sizeof msg, "plugin returned error code %d without a message", rc);
            host->set_error(results[i], msg);
        }
    }
    return 0;
}

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *host);

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *host)
{
    batch_wrap_inner = batch_wrap_inner_model(host);
    if (!batch_wrap_inner)
        return NULL;
    batch_wrap_def = *batch_wrap_inner;
    batch_wrap_def.struct_size = sizeof batch_wrap_def;
    batch_wrap_def.score_batch = batch_wrap_score_batch;
    return &batch_wrap_def;
}
