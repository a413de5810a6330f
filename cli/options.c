/*
 * options.c - one table drives parsing and --help for every subcommand
 * (as in curl's tool_getparam.c), so the help cannot drift from the code.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define ALL_SCORING (CMD_EVALUATE | CMD_EXPLAIN | CMD_SENSITIVITY | CMD_REPORT)
#define TWO_SETS (CMD_COMPARE | CMD_BACKTEST)
#define PARTNER_CMDS (CMD_ALLOCATE | CMD_PARTNERS)
#define ALL_MODELS (ALL_SCORING | CMD_MODELS | TWO_SETS | PARTNER_CMDS | CMD_SERVE)
#define LIMITS (ALL_MODELS | CMD_CHECK_MODEL)

enum {
    O_MODELS = 1,
    O_MODEL,
    O_NO_BUNDLED,
    O_ONLY,
    O_SET,
    O_PARAMS,
    O_STRICT,
    O_FORMAT,
    O_EXPLAIN,
    O_OUTPUT,
    O_DRAWS,
    O_SEED,
    O_VARY,
    O_NOISE,
    O_JOBS,
    O_LUA_BUDGET,
    O_LUA_MEMORY,
    O_LUA_MEMORY_TOTAL,
    O_LUA_ENGINE,
    O_ISOLATE,
    O_NO_ISOLATE,
    O_TIMEOUT,
    O_REGISTER,
    O_ASSESSMENT,
    O_REVIEWS,
    O_BY,
    O_AUTHORITY,
    O_SUPERSEDES,
    O_RATED_BY,
    O_RATED_ON,
    O_QUIET,
    O_TRACE,
    O_COUNT,
    O_AS_OF,
    O_YEARS,
    O_LANG,
    O_DIR,
    O_PROFILES,
    O_B_MODELS,
    O_B_MODEL,
    O_B_NO_BUNDLED,
    O_B_ONLY,
    O_B_SET,
    O_B_PARAMS,
    O_B_SEPARATE,
    O_HELP,
    O_STAMP,
    O_PARTNERS,
    O_PORT,
    O_BIND,
    O_OPEN,
    O_PUBLIC_ORIGIN
};

typedef struct opt_def {
    const char *name;
    char short_name;
    const char *arg; /* NULL when the option takes no value */
    unsigned cmds;
    int id;
    const char *help;
} opt_def;

