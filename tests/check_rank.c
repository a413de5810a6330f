/*
 * check_rank.c - ranking (RESULT-FORMAT.md): viable models by score,
 * highest first; then non-viable ones, whatever their score; then failed
 * ones; ties broken by model id so output is deterministic; `recommended`
 * is the first viable model or none.  imv_rank is checked directly on
 * hand-made results, imv_evaluate through small generated Lua models
 * whose score, viability and failure the test decides.
 */
#include <cjson/cJSON.h>
#include <stdint.h>

#include "internal.h"
#include "testutil.h"

/* ---- imv_rank on hand-made results ------------------------------------------ */

static imv_model models[16];

static void make_models(void)
{
    static const char *const ids[16] = {"a", "b", "c", "d", "e", "f", "g", "h",
                                        "i", "j", "k", "l", "m", "n", "o", "p"};
    for (size_t i = 0; i < 16; i++) {
        memset(&models[i], 0, sizeof models[i]);
        models[i].id = (char *)ids[i];
        models[i].order = (unsigned)i; /* its place in id order, as a registry sets it */
    }
}

/* kind: 'v' viable, 'n' not viable, 'e' error */
static imv_result res(size_t model, double score, char kind)
{
    imv_result r;
    memset(&r, 0, sizeof r);
    r.model = &models[model];
    r.has_score = kind != 'e';
    r.score = score;
    r.viable = kind == 'v';
    r.error = kind == 'e' ? (char *)"failed" : NULL; /* never freed here */
    return r;
}

static void expect_order(const imv_result *rs, size_t n, const char *ids)
{
    size_t order[16];
    imv_rank(rs, n, order);
    char got[32] = "";
    for (size_t i = 0; i < n; i++)
        got[i] = imv_model_id(rs[order[i]].model)[0];
    got[n] = '\0';
    ck_assert_str_eq(got, ids);
}

START_TEST(rank__viable_by_score_descending)
{
    imv_result rs[] = {res(0, 40, 'v'), res(1, 90, 'v'), res(2, 65.5, 'v'), res(3, 65.4, 'v')};
    expect_order(rs, 4, "bcda");
}
END_TEST

START_TEST(rank__non_viable_below_every_viable)
{
    /* The non-viable "a" scores 99 and still ranks below the viable 10. */
    imv_result rs[] = {res(0, 99, 'n'), res(1, 10, 'v'), res(2, 50, 'n'), res(3, 20, 'v')};
    expect_order(rs, 4, "dbac");
}
END_TEST

START_TEST(rank__failed_models_last)
{
    imv_result rs[] = {res(0, 0, 'e'), res(1, 0, 'n'), res(2, 5, 'v'), res(3, 100, 'e'),
                       res(4, 1, 'n')};
    expect_order(rs, 5, "cebad");
}
END_TEST

START_TEST(rank__ties_broken_by_model_id)
{
    /* Given in reverse id order, equal scores come out in id order. */
    imv_result rs[] = {res(3, 50, 'v'), res(2, 50, 'v'), res(1, 50, 'v'), res(0, 50, 'v')};
    expect_order(rs, 4, "abcd");
    imv_result ns[] = {res(3, 20, 'n'), res(2, 20, 'n'), res(1, 70, 'v'), res(0, 20, 'n')};
    expect_order(ns, 4, "bacd");
    imv_result es[] = {res(3, 0, 'e'), res(0, 0, 'e'), res(2, 0, 'e'), res(1, 0, 'e')};
    expect_order(es, 4, "abcd");
}
END_TEST

START_TEST(rank__empty_and_single)
{
    size_t order[1] = {42};
    imv_rank(NULL, 0, order);
    ck_assert_uint_eq(order[0], 42);
    imv_result one[] = {res(0, 0, 'e')};
    imv_rank(one, 1, order);
    ck_assert_uint_eq(order[0], 0);
}
END_TEST

/* A deterministic generator, so a failure can be reproduced. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Property: for random results, imv_rank returns a permutation in which
 * every adjacent pair is in the documented order. */
START_TEST(rank__random_results_obey_the_rules)
{
    for (int round = 0; round < 2000; round++) {
        size_t n = 1 + next_rand() % 16;
        imv_result rs[16];
        for (size_t i = 0; i < n; i++) {
            static const char kinds[] = "vvvne";
            /* Few distinct scores, so that ties are common. */
            rs[i] = res(next_rand() % 16, (double)(next_rand() % 5) * 25, kinds[next_rand() % 5]);
        }
        size_t order[16];
        unsigned char seen[16] = {0};
        imv_rank(rs, n, order);
        for (size_t i = 0; i < n; i++) {
            ck_assert_uint_lt(order[i], n);
            ck_assert_int_eq(seen[order[i]], 0);
            seen[order[i]] = 1;
        }
        for (size_t i = 1; i < n; i++) {
            const imv_result *x = &rs[order[i - 1]], *y = &rs[order[i]];
            int cx = x->error ? 2 : x->viable ? 0 : 1, cy = y->error ? 2 : y->viable ? 0 : 1;
            ck_assert_int_le(cx, cy);
            if (cx == cy && cx != 2)
                ck_assert(x->score >= y->score);
            if (cx == cy && (cx == 2 || x->score == y->score))
                ck_assert_int_le(strcmp(x->model->id, y->model->id), 0);
        }
    }
}
END_TEST

