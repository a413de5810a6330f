/* check_isolate.c - native plugins run in a child process are contained:
 * a crash, abort, exit, endless loop or output flood becomes that model's
 * error; the next profile is scored again by a fresh child; every other
 * model is unaffected. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>

#include "../core/internal.h"
#include "testutil.h"
#include "uncertainty.h"

/* A native fixture (build/tests/plugins/NAME.so) or a Lua one
 * (tests/plugins/lua/NAME.lua), whichever exists. */
static void fixture_path(char *path, size_t n, const char *name)
{
    snprintf(path, n, "%s/lua/%s.lua", TU_FIXTURE_SRC, name);
    if (access(path, R_OK) != 0)
        snprintf(path, n, "%s/%s.so", TU_FIXTURES, name);
}

static imv_registry *load_fixture(const char *name, double timeout)
{
    imv_limits l;
    imv_limits_default(&l);
    l.isolate = 1;
    l.isolate_timeout = timeout;
    /* No instruction budget (nor CPU ceiling) for the Lua fixtures: only
     * the deadline of their worker process holds them. */
    l.lua_instructions = 0;
    imv_registry *reg = imv_registry_new(&l);
    imv_diags d;
    imv_diags_init(&d);
    char path[512];
    fixture_path(path, sizeof path, name);
    ck_assert_msg(imv_registry_load_file(reg, path, 0, &d) == 0, "%s: %s", path,
                  d.n ? d.v[0].message : "");
    snprintf(path, sizeof path, "%s/iso_good.so", TU_FIXTURES);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    imv_diags_free(&d);
    ck_assert_uint_eq(imv_registry_count(reg), 2);
    return reg;
}

static imv_profile *profile(const char *id, double r)
{
    char *json = tu_profile_json(id, "inadequate", r);
    imv_profile *p = tu_profile_of_json(json);
    free(json);
    return p;
}

/* Evaluate good, bad, good: the bad call fails with `expect` in its
 * message, the calls around it succeed, and iso_good never fails. */
static void check_contained(const char *fixture, const char *expect, double timeout)
{
    imv_registry *reg = load_fixture(fixture, timeout);
    imv_worker *w = imv_worker_new(reg);
    const char *ids[3] = {"good-1", "bad-1", "good-2"};
    for (int k = 0; k < 3; k++) {
        imv_profile *p = profile(ids[k], 3);
        imv_evaluation e;
        imv_evaluate(w, p, &e);
        for (size_t i = 0; i < e.n; i++) {
            const imv_result *r = &e.results[i];
            int is_fixture = strcmp(imv_model_id(r->model), fixture) == 0;
            if (is_fixture && k == 1) {
                ck_assert_msg(r->error != NULL, "%s: bad call did not fail", fixture);
                ck_assert_msg(strstr(r->error, expect), "%s: error \"%s\" lacks \"%s\"", fixture,
                              r->error, expect);
                ck_assert(!r->viable);
                /* A failed model ranks last. */
                ck_assert_uint_eq(e.order[e.n - 1], i);
            } else {
                ck_assert_msg(r->error == NULL, "%s on %s: unexpected error %s",
                              imv_model_id(r->model), ids[k], r->error);
                ck_assert(r->has_score);
                ck_assert(r->score == 30.0);
                ck_assert_uint_eq(r->n_reasons, 1);
            }
        }
        imv_evaluation_clear(&e);
        imv_profile_free(p);
    }
    imv_worker_free(w);
    imv_registry_free(reg);
}

/* Evaluate good, bad, good with a fixture whose bad call still scores. */
static void check_contained_ok(const char *fixture)
{
    imv_registry *reg = load_fixture(fixture, 60);
    imv_worker *w = imv_worker_new(reg);
    const char *ids[3] = {"good-1", "bad-1", "good-2"};
    for (int k = 0; k < 3; k++) {
        imv_profile *p = profile(ids[k], 3);
        imv_evaluation e;
        imv_evaluate(w, p, &e);
        for (size_t i = 0; i < e.n; i++) {
            const imv_result *r = &e.results[i];
            ck_assert_msg(r->error == NULL, "%s on %s: unexpected error %s", imv_model_id(r->model),
                          ids[k], r->error);
            ck_assert(r->has_score && r->score == 30.0);
        }
        imv_evaluation_clear(&e);
        imv_profile_free(p);
    }
    imv_worker_free(w);
    imv_registry_free(reg);
}

START_TEST(isolate__segfault_becomes_error)
{
    check_contained("iso_segv", "crashed with SIGSEGV", 60);
}
END_TEST
START_TEST(isolate__abort_becomes_error)
{
    check_contained("iso_abort", "crashed with SIGABRT", 60);
}
END_TEST
START_TEST(isolate__exit_becomes_error)
{
    check_contained("iso_exit", "exited the process (status 3)", 60);
}
END_TEST
START_TEST(isolate__endless_loop_times_out)
{
    check_contained("iso_loop", "timed out after 3 s", 3);
}
END_TEST
START_TEST(isolate__output_flood_becomes_error)
{
    check_contained("iso_flood", "flooded its output", 60);
}
END_TEST

