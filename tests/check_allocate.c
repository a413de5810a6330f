/*
 * check_allocate.c - the partner allocation (core/allocate.c) is optimal
 * and never stretches a partner: every shape of small problem against a
 * brute-force search, and the capacity and load rules on every answer.
 */
#include <math.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "testutil.h"

/* A small problem with its own storage. */
typedef struct inst {
    imv_alloc_problem pb;
    double benefit[6 * 4 * 4];
    int capacity[4];
    unsigned char nb[6 * 4];
} inst;

static uint64_t rng_state;

static uint64_t next(void)
{
    /* splitmix64: a fixed, portable stream so failures can be replayed */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Benefits fall with the load (as a partner's fit does), with some
 * pairings not viable at all or not beyond some load, and ties. */
static void make(inst *I, size_t C, size_t P, int maxcap)
{
    memset(I, 0, sizeof *I);
    I->pb.n_councils = C;
    I->pb.n_partners = P;
    I->pb.max_capacity = maxcap;
    for (size_t p = 0; p < P; p++)
        I->capacity[p] = (int)(next() % (uint64_t)(maxcap + 1));
    for (size_t c = 0; c < C; c++)
        for (size_t p = 0; p < P; p++) {
            double b = (double)(next() % 40) / 2.0 - 3; /* -3..16.5, halves tie */
            int viable_to = (int)(next() % (uint64_t)(maxcap + 1));
            I->nb[c * P + p] = next() % 3 == 0;
            for (int m = 1; m <= maxcap; m++) {
                double v = m <= viable_to ? b - 2.5 * (m - 1) : NAN;
                I->benefit[(c * P + p) * (size_t)maxcap + (size_t)(m - 1)] = v;
            }
        }
    I->pb.benefit = I->benefit;
    I->pb.capacity = I->capacity;
    I->pb.neighbouring = I->nb;
}

/* The value of one complete choice (choice[c] = partner or -1), or -INF
 * when it breaks a capacity or uses a pairing not viable at its load. */
static double value(const inst *I, const int *choice)
{
    int load[4] = {0};
    size_t C = I->pb.n_councils;
    for (size_t c = 0; c < C; c++)
        if (choice[c] >= 0)
            load[choice[c]]++;
    double total = 0;
    for (size_t c = 0; c < C; c++) {
        if (choice[c] < 0)
            continue;
        double b = imv_alloc_benefit(&I->pb, c, (size_t)choice[c], load[choice[c]]);
        if (!isfinite(b))
            return -INFINITY;
        total += b;
    }
    return total;
}

static double brute(const inst *I)
{
    size_t C = I->pb.n_councils, P = I->pb.n_partners;
    int choice[6];
    double best = 0; /* assigning nobody is always allowed */
    size_t n = 1;
    for (size_t c = 0; c < C; c++)
        n *= P + 1;
    for (size_t k = 0; k < n; k++) {
        size_t x = k;
        for (size_t c = 0; c < C; c++) {
            choice[c] = (int)(x % (P + 1)) - 1;
            x /= P + 1;
        }
        double v = value(I, choice);
        if (v > best)
            best = v;
    }
    return best;
}

static void check_answer(const inst *I, const imv_alloc_solution *s)
{
    int count[4] = {0};
    int choice[6];
    for (size_t c = 0; c < I->pb.n_councils; c++) {
        choice[c] = s->partner_of[c] == SIZE_MAX ? -1 : (int)s->partner_of[c];
        if (choice[c] >= 0)
            count[choice[c]]++;
    }
    for (size_t p = 0; p < I->pb.n_partners; p++) {
        ck_assert_int_eq(count[p], s->load[p]);
        ck_assert_int_le(s->load[p], I->capacity[p]);
    }
    /* the reported total is the value of the reported choice */
    ck_assert_double_eq_tol(value(I, choice), s->total, 1e-9);
}

START_TEST(allocate__optimal_against_brute_force)
{
    char err[256];
    int solved = 0;
    rng_state = 20261201;
    for (size_t C = 0; C <= 6; C++)
        for (size_t P = 1; P <= 3; P++)
            for (int maxcap = 1; maxcap <= 3; maxcap++)
                for (int rep = 0; rep < 12; rep++) {
                    inst I;
                    make(&I, C, P, maxcap);
                    imv_alloc_solution s;
                    ck_assert_int_eq(imv_alloc_solve(&I.pb, &s, err, sizeof err), 0);
                    ck_assert(s.optimal);
                    check_answer(&I, &s);
                    ck_assert_msg(fabs(s.total - brute(&I)) < 1e-9,
                                  "C=%zu P=%zu cap=%d rep=%d: solver %.2f, brute force %.2f", C, P,
                                  maxcap, rep, s.total, brute(&I));
                    imv_alloc_solution_free(&s);
                    solved++;
                }
    ck_assert_int_eq(solved, 7 * 3 * 3 * 12);
}
END_TEST

/* The coupling that makes this more than an assignment: a partner that
 * would be excellent for one council and poor for two takes one. */
START_TEST(allocate__load_lowers_benefit)
{
    inst I;
    char err[256];
    memset(&I, 0, sizeof I);
    I.pb.n_councils = 2;
    I.pb.n_partners = 1;
    I.pb.max_capacity = 2;
    I.capacity[0] = 2;
    /* alone: 10 each; together: 4 each (8 < 10) */
    I.benefit[0] = 10, I.benefit[1] = 4;
    I.benefit[2] = 9, I.benefit[3] = 4;
    I.pb.benefit = I.benefit;
    I.pb.capacity = I.capacity;
    imv_alloc_solution s;
    ck_assert_int_eq(imv_alloc_solve(&I.pb, &s, err, sizeof err), 0);
    ck_assert_uint_eq(s.partner_of[0], 0);
    ck_assert_uint_eq(s.partner_of[1], SIZE_MAX);
    ck_assert_int_eq(s.load[0], 1);
    ck_assert_double_eq_tol(s.total, 10, 1e-9);
    imv_alloc_solution_free(&s);
}
END_TEST

START_TEST(allocate__neighbour_breaks_a_tie)
{
    inst I;
    char err[256];
    memset(&I, 0, sizeof I);
    I.pb.n_councils = 1;
    I.pb.n_partners = 2;
    I.pb.max_capacity = 1;
    I.capacity[0] = I.capacity[1] = 1;
    I.benefit[0] = 12, I.benefit[1] = 12;
    I.nb[1] = 1;
    I.pb.benefit = I.benefit;
    I.pb.capacity = I.capacity;
    I.pb.neighbouring = I.nb;
    imv_alloc_solution s;
    ck_assert_int_eq(imv_alloc_solve(&I.pb, &s, err, sizeof err), 0);
    ck_assert_uint_eq(s.partner_of[0], 1);
    ck_assert_double_eq_tol(s.total, 12, 1e-9);
    imv_alloc_solution_free(&s);
}
END_TEST

START_TEST(allocate__bad_capacity_refused)
{
    inst I;
    char err[256] = "";
    make(&I, 2, 2, 2);
    I.capacity[1] = 3;
    imv_alloc_solution s;
    ck_assert_int_eq(imv_alloc_solve(&I.pb, &s, err, sizeof err), IMV_EINVAL);
    ck_assert_msg(strstr(err, "partner 1: capacity 3 is outside 0..2"), "%s", err);
}
END_TEST

/* A partner's extra commitment never raises its fit, nor the score of the
 * model that uses it: the bundled models over generated profiles, each
 * candidate partner taken alone at loads 1..4. */
START_TEST(allocate__commitments_never_raise_fit)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_registry *reg = imv_registry_new(NULL);
    ck_assert_int_eq(imv_registry_load_dir(reg, TU_MODELS, 1, &d), 0);
    imv_worker *w = imv_worker_new(reg);
    imv_synth *g = imv_synth_new(7);
    size_t pairs = 0, fitted = 0;
    for (uint64_t i = 0; i < 400; i++) {
        cJSON *j = cJSON_Parse(imv_synth_profile(g, i, NULL));
        imv_profile *p = NULL;
        ck_assert_int_eq(imv_profile_from_json(j, "synth", 0, 0, &p, &d), 0);
        cJSON_Delete(j);
        for (size_t k = 0; k < p->n_partners; k++) {
            imv_partner base = p->partners[k];
            double last_fit = INFINITY, last_score = INFINITY;
            int last_viable = 1;
            for (int m = 0; m < 4; m++) {
                imv_partner q = base;
                q.current_commitments =
                    (base.current_commitments == IMV_UNKNOWN ? 0 : base.current_commitments) + m;
                imv_pairing got;
                imv_pairing_evaluate(w, p, &q, &got);
                if (isfinite(got.fit)) {
                    ck_assert_msg(got.fit <= last_fit + 1e-9, "%s with %s at +%d: fit %.2f > %.2f",
                                  p->id, base.id, m, got.fit, last_fit);
                    last_fit = got.fit;
                    fitted++;
                }
                ck_assert_msg(!got.viable || last_viable, "%s with %s: viable again at +%d", p->id,
                              base.id, m);
                if (got.viable) {
                    ck_assert_msg(got.score <= last_score + 1e-9, "%s with %s at +%d: score rose",
                                  p->id, base.id, m);
                    last_score = got.score;
                }
                last_viable = got.viable;
            }
            pairs++;
        }
        imv_profile_free(p);
    }
    ck_assert_uint_gt(pairs, 50);
    ck_assert_uint_gt(fitted, 100);
    imv_synth_free(g);
    imv_worker_free(w);
    imv_registry_free(reg);
    imv_diags_free(&d);
}
END_TEST

static imv_partner_set *read_set(const char *json, imv_diags *d)
{
    char *path = tu_write_temp_str(json, ".json");
    imv_partner_set *s = NULL;
    imv_partner_set_read(path, &s, d);
    unlink(path);
    free(path);
    return s;
}

/* Dated partners: available from / until, and commitments counted only
 * while in force (from <= date < until), never the one to the council
 * being scored; places and a derived capacity follow the date. */
START_TEST(allocate__dated_commitments_count_when_in_force)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_partner_set *s = read_set(
        "[{\"id\": \"west\", \"grade\": \"good\", \"spare_leadership_capacity\": 3,"
        "  \"available_from\": \"2015-12\", \"available_until\": \"2024-06\","
        "  \"commitments\": [{\"council\": \"eastshire\", \"from\": \"2016-01\", \"until\": \"2018-01\"},"
        "                   {\"council\": \"northby\", \"from\": \"2017-06\"}]},"
        " {\"id\": \"south\", \"capacity\": 2, \"current_commitments\": 1}]",
        &d);
    ck_assert_msg(s != NULL, "%s", d.n ? d.v[0].message : "");
    imv_partner_desc *w = &s->v[0], *so = &s->v[1];
    ck_assert_int_eq(imv_partner_available(w, "2015-06"), 0);
    ck_assert_int_eq(imv_partner_available(w, "2016"), 1);
    ck_assert_int_eq(imv_partner_available(w, "2024-07"), 0);
    ck_assert_int_eq(imv_partner_available(w, NULL), 1);
    char why[80];
    ck_assert_str_eq(imv_partner_availability(w, "2014", why, sizeof why), "available from 2015-12");
    ck_assert_str_eq(imv_partner_availability(w, "2025", why, sizeof why), "available until 2024-06");
    ck_assert_str_eq(imv_partner_availability(w, "2020", why, sizeof why), "");
    /* by hand: 2016-06 eastshire only; 2017-09 both; 2018-01 eastshire has ended */
    ck_assert_double_eq(imv_partner_commitments_at(w, "2015-12"), 0);
    ck_assert_double_eq(imv_partner_commitments_at(w, "2016-06"), 1);
    ck_assert_double_eq(imv_partner_commitments_at(w, "2017-09"), 2);
    ck_assert_double_eq(imv_partner_commitments_at(w, "2018-01"), 1);
    ck_assert_double_eq(imv_partner_commitments_at(w, NULL), 1); /* those with no end */
    /* derived capacity: two councils on top of those in force, so places stay 2 */
    imv_partner_desc_at(w, "2017-09");
    ck_assert_int_eq(w->capacity, 4);
    ck_assert_int_eq(imv_partner_places(w), 2);
    imv_partner_desc_at(w, "2014");
    ck_assert_int_eq(imv_partner_places(w), 0); /* not yet a partner */
    /* an undated partner is the same on every date */
    imv_partner_desc_at(so, "2030");
    ck_assert_int_eq(imv_partner_places(so), 1);
    /* seen from a profile: its own date, without its own commitment */
    imv_partner_desc_at(w, NULL);
    imv_profile pr;
    memset(&pr, 0, sizeof pr);
    pr.id = "eastshire-2017";
    pr.as_of = "2017-09";
    imv_partner q;
    ck_assert_int_eq(imv_partner_for_profile(w, &pr, 0, &q), 1);
    ck_assert_double_eq(q.current_commitments, 1); /* northby only */
    pr.id = "southby-2017";
    ck_assert_int_eq(imv_partner_for_profile(w, &pr, 1, &q), 1);
    ck_assert_double_eq(q.current_commitments, 3); /* both, and one the allocation adds */
    pr.as_of = "2012";
    ck_assert_int_eq(imv_partner_for_profile(w, &pr, 0, &q), 0);
    ck_assert_double_eq(q.current_commitments, 0);
    imv_partner_desc_at(w, "2017-09"); /* one date for all */
    ck_assert_int_eq(imv_partner_for_profile(w, &pr, 0, &q), 1);
    ck_assert_double_eq(q.current_commitments, 2);
    imv_partner_set_free(s);
    imv_diags_free(&d);
}
END_TEST

