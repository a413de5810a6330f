/*
 * assets.c - the page's files, compiled in by tools/embed.c
 * (build/gen/assets.c): the only things served that are not the API.
 * A path is looked up in that table and nowhere else.
 */
#include <string.h>

#include "serve.h"

typedef struct imv_serve_asset {
    const char *path, *type;
    const unsigned char *data;
    size_t len;
} imv_serve_asset;

extern const imv_serve_asset imv_serve_assets[];

const imv_srv_asset *imv_srv_asset_find(const char *path)
{
    _Static_assert(sizeof(imv_srv_asset) == sizeof(imv_serve_asset), "the generated table's rows");
    for (size_t i = 0; path && imv_serve_assets[i].path; i++)
        if (strcmp(imv_serve_assets[i].path, path) == 0)
            return (const imv_srv_asset *)&imv_serve_assets[i];
    return NULL;
}
