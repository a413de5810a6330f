/*
 * check_stats.c - the agreement figures of imeval compare (core/stats.c):
 * Kendall's tau-b on hand-counted rankings (with and without ties) and
 * Pearson's r on series whose value is known, including the undefined
 * cases, which must be NaN rather than a number that looks like one.
 */
#include <math.h>

#include "testutil.h"

START_TEST(kendall__hand_counted_rankings)
{
    double x[] = {1, 2, 3, 4, 5};
    double same[] = {1, 2, 3, 4, 5}, rev[] = {5, 4, 3, 2, 1}, mixed[] = {3, 1, 2, 5, 4};
    ck_assert_double_eq_tol(imv_kendall_tau(x, same, 5), 1, 1e-12);
    ck_assert_double_eq_tol(imv_kendall_tau(x, rev, 5), -1, 1e-12);
    /* 7 concordant, 3 discordant pairs of 10. */
    ck_assert_double_eq_tol(imv_kendall_tau(x, mixed, 5), 0.4, 1e-12);
    /* tau-b with a tie in x: C = 2, D = 0, Tx = 1: 2 / sqrt(3 * 2). */
    double tx[] = {1, 1, 2}, ty[] = {1, 2, 3};
    ck_assert_double_eq_tol(imv_kendall_tau(tx, ty, 3), 2 / sqrt(6), 1e-12);
    /* Symmetric in its arguments. */
    ck_assert_double_eq_tol(imv_kendall_tau(mixed, x, 5), 0.4, 1e-12);
}
END_TEST

START_TEST(kendall__undefined_is_nan)
{
    double x[] = {1, 2, 3}, flat[] = {2, 2, 2};
    ck_assert(isnan(imv_kendall_tau(x, flat, 3)));
    ck_assert(isnan(imv_kendall_tau(x, x, 1)));
    ck_assert(isnan(imv_kendall_tau(x, x, 0)));
}
END_TEST

static double r_of(const double *x, const double *y, size_t n)
{
    imv_pearson p = {0};
    for (size_t i = 0; i < n; i++)
        imv_pearson_add(&p, x[i], y[i]);
    return imv_pearson_r(&p);
}

START_TEST(pearson__known_values_and_undefined)
{
    double x[] = {1, 2, 3, 4}, up[] = {2, 4, 6, 8}, down[] = {8, 6, 4, 2}, y[] = {1, 3, 2, 4};
    ck_assert_double_eq_tol(r_of(x, up, 4), 1, 1e-12);
    ck_assert_double_eq_tol(r_of(x, down, 4), -1, 1e-12);
    /* sxy = 4, sxx = syy = 5. */
    ck_assert_double_eq_tol(r_of(x, y, 4), 0.8, 1e-12);
    double flat[] = {5, 5, 5, 5};
    ck_assert(isnan(r_of(x, flat, 4)));
    ck_assert(isnan(r_of(x, y, 1)));
    /* Large offsets do not lose the correlation (Welford). */
    double bx[4], by[4];
    for (int i = 0; i < 4; i++) {
        bx[i] = 1e9 + x[i];
        by[i] = 1e9 + y[i];
    }
    ck_assert_double_eq_tol(r_of(bx, by, 4), 0.8, 1e-9);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, kendall__hand_counted_rankings);
    tcase_add_test(tc, kendall__undefined_is_nan);
    tcase_add_test(tc, pearson__known_values_and_undefined);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