static const opt_def opts[] = {
    {"format", 'f', "FMT",
     CMD_EVALUATE | CMD_EXPLAIN | CMD_SENSITIVITY | CMD_MODELS | CMD_VALIDATE | CMD_REPORT |
         CMD_NEW_MODEL | CMD_CHECK_MODEL | TWO_SETS | PARTNER_CMDS | CMD_TEMPLATE,
     O_FORMAT, "output format: table (default), json, csv or markdown"},
    {"explain", 'e', NULL, CMD_EVALUATE, O_EXPLAIN,
     "add each model's reasons, unmet preconditions, risks and timeline"},
    {"output", 'o', "FILE",
     CMD_EVALUATE | CMD_EXPLAIN | CMD_SENSITIVITY | CMD_SYNTH | CMD_REPORT | CMD_VALIDATE |
         CMD_MODELS | TWO_SETS | PARTNER_CMDS | CMD_TEMPLATE,
     O_OUTPUT,
     "write to FILE (atomically: a failed run leaves the old file as it was; a device, FIFO or /dev/stdout is written directly)"},
    {"draws", 'n', "N", CMD_EVALUATE | CMD_EXPLAIN | CMD_REPORT, O_DRAWS,
     "Monte Carlo draws over uncertain ratings (0 = none; default 0)"},
    {"seed", 's', "S", CMD_EVALUATE | CMD_EXPLAIN | CMD_SYNTH | CMD_REPORT | CMD_CHECK_MODEL,
     O_SEED, "random seed for --draws and synth (default 1); same seed, same output"},
    {"vary-parameters", 0, NULL, CMD_EVALUATE | CMD_EXPLAIN | CMD_REPORT, O_VARY,
     "with --draws, also draw the model parameters declared uncertain, over their plausible "
     "ranges (bases, rule dates and values given with --set stay fixed)"},
    {"rating-noise", 0, "R", CMD_EVALUATE | CMD_EXPLAIN | CMD_REPORT, O_NOISE,
     "with --draws, treat every rating given as a point v as uncertain: drawn from a "
     "triangle v-R..v..v+R within 0..4 (e.g. 0.5; default 0: points stay points)"},
    {"jobs", 'j', "N",
     CMD_EVALUATE | CMD_EXPLAIN | CMD_VALIDATE | CMD_SENSITIVITY | CMD_REPORT | CMD_SERVE, O_JOBS,
     "threads to use (default: the number of cores); output is the same for any N"},
    {"count", 'c', "N", CMD_SYNTH, O_COUNT,
     "how many profiles to generate (default 153; at most 100000000); each is about 850 "
     "bytes of JSON, so 1000000 write about 850 MB"},
    {"as-of", 0, "DATE", CMD_SYNTH, O_AS_OF,
     "date every profile YYYY[-MM[-DD]] (the same authorities as at any other date)"},
    {"as-of", 0, "DATE", CMD_ALLOCATE | CMD_PARTNERS, O_AS_OF,
     "the date of the decision, YYYY[-MM[-DD]]: only partners available then count, with "
     "the commitments in force then (docs/partners.md; default: allocate, the latest as_of "
     "of the profiles; partners, each profile's own)"},
    {"years", 0, "Y1-Y2", CMD_SYNTH, O_YEARS,
     "draw each profile's date from these years (default 2012-2016; e.g. 2017-2024 for "
     "the rules of 2017 on)"},
    {"lang", 'l', "LANG", CMD_NEW_MODEL, O_LANG, "the model's language: c or lua (required)"},
    {"dir", 'd', "DIR", CMD_NEW_MODEL, O_DIR,
     "the directory to create (default ./NAME); it must not exist"},
    {"profiles", 0, "N", CMD_CHECK_MODEL, O_PROFILES,
     "how many generated profiles to check over (default 2000)"},
    {"b-models", 0, "DIR", TWO_SETS, O_B_MODELS, "side B also loads every model in DIR"},
    {"b-model", 0, "FILE", TWO_SETS, O_B_MODEL, "side B also loads the model FILE (repeatable)"},
    {"b-no-bundled", 0, NULL, TWO_SETS, O_B_NO_BUNDLED, "side B without the bundled models"},
    {"b-only", 0, "IDS", TWO_SETS, O_B_ONLY, "side B keeps only these models"},
    {"b-set", 0, "M.P=V", TWO_SETS, O_B_SET, "side B sets parameter P of model M to V (repeatable)"},
    {"b-params", 0, "FILE", TWO_SETS, O_B_PARAMS, "side B sets parameters from a JSON file"},
    {"b-separate", 0, NULL, TWO_SETS, O_B_SEPARATE,
     "side B takes none of A's --model, --models, --only, --set, --params: two separate sets"},
    {"models", 'M', "DIR", ALL_MODELS, O_MODELS,
     "also load every .so and .lua model in DIR (repeatable)"},
    {"model", 'm', "FILE", ALL_MODELS, O_MODEL, "also load the model FILE (repeatable)"},
    {"no-bundled", 0, NULL, ALL_MODELS, O_NO_BUNDLED,
     "do not load the bundled models (use with --model/--models)"},
    {"only", 0, "IDS", ALL_MODELS, O_ONLY, "keep only these models (comma-separated ids)"},
    {"set", 'S', "M.P=V", ALL_MODELS, O_SET,
     "set parameter P of model M to V, within its range (repeatable)"},
    {"params", 'p', "FILE", ALL_MODELS, O_PARAMS,
     "set parameters from a JSON file: {\"model\": {\"param\": value}}"},
    {"strict", 0, NULL, ALL_SCORING | CMD_VALIDATE | TWO_SETS | PARTNER_CMDS | CMD_SERVE, O_STRICT,
     "treat unknown profile fields as errors, not warnings"},
    {"lua-budget", 0, "N", LIMITS, O_LUA_BUDGET,
     "instructions a Lua model may run per call (default 10000000; 0 = no limit)"},
    {"lua-memory", 0, "MIB", LIMITS, O_LUA_MEMORY,
     "memory cap of each Lua model state in MiB (default 32; 0 = no cap)"},
    {"lua-memory-total", 0, "MIB", LIMITS, O_LUA_MEMORY_TOTAL,
     "memory cap of all Lua model states together in MiB (default 1024; 0 = no cap)"},
    {"lua-engine", 0, "ENGINE", LIMITS, O_LUA_ENGINE,
     "what runs Lua models' score-only draws: auto (default: LuaJIT when imeval-luajit is "
     "installed), luajit (required: refuses to run without it) or lua5.4; LuaJIT runs in "
     "worker processes, checked against Lua 5.4, and every result is the same whichever"},
    {"isolate", 0, NULL, ALL_MODELS, O_ISOLATE,
     "run every model in a child process (default: only non-bundled ones)"},
    {"no-isolate", 0, NULL, ALL_MODELS, O_NO_ISOLATE,
     "run every model in-process (faster; a crash or a hang then stops imeval)"},
    {"timeout", 0, "SECS", LIMITS, O_TIMEOUT, "time limit per call of an isolated model (default 2)"},
    {"trace", 0, NULL, CMD_EVALUATE | CMD_EXPLAIN, O_TRACE,
     "print the models' debug lines (imv_host.log, imeval.log, print in Lua) to standard "
     "error as each profile is done; normal runs drop them"},
    {"quiet", 'q', NULL,
     CMD_EVALUATE | CMD_VALIDATE | CMD_EXPLAIN | CMD_SENSITIVITY | CMD_REPORT | TWO_SETS |
         PARTNER_CMDS | CMD_SERVE,
     O_QUIET, "do not print warnings (errors are still printed)"},
    {"register", 'r', "REG", CMD_EVALUATE, O_REGISTER,
     "record each evaluation as an assessment in the register REG (a file or a postgresql:// "
     "URL; default $IMEVAL_REGISTER, else ~/.local/share/imeval/register.db); prints its id"},
    {"assessment", 0, "ID", CMD_EVALUATE, O_ASSESSMENT,
     "record it with this id (ID-2, ID-3... for further profiles); implies --register"},
    {"reviews", 0, "DECISION", CMD_EVALUATE, O_REVIEWS,
     "record it as a review of the intervention that DECISION chose"},
    {"by", 0, "NAME", CMD_EVALUATE, O_BY, "who records it (default $IMEVAL_AUTHOR, else $USER)"},
    {"authority", 0, "NAME", CMD_EVALUATE, O_AUTHORITY,
     "whose case it is (default: the profile id without its date: torbay-2018 -> torbay)"},
    {"supersedes", 0, "ID", CMD_EVALUATE, O_SUPERSEDES, "the recorded assessment this one corrects"},
    {"rated-by", 0, "NAME", CMD_EVALUATE, O_RATED_BY,
     "who rated the profile, for the register (default: --by)"},
    {"rated-on", 0, "DATE", CMD_EVALUATE, O_RATED_ON,
     "when the ratings were made, YYYY[-MM[-DD]], for the register"},
    {"register", 'r', "REG", CMD_REPORT, O_REGISTER,
     "the register REG (a file or a postgresql:// URL; default $IMEVAL_REGISTER, else "
     "~/.local/share/imeval/register.db) to fill the decision and sign-off sections from"},
    {"assessment", 0, "ID", CMD_REPORT, O_ASSESSMENT,
     "the recorded assessment of the profile whose decision, assumptions and sign-offs to show"},
    {"stamp", 0, NULL, CMD_EVALUATE, O_STAMP,
     "add the time and the command line as typed to the JSON provenance (the output "
     "then differs from run to run)"},
    {"partners", 'P', "FILE", CMD_ALLOCATE, O_PARTNERS,
     "the partner councils available: one description or a JSON array of them "
     "(datasets/partners/ has the ones the research names)"},
    {"register", 'r', "REG", CMD_SERVE, O_REGISTER,
     "the register REG (a file or a postgresql:// URL): its assessments are offered beside "
     "the PROFILE files, and scenarios and decisions are saved to it (without it, saving is "
     "refused)"},
    {"port", 0, "N", CMD_SERVE, O_PORT, "listen on port N (default: a free port, printed)"},
    {"bind", 0, "ADDR", CMD_SERVE, O_BIND,
     "listen on address ADDR instead of 127.0.0.1 (prints a warning: anyone who can reach "
     "ADDR can try the token; put TLS in front, docs/api.md)"},
    {"open", 0, NULL, CMD_SERVE, O_OPEN, "open the page in the browser (xdg-open)"},
    {"public-origin", 0, "URL", CMD_SERVE, O_PUBLIC_ORIGIN,
     "the origin a TLS reverse proxy serves the page at (e.g. https://whatif.example.org): "
     "its host is accepted as Host, and changes through it must come from that origin "
     "(docs/api.md)"},
    {"help", 'h', NULL, ~0u, O_HELP, "show this help"},
};

