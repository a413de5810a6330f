/*
 * cmd_serve.c - `imeval serve`: the what-if page (issue 14; docs/api.md).
 * Parses the options, loads the models, starts the server (serve/),
 * prints the address, waits for SIGINT or SIGTERM, stops it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static const char synopsis[] = "[options] [PROFILE...]";
static const char about[] =
    "Start the what-if page: a local web server where an adviser moves a rating, a\n"
    "fact or a partner and sees the ranking, the charts, the tipping points and the\n"
    "difference against the profile as assessed change, with the same models, limits\n"
    "and reasons as imeval evaluate.  PROFILE files (JSON) and the assessments of\n"
    "--register are offered on the page; a blank profile is always there.\n\n"
    "It prints one line on standard output, the address to open, holding a new random\n"
    "token:  http://127.0.0.1:PORT/?token=...  Anyone with that address can use the\n"
    "server; nobody without it can.  It listens on 127.0.0.1 only (--bind for another\n"
    "address, with a warning) and checks Host, Origin and content type on every\n"
    "request.  Scripts use the JSON API with Authorization: Bearer TOKEN (docs/api.md).\n"
    "Ctrl-C (SIGINT) or SIGTERM stops it cleanly: exit status 0.  Exit status 2: a\n"
    "usage error, or the address could not be bound.\n\n"
    "example:  imeval serve datasets/cases/torbay-2018.json --open";

static int loopback(const char *bind)
{
    return !bind || strcmp(bind, "127.0.0.1") == 0 || strcmp(bind, "::1") == 0;
}

/* xdg-open URL, without a shell; its failure is only a message. */
static void open_browser(const char *url)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("xdg-open", "xdg-open", url, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fprintf(stderr, "imeval serve: could not open a browser (xdg-open); open the address "
                        "above yourself\n");
}

int cmd_serve(int argc, char **argv)
{
    cli_cmd c;
    imv_serve *s = NULL;
    int rc = cli_begin(&c, argc, argv, CMD_SERVE, "serve", synopsis, about);
    if (rc != CLI_GO || (rc = cli_load(&c)) != CLI_GO)
        goto done;
    const cli_opts *o = &c.o;
    imv_serve_opts so = {.bind = o->bind,
                         .port = (unsigned)o->port,
                         .register_location = o->reg_location,
                         .profiles = o->args.v,
                         .n_profiles = o->args.n,
                         .workers = o->jobs,
                         .strict = o->strict,
                         .public_origin = o->public_origin};
    int new_rc = imv_serve_new(c.reg, &so, &s, &c.diags);
    for (size_t i = 0; i < c.diags.n; i++)
        cli_print_diag(&c.diags.v[i], o->quiet);
    if (new_rc != IMV_OK) {
        rc = EXIT_USAGE;
        goto done;
    }
    size_t printed = c.diags.n;
    /* The daemon's threads inherit this mask, so the signals come only
     * to sigwait below. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (imv_serve_listen(s, &so, &c.diags) != IMV_OK) {
        cli_print_diags(&c.diags, printed);
        rc = EXIT_USAGE;
        goto done;
    }
    if (!loopback(o->bind))
        fprintf(stderr,
                "imeval serve: warning: listening on %s, not only this machine: anyone who "
                "can reach it may try the token, and the traffic is not encrypted; put a "
                "TLS proxy in front (docs/api.md)\n",
                o->bind);
    printf("%s\n", imv_serve_url(s));
    fflush(stdout);
    if (o->public_origin)
        fprintf(stderr, "imeval serve: through the proxy: %s/?token=%s\n", o->public_origin,
                strstr(imv_serve_url(s), "token=") + 6);
    fprintf(stderr, "imeval serve: %zu model%s, %zu profile file%s%s; Ctrl-C stops it\n",
            imv_registry_count(c.reg), imv_registry_count(c.reg) == 1 ? "" : "s", o->args.n,
            o->args.n == 1 ? "" : "s", o->reg_location ? " and the register" : "");
    if (o->open)
        open_browser(imv_serve_url(s));
    int sig = 0;
    while (sigwait(&set, &sig) != 0)
        ;
    fprintf(stderr, "imeval serve: %s: stopping\n", sig == SIGINT ? "interrupted" : "terminated");
    rc = 0;
done:
    imv_serve_free(s);
    return cli_end(&c, rc);
}
