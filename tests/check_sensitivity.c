/*
 * check_sensitivity.c - tipping points (core/sensitivity.c, imeval
 * sensitivity): known tipping points of two fixtures whose rules we control
 * (tests/plugins/tip_a.c, tip_b.c), the reported points checked against
 * plain evaluations on the real cases, and the command's output and exit
 * codes.
 */
#include <cjson/cJSON.h>
#include <math.h>

#include "imeval.h"
#include "testutil.h"

static char *path_of(const char *dir, const char *name)
{
    char *p = malloc(1024);
    snprintf(p, 1024, "%s/%s", dir, name);
    return p;
}

static imv_registry *tip_registry(void)
{
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    static const char *const names[] = {"tip_a.so", "tip_b.so"};
    for (int i = 0; i < 2; i++) {
        char *p = path_of(TU_FIXTURES, names[i]);
        ck_assert_int_eq(imv_registry_load_file(reg, p, 1, &d), 0);
        free(p);
    }
    ck_assert_uint_eq(d.n_errors, 0);
    imv_diags_free(&d);
    return reg;
}

static imv_profile *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_profile_from_json(j, "test", 1, 0, &p, &d), 0);
    cJSON_Delete(j);
    imv_diags_free(&d);
    return p;
}

static size_t index_of(const imv_registry *reg, const char *id)
{
    for (size_t i = 0; i < imv_registry_count(reg); i++)
        if (strcmp(imv_model_id(imv_registry_get(reg, i)), id) == 0)
            return i;
    ck_abort_msg("no model %s", id);
    return 0;
}

/* ---- the fixtures: tipping points derived from their rules ------------------ */

/* All ratings 2: tip_a scores 20, tip_b 25 and is first.  tip_b loses first
 * place when acceptance reaches 2.5 (10 * 2.5 = 25, a tie, which the
 * smaller id wins), when failure_extent passes 3.5 (tip_b not viable; the
 * smallest value above 3.5 at 0.01 is 3.51), or when tip_b.level falls to
 * 20.  Nothing else matters, and lowering anything changes nothing. */