#define N_OPTS (sizeof opts / sizeof opts[0])

/* The formats each command writes, the first its default: --help lists
 * them, cli_parse refuses the others, and the completion offers them.
 * (report writes HTML or PDF unless --format json asks for its data.) */
#define F_T CLI_FMT(IMV_FMT_TABLE)
#define F_J CLI_FMT(IMV_FMT_JSON)
#define F_C CLI_FMT(IMV_FMT_CSV)
#define F_M CLI_FMT(IMV_FMT_MARKDOWN)
static const struct {
    unsigned cmd, formats;
    const char *help; /* NULL: "output format: table (default) or json" */
} cmd_formats[] = {
    {CMD_EVALUATE, F_T | F_J | F_C | F_M, NULL},
    {CMD_EXPLAIN, F_T | F_J, NULL},
    {CMD_VALIDATE, F_T | F_J, NULL},
    {CMD_MODELS, F_T | F_J, NULL},
    {CMD_SENSITIVITY, F_T | F_J | F_M, NULL},
    {CMD_REPORT, F_J,
     "json: the data behind the report, instead of the report (HTML, or PDF "
     "by -o FILE.pdf)"},
    {CMD_NEW_MODEL, F_T | F_J, NULL},
    {CMD_CHECK_MODEL, F_T | F_J, NULL},
    {CMD_COMPARE, F_T | F_J | F_M, NULL},
    {CMD_BACKTEST, F_T | F_J, NULL},
    {CMD_PARTNERS, F_T | F_J, NULL},
    {CMD_ALLOCATE, F_T | F_J | F_M, NULL},
    {CMD_TEMPLATE, F_J | F_C, "json (default): a blank profile; csv: its header row"},
};

