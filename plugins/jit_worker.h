/*
 * jit_worker.h - what imeval and its LuaJIT worker (build/imeval-luajit,
 * plugins/jit_main.c) agree on besides the worker protocol of isolate.c.
 *
 * The worker runs Lua models' score-only draws JIT-compiled.  A count hook
 * does not stop compiled code, so each batch runs on an allowance of the
 * thread's CPU time (plugins/lua/jit.c); when the allowance runs out the
 * worker ends itself at once, from the timer's signal handler, with
 * IMV_JIT_OVERRUN_EXIT, and the parent counts every view of that batch as
 * declined (scored on the Lua 5.4 reference engine).
 */
#ifndef IMV_JIT_WORKER_H
#define IMV_JIT_WORKER_H

/* The worker's installed name, in $(PREFIX)/libexec/imeval/. */
#define IMV_JIT_WORKER_NAME "imeval-luajit"

/* Exit status of a worker whose batch ran out of its CPU allowance
 * (distinct from 0, 1, 2 and from 128 + a signal). */
#define IMV_JIT_OVERRUN_EXIT 86

/* Exit status of a worker whose batch met the Lua memory cap.  LuaJIT
 * does not reliably come back from an allocation refused inside compiled
 * code (the state was corrupt afterwards: crashes in lua_close), so the
 * allocator ends the worker at once instead of returning the refusal;
 * the parent declines the batch, and the Lua 5.4 reference gives the
 * memory error. */
#define IMV_JIT_MEMORY_EXIT 87

#endif
