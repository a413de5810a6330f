/*
 * check_synth.c - imeval synth (core/synth.c): deterministic for a seed,
 * a prefix for a smaller count, valid under --strict, the 2012-2016 grade
 * mix in every block of 78, ratings correlated as the latent factors say,
 * ranges, facts and partners present, a third of the partner lists strong
 * neighbourhoods, dates from --years and --as-of, the --count bound; and, fed through `imeval evaluate`,
 * a stream whose memory does not grow with its length.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <sys/resource.h>

#include "imeval.h"
#include "testutil.h"

START_TEST(synth__same_seed_same_profiles_other_seed_others)
{
    imv_synth *a = imv_synth_new(5), *b = imv_synth_new(5), *c = imv_synth_new(6);
    int differ = 0;
    for (uint64_t i = 0; i < 300; i++) {
        char *x = strdup(imv_synth_profile(a, i, NULL));
        ck_assert_str_eq(x, imv_synth_profile(b, i, NULL));
        differ += strcmp(x, imv_synth_profile(c, i, NULL)) != 0;
        free(x);
    }
    ck_assert_int_eq(differ, 300);
    /* profile i does not depend on what was generated before */
    char *late = strdup(imv_synth_profile(a, 1000, NULL));
    imv_synth *d = imv_synth_new(5);
    ck_assert_str_eq(late, imv_synth_profile(d, 1000, NULL));
    free(late);
    imv_synth_free(a);
    imv_synth_free(b);
    imv_synth_free(c);
    imv_synth_free(d);
}
END_TEST

START_TEST(synth__command_output_is_a_prefix_and_validates)
{
    char cmd[1024], *small = NULL, *large = NULL;
    snprintf(cmd, sizeof cmd, "%s synth --count 40 --seed 3", TU_BIN);
    ck_assert_int_eq(tu_run(cmd, &small, NULL), 0);
    snprintf(cmd, sizeof cmd, "%s synth --count 200 --seed 3", TU_BIN);
    ck_assert_int_eq(tu_run(cmd, &large, NULL), 0);
    ck_assert_int_eq(strncmp(small, large, strlen(small)), 0);
    size_t lines = 0;
    for (const char *s = large; *s; s++)
        lines += *s == '\n';
    ck_assert_uint_eq(lines, 200);
    char *path = tu_write_temp_str(large, ".jsonl");
    char *err = NULL;
    snprintf(cmd, sizeof cmd, "%s validate --strict %s", TU_BIN, path);
    ck_assert_int_eq(tu_run(cmd, NULL, &err), 0);
    ck_assert_msg(strstr(err, "200 valid, 0 invalid"), "%s", err);
    free(err);
    snprintf(cmd, sizeof cmd, "%s synth --count 5 stray", TU_BIN);
    ck_assert_int_eq(tu_run(cmd, NULL, NULL), 2);
    unlink(path);
    free(path);
    free(small);
    free(large);
}
END_TEST

/* Parse n profiles of seed 1; every one valid under strict, no warnings. */
static imv_profile **parse_many(size_t n)
{
    imv_synth *g = imv_synth_new(1);
    imv_profile **v = calloc(n, sizeof *v);
    imv_diags d;
    imv_diags_init(&d);
    for (size_t i = 0; i < n; i++) {
        cJSON *j = cJSON_Parse(imv_synth_profile(g, i, NULL));
        ck_assert_ptr_nonnull(j);
        ck_assert_msg(imv_profile_from_json(j, "synth", (long)i + 1, 1, &v[i], &d) == 0,
                      "profile %zu refused", i);
        cJSON_Delete(j);
    }
    ck_assert_uint_eq(d.n, 0);
    imv_diags_free(&d);
    imv_synth_free(g);
    return v;
}

static void free_many(imv_profile **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        imv_profile_free(v[i]);
    free(v);
}

/* Of the 78 authorities inspected 2012 to January 2016: 20 inadequate, 41
 * requires improvement, 17 good - in every block of 78. */
