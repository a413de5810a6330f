/* reg_bad_output.c - hands back something wrong, chosen by the profile id,
 * so one plugin covers every check the host makes on a plugin's output:
 *   nan, inf, over, under  the score NaN, infinite, 150, -1
 *   none                   no score at all
 *   utf8                   a reason text that is not UTF-8
 *   long                   a risk longer than the host accepts
 *   months                 a timeline of 5000 months
 *   fit                    a partner fit of 120
 *   err                    set_error with a message
 *   rc                     a non-zero return without a message
 *   anything else          a good result (score 55)
 */
#include <math.h>
#include <string.h>

#include "imeval_plugin.h"

static int is(const imv_profile_view *p, const char *s)
{
    return strcmp(p->id, s) == 0;
}

static int score(const imv_profile_view *p, const double *params, imv_result *r, const imv_host *h)
{
    (void)params;
    if (is(p, "none"))
        return 0;
    if (is(p, "err")) {
        h->set_error(r, "the fixture cannot score this profile");
        return 1;
    }
    if (is(p, "rc"))
        return 3;
    h->set_score(r, is(p, "nan")     ? NAN
                    : is(p, "inf")   ? INFINITY
                    : is(p, "over")  ? 150
                    : is(p, "under") ? -1
                                     : 55);
    if (is(p, "utf8"))
        h->add_reason(r, "ratings.acceptance", 1, "caf\xe9 latin-1", "none");
    if (is(p, "long")) {
        static char big[5000];
        memset(big, 'x', sizeof big - 1);
        h->add_risk(r, big);
    }
    if (is(p, "months"))
        h->set_timeline(r, 1, 5000, IMV_UNKNOWN);
    if (is(p, "fit"))
        h->set_partner(r, "hampshire", 120);
    return 0;
}

static const imv_model_def def = {
    .struct_size = sizeof def,
    .abi = IMV_PLUGIN_ABI,
    .id = "reg_bad_output",
    .name = "Bad output",
    .version = "1.0.0",
    .summary = "misbehaves in its result, by profile id",
    .evidence = "none",
    .score = score,
};

IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
{
    (void)h;
    return &def;
}
