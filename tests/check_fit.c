/*
 * check_fit.c - a partner's fit itemised by component (imv_host's
 * partner_component, ABI 2.2): the components of the partner a result
 * names sum to its fit, for every bundled case with every partner council
 * of datasets/partners and every candidate the case names itself, at four
 * loads, in both partner models (executive_partnership in C,
 * peer_support in Lua), in-process and, for the C model, isolated in a
 * child process, where they must come back exactly as in-process.
 */
#include <glob.h>
#include <math.h>

#include "testutil.h"

static imv_registry *bundled(int isolate)
{
    imv_limits l;
    imv_limits_default(&l);
    l.isolate = isolate;
    imv_registry *reg = imv_registry_new(&l);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_dir(reg, TU_MODELS, 1, &d), 0);
    imv_diags_free(&d);
    return reg;
}

static imv_profile *read_case(const char *path)
{
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

/* Evaluate p with q as its only candidate; p's own partners restored. */
static void evaluate_with(imv_worker *w, imv_profile *p, const imv_partner *q, imv_evaluation *ev)
{
    imv_partner *own = p->partners, one = *q;
    size_t n_own = p->n_partners;
    p->partners = &one;
    p->n_partners = 1;
    imv_profile_derive(p);
    ck_assert_int_eq(imv_evaluate(w, p, ev), 0);
    p->partners = own;
    p->n_partners = n_own;
    imv_profile_derive(p);
}

/* The components of r sum to its fit, each name once; returns 1 when r
 * names a partner. */
static int check_sum(const imv_result *r, const char *where)
{
    if (r->error || !r->partner_id)
        return 0;
    ck_assert_msg(r->n_fit_parts >= 7, "%s %s: %zu fit components", where, imv_model_id(r->model),
                  r->n_fit_parts);
    double sum = 0;
    for (size_t i = 0; i < r->n_fit_parts; i++) {
        ck_assert_str_eq(r->fit_parts[i].partner, r->partner_id);
        for (size_t k = 0; k < i; k++)
            ck_assert_msg(strcmp(r->fit_parts[i].name, r->fit_parts[k].name) != 0,
                          "%s: component %s twice", where, r->fit_parts[i].name);
        sum += r->fit_parts[i].points;
    }
    ck_assert_msg(fabs(sum - r->partner_fit) < 1e-9,
                  "%s %s with %s: components sum to %.6f, fit %.6f", where, imv_model_id(r->model),
                  r->partner_id, sum, r->partner_fit);
    return 1;
}

static void same_parts(const imv_result *a, const imv_result *b, const char *where)
{
    ck_assert_uint_eq(a->n_fit_parts, b->n_fit_parts);
    for (size_t i = 0; i < a->n_fit_parts; i++) {
        ck_assert_str_eq(a->fit_parts[i].name, b->fit_parts[i].name);
        ck_assert_str_eq(a->fit_parts[i].evidence, b->fit_parts[i].evidence);
        ck_assert_msg(a->fit_parts[i].points == b->fit_parts[i].points,
                      "%s: %s %.17g isolated, %.17g "
                      "in-process",
                      where, a->fit_parts[i].name, b->fit_parts[i].points, a->fit_parts[i].points);
    }
}

START_TEST(fit__components_sum_to_the_fit)
{
    char pattern[512], partners[512];
    snprintf(pattern, sizeof pattern, "%s/cases/*.json", TU_DATASETS);
    snprintf(partners, sizeof partners, "%s/partners/partners.json", TU_DATASETS);
    glob_t g;
    ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
    ck_assert_uint_ge(g.gl_pathc, 12);
    imv_diags d;
    imv_diags_init(&d);
    imv_partner_set *ps = NULL;
    ck_assert_int_eq(imv_partner_set_read(partners, &ps, &d), 0);
    imv_diags_free(&d);
    imv_registry *reg[2] = {bundled(0), bundled(1)};
    imv_worker *w[2] = {imv_worker_new(reg[0]), imv_worker_new(reg[1])};
    size_t checked[2] = {0, 0}, ep = 0, ps_lua = 0, limited = 0;
    for (size_t f = 0; f < g.gl_pathc; f++) {
        imv_profile *p = read_case(g.gl_pathv[f]);
        size_t n_cand = ps->n + p->n_partners;
        for (size_t c = 0; c < n_cand; c++)
            for (int load = 0; load < 4; load++) {
                imv_partner q;
                if (c < ps->n)
                    imv_partner_for_profile(&ps->v[c], p, load, &q);
                else {
                    q = p->partners[c - ps->n];
                    q.current_commitments =
                        (q.current_commitments == IMV_UNKNOWN ? 0 : q.current_commitments) + load;
                }
                imv_evaluation ev[2];
                char where[300];
                snprintf(where, sizeof where, "%s with %s +%d", p->id, q.id, load);
                for (int iso = 0; iso < 2; iso++) {
                    evaluate_with(w[iso], p, &q, &ev[iso]);
                    for (size_t k = 0; k < ev[iso].n; k++) {
                        const imv_result *r = &ev[iso].results[k];
                        int named = check_sum(r, where);
                        checked[iso] += (size_t)named;
                        if (!named || iso)
                            continue;
                        ep += strcmp(imv_model_id(r->model), "executive_partnership") == 0;
                        ps_lua += strcmp(imv_model_id(r->model), "peer_support") == 0;
                        for (size_t i = 0; i < r->n_fit_parts; i++)
                            limited += strcmp(r->fit_parts[i].name, "limit") == 0;
                    }
                }
                ck_assert_uint_eq(ev[0].n, ev[1].n);
                for (size_t k = 0; k < ev[0].n; k++) {
                    ck_assert_int_eq(imv_model_isolated(ev[0].results[k].model), 0);
                    if (strcmp(imv_model_id(ev[1].results[k].model), "executive_partnership") == 0)
                        ck_assert_int_eq(imv_model_isolated(ev[1].results[k].model), 1);
                    same_parts(&ev[1].results[k], &ev[0].results[k], where);
                }
                imv_evaluation_clear(&ev[0]);
                imv_evaluation_clear(&ev[1]);
            }
        imv_profile_free(p);
    }
    /* every case meets every partner in the C model; the Lua model names
     * only partners that reach its min_fit, and the clamp is met too */
    ck_assert_uint_ge(ep, 4 * g.gl_pathc * ps->n);
    ck_assert_uint_gt(ps_lua, 50);
    ck_assert_uint_gt(limited, 0);
    ck_assert_uint_eq(checked[0], checked[1]);
    globfree(&g);
    imv_partner_set_free(ps);
    for (int iso = 0; iso < 2; iso++) {
        imv_worker_free(w[iso]);
        imv_registry_free(reg[iso]);
    }
}
END_TEST

/* A Lua model's partner.components go through the same checks as a C
 * model's: a name that is not [a-z0-9_], or NaN points, make the result
 * an error that says so; parts come back in order. */
static const char *lua_result(const char *components, char *buf, size_t len)
{
    char script[1200];
    snprintf(script, sizeof script,
             "return { id = 'fitlua', name = 'fit', version = '1.0.0', summary = 's', evidence = 'e',\n"
             "  parameters = {},\n"
             "  score = function(p, w)\n"
             "    local cs = {}\n"
             "    local fit = imeval.fit_part(cs, 0, 'base', 40, 'ev')\n"
             "    fit = imeval.fit_part(cs, fit, 'grade', 15, 'ev2')\n"
             "    %s\n"
             "    return { score = 50, partner = { id = p.partners[1].id, fit = fit, components = cs } }\n"
             "  end }\n",
             components);
    char *path = tu_write_temp_str(script, ".lua");
    imv_registry *reg = imv_registry_new(NULL);
    imv_diags d;
    imv_diags_init(&d);
    ck_assert_int_eq(imv_registry_load_file(reg, path, 0, &d), 0);
    char cases[512];
    snprintf(cases, sizeof cases, "%s/cases/isle-of-wight-2013.json", TU_DATASETS);
    imv_profile *p = read_case(cases);
    imv_worker *w = imv_worker_new(reg);
    imv_evaluation ev;
    imv_evaluate(w, p, &ev); /* non-zero when the model failed: that is the test */
    ck_assert_uint_eq(ev.n, 1);
    const imv_result *r = &ev.results[0];
    if (r->error)
        snprintf(buf, len, "error: %s", r->error);
    else {
        size_t k = (size_t)snprintf(buf, len, "%s %.0f:", r->partner_id, r->partner_fit);
        for (size_t i = 0; i < r->n_fit_parts && k < len; i++)
            k += (size_t)snprintf(buf + k, len - k, " %s %+.0f (%s)", r->fit_parts[i].name,
                                  r->fit_parts[i].points, r->fit_parts[i].evidence);
    }
    imv_evaluation_clear(&ev);
    imv_profile_free(p);
    imv_worker_free(w);
    imv_registry_free(reg);
    imv_diags_free(&d);
    unlink(path);
    free(path);
    return buf;
}

START_TEST(fit__lua_components_checked)
{
    char buf[600];
    ck_assert_str_eq(lua_result("", buf, sizeof buf), "hampshire 55: base +40 (ev) grade +15 (ev2)");
    lua_result("cs[3] = { name = 'Spare capacity', points = 1 }", buf, sizeof buf);
    ck_assert_msg(strstr(buf, "error: plugin gave a partner fit component named \"Spare capacity\""),
                  "%s", buf);
    lua_result("cs[3] = { name = 'size', points = 0/0 }", buf, sizeof buf);
    ck_assert_msg(strstr(buf, "error: plugin gave partner fit component size NaN points"), "%s", buf);
    lua_result("cs[3] = 7", buf, sizeof buf);
    ck_assert_msg(strstr(buf, "partner.components[3] must be a table"), "%s", buf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fit");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, fit__components_sum_to_the_fit);
    tcase_add_test(tc, fit__lua_components_checked);
    suite_add_tcase(s, tc);
    return tu_main(s);
}
