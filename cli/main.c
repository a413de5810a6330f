/* main.c - `imeval`: dispatch to the subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int cmd_version(int argc, char **argv);

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} commands[] = {
    {"evaluate", cmd_evaluate, "score and rank every model for each profile (the main job)"},
    {"explain", cmd_explain, "one model's full reasoning on a profile"},
    {"validate", cmd_validate, "check profiles without scoring them"},
    {"models", cmd_models, "list the loaded models and their parameters"},
    {"sensitivity", cmd_sensitivity, "tipping points: what change would put another model first"},
    {"register", cmd_register, "the assessment register: decisions, reviews, status, replay"},
    {"report", cmd_report, "the adviser's report: one HTML (or PDF) document with charts"},
    {"serve", cmd_serve, "the what-if page: a local web server to move judgements and see the answer"},
    {"synth", cmd_synth, "generate realistic synthetic profiles (JSON Lines)"},
    {"new-model", cmd_new_model, "write a new model (C or Lua) from a template that builds as it is"},
    {"check-model", cmd_check_model, "the conformance check of a plugin file, one line per check"},
    {"compare", cmd_compare, "two model or parameter sets over the same profiles: what changes"},
    {"backtest", cmd_backtest, "agreement of a model set with the recorded outcomes of the cases"},
    {"partners", cmd_partners,
     "for one partner council: which councils it could support, and how well"},
    {"allocate", cmd_allocate, "allocate partner councils nationally without stretching any"},
    {"template", cmd_template, "a blank profile to fill in (JSON, or a CSV header row)"},
    {"completion", cmd_completion, "the bash completion script (imeval completion bash)"},
    {"version", cmd_version, "the version of imeval, its plugin ABI and its formats"},
};

size_t cli_command_names(const char **names, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0] && n < max; i++)
        names[n++] = commands[i].name;
    return n;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: imeval COMMAND [options] [args]\n\n"
               "Choose how to intervene in a council's failing children's services: imeval\n"
               "scores each intervention model (improvement board, peer support, executive\n"
               "partnership, commissioner, trust, strategic partnership, self-improvement)\n"
               "against authority profiles, ranks them and explains every score with the\n"
               "research behind it.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-12s  %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`imeval help COMMAND` (or `imeval COMMAND --help`) describes each.\n"
               "`imeval version` (or --version) prints the version.\n"
               "Example:  imeval evaluate datasets/cases/*.json --explain\n");
}

static int cmd_version(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[2], "--help") != 0 && strcmp(argv[2], "-h") != 0) {
        return cli_usage_error("version", "unexpected argument \"%s\": version takes none", argv[2]);
    }
    if (argc > 2) {
        printf("usage: imeval version\n\nPrint the version of imeval, its plugin ABI and the "
               "profile and result formats it reads and writes.\n");
        return 0;
    }
    printf("imeval %s (plugin ABI %d, profile format %s, result format %s)\n", IMV_VERSION,
           IMV_PLUGIN_ABI, IMV_PROFILE_FORMAT, IMV_RESULT_FORMAT);
    return 0;
}

int main(int argc, char **argv)
{
    imv_json_arena_install(); /* before any thread: see imeval.h */
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, IMV_WORKER_ARG) == 0) {
        imv_worker_process_main(argc, argv);
        fprintf(stderr,
                "imeval: %s: not a command: it is how imeval starts the processes its "
                "isolated models run in (see imeval --help)\n",
                IMV_WORKER_ARG);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        if (argc > 2 && strcmp(cmd, "help") == 0) {
            char *args[] = {argv[0], argv[2], "--help", NULL};
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (strcmp(argv[2], commands[i].name) == 0)
                    return commands[i].run(3, args);
        }
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
        return cmd_version(2, argv);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc, argv);
    const char *names[sizeof commands / sizeof commands[0]];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        names[i] = commands[i].name;
    const char *near = imv_nearest(cmd, names, sizeof names / sizeof names[0]);
    char *shown = imv_text_quote(cmd);
    fprintf(stderr, "imeval: \"%s\": unknown command (%s%s%ssee imeval --help)\n", shown,
            near ? "did you mean " : "", near ? near : "", near ? "? " : "");
    free(shown);
    return EXIT_USAGE;
}
