/*
 * json_arena.c - a profile's JSON tree from one allocation, not hundreds.
 *
 * cJSON allocates every node, key and string on its own and frees each
 * again: for a stream of profiles, whose trees live only while a profile
 * is read, that was half of the parse (perf).  Once installed, the hooks
 * below serve the allocations of imv_json_arena_parse from a block of the
 * calling thread's, and the tree is dropped whole.  Every other use of
 * cJSON (outputs, the server, plugins) still gets malloc and free: the
 * hooks pass through unless the calling thread is inside that parse.
 * The parse itself is json_fast.c's where it can be, cJSON's otherwise.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"

typedef struct block {
    struct block *next;
    size_t used, cap;
} block;

#define ALIGN 16u /* as malloc's: cJSON stores pointers and doubles */
#define MIN_BLOCK (16u << 10)

static int installed; /* set once, before any thread starts */
static _Thread_local int parsing;
static _Thread_local block *blocks;

#define HEADER ((sizeof(block) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

/* A new block of cap bytes, first in the thread's list; NULL when out
 * of memory (then cJSON fails the parse, as with malloc). */
static block *new_block(size_t cap)
{
    block *b = malloc(HEADER + cap);
    if (!b)
        return NULL;
    b->next = blocks;
    b->used = 0;
    b->cap = cap;
    blocks = b;
    return b;
}

static void *arena_malloc(size_t n)
{
    if (!parsing)
        return malloc(n);
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    block *b = blocks;
    if ((!b || b->cap - b->used < n) && !(b = new_block(n > MIN_BLOCK ? n : MIN_BLOCK)))
        return NULL;
    void *p = (char *)b + HEADER + b->used;
    b->used += n;
    return p;
}

/* 1 when p lies in one of the thread's blocks. */
static int in_blocks(const void *p)
{
    for (const block *b = blocks; b; b = b->next)
        if ((uintptr_t)p >= (uintptr_t)b + HEADER && (uintptr_t)p < (uintptr_t)b + HEADER + b->used)
            return 1;
    return 0;
}

/* Inside the parse cJSON frees only what that parse allocated (a failed
 * parse frees its partial tree): that goes with the arena. */
static void arena_free(void *p)
{
    if (!parsing)
        free(p);
}

static void drop_blocks(void)
{
    while (blocks) {
        block *next = blocks->next;
        free(blocks);
        blocks = next;
    }
}

void imv_json_arena_install(void)
{
    cJSON_Hooks h = {arena_malloc, arena_free};
    cJSON_InitHooks(&h);
    installed = 1;
}

/* The tree of text: by json_fast.c when it can, else by cJSON. */
static cJSON *parse(const char *text, size_t len, const char **end)
{
    cJSON *j = imv_json_fast_parse(text, len, end);
    if (j)
        return j;
    if (parsing) /* what the fast parser left is garbage: start again */
        for (block *b = blocks; b; b = b->next)
            b->used = 0;
    return cJSON_ParseWithLengthOpts(text, len, end, 0);
}

cJSON *imv_json_arena_parse(const char *text, size_t len, const char **end)
{
    /* Not installed, or this thread holds a tree still: a tree of its own. */
    if (!installed || blocks)
        return parse(text, len, end);
    parsing = 1;
    /* A first block the size a tree takes: 2.5-3.5 times its text for
     * the indented cases, up to 5.6 times for synth's compact lines. */
    new_block(len * 6 + 1024);
    cJSON *j = parse(text, len, end);
    parsing = 0;
    if (!j)
        drop_blocks();
    return j;
}

void imv_json_arena_release(cJSON *tree)
{
    if (tree && in_blocks(tree))
        drop_blocks();
    else
        cJSON_Delete(tree);
}
