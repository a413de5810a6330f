/*
 * gen_jsonl.c - write valid profiles as JSON Lines to standard output, each
 * with its own id, until N bytes (whole lines only) or forever with N = 0.
 * The robustness tests pipe it into `imeval validate -` / `evaluate -` so
 * that a gigabyte of input never touches the disk.
 *
 * usage: gen_jsonl BYTES [uncertain]
 *   uncertain: give every profile a few rating ranges (for --draws).
 * The ratings vary with the line number so the models see different
 * profiles; the output is the same on every run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: gen_jsonl BYTES [uncertain]\n", stderr);
        return 2;
    }
    unsigned long long limit = strtoull(argv[1], NULL, 10), written = 0;
    int uncertain = argc > 2 && strcmp(argv[2], "uncertain") == 0;
    static char line[4096];
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    for (unsigned long i = 1;; i++) {
        int a = (int)(i % 5), b = (int)(i / 5 % 5), c = (int)(i / 25 % 5);
        char rng[64];
        if (uncertain)
            snprintf(rng, sizeof rng, "{\"low\":%d,\"mode\":%d.5,\"high\":4}", a > 3 ? 3 : a,
                     a > 3 ? 3 : a);
        else
            snprintf(rng, sizeof rng, "%d", a);
        int n = snprintf(
            line, sizeof line,
            "{\"format\":\"imeval-profile/1\",\"id\":\"gen-%09lu\",\"name\":\"Generated council %lu\","
            "\"as_of\":\"2015-06\",\"source\":\"tests/tools/gen_jsonl.c\","
            "\"size\":{\"child_population\":%lu,\"children_in_care\":%lu},"
            "\"ofsted\":{\"grade\":\"inadequate\",\"previous\":[\"requires_improvement\"]},"
            "\"ratings\":{\"senior_leadership\":%s,\"middle_leadership\":%d,"
            "\"leadership_stability\":%d,\"political_commitment\":%d,\"corporate_leadership\":%d,"
            "\"acceptance\":%s,\"governance\":%d,\"partnerships\":%d,\"self_assessment\":%d,"
            "\"workforce_stability\":%d,\"financial_resilience\":%d,\"failure_extent\":%d,"
            "\"initial_response\":%d},"
            "\"facts\":{\"failure_years\":%d,\"agency_rate\":0.%d},"
            "\"current_intervention\":null,\"partners\":[{\"id\":\"partner-%lu\","
            "\"name\":\"Partner\",\"grade\":\"good\",\"neighbouring\":true,"
            "\"child_population\":90000,\"spare_leadership_capacity\":3,\"current_commitments\":0}]}\n",
            i, i, 20000 + i % 100000, 100 + i % 900, rng, b, c, (a + b) % 5, (b + c) % 5, rng,
            (a + c) % 5, a, b, c, (a + 1) % 5, (b + 2) % 5, (c + 3) % 5, c, a, i);
        if (limit && written + (unsigned long long)n > limit)
            break;
        if (fwrite(line, 1, (size_t)n, stdout) != (size_t)n)
            return 0; /* the reader went away: that is its business */
        written += (unsigned long long)n;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
