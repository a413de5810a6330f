/* cmd_synth.c - `imeval synth`: realistic synthetic profiles as JSON Lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char synopsis[] = "[options]";
static const char about[] =
    "Write N synthetic but realistic authority profiles as JSON Lines (the\n"
    "profile format), for benchmarks, stress tests and fuzz corpora.  Grades\n"
    "follow the 78 authorities inspected 2012-2016 (20 inadequate, 41 requires\n"
    "improvement, 17 good in every 78); ratings are correlated through a latent\n"
    "capacity factor (failure_extent against it); some ratings are ranges, some\n"
    "profiles carry facts, partner councils or a current intervention; a third of\n"
    "the lists of partners hold two or three good or outstanding neighbours with\n"
    "spare capacity.  Dates are drawn from 2012-2016 unless --years or --as-of\n"
    "say otherwise; the date never changes the rest of a profile.  The same seed\n"
    "gives the same profiles, and a smaller --count gives a prefix.\n\n"
    "examples:  imeval synth --count 153 --seed 7 | imeval evaluate --draws 1000 -\n"
    "           imeval synth --count 10000 --years 2017-2024 | imeval evaluate -";

int cmd_synth(int argc, char **argv)
{
    cli_cmd c;
    imv_synth *g = NULL;
    int rc = cli_begin(&c, argc, argv, CMD_SYNTH, "synth", synopsis, about);
    if (rc != CLI_GO)
        goto done;
    const cli_opts *o = &c.o;
    if (o->args.n) {
        rc = cli_usage_error("synth", "unexpected argument \"%s\": synth reads no file",
                             o->args.v[0]);
        goto done;
    }
    imv_synth_opts so = {0, 0, o->as_of};
    char err[256];
    if (o->years && imv_synth_parse_years(o->years, &so, err, sizeof err)) {
        rc = cli_usage_error("synth", "--years: %s", err);
        goto done;
    }
    g = imv_synth_new_opts(o->seed, &so, err, sizeof err);
    if (!g) {
        rc = cli_usage_error("synth", "%s", err);
        goto done;
    }
    if ((rc = cli_open_output(&c)) != CLI_GO)
        goto done;
    cli_catch_signals();
    static char obuf[1 << 16];
    setvbuf(c.out.f, obuf, _IOFBF, sizeof obuf);
    int ok = 1;
    for (uint64_t i = 0; i < (uint64_t)o->count; i++) {
        if ((i & 1023) == 0 && cli_stop)
            break;
        size_t n;
        const char *s = imv_synth_profile(g, i, &n);
        if (fwrite(s, 1, n, c.out.f) != n || putc('\n', c.out.f) == EOF) {
            ok = 0;
            break;
        }
    }
    if (ok && !cli_stop && fflush(c.out.f) != 0)
        ok = 0;
    int saved = errno;
    /* A reader that stops early (synth | head) is not an error worth a message. */
    if (!ok && !c.out.path && saved == EPIPE) {
        rc = EXIT_PARTIAL;
        goto done;
    }
    if (cli_close_output(&c, ok && !cli_stop))
        ok = 0;
    rc = cli_stop ? cli_interrupted_exit() : ok ? 0 : EXIT_PARTIAL;
done:
    imv_synth_free(g);
    return cli_end(&c, rc);
}
