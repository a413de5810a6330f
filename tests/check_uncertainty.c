/*
 * check_uncertainty.c - the Monte Carlo over uncertain ratings
 * (core/uncertainty.c) and the batch path: the random streams, draws
 * from ranges, figures derived from a fixture rule (tests/plugins/tip_a.c),
 * rank probabilities summing to 1, byte-identical output whatever the
 * thread count and different output for another seed, chunks run in any
 * order, the batch path used when a plugin offers one and giving exactly
 * what single calls give.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>

#include "internal.h"
#include "testutil.h"
#include "uncertainty.h"

static char *path_of(const char *dir, const char *name)
{
    char *p = malloc(1024);
    snprintf(p, 1024, "%s/%s", dir, name);
    return p;
}

static imv_profile *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    ck_assert_msg(imv_profile_from_json(j, "test", 1, 0, &p, &d) == 0, "profile refused");
    cJSON_Delete(j);
    imv_diags_free(&d);
    return p;
}

/* tu_profile_json with one rating replaced by the JSON text `value`. */
static imv_profile *profile_with(const char *id, double all, const char *rating, const char *value)
{
    char *base = tu_profile_json(id, "inadequate", all);
    char key[64], num[32];
    snprintf(num, sizeof num, "%g", all);
    snprintf(key, sizeof key, "\"%s\":%s", rating, num);
    char *at = strstr(base, key);
    ck_assert_ptr_nonnull(at);
    char json[4096];
    snprintf(json, sizeof json, "%.*s\"%s\":%s%s", (int)(at - base), base, rating, value,
             at + strlen(key));
    free(base);
    return parse(json);
}

static imv_registry *registry_of(const char *const *fixtures, int bundled_models)
{
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    if (bundled_models)
        ck_assert_int_eq(imv_registry_load_dir(reg, TU_MODELS, 1, &d), 0);
    for (size_t i = 0; fixtures && fixtures[i]; i++) {
        const char *dir = strstr(fixtures[i], ".lua") ? TU_FIXTURE_SRC : TU_FIXTURES;
        char *p = path_of(dir, fixtures[i]);
        ck_assert_msg(imv_registry_load_file(reg, p, 1, &d) == 0, "%s did not load", p);
        free(p);
    }
    ck_assert_uint_eq(d.n_errors, 0);
    imv_diags_free(&d);
    return reg;
}

static size_t index_of(const imv_registry *reg, const char *id)
{
    for (size_t i = 0; i < imv_registry_count(reg); i++)
        if (strcmp(imv_model_id(imv_registry_get(reg, i)), id) == 0)
            return i;
    ck_abort_msg("no model %s", id);
    return 0;
}

/* Evaluate p and run the draws; the caller clears e. */
static void run_draws(imv_worker *w, const imv_profile *p, size_t draws, uint64_t seed, int vary,
                      imv_evaluation *e)
{
    imv_evaluate(w, p, e);
    ck_assert_int_eq(imv_uncertainty_run(w, e, draws, seed, vary), IMV_OK);
    ck_assert_ptr_nonnull(e->uncertainty);
}

/* ---- random streams and ranges ---------------------------------------------- */

START_TEST(rng__streams_are_reproducible_and_distinct)
{
    imv_rng a, b, c;
    imv_rng_seed(&a, 7, "x@2020");
    imv_rng_seed(&b, 7, "x@2020");
    imv_rng_seed(&c, 7, "y@2020");
    int same_c = 0;
    for (int i = 0; i < 1000; i++) {
        double x = imv_rng_uniform(&a), y = imv_rng_uniform(&b), z = imv_rng_uniform(&c);
        ck_assert(x == y);
        ck_assert(x >= 0 && x < 1);
        same_c += x == z;
    }
    ck_assert_int_lt(same_c, 5);
}
END_TEST

