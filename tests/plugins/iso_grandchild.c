#define _GNU_SOURCE
#define ISO_ID "iso_grandchild"
#include "iso_common.h"
#include <fcntl.h>
#include <sys/types.h>
/* Start a process that lingers (ISO_GRANDCHILD_DOUBLE set: through a
 * double fork, so it is an orphan at once; ISO_GRANDCHILD_SETSID set: in a
 * session of its own, out of the worker's group) and write its pid to the file
 * ISO_GRANDCHILD_PIDFILE names; then score normally.  Nothing the plugin
 * started may outlive the call. */
static void misbehave(void)
{
    const char *pidfile = getenv("ISO_GRANDCHILD_PIDFILE");
    int twice = getenv("ISO_GRANDCHILD_DOUBLE") != NULL;
    int own_session = getenv("ISO_GRANDCHILD_SETSID") != NULL;
    int pv[2];
    if (!pidfile || pipe(pv) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        if (twice && fork() != 0)
            _exit(0);
        if (own_session)
            setsid(); /* out of the worker's process group */
        pid_t me = getpid();
        if (write(pv[1], &me, sizeof me) != (ssize_t)sizeof me)
            _exit(1);
        for (int i = 0; i < 300; i++)
            sleep(1);
        _exit(0);
    }
    pid_t lingering = 0;
    if (read(pv[0], &lingering, sizeof lingering) == (ssize_t)sizeof lingering) {
        FILE *f = fopen(pidfile, "w");
        if (f) {
            fprintf(f, "%d\n", (int)lingering);
            fclose(f);
        }
    }
    close(pv[0]);
    close(pv[1]);
}