/* The request area (plugins/isolate.c): a plugin can neither keep its
 * descriptor, write to it, nor shrink it under imeval, which writes the
 * next request there (a shrunk area would kill imeval with SIGBUS). */
START_TEST(isolate__request_area_is_out_of_reach)
{
    check_contained_ok("iso_area");
}
END_TEST

/* Regression: after poll said the reply was readable, the rest of it was
 * read with no deadline, so half a reply blocked imeval for ever. */
START_TEST(isolate__partial_reply_times_out)
{
    check_contained("iso_partial", "timed out after 3 s", 3);
}
END_TEST
/* A worker cannot pass a forged frame of answer records off as results:
 * one whose length is not its count's, or that answers more views than
 * were asked for, inline or in the reply area, or whose record in the
 * reply area says what no record may, is refused, and only that call
 * fails. */
START_TEST(isolate__forged_answers_refused)
{
    static const char *const modes[] = {"length", "count", "reply-count", "reply-length",
                                        "reply-record"};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        setenv("ISO_FORGED", modes[i], 1);
        check_contained("iso_forged", "malformed reply", 60);
    }
    unsetenv("ISO_FORGED");
}
END_TEST

/* Regression: on end of connection the child was reaped without being
 * killed, so one that closed its descriptors and spun hung imeval. */
START_TEST(isolate__closed_connection_is_killed)
{
    check_contained("iso_closefds", "the plugin closed its connection to imeval without replying",
                    60);
}
END_TEST

/* 1 once pid is gone (or a zombie nobody reaps: dead all the same). */
static int gone(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')');
    return paren && (paren[2] == 'Z' || paren[2] == 'X');
}

/* A process the plugin starts, directly or through a double fork, does
 * not outlive the call; the model's result stands. */
static void check_no_lingering(int twice, int own_session)
{
    char pidfile[] = "/tmp/imeval-grandchild-XXXXXX";
    int fd = mkstemp(pidfile);
    ck_assert_int_ge(fd, 0);
    close(fd);
    setenv("ISO_GRANDCHILD_PIDFILE", pidfile, 1);
    if (twice)
        setenv("ISO_GRANDCHILD_DOUBLE", "1", 1);
    else
        unsetenv("ISO_GRANDCHILD_DOUBLE");
    if (own_session)
        setenv("ISO_GRANDCHILD_SETSID", "1", 1);
    else
        unsetenv("ISO_GRANDCHILD_SETSID");
    check_contained_ok("iso_grandchild");
    char *text = tu_slurp(pidfile);
    unlink(pidfile);
    ck_assert_ptr_nonnull(text);
    pid_t pid = (pid_t)atoi(text);
    free(text);
    ck_assert_int_gt(pid, 1);
    /* Killed when the call ended: allow a loaded machine time to deliver it. */
    for (int i = 0; i < 3000 && !gone(pid); i++)
        usleep(10000);
    int dead = gone(pid);
    if (!dead)
        kill(pid, SIGKILL);
    ck_assert_msg(dead, "process %d started by the plugin outlived the call", (int)pid);
}

START_TEST(isolate__started_process_killed_after_call)
{
    check_no_lingering(0, 0);
}
END_TEST
START_TEST(isolate__double_forked_process_killed_after_call)
{
    check_no_lingering(1, 0);
}
END_TEST
/* A process that leaves the worker's process group (setsid) is not
 * killed with the group: it is killed as the worker's descendant. */
START_TEST(isolate__process_in_its_own_session_killed_after_call)
{
    check_no_lingering(0, 1);
}
END_TEST
START_TEST(isolate__orphan_in_its_own_session_killed_after_call)
{
    check_no_lingering(1, 1);
}
END_TEST

/* ---- loading outside plugins in a child ------------------------------------------ */

/* Loading fixture `name` (outside the bundled set: isolated) is refused
 * with `expect` in the message, and this process lives on. */
static void check_load_refused(const char *name, const char *expect)
{
    imv_limits l;
    imv_limits_default(&l);
    imv_registry *reg = imv_registry_new(&l);
    imv_diags d;
    imv_diags_init(&d);
    char path[512];
    snprintf(path, sizeof path, "%s/%s.so", TU_FIXTURES, name);
    ck_assert_int_ne(imv_registry_load_file(reg, path, 0, &d), 0);
    ck_assert_uint_eq(imv_registry_count(reg), 0);
    ck_assert_uint_ge(d.n, 1);
    char buf[1200];
    imv_diag_format(&d.v[0], buf, sizeof buf);
    ck_assert_msg(strstr(buf, expect), "%s: message \"%s\" lacks \"%s\"", name, buf, expect);
    imv_diags_free(&d);
    imv_registry_free(reg);
}

