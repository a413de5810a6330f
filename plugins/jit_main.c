/*
 * jit_main.c - build/imeval-luajit: imeval's LuaJIT worker process.
 *
 * It is started by imeval only, with the arguments of `imeval
 * --worker-process` (plugins/isolate.c), and serves Lua models with the
 * Lua host compiled against LuaJIT (plugins/lua/compat.h).  It has no
 * commands of its own.
 */
#include <stdio.h>
#include <string.h>

#include "../core/imeval.h"
#include "jit_worker.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], IMV_WORKER_ARG) == 0)
        imv_worker_process_main(argc, argv); /* returns only on bad arguments */
    fprintf(stderr,
            "%s: this is imeval's LuaJIT worker, started by imeval itself (see imeval(1) "
            "--lua-engine)\n",
            IMV_JIT_WORKER_NAME);
    return 2;
}
