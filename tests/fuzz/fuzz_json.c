/* fuzz_json.c - libFuzzer harness for the JSON profile reader: the scanner
 * (depth, size, NUL, UTF-8 limits), cJSON and the validator, on one
 * object, arrays, JSON Lines and anything else.  The first byte's low bit
 * picks --strict.  See fuzz_common.h for the properties checked. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read(data, size, 1, size > 0 && (data[0] & 1));
    return 0;
}