/* Regression: an outside plugin's constructors, entry point and
 * definition ran and were read inside imeval, so each of these took the
 * whole run down (or, printing, corrupted --format json). */
START_TEST(isolate__crashing_constructor_refused)
{
    check_load_refused("iso_load_crash", "refused: loading it failed in its own process (the plugin "
                                         "crashed with SIGSEGV)");
}
END_TEST
START_TEST(isolate__looping_constructor_refused)
{
    check_load_refused("iso_load_loop", "refused: loading it did not finish within 5 s");
}
END_TEST
START_TEST(isolate__wild_pointer_in_definition_refused)
{
    check_load_refused("iso_load_wild", "crashed with SIGSEGV");
}
END_TEST
START_TEST(isolate__printing_constructor_refused)
{
    check_load_refused("iso_load_print", "refused: it printed 32 bytes while loading");
}
END_TEST

/* The constructor runs in another process than this one; in-process
 * (bundled, or --no-isolate) it runs here, as it always did. */
START_TEST(isolate__outside_plugin_loaded_in_child)
{
    char pidfile[] = "/tmp/imeval-ctor-XXXXXX";
    int fd = mkstemp(pidfile);
    ck_assert_int_ge(fd, 0);
    close(fd);
    setenv("ISO_CTOR_PIDFILE", pidfile, 1);
    char path[512];
    snprintf(path, sizeof path, "%s/iso_load_print.so", TU_FIXTURES);
    imv_registry *r2 = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    imv_registry_load_file(r2, path, 0, &d);
    imv_diags_free(&d);
    imv_registry_free(r2);
    char *text = tu_slurp(pidfile);
    unsetenv("ISO_CTOR_PIDFILE");
    unlink(pidfile);
    ck_assert_ptr_nonnull(text);
    int pid = atoi(text);
    free(text);
    ck_assert_int_gt(pid, 0);
    ck_assert_int_ne(pid, (int)getpid());
}
END_TEST

/* Isolated and in-process scoring agree on a good plugin. */
START_TEST(isolate__same_result_as_in_process)
{
    imv_limits l;
    imv_limits_default(&l);
    char path[512];
    snprintf(path, sizeof path, "%s/iso_good.so", TU_FIXTURES);
    double scores[2];
    l.isolate_timeout = 60; /* a loaded machine under ASan: only a hang fails */
    for (int iso = 0; iso < 2; iso++) {
        l.isolate = iso;
        imv_registry *reg = imv_registry_new(&l);
        imv_diags d;
        imv_diags_init(&d);
        ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
        ck_assert_int_eq(imv_model_isolated(imv_registry_get(reg, 0)), iso);
        imv_worker *w = imv_worker_new(reg);
        imv_profile *p = profile("good-3", 2.5);
        imv_evaluation e;
        ck_assert_int_eq(imv_evaluate(w, p, &e), 0);
        scores[iso] = e.results[0].score;
        ck_assert_str_eq(e.results[0].reasons[0].text, "acceptance counts");
        imv_evaluation_clear(&e);
        imv_profile_free(p);
        imv_worker_free(w);
        imv_registry_free(reg);
        imv_diags_free(&d);
    }
    ck_assert(scores[0] == 25.0 && scores[1] == 25.0);
}
END_TEST

/* Non-bundled native plugins are isolated by default; bundled ones are not. */
START_TEST(isolate__default_is_outside_bundled_set)
{
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    char path[512];
    snprintf(path, sizeof path, "%s/iso_good.so", TU_FIXTURES);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    ck_assert_int_eq(imv_model_isolated(imv_registry_get(reg, 0)), 1);
    imv_registry_free(reg);
    reg = imv_registry_new(NULL);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 1, &d), 0);
    ck_assert_int_eq(imv_model_isolated(imv_registry_get(reg, 0)), 0);
    imv_registry_free(reg);
    imv_diags_free(&d);
}
END_TEST

/* ---- every host function, isolated and in-process ---------------------------- */

static imv_registry *host_all_registry(int isolated)
{
    imv_limits l;
    imv_limits_default(&l);
    l.isolate = isolated;
    l.isolate_timeout = 60;
    imv_registry *reg = imv_registry_new(&l);
    imv_diags d;
    imv_diags_init(&d);
    char path[512];
    snprintf(path, sizeof path, "%s/host_all.so", TU_FIXTURES);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    imv_diags_free(&d);
    ck_assert_int_eq(imv_model_isolated(imv_registry_get(reg, 0)), isolated);
    return reg;
}

static void score_view(imv_registry *reg, imv_worker *w, const imv_profile *p, double acceptance,
                       uint32_t flags, imv_result *r)
{
    imv_partner_view pb[4];
    imv_profile_view v;
    ck_assert_uint_le(p->n_partners, 4);
    imv_profile_view_init(p, &v, pb);
    v.flags |= flags;
    v.ratings[IMV_R_ACCEPTANCE] = acceptance;
    imv_model *m = imv_registry_get(reg, 0);
    memset(r, 0, sizeof *r);
    imv_result_reset(r, m, (flags & IMV_VIEW_SCORE_ONLY) != 0);
    imv_worker_score(w, 0, &v, 0, imv_model_param_values(m), r);
}

