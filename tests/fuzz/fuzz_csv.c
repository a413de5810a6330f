/* fuzz_csv.c - libFuzzer harness for the CSV profile reader: libcsv with
 * RFC 4180 quoting, line numbers across quoted newlines, row and cell
 * checks, ranges like 1..2..3, and the same validator as JSON.  See
 * fuzz_common.h for the properties checked. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read(data, size, 2, 0);
    return 0;
}