START_TEST(synth__grade_mix_in_every_block_of_78)
{
    const size_t blocks = 10, n = blocks * IMV_SYNTH_BLOCK;
    imv_profile **v = parse_many(n);
    for (size_t b = 0; b < blocks; b++) {
        int count[IMV_G_COUNT] = {0};
        for (size_t i = b * IMV_SYNTH_BLOCK; i < (b + 1) * IMV_SYNTH_BLOCK; i++)
            count[v[i]->grade]++;
        ck_assert_int_eq(count[IMV_G_INADEQUATE], 20);
        ck_assert_int_eq(count[IMV_G_REQUIRES_IMPROVEMENT], 41);
        ck_assert_int_eq(count[IMV_G_GOOD], 17);
    }
    free_many(v, n);
}
END_TEST

static double corr(imv_profile **v, size_t n, int a, int b)
{
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    for (size_t i = 0; i < n; i++) {
        double x = imv_range_point(&v[i]->ratings[a]), y = imv_range_point(&v[i]->ratings[b]);
        sa += x;
        sb += y;
        saa += x * x;
        sbb += y * y;
        sab += x * y;
    }
    double cov = sab / n - (sa / n) * (sb / n);
    return cov / sqrt((saa / n - (sa / n) * (sa / n)) * (sbb / n - (sb / n) * (sb / n)));
}

static double mean_of(imv_profile **v, size_t n, int grade, int rating)
{
    double s = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if ((int)v[i]->grade == grade) {
            s += imv_range_point(&v[i]->ratings[rating]);
            k++;
        }
    return s / (double)k;
}

/* Capacity drives leadership, governance and self-assessment together;
 * failure_extent runs against it; worse grades have less of it; and the
 * file has ranges, facts, partners and interventions in it. */
START_TEST(synth__ratings_are_correlated_and_fields_varied)
{
    const size_t n = 3000;
    imv_profile **v = parse_many(n);
    ck_assert_double_gt(corr(v, n, IMV_R_SENIOR_LEADERSHIP, IMV_R_MIDDLE_LEADERSHIP), 0.4);
    ck_assert_double_gt(corr(v, n, IMV_R_SENIOR_LEADERSHIP, IMV_R_GOVERNANCE), 0.4);
    ck_assert_double_gt(corr(v, n, IMV_R_POLITICAL_COMMITMENT, IMV_R_ACCEPTANCE), 0.4);
    ck_assert_double_lt(corr(v, n, IMV_R_SENIOR_LEADERSHIP, IMV_R_FAILURE_EXTENT), -0.4);
    ck_assert_double_lt(corr(v, n, IMV_R_SELF_ASSESSMENT, IMV_R_FAILURE_EXTENT), -0.4);
    for (int r = 0; r < IMV_R_COUNT; r++) {
        double in = mean_of(v, n, IMV_G_INADEQUATE, r),
               ri = mean_of(v, n, IMV_G_REQUIRES_IMPROVEMENT, r),
               good = mean_of(v, n, IMV_G_GOOD, r);
        if (r == IMV_R_FAILURE_EXTENT)
            ck_assert(in > ri && ri > good);
        else
            ck_assert_msg(in < ri && ri < good, "%s: %g %g %g", imv_rating_name(r), in, ri, good);
    }
    size_t uncertain = 0, partners = 0, facts = 0, iv = 0;
    for (size_t i = 0; i < n; i++) {
        uncertain += v[i]->uncertain;
        partners += v[i]->n_partners > 0;
        facts += v[i]->facts_present != 0;
        iv += v[i]->iv_model != NULL;
    }
    ck_assert(uncertain > n / 5 && uncertain < n / 2);
    ck_assert(partners > n / 5 && partners < n / 2);
    ck_assert(facts > n / 2);
    ck_assert(iv > 20 && iv < n / 5);
    free_many(v, n);
}
END_TEST

/* Dates: the default years are 2012-2016; --years spreads profiles over
 * the years asked for (every one of them used); --as-of fixes the date;
 * and the date changes nothing else (same grade, ratings and partners). */