static const char *const format_names[] = {"table", "json", "csv", "markdown"};

static unsigned formats_of(unsigned cmd)
{
    for (size_t i = 0; i < sizeof cmd_formats / sizeof cmd_formats[0]; i++)
        if (cmd_formats[i].cmd & cmd)
            return cmd_formats[i].formats;
    return F_T | F_J | F_C | F_M;
}

/* "table (default), json or markdown"; with sep " " and no words, the
 * names alone ("table json markdown"), for the completion. */
static void format_list(char *buf, size_t len, unsigned cmd, int words)
{
    unsigned set = formats_of(cmd);
    size_t at = 0, k = 0, n = 0;
    for (unsigned f = 0; f < 4; f++)
        n += (set >> f) & 1u;
    buf[0] = '\0';
    for (unsigned f = 0; f < 4 && at < len; f++) {
        if (!((set >> f) & 1u))
            continue;
        const char *sep = k == 0 ? "" : !words ? " " : k + 1 == n ? " or " : ", ";
        at += (size_t)snprintf(buf + at, len - at, "%s%s%s", sep, format_names[f],
                               words && k == 0 && n > 1 ? " (default)" : "");
        k++;
    }
}

static void list_add(cli_list *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) {
            cli_error(NULL, "out of memory");
            exit(EXIT_USAGE);
        }
    }
    l->v[l->n++] = s;
}

void cli_opts_free(cli_opts *o)
{
    free(o->model_dirs.v);
    free(o->model_files.v);
    free(o->sets.v);
    free(o->args.v);
    free(o->b_model_dirs.v);
    free(o->b_model_files.v);
    free(o->b_sets.v);
}

const char *cli_command = NULL;