static void same_str(const char *a, const char *b, const char *what)
{
    ck_assert_msg((a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0), "%s: \"%s\" vs \"%s\"",
                  what, a ? a : "(null)", b ? b : "(null)");
}

/* Every field of two results, one from each path. */
static void same_result(const imv_result *a, const imv_result *b)
{
    same_str(a->error, b->error, "error");
    ck_assert_int_eq(a->has_score, b->has_score);
    ck_assert(a->score == b->score);
    ck_assert_int_eq(a->viable, b->viable);
    ck_assert_uint_eq(a->n_reasons, b->n_reasons);
    for (size_t i = 0; i < a->n_reasons; i++) {
        same_str(a->reasons[i].fields, b->reasons[i].fields, "reason fields");
        same_str(a->reasons[i].text, b->reasons[i].text, "reason text");
        same_str(a->reasons[i].evidence, b->reasons[i].evidence, "reason evidence");
        ck_assert(a->reasons[i].points == b->reasons[i].points);
    }
    ck_assert_uint_eq(a->n_unmet, b->n_unmet);
    ck_assert_int_eq(a->unmet == NULL, b->unmet == NULL);
    for (size_t i = 0; a->unmet && i < a->n_unmet; i++)
        same_str(a->unmet[i], b->unmet[i], "unmet");
    ck_assert_uint_eq(a->n_risks, b->n_risks);
    for (size_t i = 0; i < a->n_risks; i++)
        same_str(a->risks[i], b->risks[i], "risk");
    ck_assert(a->setup_months == b->setup_months);
    ck_assert(a->months_to_fair == b->months_to_fair);
    ck_assert(a->months_to_good == b->months_to_good);
    same_str(a->partner_id, b->partner_id, "partner");
    ck_assert(a->partner_fit == b->partner_fit);
    ck_assert_uint_eq(a->n_fit_parts, b->n_fit_parts);
    for (size_t i = 0; i < a->n_fit_parts; i++) {
        same_str(a->fit_parts[i].partner, b->fit_parts[i].partner, "fit component partner");
        same_str(a->fit_parts[i].name, b->fit_parts[i].name, "fit component");
        same_str(a->fit_parts[i].evidence, b->fit_parts[i].evidence, "fit component evidence");
        ck_assert(a->fit_parts[i].points == b->fit_parts[i].points);
    }
}

/* Regression: in score-only mode add_unmet counts without keeping the
 * text, and the isolated child's serialiser read the missing text
 * (SIGSEGV in every draw with an unmet precondition). */
START_TEST(isolate__every_host_function_same_as_in_process)
{
    char path[512];
    snprintf(path, sizeof path, "%s/isolate/host_all.json", TU_TESTDATA);
    imv_profile *p = tu_read_profile(path);
    imv_registry *reg[2] = {host_all_registry(0), host_all_registry(1)};
    imv_worker *w[2] = {imv_worker_new(reg[0]), imv_worker_new(reg[1])};
    /* error, unmet precondition, viable: each in full and score-only mode */
    const double acceptance[] = {0.5, 1.5, 3};
    for (size_t k = 0; k < 3; k++)
        for (uint32_t flags = 0; flags <= IMV_VIEW_SCORE_ONLY; flags += IMV_VIEW_SCORE_ONLY) {
            imv_result r[2];
            for (int iso = 0; iso < 2; iso++)
                score_view(reg[iso], w[iso], p, acceptance[k], flags, &r[iso]);
            same_result(&r[0], &r[1]);
            if (k == 0)
                ck_assert_msg(r[1].error && strstr(r[1].error, "acceptance 0.50 is below 1"), "%s",
                              r[1].error ? r[1].error : "no error");
            else
                ck_assert_msg(!r[1].error, "acceptance %g, flags %u: %s", acceptance[k], flags,
                              r[1].error);
            if (k == 1)
                ck_assert(r[1].n_unmet == 1 && !r[1].viable);
            if (k > 0 && flags == 0) {
                ck_assert_uint_eq(r[1].n_reasons, 2);
                ck_assert_str_eq(r[1].unmet ? r[1].unmet[0] : "-",
                                 k == 1 ? "acceptance of at least 2 with a grade of inadequate"
                                        : "-");
                ck_assert_str_eq(r[1].risks[0], "agency_rate may rise");
                ck_assert_str_eq(r[1].partner_id, "partner-a");
                ck_assert_uint_eq(r[1].n_fit_parts, 2); /* "not-named"'s part dropped */
                ck_assert_str_eq(r[1].fit_parts[1].name, "receiving_conditions");
                ck_assert(r[1].setup_months == 3 && r[1].months_to_fair > 0);
            }
            imv_result_clear(&r[0]);
            imv_result_clear(&r[1]);
        }
    for (int iso = 0; iso < 2; iso++) {
        imv_worker_free(w[iso]);
        imv_registry_free(reg[iso]);
    }
    imv_profile_free(p);
}
END_TEST