START_TEST(band__thresholds)
{
    /* strong >= 70, moderate >= 50, weak >= 30, poor < 30 */
    ck_assert_str_eq(imv_band(100), "strong");
    ck_assert_str_eq(imv_band(70), "strong");
    ck_assert_str_eq(imv_band(69.99), "moderate");
    ck_assert_str_eq(imv_band(50), "moderate");
    ck_assert_str_eq(imv_band(49.99), "weak");
    ck_assert_str_eq(imv_band(30), "weak");
    ck_assert_str_eq(imv_band(29.99), "poor");
    ck_assert_str_eq(imv_band(0), "poor");
}
END_TEST

/* ---- imv_evaluate with generated Lua models ------------------------------------ */

typedef struct spec {
    const char *id;
    const char *body; /* Lua statements of score(p, params) */
} spec;

static char model_dir[64];

/* Write one Lua model per spec into a private directory and load them. */
static imv_registry *load_specs(const spec *s, size_t n)
{
    snprintf(model_dir, sizeof model_dir, "/tmp/imv-rank-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(model_dir));
    for (size_t i = 0; i < n; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s.lua", model_dir, s[i].id);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f,
                "return { id = \"%s\", name = \"Model %s\", version = \"1.0.0\",\n"
                "  summary = \"test\", evidence = \"none\",\n"
                "  score = function(p, params)\n%s\n  end }\n",
                s[i].id, s[i].id, s[i].body);
        fclose(f);
        chmod(path, 0644);
    }
    imv_diags d;
    imv_diags_init(&d);
    imv_registry *reg = imv_registry_new(NULL);
    ck_assert_int_eq(imv_registry_load_dir(reg, model_dir, 0, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_uint_eq(imv_registry_count(reg), n);
    imv_diags_free(&d);
    return reg;
}

static void remove_specs(const spec *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s.lua", model_dir, s[i].id);
        unlink(path);
    }
    rmdir(model_dir);
}

static imv_profile *profile(void)
{
    char *text = tu_profile_json("rank-test", "inadequate", 2);
    cJSON *j = cJSON_Parse(text);
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_profile_from_json(j, "rank.json", 1, 0, &p, &d), 0);
    cJSON_Delete(j);
    imv_diags_free(&d);
    free(text);
    return p;
}

/* Evaluate and return the ids in rank order, joined by spaces. */
static void evaluate_order(const spec *s, size_t n, char *out, size_t len, int *rc,
                           const char **recommended)
{
    imv_registry *reg = load_specs(s, n);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = profile();
    imv_evaluation e;
    *rc = imv_evaluate(w, p, &e);
    out[0] = '\0';
    for (size_t i = 0; i < e.n; i++) {
        strncat(out, imv_model_id(e.results[e.order[i]].model), len - strlen(out) - 2);
        if (i + 1 < e.n)
            strcat(out, " ");
    }
    static char rec[64];
    snprintf(rec, sizeof rec, "%s", e.recommended ? e.recommended : "");
    *recommended = e.recommended ? rec : NULL;
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
    remove_specs(s, n);
}

START_TEST(evaluate__ranks_and_recommends_the_first_viable)
{
    static const spec s[] = {
        {"zeta", "return 80"},
        {"alpha", "return { score = 95, unmet_preconditions = { \"no partner\" } }"},
        {"mid", "return { score = 60 }"},
        {"boom", "error(\"model exploded\")"},
        {"tie_b", "return 60"},
        {"low", "return 5"},
    };
    char order[200];
    int rc;
    const char *rec;
    evaluate_order(s, 6, order, sizeof order, &rc, &rec);
    /* viable: zeta 80, mid 60 and tie_b 60 (id order), low 5; then the
     * non-viable alpha 95; then the failed boom. */
    ck_assert_str_eq(order, "zeta mid tie_b low alpha boom");
    ck_assert_ptr_nonnull(rec);
    ck_assert_str_eq(rec, "zeta");
    /* A model failed: imv_evaluate says so, the others still ranked. */
    ck_assert_int_eq(rc, IMV_EPLUGIN);
}
END_TEST

