/* outfile.c - where a command's document goes (-o FILE or standard output)
 * and how signals stop a run without leaving a half-written file. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

volatile sig_atomic_t cli_stop;
/* The -o temporary file while one is open, for a forced exit to remove. */
static char *volatile pending_tmp;

/* End the process by sig itself (the shell then sees 128 + sig), leaving
 * no temporary -o file behind: the previous file, if any, is untouched. */
static void die_by(int sig)
{
    char *tmp = pending_tmp;
    if (tmp)
        unlink(tmp);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(sig, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
}

/* SIGTERM (timeout(1), kill, a service manager) stops at once: exit 143,
 * even with a model stuck in one call.  The first SIGINT (Ctrl-C) asks the
 * run to stop after the profiles in hand and write the document of what
 * was computed; a second one ends the process at once. */
static void on_signal(int sig)
{
    static const char msg[] = "\nimeval: stopping after the profiles in hand "
                              "(signal again to quit at once)\n";
    static struct timespec first;
    if (sig == SIGTERM) {
        die_by(sig);
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    /* `timeout -s INT` signals the command and then its process group: one
     * request that arrives twice.  A second within a second is the same. */
    if (cli_stop &&
        (now.tv_sec - first.tv_sec) * 1000000000L + (now.tv_nsec - first.tv_nsec) < 1000000000L)
        return;
    if (cli_stop) {
        die_by(sig);
        return;
    }
    cli_stop = sig; /* which one: the exit status says it (cli_interrupted_exit) */
    first = now;
    ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)n;
}

void cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* A write to a slow pipe interrupted by Ctrl-C resumes instead of
     * failing with EINTR, which made stdio drop a block of the document. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A closed pipe (imeval ... | head) is a write error, not a death. */
    signal(SIGPIPE, SIG_IGN);
}

/* The descriptor a name such as /dev/stdout or /dev/fd/3 stands for, or
 * -1 when path names a file.  Such a name is written through a copy of
 * the descriptor, not opened again: reopening /proc/self/fd/1 is refused
 * to a user who does not own the pipe or terminal behind it. */
static int descriptor_named(const char *p)
{
    if (strcmp(p, "/dev/stdout") == 0)
        return 1;
    if (strcmp(p, "/dev/stderr") == 0)
        return 2;
    const char *num = strncmp(p, "/dev/fd/", 8) == 0          ? p + 8
                      : strncmp(p, "/proc/self/fd/", 14) == 0 ? p + 14
                                                              : NULL;
    if (!num || *num < '0' || *num > '9')
        return -1;
    char *end;
    long fd = strtol(num, &end, 10);
    return *end || fd > 1000000 ? -1 : (int)fd;
}

static void out_free(cli_out *out)
{
    free(out->path);
    free(out->target);
    free(out->tmp);
    memset(out, 0, sizeof *out);
}

/* Write to path itself: a device, a FIFO, a descriptor's name. */
static int open_direct(cli_out *out, const char *path)
{
    int named = descriptor_named(path);
    int fd = named >= 0 ? fcntl(named, F_DUPFD_CLOEXEC, 3)
                        : open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        cli_usage_error(NULL, "cannot write %s: %s", path, strerror(errno));
        out_free(out);
        return -1;
    }
    out->f = fdopen(fd, "w");
    if (!out->f) {
        close(fd);
        out_free(out);
        return -1;
    }
    out->direct = 1;
    return 0;
}

/* -o PATH.  What is not a regular file (a device such as /dev/null or
 * /dev/full, a FIFO, /dev/stdout and the other names of a descriptor) is
 * written directly: renaming a file onto it would replace it.  A regular
 * file is replaced whole at the end: the document goes to a temporary
 * file beside it, renamed over it once complete, so the path never holds
 * a partial document; the file keeps its permissions (and its owner and
 * group where this user may set them).  A symbolic link is followed: the
 * file it points to is replaced and the link stays. */
int cli_out_open(cli_out *out, const char *path)
{
    memset(out, 0, sizeof *out);
    if (!path || strcmp(path, "-") == 0) {
        out->f = stdout;
        return 0;
    }
    /* From here a signal must not kill the process with the temporary
     * file left behind: take it over now, not when the run starts. */
    cli_catch_signals();
    out->path = strdup(path);
    if (!out->path)
        return -1;
    struct stat st;
    if (descriptor_named(path) >= 0 || (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))
        return open_direct(out, path);
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        out->target = realpath(path, NULL);
        if (!out->target) {
            cli_usage_error(NULL,
                            "cannot write %s: it is a symbolic link and what it points to "
                            "cannot be reached: %s",
                            path, strerror(errno));
            out_free(out);
            return -1;
        }
    } else {
        out->target = strdup(path);
    }
    int exists = out->target && stat(out->target, &st) == 0;
    size_t n = out->target ? strlen(out->target) + 32 : 0;
    out->tmp = n ? malloc(n) : NULL;
    if (!out->target || !out->tmp) {
        out_free(out);
        return -1;
    }
    snprintf(out->tmp, n, "%s.tmp.XXXXXX", out->target);
    int fd = mkstemp(out->tmp);
    if (fd < 0) {
        cli_usage_error(NULL, "cannot write %s: %s", path, strerror(errno));
        out_free(out);
        return -1;
    }
    if (exists) {
        /* Owner and group first: chown may clear the set-id bits. */
        if (fchown(fd, st.st_uid, st.st_gid) != 0 && fchown(fd, (uid_t)-1, st.st_gid) != 0) {
            /* not allowed to give it away: the file is this user's now */
        }
        fchmod(fd, st.st_mode & 07777);
    } else {
        /* mkstemp makes the file 0600; give it the mode a plain create would. */
        mode_t mask = umask(0);
        umask(mask);
        fchmod(fd, 0666 & ~mask);
    }
    out->f = fdopen(fd, "w");
    if (!out->f) {
        close(fd);
        unlink(out->tmp);
        out_free(out);
        return -1;
    }
    pending_tmp = out->tmp;
    return 0;
}

int cli_out_close(cli_out *out, int ok)
{
    if (!out->path) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
            if (errno != EPIPE)
                cli_error(NULL, "error writing the output: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    int rc = 0;
    if (out->direct) {
        if (fflush(out->f) != 0 || ferror(out->f)) {
            if (errno != EPIPE)
                cli_error(NULL, "error writing %s: %s", out->path, strerror(errno));
            rc = -1;
        }
        fclose(out->f);
        out_free(out);
        return rc;
    }
    if (fflush(out->f) != 0 || ferror(out->f) || fsync(fileno(out->f)) != 0) {
        cli_error(NULL, "error writing %s: %s", out->path, strerror(errno));
        ok = 0;
        rc = -1;
    }
    fclose(out->f);
    pending_tmp = NULL;
    if (ok && rename(out->tmp, out->target) != 0) {
        cli_error(NULL, "cannot replace %s: %s", out->path, strerror(errno));
        rc = -1;
        ok = 0;
    }
    if (!ok)
        unlink(out->tmp);
    out_free(out);
    return rc;
}