static imv_profile *parse_one(imv_synth *g, uint64_t i)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_profile *p = NULL;
    cJSON *j = cJSON_Parse(imv_synth_profile(g, i, NULL));
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(imv_profile_from_json(j, "synth", (long)i + 1, 1, &p, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    cJSON_Delete(j);
    imv_diags_free(&d);
    return p;
}

START_TEST(synth__dates_follow_years_and_as_of_and_change_nothing_else)
{
    imv_synth_opts later = {0, 0, NULL}, fixed = {0, 0, "2019-06"};
    char err[256];
    ck_assert_int_eq(imv_synth_parse_years("2017-2024", &later, err, sizeof err), 0);
    imv_synth *a = imv_synth_new(9), *b = imv_synth_new_opts(9, &later, err, sizeof err),
              *c = imv_synth_new_opts(9, &fixed, err, sizeof err);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(c);
    int seen[2036] = {0};
    for (uint64_t i = 0; i < 800; i++) {
        imv_profile *x = parse_one(a, i), *y = parse_one(b, i), *z = parse_one(c, i);
        int ya = atoi(x->as_of), yb = atoi(y->as_of);
        ck_assert_msg(ya >= 2012 && ya <= 2016, "default year %d", ya);
        ck_assert_msg(yb >= 2017 && yb <= 2024, "--years 2017-2024 gave %d", yb);
        seen[yb]++;
        ck_assert_str_eq(z->as_of, "2019-06");
        ck_assert_int_eq(x->grade, y->grade);
        ck_assert_int_eq(x->grade, z->grade);
        ck_assert_uint_eq(x->n_partners, z->n_partners);
        for (int r = 0; r < IMV_R_COUNT; r++)
            ck_assert(imv_range_point(&x->ratings[r]) == imv_range_point(&z->ratings[r]));
        ck_assert_str_eq(x->name, z->name);
        if (z->iv_since)
            ck_assert_msg(imv_months_between(z->iv_since, z->as_of) >= 6,
                          "intervention since %s, as of %s", z->iv_since, z->as_of);
        imv_profile_free(x);
        imv_profile_free(y);
        imv_profile_free(z);
    }
    for (int y = 2017; y <= 2024; y++)
        ck_assert_msg(seen[y] > 800 / 8 / 2, "year %d: %d of 800", y, seen[y]);
    imv_synth_free(a);
    imv_synth_free(b);
    imv_synth_free(c);
    /* Refused: reversed or absurd years, a non-date, both at once. */
    imv_synth_opts t = {0, 0, NULL};
    ck_assert_int_eq(imv_synth_parse_years("2024-2017", &t, err, sizeof err), -1);
    ck_assert_int_eq(imv_synth_parse_years("17-24", &t, err, sizeof err), -1);
    ck_assert_int_eq(imv_synth_parse_years("2017-", &t, err, sizeof err), -1);
    imv_synth_opts bad = {0, 0, "June 2019"}, both = {2017, 2018, "2019"};
    ck_assert_ptr_null(imv_synth_new_opts(1, &bad, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "June 2019"));
    ck_assert_ptr_null(imv_synth_new_opts(1, &both, err, sizeof err));
}
END_TEST

/* Partners: of the lists of candidates, about a third hold two or more
 * good or outstanding neighbours with spare capacity (>= 2.5), and every
 * list stays within IMV_SYNTH_MAX_PARTNERS with distinct ids. */
START_TEST(synth__a_third_of_partner_lists_are_strong_neighbourhoods)
{
    const size_t n = 3000;
    imv_profile **v = parse_many(n);
    size_t with = 0, strong = 0;
    for (size_t i = 0; i < n; i++) {
        if (!v[i]->n_partners)
            continue;
        with++;
        ck_assert_uint_le(v[i]->n_partners, IMV_SYNTH_MAX_PARTNERS);
        int good = 0;
        for (size_t k = 0; k < v[i]->n_partners; k++) {
            const imv_partner *pt = &v[i]->partners[k];
            good += pt->grade <= IMV_G_GOOD && pt->neighbouring == 1 &&
                    pt->spare_leadership_capacity >= 2.5;
            for (size_t m = 0; m < k; m++)
                ck_assert_str_ne(pt->id, v[i]->partners[m].id);
        }
        strong += good >= 2;
    }
    double share = (double)strong / (double)with;
    ck_assert_msg(share > 0.3 && share < 0.5, "%zu of %zu lists with two strong neighbours", strong,
                  with);
    free_many(v, n);
}
END_TEST

/* The command: --years and --as-of reach the profiles, a bad value and a
 * --count past the bound are usage errors that say why (the bound with
 * the size the run would have written); 2017-on profiles evaluate. */
START_TEST(synth__command_dates_and_count_bound)
{
    char cmd[1024], *out = NULL, *err = NULL;
    snprintf(cmd, sizeof cmd, "%s synth --count 3 --as-of 2021-09", TU_BIN);
    ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
    size_t k = 0;
    for (const char *s = out; (s = strstr(s, "\"as_of\":\"2021-09\"")); s++)
        k++;
    ck_assert_uint_eq(k, 3);
    free(out);
    snprintf(cmd, sizeof cmd, "%s synth --count 200000000", TU_BIN);
    ck_assert_int_eq(tu_run(cmd, NULL, &err), 2);
    ck_assert_msg(strstr(err, "170 GB") && strstr(err, "100000000"), "%s", err);
    free(err);
    snprintf(cmd, sizeof cmd, "%s synth --years 2024-2017", TU_BIN);
    ck_assert_int_eq(tu_run(cmd, NULL, &err), 2);
    ck_assert_msg(strstr(err, "2024-2017"), "%s", err);
    free(err);
    snprintf(cmd, sizeof cmd, "%s synth --as-of 2019-13", TU_BIN);
    ck_assert_int_eq(tu_run(cmd, NULL, NULL), 2);
    snprintf(cmd, sizeof cmd,
             "%s synth --count 300 --years 2017-2024 | %s evaluate --format csv - "
             ">/dev/null",
             TU_BIN, TU_BIN);
    ck_assert_int_eq(tu_run(cmd, NULL, &err), 0);
    free(err);
}
END_TEST

/* Peak RSS of a shell pipeline, measured in a child so that each
 * measurement has its own RUSAGE_CHILDREN. */
static long peak_kb(const char *pipeline)
{
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fd[0]);
        int st = system(pipeline);
        struct rusage ru;
        getrusage(RUSAGE_CHILDREN, &ru);
        long kb = st == 0 ? ru.ru_maxrss : -1;
        ssize_t w = write(fd[1], &kb, sizeof kb);
        _exit(w == sizeof kb ? 0 : 1);
    }
    close(fd[1]);
    long kb = -1;
    ck_assert_int_eq((int)read(fd[0], &kb, sizeof kb), (int)sizeof kb);
    close(fd[0]);
    int st;
    waitpid(pid, &st, 0);
    return kb;
}