START_TEST(sensitivity__known_tipping_points)
{
    imv_registry *reg = tip_registry();
    imv_worker *w = imv_worker_new(reg);
    char *json = tu_profile_json("tip", "inadequate", 2);
    imv_profile *p = parse(json);
    imv_sensitivity *s;
    ck_assert_int_eq(imv_sensitivity_run(w, p, &s), IMV_OK);
    size_t a = index_of(reg, "tip_a"), b = index_of(reg, "tip_b");

    ck_assert_uint_eq(s->first, b);
    ck_assert_int_eq(s->first_viable, 1);
    ck_assert_uint_eq(s->second, a);
    ck_assert_double_eq_tol(s->margin, 5, 1e-9);

    const imv_rating_sens *acc = &s->ratings[IMV_R_ACCEPTANCE];
    ck_assert_double_eq(acc->value, 2);
    ck_assert_int_eq(acc->up.found, 1);
    ck_assert_double_eq_tol(acc->up.to, 2.5, 1e-9);
    ck_assert_uint_eq(acc->up.first, a);
    ck_assert_int_eq(acc->down.found, 0);

    const imv_rating_sens *fe = &s->ratings[IMV_R_FAILURE_EXTENT];
    ck_assert_int_eq(fe->up.found, 1);
    ck_assert_double_eq_tol(fe->up.to, 3.51, 1e-9);
    ck_assert_uint_eq(fe->up.first, a);
    ck_assert_int_eq(fe->down.found, 0);

    for (int r = 0; r < IMV_R_COUNT; r++) {
        if (r == IMV_R_ACCEPTANCE || r == IMV_R_FAILURE_EXTENT)
            continue;
        ck_assert_msg(!s->ratings[r].up.found && !s->ratings[r].down.found, "%s has a tip",
                      imv_rating_name(r));
    }

    /* tip_a comes first by raising acceptance to 2.5 (nearest), or
     * failure_extent to 3.51. */
    const imv_model_tip *t = &s->models[a];
    ck_assert_int_eq(t->found, 1);
    ck_assert_int_eq(t->rating, IMV_R_ACCEPTANCE);
    ck_assert_double_eq_tol(t->to, 2.5, 1e-9);
    ck_assert_uint_eq(t->n_options, 2);
    ck_assert_int_eq(t->options[1].rating, IMV_R_FAILURE_EXTENT);
    ck_assert_double_eq_tol(t->options[1].to, 3.51, 1e-9);
    ck_assert_int_eq(s->models[b].found, 0);

    /* The one parameter: level 25 in 0..100; at 20 tip_a is first, and it
     * is first for level 0, 1.25, ..., 20: 17 of the 81 points scanned. */
    ck_assert_uint_eq(s->n_params, 1);
    const imv_param_sens *q = &s->params[0];
    ck_assert_uint_eq(q->model, b);
    ck_assert_int_eq(q->tip.found, 1);
    ck_assert_double_eq_tol(q->tip.to, 20, 1e-9);
    ck_assert_uint_eq(q->tip.first, a);
    ck_assert_double_eq_tol(q->share, 17.0 / 81, 1e-9);
    ck_assert_double_eq_tol(q->swing, 100, 1e-9);

    imv_sensitivity_free(s);
    imv_profile_free(p);
    free(json);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* A tipping point inside the adviser's range is flagged in the JSON. */
START_TEST(sensitivity__tip_within_the_range_is_flagged)
{
    imv_registry *reg = tip_registry();
    imv_worker *w = imv_worker_new(reg);
    char *base = tu_profile_json("tipr", "inadequate", 2);
    /* acceptance 1..2..3: the point value stays 2, the tip 2.5 is inside */
    char *at = strstr(base, "\"acceptance\":2");
    ck_assert_ptr_nonnull(at);
    char json[4096];
    snprintf(json, sizeof json, "%.*s\"acceptance\":{\"low\":1,\"mode\":2,\"high\":3}%s",
             (int)(at - base), base, at + strlen("\"acceptance\":2"));
    imv_profile *p = parse(json);
    imv_sensitivity *s;
    ck_assert_int_eq(imv_sensitivity_run(w, p, &s), IMV_OK);
    ck_assert_int_eq(s->ratings[IMV_R_ACCEPTANCE].uncertain, 1);
    ck_assert_double_eq_tol(s->ratings[IMV_R_ACCEPTANCE].up.to, 2.5, 1e-9);
    cJSON *o = imv_sensitivity_json(s, p, reg);
    cJSON *inc = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "ratings"),
                                                         "acceptance"),
                                     "increase");
    ck_assert_ptr_nonnull(inc);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(inc, "within_range")));
    ck_assert_str_eq(cJSON_GetObjectItem(inc, "first")->valuestring, "tip_a");
    ck_assert_double_eq_tol(cJSON_GetObjectItem(inc, "change")->valuedouble, 0.5, 1e-9);
    cJSON_Delete(o);
    imv_sensitivity_free(s);
    imv_profile_free(p);
    free(base);
    imv_worker_free(w);
    imv_registry_free(reg);
}
END_TEST

/* ---- the real models: every reported tip is a real one, and minimal -------- */

static size_t first_with(imv_worker *w, imv_profile *p, int r, double x)
{
    imv_range saved = p->ratings[r];
    p->ratings[r] = (imv_range){x, x, x, 0};
    imv_evaluation e;
    imv_evaluate(w, p, &e);
    size_t f = e.order[0];
    imv_evaluation_clear(&e);
    p->ratings[r] = saved;
    return f;
}

START_TEST(sensitivity__tips_on_the_cases_are_real_and_minimal)
{
    static const char *const cases[] = {"barnsley-2012.json", "torbay-2018.json",
                                        "kingston-2012.json", "doncaster-2013.json"};
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_dir(reg, TU_MODELS, 1, &d), 0);
    imv_worker *w = imv_worker_new(reg);
    int tips = 0;
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char *path = path_of(tu_env("IMEVAL_DATASETS", "datasets"), "cases");
        char *file = path_of(path, cases[c]);
        imv_read_opts ro = {0};
        imv_reader *rd = imv_reader_open(file, &ro, &d);
        ck_assert_ptr_nonnull(rd);
        imv_profile *p;
        ck_assert_int_eq(imv_reader_next(rd, &p, &d), 1);
        imv_sensitivity *s;
        ck_assert_int_eq(imv_sensitivity_run(w, p, &s), IMV_OK);
        for (int r = 0; r < IMV_R_COUNT; r++) {
            const imv_rating_sens *rs = &s->ratings[r];
            const imv_tip *t[2] = {&rs->up, &rs->down};
            for (int k = 0; k < 2; k++) {
                if (!t[k]->found)
                    continue;
                tips++;
                double dir = k == 0 ? 1 : -1;
                /* at the reported value another model is first, the one said */
                size_t f = first_with(w, p, r, t[k]->to);
                ck_assert_msg(f == t[k]->first, "%s %s to %g: first %zu, reported %zu", cases[c],
                              imv_rating_name(r), t[k]->to, f, t[k]->first);
                ck_assert_uint_ne(f, s->first);
                /* 0.01 nearer the value, it is not (when still on that side) */
                double back = t[k]->to - dir * 0.01;
                if ((back - rs->value) * dir > 1e-9)
                    ck_assert_msg(first_with(w, p, r, back) == s->first,
                                  "%s %s: %g already changes the first", cases[c],
                                  imv_rating_name(r), back);
            }
        }
        imv_sensitivity_free(s);
        imv_profile_free(p);
        imv_reader_close(rd);
        free(file);
        free(path);
    }
    ck_assert_int_gt(tips, 0);
    imv_worker_free(w);
    imv_diags_free(&d);
    imv_registry_free(reg);
}
END_TEST

