/*
 * json_same.h - whether two cJSON trees are the same to the last field
 * cJSON has: type, valueint, valuedouble's bits, key, string, and the
 * links of every list (the head's prev is its last node).  For the test
 * and the fuzzer that hold core/json_fast.c's trees against cJSON's.
 */
#ifndef IMV_TEST_JSON_SAME_H
#define IMV_TEST_JSON_SAME_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static inline int json_same_text(const char *a, const char *b)
{
    return (a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0);
}

/* 1 when the list from head is linked as cJSON links one. */
static inline int json_links_ok(const cJSON *head)
{
    const cJSON *last = head;
    for (; last && last->next; last = last->next)
        if (last->next->prev != last)
            return 0;
    return !head || head->prev == last;
}

/* 1 when a is b; else 0, with where and how they differ in why. */
static inline int json_same_tree(const cJSON *a, const cJSON *b, const char *path, char *why, size_t n)
{
    const char *what = a->type != b->type                                              ? "type"
                       : a->valueint != b->valueint                                    ? "valueint"
                       : memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) != 0 ? "number"
                       : !json_same_text(a->string, b->string)                         ? "key"
                       : !json_same_text(a->valuestring, b->valuestring)               ? "string"
                       : !json_links_ok(a->child)                                      ? "links"
                                                                                       : NULL;
    if (what) {
        snprintf(why, n, "%s: the %s differ (numbers %.17g against cJSON's %.17g)", path, what,
                 a->valuedouble, b->valuedouble);
        return 0;
    }
    const cJSON *x = a->child, *y = b->child;
    for (int i = 0; x || y; i++, x = x->next, y = y->next) {
        char sub[200];
        snprintf(sub, sizeof sub, "%.150s/%d", path, i);
        if (!x || !y) {
            snprintf(why, n, "%s: %s", sub, x ? "a node cJSON has not" : "a node missing");
            return 0;
        }
        if (!json_same_tree(x, y, sub, why, n))
            return 0;
    }
    return 1;
}

#endif