static void vmessage(const char *name, int usage, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void vmessage(const char *name, int usage, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    if (!usage)
        fprintf(stderr, "imeval %s: %s\n", name, msg);
    else if (n && msg[n - 1] == ')') /* one hint: "(add --draws N; see ...)" */
        fprintf(stderr, "imeval %s: %.*s%s see imeval %s --help)\n", name, (int)(n - 1), msg,
                n > 1 && msg[n - 2] == '?' ? "" : ";", name);
    else
        fprintf(stderr, "imeval %s: %s (see imeval %s --help)\n", name, msg, name);
}

void cli_error(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(name ? name : cli_command ? cli_command : "?", 0, fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(name ? name : cli_command ? cli_command : "?", 1, fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

#define usage_error cli_usage_error

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int apply(cli_opts *o, const opt_def *d, const char *v, const char *name)
{
    long n;
    char *end;
    switch (d->id) {
    case O_MODELS: list_add(&o->model_dirs, v); break;
    case O_MODEL: list_add(&o->model_files, v); break;
    case O_NO_BUNDLED: o->no_bundled = 1; break;
    case O_ONLY: o->only = v; break;
    case O_SET: list_add(&o->sets, v); break;
    case O_PARAMS: o->params_file = v; break;
    case O_STRICT: o->strict = 1; break;
    case O_EXPLAIN: o->explain = 1; break;
    case O_OUTPUT: o->output = v; break;
    case O_VARY: o->vary_parameters = 1; break;
    case O_NOISE: {
        errno = 0;
        double r = strtod(v, &end);
        if (end == v || *end || errno || !(r >= 0 && r <= 2))
            return usage_error(name, "--rating-noise: \"%s\" is not a number from 0 to 2%s", v, "");
        o->rating_noise = r;
        break;
    }
    case O_QUIET: o->quiet = 1; break;
    case O_TRACE: o->limits.trace = 1; break;
    case O_HELP: o->help = 1; break;
    case O_REGISTER: o->reg_location = v; break;
    case O_ASSESSMENT: o->assessment = v; break;
    case O_REVIEWS: o->reviews = v; break;
    case O_BY: o->by = v; break;
    case O_AUTHORITY: o->authority = v; break;
    case O_SUPERSEDES: o->supersedes = v; break;
    case O_RATED_BY: o->rated_by = v; break;
    case O_RATED_ON:
        if (!imv_date_valid(v))
            return usage_error(name, "--rated-on: \"%s\" is not a date YYYY, YYYY-MM or YYYY-MM-DD",
                               v);
        o->rated_on = v;
        break;
    case O_STAMP: o->stamp = 1; break;
    case O_PARTNERS: o->partners_file = v; break;
    case O_PORT:
        if (parse_long(v, 0, 65535, &n))
            return usage_error(name, "--port: \"%s\" is not a port number from 0 to 65535", v);
        o->port = n;
        break;
    case O_BIND: o->bind = v; break;
    case O_OPEN: o->open = 1; break;
    case O_PUBLIC_ORIGIN: o->public_origin = v; break;
    case O_LUA_ENGINE:
        if (!strcmp(v, "auto"))
            o->limits.lua_engine = IMV_LUA_ENGINE_AUTO;
        else if (!strcmp(v, "luajit"))
            o->limits.lua_engine = IMV_LUA_ENGINE_LUAJIT;
        else if (!strcmp(v, "lua5.4"))
            o->limits.lua_engine = IMV_LUA_ENGINE_LUA54;
        else
            return usage_error(name, "--lua-engine: \"%s\" is not auto, luajit or lua5.4", v);
        break;
    case O_ISOLATE: o->limits.isolate = 1; break;
    case O_NO_ISOLATE: o->limits.isolate = 0; break;
    case O_FORMAT:
        o->format = imv_format_parse(v);
        if (o->format < 0) {
            char list[96];
            format_list(list, sizeof list, o->cmd, 1);
            return usage_error(name, "--format: \"%s\" is not a format %s writes: %s", v, name, list);
        }
        break;
    case O_DRAWS:
        if (parse_long(v, 0, 100000000, &n))
            return usage_error(name, "--draws: \"%s\" is not a whole number from 0 to 100000000", v);
        o->draws = n;
        o->draws_given = 1;
        break;
    case O_COUNT:
        if (parse_long(v, 0, LONG_MAX, &n))
            return usage_error(name, "--count: \"%s\" is not a whole number >= 0", v);
        if (n > IMV_SYNTH_MAX_COUNT) {
            char size[64];
            snprintf(size, sizeof size, "%.0f GB", (double)n * IMV_SYNTH_BYTES_PER_PROFILE / 1e9);
            return usage_error(name,
                               "--count: %s profiles would be about %s of JSON; the limit "
                               "is 100000000 (run several seeds for more)",
                               v, size);
        }
        o->count = n;
        break;
    case O_AS_OF: o->as_of = v; break;
    case O_LANG: o->lang = v; break;
    case O_DIR: o->dir = v; break;
    case O_PROFILES:
        if (parse_long(v, 10, 1000000, &n))
            return usage_error(name, "--profiles: \"%s\" is not a whole number from 10 to 1000000%s",
                               v, "");
        o->profiles = n;
        break;
    case O_B_MODELS:
        list_add(&o->b_model_dirs, v);
        o->have_b = 1;
        break;
    case O_B_MODEL:
        list_add(&o->b_model_files, v);
        o->have_b = 1;
        break;
    case O_B_NO_BUNDLED:
        o->b_no_bundled = 1;
        o->have_b = 1;
        break;
    case O_B_ONLY:
        o->b_only = v;
        o->have_b = 1;
        break;
    case O_B_SET:
        list_add(&o->b_sets, v);
        o->have_b = 1;
        break;
    case O_B_PARAMS:
        o->b_params_file = v;
        o->have_b = 1;
        break;
    case O_B_SEPARATE:
        o->b_separate = 1;
        o->have_b = 1;
        break;
    case O_YEARS: o->years = v; break;
    case O_SEED:
        errno = 0;
        o->seed = strtoull(v, &end, 10);
        /* strtoull skips spaces and takes a sign: " -1" would be 2^64-1 */
        if (!(*v >= '0' && *v <= '9') || *end || errno)
            return usage_error(name, "--seed: \"%s\" is not a whole number >= 0", v);
        break;
    case O_JOBS:
        if (parse_long(v, 1, 256, &n))
            return usage_error(name, "--jobs: \"%s\" is not a whole number from 1 to 256", v);
        o->jobs = (int)n;
        break;
    case O_LUA_BUDGET:
        if (parse_long(v, 0, LONG_MAX, &n))
            return usage_error(name, "--lua-budget: \"%s\" is not a whole number >= 0", v);
        o->limits.lua_instructions = n;
        break;
    case O_LUA_MEMORY:
        if (parse_long(v, 0, 1 << 20, &n))
            return usage_error(name,
                               "--lua-memory: \"%s\" is not a number of MiB from 0 to 1048576", v);
        o->limits.lua_memory = (size_t)n << 20;
        break;
    case O_LUA_MEMORY_TOTAL:
        if (parse_long(v, 0, 1 << 24, &n))
            return usage_error(name,
                               "--lua-memory-total: \"%s\" is not a number of MiB from 0 to 16777216",
                               v);
        o->limits.lua_memory_total = (size_t)n << 20;
        break;
    case O_TIMEOUT: {
        errno = 0;
        double t = strtod(v, &end);
        if (!*v || *end || errno || !(t > 0 && t <= 3600))
            return usage_error(name, "--timeout: \"%s\" is not a number of seconds in (0, 3600]", v);
        o->limits.isolate_timeout = t;
        break;
    }
    }
    return 0;
}

/* What no single option can check: options that need another, and an -o
 * that cannot be written (found now, not after the whole run).  The
 * formats a command writes are its own check (cli/formats.c). */
static int check_combination(const cli_opts *o, const char *name)
{
    if (cli_check_format(o, name, formats_of(o->cmd)))
        return EXIT_USAGE;
    if (o->vary_parameters && o->draws == 0)
        return usage_error(name, "--vary-parameters: it varies parameters across draws "
                                 "(add --draws N, e.g. --draws 1000)");
    if (o->limits.lua_engine == IMV_LUA_ENGINE_LUAJIT && !imv_jit_worker_path())
        return usage_error(name, "--lua-engine luajit: the LuaJIT worker imeval-luajit is not "
                                 "installed beside this imeval (nor in ../libexec/imeval/): "
                                 "build it with make (it needs libluajit-5.1-dev: make deps), "
                                 "or install imeval with make install; --lua-engine auto runs "
                                 "without it, on Lua 5.4");
    if (o->output && !*o->output)
        return usage_error(name, "-o: the file name is empty (give a file, or leave -o out "
                                 "for standard output)");
    struct stat st;
    if (o->output && strcmp(o->output, "-") != 0 && stat(o->output, &st) == 0 && S_ISDIR(st.st_mode)) {
        char *shown = imv_text_quote(o->output);
        int rc = usage_error(name, "-o: %s is a directory (name a file in it)", shown);
        free(shown);
        return rc;
    }
    return 0;
}

/* An option may have one entry per command where it means something
 * different (--register for evaluate and for report): the entry for cmd
 * first, else any, so that a misplaced option is still named. */
static const opt_def *find_long(const char *s, size_t len, unsigned cmd)
{
    const opt_def *any = NULL;
    for (size_t i = 0; i < N_OPTS; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, s, len) == 0) {
            if (opts[i].cmds & cmd)
                return &opts[i];
            any = any ? any : &opts[i];
        }
    return any;
}

static const opt_def *find_short(char c, unsigned cmd)
{
    const opt_def *any = NULL;
    for (size_t i = 0; i < N_OPTS; i++)
        if (opts[i].short_name == c) {
            if (opts[i].cmds & cmd)
                return &opts[i];
            any = any ? any : &opts[i];
        }
    return any;
}

/* "unknown option --darws (did you mean --draws?)": the nearest of the
 * command's own options; one of another command is named as such. */
static int unknown_option(const char *a, unsigned cmd, const char *name)
{
    const char *names[N_OPTS];
    size_t n = 0;
    for (size_t i = 0; i < N_OPTS; i++)
        if (opts[i].cmds & cmd)
            names[n++] = opts[i].name;
    const char *word = a;
    while (*word == '-')
        word++;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*s", (int)strcspn(word, "="), word);
    const char *near = a[1] == '-' ? imv_nearest(buf, names, n) : NULL;
    for (size_t i = 0; !near && a[1] == '-' && i < N_OPTS; i++)
        if (strcmp(opts[i].name, buf) == 0)
            return usage_error(name, "option %s is not one of %s's", a, name);
    if (near)
        return usage_error(name, "unknown option %s (did you mean --%s?)", a, near);
    return usage_error(name, "unknown option %s", a);
}

int cli_parse(int argc, char **argv, int first, unsigned cmd, const char *name, cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    o->cmd_name = name;
    cli_command = name;
    o->format = -1;
    o->seed = 1;
    o->count = 153;
    imv_limits_default(&o->limits);
    int only_args = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || strcmp(a, "-") == 0) {
            list_add(&o->args, a);
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = 1;
            continue;
        }
        const opt_def *d;
        const char *val = NULL;
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            d = find_long(a + 2, len, cmd);
            if (eq)
                val = eq + 1;
        } else {
            d = a[2] == '\0' ? find_short(a[1], cmd) : NULL;
        }
        if (!d || !(d->cmds & cmd))
            return unknown_option(a, cmd, name);
        if (d->arg && !val) {
            /* "--register --by me" would take "--by" as the register: a
             * value that is itself an option means the value was left out
             * (--opt=--x still gives such a value on purpose). */
            if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0)
                return usage_error(name, "option %s needs a value: %s %s", a, a, d->arg);
            val = argv[++i];
        } else if (!d->arg && val) {
            return usage_error(name, "option %s takes no value", a);
        }
        int rc = apply(o, d, val, name);
        if (rc)
            return rc;
    }
    return check_combination(o, name);
}

