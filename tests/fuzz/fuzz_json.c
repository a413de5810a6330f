/* fuzz_json.c - libFuzzer harness for the JSON profile reader: the scanner
 * (depth, size, NUL, UTF-8 limits), the parsers and the validator, on one
 * object, arrays, JSON Lines and anything else.  The first byte's low bit
 * picks --strict.  See fuzz_common.h for the properties checked; besides
 * them, a tree core/json_fast.c builds for the input is cJSON's. */
#include "../json_same.h"
#include "fuzz_common.h"

/* Where the fast parser takes text, cJSON takes it too, to the same tree
 * and the same end. */
static void fast_is_cjson(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    const char *fast_end = NULL, *end = NULL;
    cJSON *a = imv_json_fast_parse(text, size, &fast_end);
    if (a) {
        cJSON *b = cJSON_ParseWithLengthOpts(text, size, &end, 0);
        char why[400];
        FUZZ_CHECK(b != NULL);
        FUZZ_CHECK(json_same_tree(a, b, "", why, sizeof why));
        FUZZ_CHECK(fast_end == end);
        cJSON_Delete(b);
        cJSON_Delete(a);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read(data, size, 1, size > 0 && (data[0] & 1));
    fast_is_cjson(data, size);
    return 0;
}
