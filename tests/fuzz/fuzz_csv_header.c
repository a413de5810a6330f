/* fuzz_csv_header.c - libFuzzer harness for the CSV header row: the input
 * is the header (its newlines made commas, so it stays one row), followed
 * by one row of as many cells.  Besides fuzz_common.h's properties: the
 * reader ends in time on any header (the duplicate check was quadratic),
 * and a repeated column name is reported once, not once per pair. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    char *buf = malloc(2 * size + 8);
    FUZZ_CHECK(buf != NULL);
    size_t n = 0, cells = 1;
    int quoted = 0;
    for (size_t i = 0; i < size; i++) {
        char c = (char)data[i];
        if (c == '"')
            quoted = !quoted;
        if (!quoted && (c == '\n' || c == '\r'))
            c = ',';
        if (!quoted && c == ',')
            cells++;
        buf[n++] = c;
    }
    if (quoted)
        buf[n++] = '"';
    buf[n++] = '\n';
    /* a data row: as many cells as the header has (when it parses so) */
    for (size_t i = 0; i < cells && n < 2 * size + 6; i++)
        buf[n++] = i + 1 < cells ? ',' : 'x';
    buf[n++] = '\n';
    const char *path = fuzz_file((const uint8_t *)buf, n);
    free(buf);
    imv_diags d;
    imv_diags_init(&d);
    imv_read_opts o = {.format = 2};
    imv_reader *r = imv_reader_open(path, &o, &d);
    FUZZ_CHECK(r != NULL);
    for (size_t calls = 0;; calls++) {
        imv_profile *p = NULL;
        int rc = imv_reader_next(r, &p, &d);
        FUZZ_CHECK(calls <= n + 2);
        if (p)
            check_profile(p);
        imv_profile_free(p);
        if (rc == 0)
            break;
    }
    imv_reader_close(r);
    check_diags(&d, path);
    /* Each repeated name once: no two "appears" messages name one column. */
    for (size_t i = 0; i < d.n; i++) {
        const char *a = strstr(d.v[i].message, "\" appears ");
        if (!a || strncmp(d.v[i].message, "column \"", 8) != 0)
            continue;
        for (size_t k = i + 1; k < d.n; k++)
            FUZZ_CHECK(strcmp(d.v[i].message, d.v[k].message) != 0);
    }
    imv_diags_free(&d);
    return 0;
}