void cli_help(FILE *f, unsigned cmd, const char *name, const char *synopsis, const char *about)
{
    fprintf(f, "usage: imeval %s %s\n\n%s\n\noptions:\n", name, synopsis, about);
    for (size_t i = 0; i < N_OPTS; i++) {
        const opt_def *d = &opts[i];
        if (!(d->cmds & cmd))
            continue;
        char left[48];
        char sh[8] = "    ";
        if (d->short_name)
            snprintf(sh, sizeof sh, "-%c, ", d->short_name);
        snprintf(left, sizeof left, "%s--%s%s%s", sh, d->name, d->arg ? " " : "",
                 d->arg ? d->arg : "");
        if (strlen(left) > 24)
            fprintf(f, "  %s\n  %-24s  ", left, "");
        else
            fprintf(f, "  %-24s  ", left);
        const char *help = d->help;
        char fmt_help[160];
        if (d->id == O_FORMAT) {
            const char *own = NULL;
            for (size_t k = 0; k < sizeof cmd_formats / sizeof cmd_formats[0]; k++)
                if (cmd_formats[k].cmd & cmd)
                    own = cmd_formats[k].help;
            char list[96];
            format_list(list, sizeof list, cmd, 1);
            snprintf(fmt_help, sizeof fmt_help, "output format: %s", list);
            help = own ? own : fmt_help;
        }
        imv_wrap(f, help, 28, 28, 79);
    }
}

