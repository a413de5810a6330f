/* check_smoke.c - the build works end to end: the binary runs, the bundled
 * models load, and one known profile is ranked. */
#include "testutil.h"

START_TEST(binary__prints_version)
{
    char *out = NULL;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s --version", TU_BIN);
    ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
    ck_assert_ptr_nonnull(strstr(out, "imeval " IMV_VERSION));
    free(out);
}
END_TEST

START_TEST(registry__loads_seven_bundled_models)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_registry *reg = imv_registry_new(NULL);
    ck_assert_int_eq(imv_registry_load_dir(reg, TU_MODELS, 1, &d), 0);
    ck_assert_uint_eq(d.n_errors, 0);
    ck_assert_uint_eq(imv_registry_count(reg), 7);
    static const char *ids[] = {"commissioner", "executive_partnership", "improvement_board",
                                "peer_support", "self_improvement",      "strategic_partnership",
                                "trust"};
    for (size_t i = 0; i < 7; i++)
        ck_assert_str_eq(imv_model_id(imv_registry_get(reg, i)), ids[i]);
    imv_registry_free(reg);
    imv_diags_free(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smoke");
    TCase *tc = tcase_create("smoke");
    tcase_add_test(tc, binary__prints_version);
    tcase_add_test(tc, registry__loads_seven_bundled_models);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
