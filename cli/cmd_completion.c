/* cmd_completion.c - `imeval completion bash`: the shell completion script,
 * written from the option table that writes --help (cli/options.c), so the
 * two cannot drift.  `make install` installs its output. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: imeval completion bash\n\n"
    "Print the bash completion script for imeval: the subcommands, each one's\n"
    "options and the values of --format and --lang, from the table that writes\n"
    "every --help.  Installed by `make install` in\n"
    "PREFIX/share/bash-completion/completions/imeval; to try it in a shell:\n\n"
    "    source <(imeval completion bash)\n";

int cmd_completion(int argc, char **argv)
{
    cli_command = "completion";
    if (argc == 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (argc != 3 || strcmp(argv[2], "bash") != 0)
        return cli_usage_error("completion", "%s: only bash is written",
                               argc < 3 ? "no shell given" : argv[2]);
    const char *names[64];
    size_t n = cli_command_names(names, 64);
    cli_completion_bash(stdout, names, n);
    return fflush(stdout) == 0 ? 0 : EXIT_PARTIAL;
}
