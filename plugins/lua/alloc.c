/*
 * alloc.c - the Lua host's allocator: a memory cap per state, and small
 * blocks from per-state free lists.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lua_host.h"
#ifdef IMV_LUAJIT
#include <unistd.h>

#include "../jit_worker.h"
#endif

/* ---- the overall cap ---------------------------------------------------------
 *
 * The cap of each state alone let threads x Lua models x --lua-memory grow
 * without bound (2.6 GB at --jobs 128).  All states of the process draw
 * from one pool of I->total_cap bytes (--lua-memory-total), in
 * reservations of RESERVE bytes, so that the shared counter is touched
 * once per RESERVE of growth or shrinkage, not on every allocation. */
#define RESERVE ((size_t)256 * 1024)

static atomic_size_t pool_used;

/* Reserve enough for I->mem to grow to want; 0 when the pool is full. */
static int pool_reserve(lh_inst *I, size_t want)
{
    size_t more = (want - I->reserved + RESERVE - 1) / RESERVE * RESERVE;
    size_t before = atomic_fetch_add(&pool_used, more);
    if (before + more > I->total_cap) {
        atomic_fetch_sub(&pool_used, more);
        I->total_hit = 1;
        return 0;
    }
    I->reserved += more;
    return 1;
}

/* Give back what I->mem no longer needs, keeping one RESERVE in hand. */
static void pool_trim(lh_inst *I)
{
    if (I->reserved - I->mem <= 2 * RESERVE)
        return;
    size_t keep = (I->mem + RESERVE - 1) / RESERVE * RESERVE + RESERVE;
    atomic_fetch_sub(&pool_used, I->reserved - keep);
    I->reserved = keep;
}

void imv_lua_pool_release(lh_inst *I)
{
    atomic_fetch_sub(&pool_used, I->reserved);
    I->reserved = 0;
}

/* Small blocks (up to SMALL_MAX bytes, as Lua reports their size) come
 * from per-state free lists in 16-byte classes, carved from 64 KiB slabs:
 * every call makes a few small tables, and malloc/free for them cost 7%
 * of a bulk run.  A state is used by one thread at a time, so no locks.
 * Which allocator a block came from follows from the size Lua gives back,
 * so a block never changes sides without a copy.  Slabs are released with
 * the state; the memory cap counts what Lua asked for, as before. */
#define SMALL_MAX 256
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

/* A refusal: NULL, or under the JIT host in a batch the end of the
 * worker (see IMV_JIT_MEMORY_EXIT). */
static void *refuse(const lh_inst *I)
{
#ifdef IMV_LUAJIT
    if (I->in_batch)
        _exit(IMV_JIT_MEMORY_EXIT);
#else
    (void)I;
#endif
    return NULL;
}

void *imv_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    lh_inst *I = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        if (!ptr)
            return NULL; /* Lua frees empty parts too: most of its frees */
        if (old <= SMALL_MAX)
            small_put(I, ptr, small_class(old));
        else
            free(ptr);
        I->mem -= old;
        if (I->total_cap)
            pool_trim(I);
        return NULL;
    }
    if (I->cap && nsize > old && I->mem + (nsize - old) > I->cap)
        return refuse(I);
    if (I->total_cap && nsize > old && I->mem + (nsize - old) > I->reserved &&
        !pool_reserve(I, I->mem + (nsize - old)))
        return refuse(I);
    void *p;
    if (ptr && old <= SMALL_MAX && nsize <= SMALL_MAX && small_class(old) == small_class(nsize)) {
        p = ptr; /* fits where it is */
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
    if (!p)
        return refuse(I);
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
