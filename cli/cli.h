/*
 * cli.h - the imeval command: option parsing shared by the subcommands.
 * The command is a client of the engine in core/ and prints; the engine
 * never does.
 */
#ifndef IMV_CLI_H
#define IMV_CLI_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "imeval.h"

enum { EXIT_PARTIAL = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

/* Subcommands, as bits, so one option table can say where each applies. */
enum {
    CMD_EVALUATE = 1 << 0,
    CMD_EXPLAIN = 1 << 1,
    CMD_VALIDATE = 1 << 2,
    CMD_MODELS = 1 << 3,
    CMD_SENSITIVITY = 1 << 4,
    CMD_SYNTH = 1 << 5,
    CMD_REPORT = 1 << 6,
    CMD_NEW_MODEL = 1 << 7,
    CMD_CHECK_MODEL = 1 << 8,
    CMD_COMPARE = 1 << 9,
    CMD_BACKTEST = 1 << 10,
    CMD_ALLOCATE = 1 << 11,
    CMD_PARTNERS = 1 << 12,
    CMD_SERVE = 1 << 13,
    CMD_TEMPLATE = 1 << 14,
};

typedef struct cli_list {
    const char **v;
    size_t n, cap;
} cli_list;

typedef struct cli_opts {
    unsigned cmd;
    const char *cmd_name;
    cli_list model_dirs, model_files, sets, args;
    int no_bundled;
    const char *only;
    const char *params_file;
    int strict;
    int explain;
    int format;         /* imv_format, -1 for the command's default */
    const char *output; /* -o FILE, NULL for standard output */
    long draws;
    uint64_t seed;
    int vary_parameters;
    double rating_noise;
    int jobs;
    imv_limits limits;
    int quiet;
    long count;                /* synth */
    const char *as_of, *years; /* synth */
    /* evaluate: record each evaluation in the assessment register */
    const char *reg_location, *assessment, *reviews, *by, *authority, *supersedes;
    const char *rated_by, *rated_on;
    const char *lang, *dir; /* new-model */
    long profiles;          /* check-model */
    /* compare, backtest: side B is side A changed by these */
    cli_list b_model_dirs, b_model_files, b_sets;
    const char *b_params_file, *b_only;
    int b_no_bundled, b_separate, have_b;
    const char *partners_file; /* allocate: --partners FILE */
    int help;
    int draws_given;           /* --draws was given (report defaults to 2000) */
    int stamp;                 /* --stamp: time and argv in the JSON provenance */
    long port;                 /* serve: --port (0: a free one) */
    const char *bind;          /* serve: --bind ADDR */
    int open;                  /* serve: --open the browser */
    const char *public_origin; /* serve: --public-origin URL (a TLS proxy in front) */
} cli_opts;

/* Every message the command prints has one form (issue 9):
 *
 *     imeval COMMAND: what: why (hint)
 *
 * cli_error prints one such line; cli_usage_error prints a usage error,
 * whose hint ends with "see imeval COMMAND --help" (merged into a hint
 * the message already ends with), and returns EXIT_USAGE.  cli_command
 * is the command being run, for the messages of code that is not told
 * (the diagnostics printer, the output file); cli_parse sets it. */
extern const char *cli_command;
void cli_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse argv[first..] for the subcommand; prints a usage error and
 * returns EXIT_USAGE on a bad option, 0 otherwise. */
int cli_parse(int argc, char **argv, int first, unsigned cmd, const char *name, cli_opts *o);
void cli_opts_free(cli_opts *o);
void cli_help(FILE *f, unsigned cmd, const char *name, const char *synopsis, const char *about);

/* Load the models the options ask for; prints problems; returns NULL
 * (after printing) when nothing usable was loaded. */
imv_registry *cli_registry(const cli_opts *o, int *partial);

/* Print diagnostics as "file:line: where: message" to stderr. */
void cli_print_diags(const imv_diags *d, size_t from);
/* Print one (nothing for a warning when quiet). */
void cli_print_diag(const imv_diag *g, int quiet);
/* Read every profile of o->args[first..] into *out (free each with
 * imv_profile_free, then the array); prints messages as they come;
 * returns how many files or profiles could not be read. */
int cli_read_profiles(const cli_opts *o, size_t first, imv_profile ***out, size_t *n);

/* Diagnostics as a run makes them: printed at once when print is set,
 * and kept for the JSON document (errors, warnings, or neither) up to
 * CLI_MAX_LISTED; the rest are counted, and cli_diag_sink_close adds one
 * message saying how many `what` ("errors were printed but are") were
 * left out. */
#define CLI_MAX_LISTED 10000
typedef struct cli_diag_sink {
    int print, quiet, keep_errors, keep_warnings;
    size_t listed, unlisted;
} cli_diag_sink;
void cli_diag_sink_attach(cli_diag_sink *s, imv_diags *d);
void cli_diag_sink_close(cli_diag_sink *s, imv_diags *d, const char *what);

/* Output to -o FILE through a temporary file renamed on success, so a
 * failed or interrupted run never leaves a half-written result nor
 * destroys the previous one. */
typedef struct cli_out {
    FILE *f;
    char *path;   /* as given; NULL for standard output */
    char *target; /* the file replaced (a symbolic link followed) */
    char *tmp;    /* the temporary file beside it */
    int direct;   /* path is written directly (not a regular file) */
} cli_out;
int cli_out_open(cli_out *out, const char *path);
/* Commit (rename) when ok, else remove the temporary file.  A path that
 * is not a regular file is written directly (cli/outfile.c says why). */
int cli_out_close(cli_out *out, int ok);

/* Recording evaluations in the assessment register (cmd_register.c):
 * open when the options ask for it (NULL and *failed 0 when they do
 * not; NULL and *failed 1, after printing, when it cannot be opened);
 * add one evaluation (prints the id; non-zero when it failed). */
typedef struct cli_recorder cli_recorder;
cli_recorder *cli_recorder_open(const cli_opts *o, int argc, char **argv, int *failed);
int cli_recorder_add(cli_recorder *rec, const imv_registry *reg, const imv_evaluation *e);
void cli_recorder_close(cli_recorder *rec);

/* A subcommand's run: parse -> load -> run -> close.  cli_begin parses
 * (and answers --help), cli_load loads the models, cli_open_output opens
 * -o; each returns CLI_GO to go on, or the exit status to return now.
 * cli_end releases whatever was taken (an -o file not yet committed is
 * removed) and returns rc, so a command has one cleanup label:
 *
 *     cli_cmd c;
 *     int rc = cli_begin(&c, argc, argv, CMD_X, "x", synopsis, about);
 *     if (rc != CLI_GO || (rc = cli_load(&c)) != CLI_GO || ...)
 *         goto done;
 *     ...
 * done:
 *     return cli_end(&c, rc);
 */
#define CLI_GO (-1)
typedef struct cli_cmd {
    unsigned cmd;
    const char *name;
    cli_opts o;
    imv_registry *reg; /* after cli_load */
    int partial;       /* some model failed to load */
    cli_out out;       /* after cli_open_output */
    int out_open;
    imv_diags diags;
} cli_cmd;
int cli_begin(cli_cmd *c, int argc, char **argv, unsigned cmd, const char *name,
              const char *synopsis, const char *about);
int cli_load(cli_cmd *c);
int cli_open_output(cli_cmd *c);
/* Commit (commit = 1) or drop the -o file; non-zero when that failed. */
int cli_close_output(cli_cmd *c, int commit);
int cli_end(cli_cmd *c, int rc);

/* The signal that asked the run to stop (0 while none has). */
extern volatile sig_atomic_t cli_stop;
/* The exit status of a run stopped by a signal: 128 + its number, as a
 * shell reports it (130 for SIGINT, 143 for SIGTERM). */
int cli_interrupted_exit(void);
void cli_catch_signals(void);

int cmd_evaluate(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_sensitivity(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* 0 when the --format given (if any) is one of allowed (bits 1 << imv_format);
 * else prints a usage error and returns EXIT_USAGE (cli/formats.c). */
#define CLI_FMT(f) (1u << (f))
int cli_check_format(const cli_opts *o, const char *name, unsigned allowed);

/* One profile's sensitivity analysis (imv_sensitivity_json) as Markdown
 * (cli/sens_markdown.c). */
struct cJSON;
void cli_sensitivity_markdown(FILE *f, const struct cJSON *sensitivity);

/* The provenance of a run with these options (cli/provenance.c): the
 * command that reproduces its result, draws, seed, the hashes of the
 * profiles named and of reg's model files.  Caller frees. */
struct imv_provenance *cli_provenance(const cli_opts *o, const imv_registry *reg, int argc,
                                      char **argv);
/* compare, backtest: side B's registry (side A's options changed by the
 * --b-* ones; NULL after printing when it cannot be built), and one-line
 * descriptions of the two sides (cli/cmd_compare.c). */
imv_registry *cli_registry_b(const cli_opts *o, int *partial);
void cli_describe_a(const cli_opts *o, const imv_registry *reg, char *buf, size_t len);
void cli_describe_b(const cli_opts *o, char *buf, size_t len);

int cmd_new_model(int argc, char **argv);
int cmd_check_model(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_backtest(int argc, char **argv);
int cmd_allocate(int argc, char **argv);
int cmd_partners(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_completion(int argc, char **argv);
/* The subcommands' names, in the usage's order, up to max (cli/main.c);
 * returns how many. */
size_t cli_command_names(const char **names, size_t max);
/* The bash completion script for these subcommands (cli/options.c). */
void cli_completion_bash(FILE *f, const char *const *commands, size_t n);

/* --trace: the log lines of every model (only == SIZE_MAX) or of model
 * `only` in e, to f (cli/trace.c). */
void cli_print_trace(FILE *f, const imv_evaluation *e, size_t only);

#endif