START_TEST(rng__draws_stay_in_their_range_with_the_right_mean)
{
    imv_rng g;
    imv_rng_seed(&g, 1, "ranges");
    imv_range point = {2, 2.5, 3, 0}, uni = {1, 2, 3, 1}, tri = {0, 3, 4, 2};
    double su = 0, st = 0;
    const int N = 200000;
    for (int i = 0; i < N; i++) {
        ck_assert(imv_range_draw(&point, &g) == 2.5);
        double u = imv_range_draw(&uni, &g), t = imv_range_draw(&tri, &g);
        ck_assert(u >= 1 && u <= 3);
        ck_assert(t >= 0 && t <= 4);
        su += u;
        st += t;
    }
    ck_assert_double_eq_tol(su / N, 2, 0.01);
    ck_assert_double_eq_tol(st / N, (0 + 3 + 4) / 3.0, 0.01); /* triangle: (a + c + b) / 3 */
}
END_TEST

/* ---- figures derived from a rule ------------------------------------------------ */

/* tip_a scores 10 x acceptance; tip_b 25 (viable: failure_extent is 2).
 * acceptance uniform on 0..4 makes tip_a uniform on 0..40: mean 20, 5th
 * percentile 2, 95th 38, and first (score >= 25) with probability 0.375. */