/* Draws of host_all.json, in-process (u[0]) and isolated (u[1]); vary:
 * --vary-parameters (host_all's bonus is drawn). */
static void draws_both(int vary, imv_uncertainty **u)
{
    char path[512];
    snprintf(path, sizeof path, "%s/isolate/host_all.json", TU_TESTDATA);
    imv_profile *p = tu_read_profile(path);
    for (int iso = 0; iso < 2; iso++) {
        imv_registry *reg = host_all_registry(iso);
        imv_worker *w = imv_worker_new(reg);
        imv_evaluation e;
        imv_evaluate(w, p, &e);
        ck_assert_int_eq(imv_uncertainty_run(w, &e, 300, 7, vary), 0);
        u[iso] = e.uncertainty;
        e.uncertainty = NULL;
        imv_evaluation_clear(&e);
        imv_worker_free(w);
        imv_registry_free(reg);
    }
    imv_profile_free(p);
}

static void same_summary(imv_uncertainty *const *u)
{
    ck_assert(u[1]->failed_share[0] == u[0]->failed_share[0]);
    ck_assert(u[1]->viable_share[0] == u[0]->viable_share[0]);
    ck_assert(u[1]->mean[0] == u[0]->mean[0]);
    ck_assert(u[1]->p05[0] == u[0]->p05[0]);
    ck_assert(u[1]->p95[0] == u[0]->p95[0]);
    same_str(u[0]->error[0], u[1]->error[0], "first error");
}

/* Draws (score-only) give the same summary through both paths, with the
 * draws in which the model failed counted, not dropped. */
START_TEST(isolate__draws_same_as_in_process)
{
    imv_uncertainty *u[2];
    draws_both(0, u);
    ck_assert_msg(u[0]->failed_share[0] > 0.01 && u[0]->failed_share[0] < 0.5, "failed %g",
                  u[0]->failed_share[0]);
    ck_assert_msg(u[0]->viable_share[0] > 0.1 && u[0]->viable_share[0] < 0.9, "viable %g",
                  u[0]->viable_share[0]);
    same_summary(u);
    imv_uncertainty_free(u[0]);
    imv_uncertainty_free(u[1]);
}
END_TEST

/* So do draws whose parameters vary as well (they cross as one array of
 * each, beside the ratings'), and the parameters do reach the model: the
 * mean differs from the draws' with the default. */
START_TEST(isolate__varied_draws_same_as_in_process)
{
    imv_uncertainty *u[2], *fixed[2];
    draws_both(1, u);
    draws_both(0, fixed);
    same_summary(u);
    ck_assert_msg(u[0]->mean[0] != fixed[0]->mean[0], "mean %g either way", u[0]->mean[0]);
    ck_assert(u[0]->p95[0] - u[0]->p05[0] != fixed[0]->p95[0] - fixed[0]->p05[0]);
    for (int i = 0; i < 2; i++) {
        imv_uncertainty_free(u[i]);
        imv_uncertainty_free(fixed[i]);
    }
}
END_TEST

/* Draws of host_all.json through iso_draw, misbehaving as `mode` says
 * (tests/plugins/iso_draw.c) in the draws whose acceptance is below 0.6. */
static imv_uncertainty *draws_with(const char *mode, size_t draws, double timeout)
{
    setenv("ISO_DRAW", mode, 1);
    imv_limits l;
    imv_limits_default(&l);
    l.isolate = 1;
    l.isolate_timeout = timeout;
    imv_registry *reg = imv_registry_new(&l);
    imv_diags d;
    imv_diags_init(&d);
    char path[512];
    snprintf(path, sizeof path, "%s/iso_draw.so", TU_FIXTURES);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    imv_diags_free(&d);
    snprintf(path, sizeof path, "%s/isolate/host_all.json", TU_TESTDATA);
    imv_profile *p = tu_read_profile(path);
    imv_worker *w = imv_worker_new(reg);
    imv_evaluation e;
    imv_evaluate(w, p, &e);
    ck_assert_int_eq(imv_uncertainty_run(w, &e, draws, 11, 0), 0);
    imv_uncertainty *u = e.uncertainty;
    e.uncertainty = NULL;
    imv_evaluation_clear(&e);
    imv_worker_free(w);
    imv_registry_free(reg);
    imv_profile_free(p);
    unsetenv("ISO_DRAW");
    return u;
}

/* A worker process sends several results a frame, so when it crashes,
 * exits or hangs in the middle of a batch of draws, the results of the
 * draws before may still have been waiting in it.  The draw blamed must
 * be the one whose call failed: the same draws fail (so the same share,
 * the same mean of the others) as when the model returns an error there.
 * Blaming the first draw not received failed this test. */