START_TEST(evaluate__no_viable_model_recommends_none)
{
    static const spec s[] = {
        {"a", "return { score = 90, unmet_preconditions = { \"x\" } }"},
        {"b", "error(\"fails\")"},
        {"c", "return { score = 10, unmet_preconditions = { \"y\", \"z\" } }"},
    };
    char order[200];
    int rc;
    const char *rec;
    evaluate_order(s, 3, order, sizeof order, &rc, &rec);
    ck_assert_str_eq(order, "a c b");
    ck_assert_ptr_null(rec);

    static const spec all_fail[] = {{"x", "error(\"one\")"}, {"y", "return 0/0"}};
    evaluate_order(all_fail, 2, order, sizeof order, &rc, &rec);
    ck_assert_str_eq(order, "x y");
    ck_assert_ptr_null(rec);
    ck_assert_int_eq(rc, IMV_EPLUGIN);
}
END_TEST

START_TEST(evaluate__ties_by_id_whatever_the_load_order)
{
    /* Equal scores: alphabetical, not file or declaration order. */
    static const spec s[] = {{"c_model", "return 42"},
                             {"a_model", "return 42"},
                             {"b_model", "return 42"}};
    char order[200];
    int rc;
    const char *rec;
    evaluate_order(s, 3, order, sizeof order, &rc, &rec);
    ck_assert_str_eq(order, "a_model b_model c_model");
    ck_assert_str_eq(rec, "a_model");
    ck_assert_int_eq(rc, IMV_OK);
}
END_TEST

START_TEST(evaluate__failed_model_has_error_and_no_score)
{
    static const spec s[] = {{"good", "return { score = 70, reasons = { { fields = "
                                      "\"ratings.acceptance\", points = 5, text = \"t\", "
                                      "evidence = \"e\" } } }"},
                             {"bad", "return { score = 101 }"}};
    imv_registry *reg = load_specs(s, 2);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *p = profile();
    imv_evaluation e;
    ck_assert_int_eq(imv_evaluate(w, p, &e), IMV_EPLUGIN);
    ck_assert_uint_eq(e.n, 2);
    const imv_result *first = &e.results[e.order[0]], *last = &e.results[e.order[1]];
    ck_assert_str_eq(imv_model_id(first->model), "good");
    ck_assert_int_eq(first->has_score, 1);
    ck_assert_double_eq(first->score, 70);
    ck_assert_int_eq(first->viable, 1);
    ck_assert_uint_eq(first->n_reasons, 1);
    ck_assert_str_eq(imv_model_id(last->model), "bad");
    ck_assert_ptr_nonnull(last->error);
    ck_assert_ptr_nonnull(strstr(last->error, "101"));
    ck_assert_int_eq(last->has_score, 0);
    ck_assert_int_eq(last->viable, 0);
    ck_assert_str_eq(e.recommended, "good");
    ck_assert_ptr_eq(e.profile, p);
    imv_evaluation_clear(&e);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
    remove_specs(s, 2);
}
END_TEST

START_TEST(evaluate__models_see_the_profile)
{
    /* The score is a function of the profile, so a model that reads its
     * input ranks differently for different profiles. */
    static const spec s[] = {{"reads", "return 20 * p.ratings.acceptance"}, {"fixed", "return 50"}};
    imv_registry *reg = load_specs(s, 2);
    imv_worker *w = imv_worker_new(reg);
    for (int acc = 0; acc <= 4; acc++) {
        char *text = tu_profile_json("prof", "inadequate", acc);
        cJSON *j = cJSON_Parse(text);
        imv_diags d;
        imv_diags_init(&d);
        imv_profile *p = NULL;
        ck_assert_int_eq(imv_profile_from_json(j, "x.json", 1, 0, &p, &d), 0);
        imv_evaluation e;
        ck_assert_int_eq(imv_evaluate(w, p, &e), IMV_OK);
        /* acc 0,1,2 -> 0,20,40 below 50; acc 3,4 -> 60,80 above. */
        ck_assert_str_eq(e.recommended, acc >= 3 ? "reads" : "fixed");
        imv_evaluation_clear(&e);
        imv_profile_free(p);
        imv_diags_free(&d);
        cJSON_Delete(j);
        free(text);
    }
    imv_worker_free(w);
    imv_registry_free(reg);
    remove_specs(s, 2);
}
END_TEST

int main(void)
{
    make_models();
    Suite *s = suite_create("rank");
    TCase *tc = tcase_create("rank");
    tcase_add_test(tc, rank__viable_by_score_descending);
    tcase_add_test(tc, rank__non_viable_below_every_viable);
    tcase_add_test(tc, rank__failed_models_last);
    tcase_add_test(tc, rank__ties_broken_by_model_id);
    tcase_add_test(tc, rank__empty_and_single);
    tcase_add_test(tc, rank__random_results_obey_the_rules);
    tcase_add_test(tc, band__thresholds);
    suite_add_tcase(s, tc);
    tc = tcase_create("evaluate");
    tcase_add_test(tc, evaluate__ranks_and_recommends_the_first_viable);
    tcase_add_test(tc, evaluate__no_viable_model_recommends_none);
    tcase_add_test(tc, evaluate__ties_by_id_whatever_the_load_order);
    tcase_add_test(tc, evaluate__failed_model_has_error_and_no_score);
    tcase_add_test(tc, evaluate__models_see_the_profile);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
