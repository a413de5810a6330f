/*
 * fuzz_lua_result.c - libFuzzer harness for what a Lua model hands the
 * host.  The first byte picks how the rest is used:
 *   even: the body of the score function (`score = function(p, params)
 *         <input> end`), so the result table, its types, metatables and
 *         errors are the fuzzer's;
 *   odd:  the whole script, so the model table it returns (id, name,
 *         parameters, score, score_batch) is the fuzzer's too.
 * The script is loaded through the registry as any researcher's model is,
 * with a small instruction budget and memory cap, and scores a profile
 * with uncertain ratings in full, score-only and (with draws) batch mode.
 * Whatever it returns, the result must be a score in 0..100 with sane
 * reasons, or an error, both one line of UTF-8, and the JSON written for
 * the evaluation must parse.
 */
#include <cjson/cJSON.h>

#include "fuzz_common.h"
#include "uncertainty.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[64], script[128];
static imv_profile *profile;

static const char profile_json[] =
    "{\"format\":\"imeval-profile/1\",\"id\":\"fuzz-1\",\"name\":\"Fuzz\",\"as_of\":\"2016-05\","
    "\"size\":{\"child_population\":40000},"
    "\"ofsted\":{\"grade\":\"inadequate\",\"previous\":[\"good\"]},"
    "\"ratings\":{\"senior_leadership\":{\"low\":0,\"mode\":1,\"high\":3},\"middle_leadership\":1,"
    "\"leadership_stability\":2,\"political_commitment\":{\"low\":1,\"high\":4},"
    "\"corporate_leadership\":3,\"acceptance\":2.5,\"governance\":2,\"partnerships\":2,"
    "\"self_assessment\":1,\"workforce_stability\":1,\"financial_resilience\":2,"
    "\"failure_extent\":3,\"initial_response\":2},"
    "\"facts\":{\"failure_years\":2,\"agency_rate\":0.3},"
    "\"current_intervention\":{\"model\":\"improvement_board\",\"since\":\"2015\"},"
    "\"partners\":[{\"id\":\"p-1\",\"name\":\"Partner\",\"grade\":\"good\",\"neighbouring\":true,"
    "\"spare_leadership_capacity\":3,\"current_commitments\":1}]}";

static void remove_script(void)
{
    unlink(script);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "/tmp/imv-fuzz-lua-XXXXXX");
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    snprintf(script, sizeof script, "%s/fz.lua", dir);
    atexit(remove_script);
    cJSON *j = cJSON_Parse(profile_json);
    imv_diags d;
    imv_diags_init(&d);
    FUZZ_CHECK(j && imv_profile_from_json(j, "fuzz", 1, 0, &profile, &d) == 0);
    cJSON_Delete(j);
    imv_diags_free(&d);
    return 0;
}

static void check_result(const imv_result *r)
{
    if (r->error) {
        FUZZ_CHECK(!r->has_score && !r->viable);
        FUZZ_CHECK(one_line_utf8(r->error) || imv_utf8_valid(r->error, strlen(r->error)));
        return;
    }
    FUZZ_CHECK(r->has_score && in(r->score, 0, 100));
    FUZZ_CHECK(r->n_reasons <= IMV_MAX_ITEMS && r->n_risks <= IMV_MAX_ITEMS &&
               r->n_unmet <= IMV_MAX_ITEMS);
    FUZZ_CHECK(r->viable == (r->n_unmet == 0));
    for (size_t i = 0; i < r->n_reasons; i++) {
        const imv_reason *x = &r->reasons[i];
        FUZZ_CHECK(isfinite(x->points));
        FUZZ_CHECK(x->text && strlen(x->text) <= IMV_MAX_TEXT &&
                   imv_utf8_valid(x->text, strlen(x->text)));
        FUZZ_CHECK(x->fields && imv_utf8_valid(x->fields, strlen(x->fields)));
        FUZZ_CHECK(x->evidence && imv_utf8_valid(x->evidence, strlen(x->evidence)));
    }
    for (size_t i = 0; i < r->n_risks; i++)
        FUZZ_CHECK(imv_utf8_valid(r->risks[i], strlen(r->risks[i])));
    /* Score-only calls count preconditions without keeping their text. */
    for (size_t i = 0; r->unmet && i < r->n_unmet; i++)
        FUZZ_CHECK(imv_utf8_valid(r->unmet[i], strlen(r->unmet[i])));
    double t[3] = {r->setup_months, r->months_to_fair, r->months_to_good};
    for (int i = 0; i < 3; i++)
        FUZZ_CHECK(t[i] == IMV_UNKNOWN || in(t[i], 0, 1200));
    if (r->partner_id)
        FUZZ_CHECK(in(r->partner_fit, 0, 100));
}