START_TEST(isolate__failing_draw_in_a_batch_is_the_one_blamed)
{
    imv_uncertainty *ref = draws_with("error", 200, 60);
    ck_assert_msg(ref->failed_share[0] * 200 >= 2 && ref->failed_share[0] < 0.2, "failed %g",
                  ref->failed_share[0]);
    static const char *const modes[] = {"segv", "exit", "hang"};
    static const char *const says[] = {"crashed with SIGSEGV", "exited the process (status 3)",
                                       "timed out after 3 s"};
    for (int i = 0; i < 3; i++) {
        imv_uncertainty *u = draws_with(modes[i], 200, i == 2 ? 3 : 60);
        ck_assert_msg(u->failed_share[0] == ref->failed_share[0], "%s: failed %g, not %g", modes[i],
                      u->failed_share[0], ref->failed_share[0]);
        ck_assert(u->viable_share[0] == ref->viable_share[0]);
        ck_assert(u->mean[0] == ref->mean[0]);
        ck_assert(u->p05[0] == ref->p05[0]);
        ck_assert_msg(u->error[0] && strstr(u->error[0], says[i]), "%s: %s", modes[i], u->error[0]);
        imv_uncertainty_free(u);
    }
    imv_uncertainty_free(ref);
}
END_TEST

/* ---- Lua models from outside the bundled set ---------------------------------- */

/* An outside Lua script runs in a worker process by default, as outside
 * native plugins do; bundled scripts (and --no-isolate) stay in-process. */
START_TEST(isolate__outside_lua_model_in_child_by_default)
{
    char path[512];
    fixture_path(path, sizeof path, "iso_lua_loop");
    imv_diags d;
    imv_diags_init(&d);
    for (int bundled = 0; bundled < 2; bundled++) {
        imv_registry *reg = imv_registry_new(NULL);
        ck_assert_int_eq(imv_registry_load_file(reg, path, bundled, &d), 0);
        imv_model *m = imv_registry_get(reg, 0);
        ck_assert_int_eq(imv_model_isolated(m), !bundled);
        ck_assert_str_eq(imv_model_language(m), "lua");
        imv_registry_free(reg);
    }
    imv_limits l;
    imv_limits_default(&l);
    l.isolate = 0;
    imv_registry *reg = imv_registry_new(&l);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    ck_assert_int_eq(imv_model_isolated(imv_registry_get(reg, 0)), 0);
    imv_registry_free(reg);
    imv_diags_free(&d);
}
END_TEST

/* A Lua model that loops with no budget at all is killed at the call's
 * deadline; the run goes on with the error recorded.  In-process nothing
 * but the budget could stop it: this test hung before. */
START_TEST(isolate__looping_lua_model_killed_at_deadline)
{
    check_contained("iso_lua_loop", "timed out after 3 s", 3);
}
END_TEST

/* The worker process of a Lua model dies of a signal in the middle of a
 * call, as it would from a fault in the Lua library or the host's C side:
 * that call is the model's error naming the signal, the next profile is
 * scored by a fresh process.  In-process the signal would end imeval. */
static void *segv_busy_child(void *arg)
{
    (void)arg;
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
    for (int tries = 0; tries < 6000; tries++) {
        FILE *f = fopen(path, "r");
        int pid;
        while (f && fscanf(f, "%d", &pid) == 1) {
            /* the one spinning: 0.3 s of CPU time (fields 14 and 15) */
            char stat[64];
            snprintf(stat, sizeof stat, "/proc/%d/stat", pid);
            FILE *g = fopen(stat, "r");
            size_t got = g ? fread(buf, 1, sizeof buf - 1, g) : 0;
            if (g)
                fclose(g);
            buf[got] = '\0';
            const char *q = strrchr(buf, ')');
            unsigned long ut = 0, st = 0;
            if (q &&
                sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2 &&
                ut + st >= 30) {
                kill(pid, SIGSEGV);
                fclose(f);
                return NULL;
            }
        }
        if (f)
            fclose(f);
        usleep(10000);
    }
    return NULL;
}

START_TEST(isolate__crash_in_lua_worker_is_contained)
{
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, segv_busy_child, NULL), 0);
    check_contained("iso_lua_loop", "crashed with SIGSEGV", 600);
    pthread_join(t, NULL);
}
END_TEST

/* A worker process is imeval's executable started afresh, never a fork of
 * this (threaded) process, also when it replaces one that crashed and the
 * call comes from a thread other than the main one: a fork from a pool
 * thread could leave the child stuck on a lock another thread held. */
static void *evaluate_three(void *arg)
{
    imv_registry *reg = arg;
    imv_worker *w = imv_worker_new(reg);
    const char *ids[3] = {"good-1", "bad-1", "good-2"};
    for (int k = 0; k < 3; k++) {
        imv_profile *p = profile(ids[k], 3);
        imv_evaluation e;
        imv_evaluate(w, p, &e);
        const imv_result *r = &e.results[0];
        if (k == 1) {
            ck_assert_msg(r->error && strstr(r->error, "crashed with SIGSEGV"), "%s", r->error);
        } else {
            ck_assert_msg(!r->error, "%s", r->error);
            ck_assert_str_eq(r->reasons[0].evidence, "imeval");
        }
        imv_evaluation_clear(&e);
        imv_profile_free(p);
    }
    imv_worker_free(w);
    return NULL;
}

