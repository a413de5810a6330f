/*
 * alloc.c - the Lua host's allocator: a memory cap per state, and small
 * blocks from per-state free lists.
 */
#include <stdlib.h>
#include <string.h>

#include "lua_host.h"


/* Small blocks (up to SMALL_MAX bytes, as Lua reports their size) come
 * from per-state free lists in 16-byte classes, carved from 64 KiB slabs:
 * every call makes a few small tables, and malloc/free for them cost 7%
 * of a bulk run.  A state is used by one thread at a time, so no locks.
 * Which allocator a block came from follows from the size Lua gives back,
 * so a block never changes sides without a copy.  Slabs are released with
 * the state; the memory cap counts what Lua asked for, as before. */
#define SMALL_MAX 128
#define SLAB_SIZE (64 * 1024)

static void *small_get(lh_inst *I, size_t cls)
{
    void *p = I->small[cls];
    if (p) {
        I->small[cls] = *(void **)p;
        return p;
    }
    size_t size = cls * 16;
    if (I->bump_left < size) {
        struct slab *sl = malloc(SLAB_SIZE);
        if (!sl)
            return NULL;
        sl->next = I->slabs;
        I->slabs = sl;
        I->bump = (char *)(sl + 1);
        I->bump_left = SLAB_SIZE - sizeof *sl;
    }
    p = I->bump;
    I->bump += size;
    I->bump_left -= size;
    return p;
}

static void small_put(lh_inst *I, void *p, size_t cls)
{
    *(void **)p = I->small[cls];
    I->small[cls] = p;
}

static size_t small_class(size_t n)
{
    return (n + 15) / 16;
}

void *imv_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    lh_inst *I = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        if (ptr && old <= SMALL_MAX)
            small_put(I, ptr, small_class(old));
        else
            free(ptr);
        I->mem -= old;
        return NULL;
    }
    if (I->cap && nsize > old && I->mem + (nsize - old) > I->cap)
        return NULL;
    void *p;
    if (ptr && old <= SMALL_MAX && nsize <= SMALL_MAX && small_class(old) == small_class(nsize)) {
        p = ptr;                                  /* fits where it is */
    } else if (ptr && old > SMALL_MAX && nsize > SMALL_MAX) {
        p = realloc(ptr, nsize);
    } else {
        p = nsize <= SMALL_MAX ? small_get(I, small_class(nsize)) : malloc(nsize);
        if (p && ptr) {
            memcpy(p, ptr, old < nsize ? old : nsize);
            if (old <= SMALL_MAX)
                small_put(I, ptr, small_class(old));
            else
                free(ptr);
        }
    }
    if (p)
        I->mem = I->mem - old + nsize;
    return p;
}

void imv_lua_slabs_free(lh_inst *I)
{
    while (I->slabs) {
        struct slab *next = I->slabs->next;
        free(I->slabs);
        I->slabs = next;
    }
}
