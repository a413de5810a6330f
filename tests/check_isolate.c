/* check_isolate.c - native plugins run in a child process are contained:
 * a crash, abort, exit, endless loop or output flood becomes that model's
 * error; the next profile is scored again by a fresh child; every other
 * model is unaffected. */
#include "testutil.h"

static imv_registry *load_fixture(const char *name, double timeout)
{
    imv_limits l;
    imv_limits_default(&l);
    l.isolate = 1;
    l.isolate_timeout = timeout;
    imv_registry *reg = imv_registry_new(&l);
    imv_diags d;
    imv_diags_init(&d);
    char path[512];
    snprintf(path, sizeof path, "%s/%s.so", TU_FIXTURES, name);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    snprintf(path, sizeof path, "%s/iso_good.so", TU_FIXTURES);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    imv_diags_free(&d);
    ck_assert_uint_eq(imv_registry_count(reg), 2);
    return reg;
}

static imv_profile *profile(const char *id, double r)
{
    char *json = tu_profile_json(id, "inadequate", r);
    char *path = tu_write_temp_str(json, ".json");
    imv_diags d;
    imv_diags_init(&d);
    imv_reader *rd = imv_reader_open(path, NULL, &d);
    ck_assert_ptr_nonnull(rd);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_reader_next(rd, &p, &d), 1);
    imv_reader_close(rd);
    imv_diags_free(&d);
    unlink(path);
    free(path);
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

START_TEST(isolate__segfault_becomes_error) { check_contained("iso_segv", "crashed with SIGSEGV", 60); }
END_TEST
START_TEST(isolate__abort_becomes_error) { check_contained("iso_abort", "crashed with SIGABRT", 60); }
END_TEST
START_TEST(isolate__exit_becomes_error) { check_contained("iso_exit", "exited the process (status 3)", 60); }
END_TEST
START_TEST(isolate__endless_loop_times_out) { check_contained("iso_loop", "timed out after 3 s", 3); }
END_TEST
START_TEST(isolate__output_flood_becomes_error) { check_contained("iso_flood", "flooded its output", 60); }
END_TEST

/* Isolated and in-process scoring agree on a good plugin. */
START_TEST(isolate__same_result_as_in_process)
{
    imv_limits l;
    imv_limits_default(&l);
    char path[512];
    snprintf(path, sizeof path, "%s/iso_good.so", TU_FIXTURES);
    double scores[2];
    l.isolate_timeout = 60;        /* a loaded machine under ASan: only a hang fails */
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
    tcase_add_test(tc, isolate__same_result_as_in_process);
    tcase_add_test(tc, isolate__default_is_outside_bundled_set);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
