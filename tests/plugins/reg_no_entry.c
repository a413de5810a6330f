/* reg_no_entry.c - a shared object that is not an imeval plugin: it
 * exports a function, but not the entry point. */
#include "imeval_plugin.h"

IMV_EXPORT int not_an_imeval_model(void);
IMV_EXPORT int not_an_imeval_model(void)
{
    return 42;
}
