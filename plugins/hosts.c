/*
 * hosts.c - the loader table: which plugin host loads a file, by its
 * suffix.  The registry asks here and nowhere else, so a third host is
 * one line below and one load function in its own file.
 *
 * The hosts are compiled into the engine library (Makefile CORE_SRC):
 * core/ calls down into plugins/ through this table only, and the hosts
 * call back into core/ only for core/model.c and the host table.
 */
#include <string.h>

#include "internal.h"

static int load_native(imv_model *m, const char *path, const imv_limits *limits, char *err,
                       size_t errlen)
{
    (void)limits;
    return imv_native_load(m, path, err, errlen);
}

static const imv_loader loaders[] = {
    {".so", load_native, 1},
    {".lua", imv_lua_load, 0},
};

/* A name is the suffix with at least one character before it. */
static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n > k && strcmp(s + n - k, suf) == 0;
}

const imv_loader *imv_loader_for(const char *path)
{
    for (size_t i = 0; i < sizeof loaders / sizeof loaders[0]; i++)
        if (has_suffix(path, loaders[i].suffix))
            return &loaders[i];
    return NULL;
}