START_TEST(isolate__worker_process_is_a_fresh_imeval)
{
    imv_limits l;
    imv_limits_default(&l);
    l.isolate = 1;
    l.isolate_timeout = 60;
    imv_registry *reg = imv_registry_new(&l);
    imv_diags d;
    imv_diags_init(&d);
    char path[512];
    snprintf(path, sizeof path, "%s/iso_exe.so", TU_FIXTURES);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    imv_diags_free(&d);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, evaluate_three, reg), 0);
    pthread_join(t, NULL);
    imv_registry_free(reg);
}
END_TEST

/* ---- the draws area ------------------------------------------------------------ */

/* The descriptor of this process's memfd named name, or -1. */
static int own_memfd(const char *name)
{
    DIR *d = opendir("/proc/self/fd");
    int found = -1;
    struct dirent *e;
    while (d && found < 0 && (e = readdir(d))) {
        char path[300], link[300];
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(path, link, sizeof link - 1);
        if (n > 0) {
            link[n] = '\0';
            if (strstr(link, name))
                found = atoi(e->d_name);
        }
    }
    if (d)
        closedir(d);
    return found;
}

/* 1 when process pid holds a descriptor of the memfd named name. */
static int holds_memfd(int pid, const char *name)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/fd", pid);
    DIR *d = opendir(dir);
    int held = 0;
    struct dirent *e;
    while (d && !held && (e = readdir(d))) {
        char path[400], link[300];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ssize_t n = readlink(path, link, sizeof link - 1);
        if (n > 0) {
            link[n] = '\0';
            held = strstr(link, name) != NULL;
        }
    }
    if (d)
        closedir(d);
    return held;
}

/* The permissions ("r--s") with which pid maps the memfd named name, in
 * perms[8]; "" when it maps none. */
static void mapping_perms(int pid, const char *name, char perms[8])
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *f = fopen(path, "r");
    perms[0] = '\0';
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, name) && sscanf(line, "%*s %7s", perms) == 1)
            break;
    if (f)
        fclose(f);
}

/* A profile with acceptance a range, the rest points: draws to make. */
static imv_profile *ranged_profile(void)
{
    char *json = tu_profile_json("ranged", "inadequate", 2);
    char *at = strstr(json, "\"acceptance\":2");
    ck_assert_ptr_nonnull(at);
    char text[2300];
    snprintf(text, sizeof text, "%.*s\"acceptance\":{\"low\":0.5,\"mode\":2,\"high\":3.5}%s",
             (int)(at - json), json, at + strlen("\"acceptance\":2"));
    free(json);
    return tu_profile_of_json(text);
}

/* lua_good's draws of the ranged profile on engine; the worker, still
 * alive, in *wp when wp is not NULL (else freed). */
static imv_uncertainty *good_draws(int engine, imv_registry **regp, imv_worker **wp)
{
    imv_limits l;
    imv_limits_default(&l);
    l.isolate = 0;
    l.lua_engine = engine;
    imv_registry *reg = imv_registry_new(&l);
    imv_diags d;
    imv_diags_init(&d);
    char path[512];
    fixture_path(path, sizeof path, "good");
    ck_assert_msg(imv_registry_load_file(reg, path, 0, &d) == 0, "%s", d.n ? d.v[0].message : "");
    imv_diags_free(&d);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = ranged_profile();
    imv_evaluation e;
    ck_assert_int_eq(imv_evaluate(w, p, &e), 0);
    ck_assert_int_eq(imv_uncertainty_run(w, &e, 6000, 5, 0), 0);
    imv_uncertainty *u = e.uncertainty;
    e.uncertainty = NULL;
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    *regp = reg;
    if (wp)
        *wp = w;
    else
        imv_worker_free(w);
    return u;
}

/* The draws' ratings lie in one shared area a thread's LuaJIT workers
 * read (plugins/isolate.c): each maps it read-only and keeps no
 * descriptor of it, and the area is sealed so that nothing but imeval's
 * own mapping can write it, shrink it or grow it, whatever a worker does
 * with it.  The figures are Lua 5.4's, with no disagreement between the
 * engines: the workers read the draws imeval wrote for them. */