/* 10,000 and 100,000 profiles streamed through evaluate: the larger run
 * may only grow by the duplicate-id set (16 bytes an id), never by the
 * profiles or their results.  One fast model keeps it to a few seconds:
 * what is measured is the pipeline, not the models. */
START_TEST(stream__memory_does_not_grow_with_the_stream)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "%s synth --count %d --seed 2 | %s evaluate --only commissioner --format csv - >/dev/null",
             TU_BIN, 10000, TU_BIN);
    long small = peak_kb(cmd);
    snprintf(cmd, sizeof cmd,
             "%s synth --count %d --seed 2 | %s evaluate --only commissioner --format csv - >/dev/null",
             TU_BIN, 100000, TU_BIN);
    long large = peak_kb(cmd);
    ck_assert_msg(small > 0 && large > 0, "the pipeline failed");
#ifdef __SANITIZE_ADDRESS__
    /* AddressSanitizer's shadow memory and quarantine make RSS meaningless. */
    return;
#endif
    /* A run that kept its profiles would need hundreds of MB here. */
    ck_assert_msg(large < 64 * 1024, "peak %ld KB for 100,000 profiles", large);
    ck_assert_msg(large - small < 12 * 1024, "peak grew from %ld KB to %ld KB", small, large);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("synth");
    TCase *tc = tcase_create("synth");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, synth__same_seed_same_profiles_other_seed_others);
    tcase_add_test(tc, synth__command_output_is_a_prefix_and_validates);
    tcase_add_test(tc, synth__grade_mix_in_every_block_of_78);
    tcase_add_test(tc, synth__ratings_are_correlated_and_fields_varied);
    tcase_add_test(tc, synth__dates_follow_years_and_as_of_and_change_nothing_else);
    tcase_add_test(tc, synth__a_third_of_partner_lists_are_strong_neighbourhoods);
    tcase_add_test(tc, synth__command_dates_and_count_bound);
    tcase_add_test(tc, stream__memory_does_not_grow_with_the_stream);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