/* ---- bash completion, from the same table ---------------------------------
 *
 * `imeval completion bash` prints it: the subcommands, each one's options
 * (those cli_help lists for it), and option values where the table says
 * what they are (FMT: the formats, LANG: c or lua, FILE and REG: files,
 * DIR: directories; anything else is left to the user). */

static const struct {
    const char *name;
    unsigned cmd;
} cmd_bits[] = {
    {"evaluate", CMD_EVALUATE}, {"explain", CMD_EXPLAIN},         {"validate", CMD_VALIDATE},
    {"models", CMD_MODELS},     {"sensitivity", CMD_SENSITIVITY}, {"synth", CMD_SYNTH},
    {"report", CMD_REPORT},     {"new-model", CMD_NEW_MODEL},     {"check-model", CMD_CHECK_MODEL},
    {"compare", CMD_COMPARE},   {"backtest", CMD_BACKTEST},       {"allocate", CMD_ALLOCATE},
    {"partners", CMD_PARTNERS}, {"template", CMD_TEMPLATE},       {"serve", CMD_SERVE},
};

static void values_case(FILE *f, const char *arg, const char *action)
{
    const char *sep = "        ";
    int any = 0;
    for (size_t i = 0; i < N_OPTS; i++) {
        if (!opts[i].arg || strcmp(opts[i].arg, arg) != 0)
            continue;
        fprintf(f, "%s--%s", any ? "|" : sep, opts[i].name);
        if (opts[i].short_name)
            fprintf(f, "|-%c", opts[i].short_name);
        any = 1;
    }
    if (any)
        fprintf(f, ")\n            %s\n            return ;;\n", action);
}