/* ---- the command --------------------------------------------------------------- */

START_TEST(command__sentences_json_and_exit_codes)
{
    char *json = tu_profile_json("tipc", "inadequate", 2);
    char *path = tu_write_temp_str(json, ".json");
    char *a = path_of(TU_FIXTURES, "tip_a.so"), *b = path_of(TU_FIXTURES, "tip_b.so");
    char cmd[4096], *out = NULL, *err = NULL;
    snprintf(cmd, sizeof cmd, "%s sensitivity --no-bundled --no-isolate --model %s --model %s %s",
             TU_BIN, a, b, path);
    ck_assert_int_eq(tu_run(cmd, &out, &err), 0);
    ck_assert_msg(strstr(out, "first: tip_b, 25.0 (poor), 5.0 points ahead of tip_a"), "%s", out);
    ck_assert_msg(strstr(out, "if acceptance rose from 2.0 to 2.5, tip_a would rank first"), "%s",
                  out);
    ck_assert_msg(strstr(out, "if failure_extent rose from 2.0 to 3.51, tip_a would rank first"),
                  "%s", out);
    ck_assert_msg(strstr(out, "tip_b.level"), "%s", out);
    free(out);
    free(err);

    snprintf(cmd, sizeof cmd,
             "%s sensitivity --format json --no-bundled --no-isolate --model %s --model %s %s",
             TU_BIN, a, b, path);
    ck_assert_int_eq(tu_run(cmd, &out, &err), 0);
    cJSON *doc = cJSON_Parse(out);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(cJSON_GetObjectItem(doc, "format")->valuestring, "imeval-sensitivity/1");
    cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0);
    ck_assert_str_eq(cJSON_GetObjectItem(r0, "first")->valuestring, "tip_b");
    cJSON *tip = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r0, "models"), "tip_a"),
                                     "tip");
    ck_assert_str_eq(cJSON_GetObjectItem(tip, "rating")->valuestring, "acceptance");
    ck_assert_double_eq_tol(cJSON_GetObjectItem(tip, "to")->valuedouble, 2.5, 1e-9);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "errors")), 0);
    cJSON_Delete(doc);
    free(out);
    free(err);

    /* usage errors: no profile, a format it has not */
    snprintf(cmd, sizeof cmd, "%s sensitivity", TU_BIN);
    ck_assert_int_eq(tu_run(cmd, NULL, NULL), 2);
    snprintf(cmd, sizeof cmd, "%s sensitivity --format csv %s", TU_BIN, path);
    ck_assert_int_eq(tu_run(cmd, NULL, NULL), 2);
    /* a bad profile among good ones: the good one analysed, status 1 */
    char *bad = tu_write_temp_str("{\"format\":\"imeval-profile/1\",\"id\":\"x\"}", ".json");
    snprintf(cmd, sizeof cmd, "%s sensitivity --no-bundled --no-isolate --model %s --model %s %s %s",
             TU_BIN, a, b, path, bad);
    ck_assert_int_eq(tu_run(cmd, &out, NULL), 1);
    ck_assert_ptr_nonnull(strstr(out, "tip_a would rank first"));
    free(out);
    unlink(bad);
    free(bad);
    unlink(path);
    free(path);
    free(json);
    free(a);
    free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sensitivity");
    TCase *tc = tcase_create("sensitivity");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sensitivity__known_tipping_points);
    tcase_add_test(tc, sensitivity__tip_within_the_range_is_flagged);
    tcase_add_test(tc, sensitivity__tips_on_the_cases_are_real_and_minimal);
    tcase_add_test(tc, command__sentences_json_and_exit_codes);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