START_TEST(figures__follow_from_the_rule)
{
    static const char *const fx[] = {"tip_a.so", "tip_b.so", NULL};
    imv_registry *reg = registry_of(fx, 0);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = profile_with("u", 2, "acceptance", "{\"low\":0,\"high\":4}");
    imv_evaluation e;
    run_draws(w, p, 40000, 3, 0, &e);
    const imv_uncertainty *u = e.uncertainty;
    size_t a = index_of(reg, "tip_a"), b = index_of(reg, "tip_b");
    ck_assert_uint_eq(u->draws, 40000);
    ck_assert_double_eq_tol(u->mean[a], 20, 0.25);
    ck_assert_double_eq_tol(u->p05[a], 2, 0.25);
    ck_assert_double_eq_tol(u->p95[a], 38, 0.25);
    ck_assert_double_eq_tol(u->rank_prob[a * u->n + 0], 0.375, 0.01);
    ck_assert_double_eq_tol(u->rank_prob[b * u->n + 0], 0.625, 0.01);
    ck_assert_double_eq(u->mean[b], 25);
    ck_assert_double_eq(u->p05[b], 25);
    ck_assert_double_eq(u->viable_share[a], 1);
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* With no range nothing varies: every draw is the plain evaluation. */
START_TEST(figures__a_profile_without_ranges_is_its_evaluation)
{
    imv_registry *reg = registry_of(NULL, 1);
    imv_worker *w = imv_worker_new(reg);
    char *json = tu_profile_json("c", "inadequate", 1.5);
    imv_profile *p = parse(json);
    imv_evaluation e;
    run_draws(w, p, 3000, 1, 0, &e);
    const imv_uncertainty *u = e.uncertainty;
    for (size_t r = 0; r < e.n; r++) {
        size_t m = e.order[r];
        ck_assert_double_eq_tol(u->mean[m], e.results[m].score, 1e-9);
        ck_assert_double_eq_tol(u->p05[m], e.results[m].score, 1e-9);
        ck_assert_double_eq_tol(u->p95[m], e.results[m].score, 1e-9);
        ck_assert_double_eq(u->viable_share[m], e.results[m].viable ? 1 : 0);
        for (size_t k = 0; k < e.n; k++)
            ck_assert_double_eq(u->rank_prob[m * e.n + k], k == r ? 1 : 0);
    }
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    free(json);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* Each draw ranks every model once: each model's probabilities over the
 * ranks sum to 1, and so do each rank's over the models. */
START_TEST(figures__rank_probabilities_sum_to_one)
{
    imv_registry *reg = registry_of(NULL, 1);
    imv_worker *w = imv_worker_new(reg);
    static const char *const cases[] = {"isle-of-wight-2013.json", "barnsley-2012.json",
                                        "torbay-2018.json", "stoke-on-trent-2007.json"};
    imv_diags d;
    imv_diags_init(&d);
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char *dir = path_of(tu_env("IMEVAL_DATASETS", "datasets"), "cases");
        char *file = path_of(dir, cases[c]);
        imv_read_opts ro = {0};
        imv_reader *rd = imv_reader_open(file, &ro, &d);
        imv_profile *p;
        ck_assert_int_eq(imv_reader_next(rd, &p, &d), 1);
        for (int vary = 0; vary < 2; vary++) {
            imv_evaluation e;
            run_draws(w, p, 2000, 11, vary, &e);
            const imv_uncertainty *u = e.uncertainty;
            for (size_t i = 0; i < u->n; i++) {
                double row = 0, col = 0;
                for (size_t k = 0; k < u->n; k++) {
                    row += u->rank_prob[i * u->n + k];
                    col += u->rank_prob[k * u->n + i];
                }
                ck_assert_double_eq_tol(row, 1, 1e-12);
                ck_assert_double_eq_tol(col, 1, 1e-12);
                /* The mean may lie outside p05..p95 when nearly every
                 * draw gives one score (a model clamped at 0 in 96% of
                 * draws), so only the order of the quantiles is certain. */
                ck_assert(u->p05[i] <= u->p95[i] + 1e-9);
                ck_assert(u->mean[i] >= 0 && u->mean[i] <= 100);
            }
            imv_evaluation_clear(&e);
        }
        imv_profile_free(p);
        imv_reader_close(rd);
        free(file);
        free(dir);
    }
    imv_diags_free(&d);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* A model that fails in some draws: counted, with its first error, and
 * reported by evaluate (exit status 1).  acceptance uniform on 1..3 is
 * above 2.5 in a quarter of the draws. */
START_TEST(figures__failed_draws_are_counted_and_reported)
{
    static const char *const fx[] = {"flaky.lua", "tip_a.so", NULL};
    imv_registry *reg = registry_of(fx, 0);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = profile_with("f", 2, "acceptance", "{\"low\":1,\"high\":3}");
    imv_evaluation e;
    run_draws(w, p, 8000, 1, 0, &e);
    size_t f = index_of(reg, "flaky"), a = index_of(reg, "tip_a");
    ck_assert_ptr_null(e.results[f].error); /* fine at the point value, 2 */
    ck_assert_double_eq_tol(e.uncertainty->failed_share[f], 0.25, 0.015);
    ck_assert_ptr_nonnull(strstr(e.uncertainty->error[f], "acceptance above 2.5"));
    ck_assert_double_eq(e.uncertainty->failed_share[a], 0);
    ck_assert_ptr_null(e.uncertainty->error[a]);
    /* failed draws rank last */
    ck_assert_double_eq_tol(e.uncertainty->rank_prob[f * 2 + 1], e.uncertainty->failed_share[f],
                            1e-12);
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);

    char *json = tu_profile_json("g", "inadequate", 2);
    char *at = strstr(json, "\"acceptance\":2");
    char text[4096];
    snprintf(text, sizeof text, "%.*s\"acceptance\":{\"low\":1,\"high\":3}%s", (int)(at - json),
             json, at + strlen("\"acceptance\":2"));
    char *path = tu_write_temp_str(text, ".json");
    char cmd[2048], *out = NULL, *err = NULL;
    snprintf(cmd, sizeof cmd,
             "%s evaluate --no-bundled --model %s/flaky.lua --draws 2000 --format json %s", TU_BIN,
             TU_FIXTURE_SRC, path);
    ck_assert_int_eq(tu_run(cmd, &out, &err), 1);
    ck_assert_msg(strstr(err, "model flaky: failed in") && strstr(err, "acceptance above 2.5"),
                  "%s", err);
    ck_assert_ptr_nonnull(strstr(out, "\"failed_share\""));
    free(out);
    free(err);
    unlink(path);
    free(path);
    free(json);
}
END_TEST

/* ---- reproducibility ------------------------------------------------------------ */

/* Chunks may run in any order, on any worker: the figures are the same. */
START_TEST(repro__chunks_in_any_order_give_the_same_figures)
{
    imv_registry *reg = registry_of(NULL, 1);
    imv_worker *w1 = imv_worker_new(reg), *w2 = imv_worker_new(reg);
    imv_profile *p = profile_with("o", 2, "governance", "{\"low\":0.5,\"mode\":1,\"high\":3.5}");
    imv_evaluation e;
    run_draws(w1, p, 3000, 5, 1, &e);
    imv_mc *mc = imv_mc_new(reg, p, 3000, 5, 1);
    size_t n = imv_mc_chunks(mc);
    ck_assert_uint_gt(n, 3);
    for (size_t k = n; k-- > 0;)
        imv_mc_run(mc, k % 2 ? w1 : w2, k, 1);
    imv_uncertainty *u = imv_mc_finish(mc);
    imv_mc_free(mc);
    const imv_uncertainty *v = e.uncertainty;
    ck_assert_int_eq(memcmp(u->mean, v->mean, v->n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(u->p05, v->p05, v->n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(u->p95, v->p95, v->n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(u->rank_prob, v->rank_prob, v->n * v->n * sizeof(double)), 0);
    imv_uncertainty_free(u);
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w1);
    imv_worker_free(w2);
    imv_registry_free(reg);
}
END_TEST

/* Synthetic authorities and the cases, through the command: byte-identical
 * JSON for 1, 2 and 3 threads; another seed gives other figures. */
START_TEST(repro__same_seed_same_bytes_whatever_the_threads)
{
    char cmd[4096], *base = NULL, *out = NULL;
    char *synth = tu_write_temp_str("", ".jsonl");
    snprintf(cmd, sizeof cmd, "%s synth --count 25 --seed 4 -o %s", TU_BIN, synth);
    ck_assert_int_eq(tu_run(cmd, NULL, NULL), 0);
    const char *ds = tu_env("IMEVAL_DATASETS", "datasets");
    for (int vary = 0; vary < 2; vary++) {
        for (int jobs = 1; jobs <= 3; jobs++) {
            snprintf(cmd, sizeof cmd,
                     "%s evaluate --format json --draws 1500 --seed 9 %s --jobs %d %s %s/cases/*.json",
                     TU_BIN, vary ? "--vary-parameters" : "", jobs, synth, ds);
            ck_assert_int_eq(tu_run(cmd, jobs == 1 ? &base : &out, NULL), 0);
            if (jobs > 1) {
                ck_assert_msg(strcmp(base, out) == 0, "--jobs %d differs from --jobs 1", jobs);
                free(out);
            }
        }
        ck_assert_ptr_nonnull(strstr(base, "\"rank_probability\""));
        snprintf(cmd, sizeof cmd,
                 "%s evaluate --format json --draws 1500 --seed 10 %s %s %s/cases/*.json", TU_BIN,
                 vary ? "--vary-parameters" : "", synth, ds);
        ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
        ck_assert_msg(strcmp(base, out) != 0, "seed 10 gave the same output as seed 9");
        free(out);
        free(base);
    }
    unlink(synth);
    free(synth);
}
END_TEST

/* ---- the batch path ---------------------------------------------------------------- */

/* The markers score differently on each path: a plain evaluation takes
 * single calls, the draws of an uncertain profile the batch path. */
START_TEST(batch__used_when_a_plugin_offers_one)
{
    static const char *const fx[] = {"batch_marker.so", "batch_marker.lua", NULL};
    imv_registry *reg = registry_of(fx, 0);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = profile_with("b", 2, "acceptance", "{\"low\":1,\"high\":3}");
    imv_evaluation e;
    run_draws(w, p, 1000, 1, 0, &e);
    size_t c = index_of(reg, "batch_marker"), l = index_of(reg, "batch_marker_lua");
    ck_assert_ptr_null(e.results[l].error);
    ck_assert_double_eq(e.results[c].score, 40);
    ck_assert_double_eq(e.results[l].score, 41);
    ck_assert_double_eq(e.uncertainty->mean[c], 60);
    ck_assert_double_eq(e.uncertainty->mean[l], 61);
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* Write the bundled Lua models to dir with a score_batch that loops over
 * score (what bench/batch-models.sh does). */
static void wrap_lua_models(const char *dir)
{
    char *src = path_of(tu_env("IMEVAL_ROOT", "."), "models");
    DIR *d = opendir(src);
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".lua") != 0)
            continue;
        char *in = path_of(src, de->d_name), *out = path_of(dir, de->d_name);
        char *body = tu_slurp(in);
        ck_assert_ptr_nonnull(body);
        FILE *f = fopen(out, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f,
                "local model = (function()\n%s\nend)()\nlocal score = model.score\n"
                "model.score_batch = function(ps, ws)\n  local out = {}\n"
                "  for i = 1, #ps do\n"
                "    local s, u = score(ps[i], ws[i])\n"
                "    if u ~= nil then s = { score = s, unmet_preconditions = u } end\n"
                "    out[i] = s\n"
                "  end\n"
                "  return out\nend\n"
                "return model\n",
                body);
        fclose(f);
        chmod(out, 0644);
        free(body);
        free(in);
        free(out);
        n++;
    }
    closedir(d);
    free(src);
    ck_assert_int_eq(n, 3);
}

static void same_uncertainty(const imv_uncertainty *u, const imv_uncertainty *v)
{
    ck_assert_uint_eq(u->n, v->n);
    ck_assert_int_eq(memcmp(u->mean, v->mean, v->n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(u->p05, v->p05, v->n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(u->p95, v->p95, v->n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(u->viable_share, v->viable_share, v->n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(u->rank_prob, v->rank_prob, v->n * v->n * sizeof(double)), 0);
}

/* The seven models with a batch path (C: tests/plugins/batch_*.so; Lua:
 * wrapped here) give exactly the figures of the bundled ones. */
START_TEST(batch__gives_exactly_what_single_calls_give)
{
    char dir[] = "/tmp/imv-batch-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    chmod(dir, 0755);
    wrap_lua_models(dir);
    static const char *const fx[] = {"batch_commissioner.so", "batch_executive_partnership.so",
                                     "batch_improvement_board.so", "batch_self_improvement.so", NULL};
    imv_registry *single = registry_of(NULL, 1), *batch = registry_of(fx, 0);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_dir(batch, dir, 1, &d), 0);
    ck_assert_uint_eq(imv_registry_count(batch), 7);
    for (size_t i = 0; i < 7; i++) {
        ck_assert_str_eq(imv_model_id(imv_registry_get(batch, i)),
                         imv_model_id(imv_registry_get(single, i)));
        ck_assert_int_eq(imv_registry_get(batch, i)->has_batch, 1);
    }
    imv_worker *ws = imv_worker_new(single), *wb = imv_worker_new(batch);
    static const char *const cases[] = {"isle-of-wight-2013.json", "barnsley-2012.json",
                                        "plymouth-2022.json", "torbay-2018.json"};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char *cdir = path_of(tu_env("IMEVAL_DATASETS", "datasets"), "cases");
        char *file = path_of(cdir, cases[c]);
        imv_read_opts ro = {0};
        imv_reader *rd = imv_reader_open(file, &ro, &d);
        imv_profile *p;
        ck_assert_int_eq(imv_reader_next(rd, &p, &d), 1);
        ck_assert_int_eq(p->uncertain, 1);
        for (int vary = 0; vary < 2; vary++) {
            imv_evaluation es, eb;
            run_draws(ws, p, 1200, 2, vary, &es);
            run_draws(wb, p, 1200, 2, vary, &eb);
            same_uncertainty(es.uncertainty, eb.uncertainty);
            imv_evaluation_clear(&es);
            imv_evaluation_clear(&eb);
        }
        imv_profile_free(p);
        imv_reader_close(rd);
        free(file);
        free(cdir);
    }
    imv_worker_free(ws);
    imv_worker_free(wb);
    imv_registry_free(single);
    imv_registry_free(batch);
    imv_diags_free(&d);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("uncertainty");
    TCase *tc = tcase_create("uncertainty");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, rng__streams_are_reproducible_and_distinct);
    tcase_add_test(tc, rng__draws_stay_in_their_range_with_the_right_mean);
    tcase_add_test(tc, figures__follow_from_the_rule);
    tcase_add_test(tc, figures__a_profile_without_ranges_is_its_evaluation);
    tcase_add_test(tc, figures__rank_probabilities_sum_to_one);
    tcase_add_test(tc, figures__failed_draws_are_counted_and_reported);
    tcase_add_test(tc, repro__chunks_in_any_order_give_the_same_figures);
    tcase_add_test(tc, repro__same_seed_same_bytes_whatever_the_threads);
    tcase_add_test(tc, batch__used_when_a_plugin_offers_one);
    tcase_add_test(tc, batch__gives_exactly_what_single_calls_give);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