START_TEST(allocate__bad_dates_refused)
{
    static const struct {
        const char *json, *msg;
    } bad[] = {
        {"{\"id\": \"a\", \"capacity\": 1, \"available_from\": \"June 2016\"}",
         "available_from: expected a date YYYY, YYYY-MM or YYYY-MM-DD"},
        {"{\"id\": \"a\", \"capacity\": 1, \"available_from\": \"2020\", \"available_until\": \"2019\"}",
         "available_from / available_until: 2020 is after 2019"},
        {"{\"id\": \"a\", \"capacity\": 1, \"current_commitments\": 1, \"commitments\": []}",
         "give current_commitments (a count) or commitments (dated), not both"},
        {"{\"id\": \"a\", \"capacity\": 1, \"commitments\": [{\"until\": \"2019-13\"}]}",
         "commitments[0].until: expected a date"},
        {"{\"id\": \"a\", \"capacity\": 1, \"commitments\": [3]}",
         "commitments[0]: expected {council, from, until}"},
        {"{\"id\": \"a\", \"capacity\": 1, \"commitments\": {}}", "commitments: expected an array"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        imv_diags d;
        imv_diags_init(&d);
        imv_partner_set *s = read_set(bad[i].json, &d);
        ck_assert_msg(s == NULL, "accepted %s", bad[i].json);
        int found = 0;
        for (size_t k = 0; k < d.n; k++)
            found |= strstr(d.v[k].message, bad[i].msg) != NULL;
        ck_assert_msg(found, "%s: no \"%s\" (%s)", bad[i].json, bad[i].msg,
                      d.n ? d.v[0].message : "no message");
        imv_diags_free(&d);
    }
}
END_TEST

static imv_profile *read_case(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/cases/%s.json", TU_DATASETS, name);
    imv_diags d;
    imv_diags_init(&d);
    imv_reader *rd = imv_reader_open(path, NULL, &d);
    ck_assert_msg(rd != NULL, "%s", path);
    imv_profile *p = NULL;
    ck_assert_int_eq(imv_reader_next(rd, &p, &d), 1);
    imv_reader_close(rd);
    imv_diags_free(&d);
    return p;
}

/* The tip of attribute a and kind k, or NULL. */
static const imv_partner_tip *tip(const imv_partner_sens *s, int a, int k, int up)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->tips[i].attribute == a && s->tips[i].kind == k &&
            (s->tips[i].to > s->tips[i].from) == up)
            return &s->tips[i];
    return NULL;
}

