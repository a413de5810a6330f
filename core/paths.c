/*
 * paths.c - where imeval's own files are, found from the program's
 * location so that the build tree and an installed copy both work without
 * a configured prefix: the templates and case outcomes (data), and the
 * pkg-config directory of the plugin SDK.
 *
 *   build tree:  build/imeval       data  build/../   (the source tree)
 *                                   pc    build/pkgconfig (imeval-plugin-uninstalled.pc)
 *   installed:   PREFIX/bin/imeval  data  PREFIX/share/imeval/
 *                                   pc    PREFIX/lib/pkgconfig (imeval-plugin.pc)
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* The directory of the running program, or -1. */
static int exe_dir(char *out, size_t len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    return snprintf(out, len, "%s", exe) < (int)len ? 0 : -1;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int imv_data_path(const char *rel, char *out, size_t len)
{
    const char *env = getenv("IMEVAL_DATA_DIR");
    char dir[PATH_MAX];
    if (env && *env)
        return snprintf(out, len, "%s/%s", env, rel) < (int)len && exists(out) ? 0 : -1;
    if (exe_dir(dir, sizeof dir))
        return -1;
    /* a build directory's link to its source tree (the Makefile makes it,
     * wherever BUILD is), the tree above a build directory inside it, and
     * an installed PREFIX/share/imeval, in that order */
    static const char *const base[] = {"/source-tree", "/..", "/../share/imeval"};
    for (size_t i = 0; i < sizeof base / sizeof *base; i++)
        if (snprintf(out, len, "%s%s/%s", dir, base[i], rel) < (int)len && exists(out))
            return 0;
    return -1;
}

int imv_sdk_pkgconfig_dir(char *out, size_t len)
{
    char dir[PATH_MAX], probe[PATH_MAX + 64];
    if (exe_dir(dir, sizeof dir))
        return -1;
    static const char *const where[][2] = {
        {"/pkgconfig", "imeval-plugin-uninstalled.pc"},
        {"/../lib/pkgconfig", "imeval-plugin.pc"},
    };
    for (size_t i = 0; i < 2; i++) {
        snprintf(probe, sizeof probe, "%s%s/%s", dir, where[i][0], where[i][1]);
        if (exists(probe)) {
            snprintf(probe, sizeof probe, "%s%s", dir, where[i][0]);
            char *real = realpath(probe, NULL);
            int rc = real && snprintf(out, len, "%s", real) < (int)len ? 0 : -1;
            free(real);
            return rc;
        }
    }
    return -1;
}