START_TEST(isolate__draws_area_read_only_to_luajit_workers)
{
    imv_registry *reg, *ref_reg;
    imv_worker *w;
    imv_uncertainty *u = good_draws(IMV_LUA_ENGINE_LUAJIT, &reg, &w);
    const imv_model *m = imv_registry_get(reg, 0);
    ck_assert_msg(m->jit_served > 0 && !m->jit_disagreed, "LuaJIT served %lu batches, disagreed %d",
                  m->jit_served, m->jit_disagreed);
    /* The workers: this thread's children running imeval-luajit. */
    char path[80];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)getpid(), (int)gettid());
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    int pid, workers = 0;
    while (fscanf(f, "%d", &pid) == 1) {
        char comm_path[64], comm[64] = "";
        snprintf(comm_path, sizeof comm_path, "/proc/%d/comm", pid);
        FILE *c = fopen(comm_path, "r");
        if (c && fgets(comm, sizeof comm, c) && strncmp(comm, "imeval-luajit", 13) == 0) {
            char perms[8];
            mapping_perms(pid, "imeval-draws", perms);
            ck_assert_msg(strcmp(perms, "r--s") == 0, "worker %d maps the draws area \"%s\"", pid,
                          perms);
            ck_assert_msg(!holds_memfd(pid, "imeval-draws"),
                          "worker %d kept a descriptor of the draws area", pid);
            workers++;
        }
        if (c)
            fclose(c);
    }
    fclose(f);
    ck_assert_int_eq(workers, 1);
    int fd = own_memfd("imeval-draws");
    ck_assert_int_ge(fd, 0);
    int want = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL | F_SEAL_FUTURE_WRITE;
    ck_assert_int_eq(fcntl(fd, F_GET_SEALS) & want, want);
    ck_assert(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
    ck_assert_int_ne(ftruncate(fd, 0), 0);
    ck_assert_int_ne(ftruncate(fd, 1 << 24), 0);
    ck_assert(pwrite(fd, "x", 1, 0) < 0);
    imv_worker_free(w);
    imv_uncertainty *ref = good_draws(IMV_LUA_ENGINE_LUA54, &ref_reg, NULL);
    ck_assert_msg(u->mean[0] == ref->mean[0] && u->p05[0] == ref->p05[0] &&
                      u->p95[0] == ref->p95[0] && u->viable_share[0] == ref->viable_share[0],
                  "LuaJIT: mean %.17g p05 %g p95 %g; Lua 5.4: mean %.17g p05 %g p95 %g", u->mean[0],
                  u->p05[0], u->p95[0], ref->mean[0], ref->p05[0], ref->p95[0]);
    ck_assert(ref->p95[0] > ref->p05[0]);
    imv_uncertainty_free(u);
    imv_uncertainty_free(ref);
    imv_registry_free(reg);
    imv_registry_free(ref_reg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("isolate");
    TCase *tc = tcase_create("isolate");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, isolate__segfault_becomes_error);
    tcase_add_test(tc, isolate__abort_becomes_error);
    tcase_add_test(tc, isolate__exit_becomes_error);
    tcase_add_test(tc, isolate__endless_loop_times_out);
    tcase_add_test(tc, isolate__output_flood_becomes_error);
    tcase_add_test(tc, isolate__partial_reply_times_out);
    tcase_add_test(tc, isolate__forged_answers_refused);
    tcase_add_test(tc, isolate__request_area_is_out_of_reach);
    tcase_add_test(tc, isolate__closed_connection_is_killed);
    tcase_add_test(tc, isolate__started_process_killed_after_call);
    tcase_add_test(tc, isolate__double_forked_process_killed_after_call);
    tcase_add_test(tc, isolate__process_in_its_own_session_killed_after_call);
    tcase_add_test(tc, isolate__orphan_in_its_own_session_killed_after_call);
    tcase_add_test(tc, isolate__same_result_as_in_process);
    tcase_add_test(tc, isolate__default_is_outside_bundled_set);
    tcase_add_test(tc, isolate__every_host_function_same_as_in_process);
    tcase_add_test(tc, isolate__crashing_constructor_refused);
    tcase_add_test(tc, isolate__looping_constructor_refused);
    tcase_add_test(tc, isolate__wild_pointer_in_definition_refused);
    tcase_add_test(tc, isolate__printing_constructor_refused);
    tcase_add_test(tc, isolate__outside_plugin_loaded_in_child);
    tcase_add_test(tc, isolate__draws_same_as_in_process);
    tcase_add_test(tc, isolate__varied_draws_same_as_in_process);
    tcase_add_test(tc, isolate__outside_lua_model_in_child_by_default);
    tcase_add_test(tc, isolate__looping_lua_model_killed_at_deadline);
    tcase_add_test(tc, isolate__crash_in_lua_worker_is_contained);
    tcase_add_test(tc, isolate__worker_process_is_a_fresh_imeval);
    tcase_add_test(tc, isolate__draws_area_read_only_to_luajit_workers);
    suite_add_tcase(s, tc);
    /* three hangs of 3 s each, and a dozen worker processes */
    TCase *slow = tcase_create("isolate_slow");
    tcase_set_timeout(slow, 180);
    tcase_add_test(slow, isolate__failing_draw_in_a_batch_is_the_one_blamed);
    suite_add_tcase(s, slow);
    return tu_main(s);
}