/* Sensitivity over partner attributes against fits computed by hand from
 * executive_partnership's parts (40 base; grade outstanding +25, good +15,
 * requires improvement -25; 8 per point of spare capacity above 2; -8 per
 * commitment; size; neighbour +8; Torbay's acceptance 2.5: +1.5). */
START_TEST(allocate__partner_sensitivity_by_hand)
{
    imv_diags d;
    imv_diags_init(&d);
    imv_registry *reg = imv_registry_new(NULL);
    ck_assert_int_eq(imv_registry_load_dir(reg, TU_MODELS, 1, &d), 0);
    imv_worker *w = imv_worker_new(reg);
    imv_profile *torbay = read_case("torbay-2018"), *iow = read_case("isle-of-wight-2013");
    imv_partner_sens s;
    char text[900];

    /* Plymouth-Torbay (the profile's own item: RI, spare 1.5, 52,000 children): fit 22.5.
     * For spare s in 2..3.5 the stretch of a small partner eases: fit = 26.5 + 13.33 (s - 2),
     * which reaches min_fit 45 at s = 3.3875, reported as 3.39 (fit 45.03). Judged good:
     * 62.5, viable; outstanding: 72.5, strong. */
    const imv_partner *ply = &torbay->partners[0];
    imv_partner_sensitivity(w, torbay, ply, &s);
    ck_assert(!s.now.viable);
    ck_assert_double_eq_tol(s.now.fit, 22.5, 1e-9);
    const imv_partner_tip *t = tip(&s, IMV_PATTR_SPARE, IMV_PTIP_VIABLE, 1);
    ck_assert_ptr_nonnull(t);
    ck_assert_double_eq_tol(t->to, 3.39, 1e-9);
    ck_assert(t->at.viable);
    ck_assert_double_eq_tol(t->at.fit, 26.5 + 8 * 1.39 * (1 + 1 / 1.5), 1e-6);
    ck_assert_str_eq(t->at.model, "executive_partnership");
    t = tip(&s, IMV_PATTR_GRADE, IMV_PTIP_VIABLE, 1);
    ck_assert_ptr_nonnull(t);
    ck_assert_double_eq(t->to, 2); /* good */
    ck_assert_double_eq_tol(t->at.fit, 62.5, 1e-9);
    imv_partner_tip_text(t, "plymouth", s.now.first, text, sizeof text);
    ck_assert_str_eq(text, "if judged good, plymouth would be a viable partner "
                           "(executive_partnership, fit 62.5)");
    t = tip(&s, IMV_PATTR_GRADE, IMV_PTIP_STRONG, 1);
    ck_assert_ptr_nonnull(t);
    ck_assert_double_eq(t->to, 3); /* outstanding */
    ck_assert_double_eq_tol(t->at.fit, 72.5, 1e-9);
    ck_assert_ptr_null(tip(&s, IMV_PATTR_COMMITMENTS, IMV_PTIP_VIABLE, 0)); /* none to shed */

    /* Hampshire-Isle of Wight: fit 94 - 8 m with m more commitments: below 70 at m = 4
     * (62), below min_fit 45 at m = 7 (38: not viable). */
    imv_partner ham = iow->partners[0];
    ck_assert_str_eq(ham.id, "hampshire");
    imv_partner_sensitivity(w, iow, &ham, &s);
    ck_assert(s.now.viable);
    ck_assert_double_eq_tol(s.now.fit, 94, 1e-9);
    t = tip(&s, IMV_PATTR_COMMITMENTS, IMV_PTIP_STRONG, 1);
    ck_assert_ptr_nonnull(t);
    ck_assert_double_eq(t->to - t->from, 4);
    ck_assert_double_eq_tol(t->at.fit, 62, 1e-9);
    t = tip(&s, IMV_PATTR_COMMITMENTS, IMV_PTIP_VIABLE, 1);
    ck_assert_ptr_nonnull(t);
    ck_assert_double_eq(t->to - t->from, 7);
    ck_assert(!t->at.viable);
    imv_partner_tip_text(t, "hampshire", s.now.first, text, sizeof text);
    ck_assert_str_eq(text, "with 7 more commitments, hampshire would no longer be a viable partner");

    /* Westshire for Torbay (good, spare 2.5, 150,000 children, a neighbour, five
     * commitments): 40 + 15 + 4 - 40 + 10 + 8 + 1.5 = 38.5, not viable; with one fewer,
     * 46.5: viable. */
    imv_partner west = {.id = "westshire",
                        .grade = IMV_G_GOOD,
                        .neighbouring = 1,
                        .child_population = 150000,
                        .spare_leadership_capacity = 2.5,
                        .current_commitments = 5};
    imv_partner_sensitivity(w, torbay, &west, &s);
    ck_assert(!s.now.viable);
    ck_assert_double_eq_tol(s.now.fit, 38.5, 1e-9);
    t = tip(&s, IMV_PATTR_COMMITMENTS, IMV_PTIP_VIABLE, 0);
    ck_assert_ptr_nonnull(t);
    ck_assert_double_eq(t->to, 4);
    ck_assert_double_eq_tol(t->at.fit, 46.5, 1e-9);
    imv_partner_tip_text(t, "westshire", s.now.first, text, sizeof text);
    ck_assert_str_eq(text, "with one fewer commitment, westshire would be a viable partner "
                           "(executive_partnership, fit 46.5)");
    ck_assert(imv_partner_tip_raises(t));

    imv_profile_free(torbay);
    imv_profile_free(iow);
    imv_worker_free(w);
    imv_registry_free(reg);
    imv_diags_free(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("allocate");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, allocate__optimal_against_brute_force);
    tcase_add_test(tc, allocate__load_lowers_benefit);
    tcase_add_test(tc, allocate__neighbour_breaks_a_tie);
    tcase_add_test(tc, allocate__bad_capacity_refused);
    tcase_add_test(tc, allocate__commitments_never_raise_fit);
    tcase_add_test(tc, allocate__dated_commitments_count_when_in_force);
    tcase_add_test(tc, allocate__bad_dates_refused);
    tcase_add_test(tc, allocate__partner_sensitivity_by_hand);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