static void check_output(imv_registry *reg, const imv_evaluation *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    FUZZ_CHECK(f != NULL);
    imv_output *o = imv_output_new(f, IMV_FMT_JSON, 1, reg, NULL);
    imv_output_begin(o);
    imv_output_evaluation(o, e);
    imv_output_end(o, NULL);
    fclose(f);
    FUZZ_CHECK(imv_utf8_valid(buf, len));
    cJSON *j = cJSON_ParseWithLength(buf, len);
    FUZZ_CHECK(j != NULL);
    cJSON_Delete(j);
    free(buf);
    /* The table is the other format that prints plugin text. */
    f = fopen("/dev/null", "w");
    o = imv_output_new(f, IMV_FMT_TABLE, 1, reg, NULL);
    imv_output_begin(o);
    imv_output_evaluation(o, e);
    imv_output_end(o, NULL);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 20000)
        return 0;
    FILE *f = fopen(script, "w");
    FUZZ_CHECK(f != NULL);
    if (data[0] & 1) {
        fwrite(data + 1, 1, size - 1, f);
    } else {
        fputs("return { id = \"fz\", name = \"Fuzz\", version = \"1\", summary = \"s\",\n"
              "  evidence = \"e\", parameters = { { name = \"k\", default = 1, min = 0,\n"
              "  max = 2, description = \"d\" } },\n"
              "  score = function(p, params)\n",
              f);
        fwrite(data + 1, 1, size - 1, f);
        fputs("\nend }\n", f);
    }
    FUZZ_CHECK(fclose(f) == 0);

    imv_limits l;
    imv_limits_default(&l);
    l.isolate = 0;
    l.lua_instructions = 200000;
    l.lua_memory = 8u << 20;
    imv_registry *reg = imv_registry_new(&l);
    imv_diags d;
    imv_diags_init(&d);
    if (imv_registry_load_file(reg, script, 0, &d) != 0) {
        FUZZ_CHECK(imv_registry_count(reg) == 0 && d.n_errors > 0);
        check_diags(&d, script);
        goto done;
    }
    check_diags(&d, script);
    FUZZ_CHECK(imv_registry_count(reg) == 1);
    imv_worker *w = imv_worker_new(reg);
    imv_evaluation e;
    imv_evaluate(w, profile, &e);
    FUZZ_CHECK(e.n == 1);
    check_result(&e.results[0]);
    check_output(reg, &e);
    /* Draws: score-only calls, through score_batch when the model has one. */
    imv_uncertainty_run(w, &e, 8, 1, data[0] & 2);
    imv_evaluation_clear(&e);
    /* Score-only on its own, twice (the host caches the profile table). */
    imv_model *m = imv_registry_get(reg, 0);
    imv_profile_view v;
    imv_partner_view pv[1];
    imv_profile_view_init(profile, &v, pv);
    v.flags |= IMV_VIEW_SCORE_ONLY;
    for (int k = 0; k < 2; k++) {
        imv_result r;
        memset(&r, 0, sizeof r);
        imv_result_reset(&r, m, 1);
        imv_worker_score(w, 0, &v, profile->serial, imv_model_param_values(m), &r);
        check_result(&r);
        imv_result_clear(&r);
    }
    imv_worker_free(w);
done:
    imv_diags_free(&d);
    imv_registry_free(reg);
    return 0;
}