void cli_completion_bash(FILE *f, const char *const *commands, size_t n)
{
    fputs("# bash completion for imeval, generated by `imeval completion bash` from the\n"
          "# option table that also writes --help (cli/options.c).\n"
          "_imeval()\n{\n"
          "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
          "    COMPREPLY=()\n"
          "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "        COMPREPLY=($(compgen -W \"",
          f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s ", commands[i]);
    fputs("help --help --version\" -- \"$cur\"))\n        return\n    fi\n"
          "    if [ \"${COMP_WORDS[1]}\" = help ]; then\n"
          "        [ \"$COMP_CWORD\" -eq 2 ] && COMPREPLY=($(compgen -W \"",
          f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? " " : "", commands[i]);
    fputs("\" -- \"$cur\"))\n        return\n    fi\n    case \"$prev\" in\n", f);
    /* --format: the formats of the command on the line */
    fputs("        --format|-f)\n            case \"${COMP_WORDS[1]}\" in\n", f);
    unsigned with_format = 0;
    for (size_t i = 0; i < N_OPTS; i++)
        if (opts[i].id == O_FORMAT)
            with_format |= opts[i].cmds;
    for (size_t c = 0; c < sizeof cmd_bits / sizeof cmd_bits[0]; c++) {
        char list[64];
        if (!(cmd_bits[c].cmd & with_format))
            continue;
        format_list(list, sizeof list, cmd_bits[c].cmd, 0);
        fprintf(f, "            %s) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")) ;;\n",
                cmd_bits[c].name, list);
    }
    fputs("            esac\n            return ;;\n", f);
    values_case(f, "LANG", "COMPREPLY=($(compgen -W \"c lua\" -- \"$cur\"))");
    values_case(f, "ENGINE", "COMPREPLY=($(compgen -W \"auto luajit lua5.4\" -- \"$cur\"))");
    values_case(f, "FILE", "COMPREPLY=($(compgen -f -- \"$cur\"))");
    values_case(f, "REG", "COMPREPLY=($(compgen -f -- \"$cur\"))");
    values_case(f, "DIR", "COMPREPLY=($(compgen -d -- \"$cur\"))");
    /* Every other option with a value: the value is the user's to type. */
    const char *sep = "        ";
    int any = 0;
    for (size_t i = 0; i < N_OPTS; i++) {
        const char *a = opts[i].arg;
        if (!a || !strcmp(a, "FMT") || !strcmp(a, "LANG") || !strcmp(a, "ENGINE") ||
            !strcmp(a, "FILE") || !strcmp(a, "REG") || !strcmp(a, "DIR"))
            continue;
        fprintf(f, "%s--%s", any ? "|" : sep, opts[i].name);
        if (opts[i].short_name)
            fprintf(f, "|-%c", opts[i].short_name);
        any = 1;
    }
    if (any)
        fputs(")\n            return ;;\n", f);
    fputs("    esac\n    local opts=\"--help\"\n    case \"${COMP_WORDS[1]}\" in\n", f);
    for (size_t c = 0; c < sizeof cmd_bits / sizeof cmd_bits[0]; c++) {
        fprintf(f, "    %s)\n        opts=\"", cmd_bits[c].name);
        const char *s = "";
        for (size_t i = 0; i < N_OPTS; i++) {
            if (!(opts[i].cmds & cmd_bits[c].cmd))
                continue;
            /* an option with one entry per command is listed once */
            size_t k;
            for (k = 0; k < i; k++)
                if ((opts[k].cmds & cmd_bits[c].cmd) && strcmp(opts[k].name, opts[i].name) == 0)
                    break;
            if (k < i)
                continue;
            fprintf(f, "%s--%s", s, opts[i].name);
            if (opts[i].short_name)
                fprintf(f, " -%c", opts[i].short_name);
            s = " ";
        }
        fputs("\" ;;\n", f);
    }
    fputs("    esac\n"
          "    if [[ \"$cur\" == -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "    else\n"
          "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
          "    fi\n"
          "}\n"
          "complete -o filenames -F _imeval imeval\n",
          f);
}
