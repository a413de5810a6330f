/* profile.c - names of ratings, facts and grades; dates; the plugin view. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const rating_names[IMV_R_COUNT] = {
    "senior_leadership",    "middle_leadership",   "leadership_stability", "political_commitment",
    "corporate_leadership", "acceptance",          "governance",           "partnerships",
    "self_assessment",      "workforce_stability", "financial_resilience", "failure_extent",
    "initial_response",
};

static const char *const fact_names[IMV_F_COUNT] = {
    "failure_years",
    "agency_rate",
    "vacancy_rate",
    "turnover_rate",
    "leadership_changes_3y",
    "unallocated_cases",
    "additional_investment_gbp_m",
};

static const char *const grade_names[IMV_G_COUNT] = {
    "outstanding", "good", "requires_improvement", "inadequate", "not_inspected",
};

static const char *const judgement_names[IMV_J_COUNT] = {
    "leadership", "help_and_protection", "children_in_care", "care_leavers", "adoption",
};

static const char *const kind_names[IMV_KIND_COUNT] = {NULL, "voluntary", "notice", "direction"};

static const char *const trend_names[IMV_TREND_COUNT] = {
    "unknown", "improving", "mixed", "static", "deteriorating",
};

static const char *const by_names[IMV_BY_COUNT] = {
    "ofsted_monitoring", "commissioner", "board", "dfe", "other",
};

const char *imv_rating_name(int i)
{
    return i >= 0 && i < IMV_R_COUNT ? rating_names[i] : NULL;
}

const char *imv_fact_name(int i)
{
    return i >= 0 && i < IMV_F_COUNT ? fact_names[i] : NULL;
}

const char *imv_grade_name(int i)
{
    return i >= 0 && i < IMV_G_COUNT ? grade_names[i] : NULL;
}

static int index_of(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

const char *imv_judgement_name(int j)
{
    return j >= 0 && j < IMV_J_COUNT ? judgement_names[j] : NULL;
}

const char *imv_iv_kind_name(int k)
{
    return k > 0 && k < IMV_KIND_COUNT ? kind_names[k] : NULL;
}

const char *imv_trend_name(int t)
{
    return t >= 0 && t < IMV_TREND_COUNT ? trend_names[t] : NULL;
}

const char *imv_finding_by_name(int b)
{
    return b >= 0 && b < IMV_BY_COUNT ? by_names[b] : NULL;
}

int imv_rating_index(const char *name)
{
    return index_of(rating_names, IMV_R_COUNT, name);
}

int imv_fact_index(const char *name)
{
    return index_of(fact_names, IMV_F_COUNT, name);
}

int imv_judgement_index(const char *name)
{
    return index_of(judgement_names, IMV_J_COUNT, name);
}

int imv_iv_kind_index(const char *name)
{
    for (int k = 1; k < IMV_KIND_COUNT; k++)
        if (strcmp(kind_names[k], name) == 0)
            return k;
    return -1;
}

int imv_finding_index(const char *name)
{
    int t = index_of(trend_names, IMV_TREND_COUNT, name);
    return t == IMV_TREND_UNKNOWN ? -1 : t;
}

int imv_finding_by_index(const char *name)
{
    return index_of(by_names, IMV_BY_COUNT, name);
}

int imv_grade_parse(const char *name, int *was_adequate)
{
    if (was_adequate)
        *was_adequate = 0;
    if (strcmp(name, "adequate") == 0) {
        if (was_adequate)
            *was_adequate = 1;
        return IMV_G_REQUIRES_IMPROVEMENT;
    }
    return index_of(grade_names, IMV_G_COUNT, name);
}

double imv_range_point(const imv_range *r)
{
    return r->kind == 1 ? (r->low + r->high) / 2 : r->mode;
}

/* Parse YYYY, YYYY-MM or YYYY-MM-DD strictly; month and day default to
 * the middle so that "2013" compares sensibly with "2013-06". */
static int parse_date(const char *s, int *y, int *m, int *d)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        int dash = (i == 4 || i == 7);
        if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return -1;
    }
    if (n != 4 && n != 7 && n != 10)
        return -1;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = n >= 7 ? (s[5] - '0') * 10 + (s[6] - '0') : 0;
    *d = n == 10 ? (s[8] - '0') * 10 + (s[9] - '0') : 0;
    if (n >= 7 && (*m < 1 || *m > 12))
        return -1;
    if (n == 10) {
        int leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
        int max = mdays[*m - 1] - (*m == 2 && !leap);
        if (*d < 1 || *d > max)
            return -1;
    }
    if (*y < 1900 || *y > 2200)
        return -1;
    return 0;
}

int imv_date_valid(const char *s)
{
    int y, m, d;
    return parse_date(s, &y, &m, &d) == 0;
}

static double months_of(int y, int m, int d)
{
    double mm = m ? m - 1 : 5.5; /* a bare year means mid-year */
    double dd = d ? (d - 1) / 30.0 : (m ? 0.5 : 0);
    return y * 12.0 + mm + dd;
}

int imv_date_cmp(const char *a, const char *b)
{
    int y1, m1, d1, y2, m2, d2;
    if (!a || !b || parse_date(a, &y1, &m1, &d1) || parse_date(b, &y2, &m2, &d2))
        return 0;
    double x = months_of(y1, m1, d1), y = months_of(y2, m2, d2);
    return x < y ? -1 : x > y;
}

double imv_months_between(const char *from, const char *to)
{
    int y1, m1, d1, y2, m2, d2;
    if (!from || !to || parse_date(from, &y1, &m1, &d1) || parse_date(to, &y2, &m2, &d2))
        return IMV_UNKNOWN;
    double v = months_of(y2, m2, d2) - months_of(y1, m1, d1);
    return v < 0 ? 0 : v;
}

void imv_profile_derive(imv_profile *p)
{
    free(p->partner_views);
    free(p->partner_ptrs);
    p->partner_views = imv_xcalloc(p->n_partners, sizeof *p->partner_views);
    p->partner_ptrs = imv_xcalloc(p->n_partners, sizeof *p->partner_ptrs);
    for (size_t i = 0; i < p->n_partners; i++) {
        const imv_partner *s = &p->partners[i];
        p->partner_views[i] = (imv_partner_view){
            .struct_size = sizeof p->partner_views[i],
            .id = s->id,
            .name = s->name,
            .grade = s->grade,
            .neighbouring = s->neighbouring,
            .child_population = s->child_population,
            .spare_leadership_capacity = s->spare_leadership_capacity,
            .current_commitments = s->current_commitments,
        };
        p->partner_ptrs[i] = &p->partner_views[i];
    }
    free(p->progress_views);
    free(p->progress_ptrs);
    p->progress_views = imv_xcalloc(p->n_progress, sizeof *p->progress_views);
    p->progress_ptrs = imv_xcalloc(p->n_progress, sizeof *p->progress_ptrs);
    for (size_t i = 0; i < p->n_progress; i++) {
        const imv_progress *s = &p->progress[i];
        p->progress_views[i] = (imv_progress_view){
            .struct_size = sizeof p->progress_views[i],
            .date = s->date,
            .finding = s->finding,
            .by = s->by,
            .note = s->note,
        };
        p->progress_ptrs[i] = &p->progress_views[i];
    }
    imv_facts_derive(p, &p->derived);
}

void imv_profile_view_init(const imv_profile *p, imv_profile_view *v, imv_partner_view *pb)
{
    (void)pb;
    memset(v, 0, sizeof *v);
    v->struct_size = sizeof *v;
    v->id = p->id;
    v->name = p->name;
    v->as_of = p->as_of;
    v->grade = p->grade;
    v->n_previous = p->n_previous;
    v->previous = p->previous;
    v->child_population = p->child_population;
    v->children_in_care = p->children_in_care;
    for (int i = 0; i < IMV_R_COUNT; i++)
        v->ratings[i] = imv_range_point(&p->ratings[i]);
    v->facts_present = p->facts_present;
    memcpy(v->facts, p->facts, sizeof v->facts);
    v->intervention_model = p->iv_model;
    v->intervention_since = p->iv_since;
    v->intervention_partner = p->iv_partner;
    v->intervention_months = p->iv_model ? imv_months_between(p->iv_since, p->as_of) : IMV_UNKNOWN;
    v->intervention_expected_months = IMV_UNKNOWN;
    /* A profile whose partners were set by hand without a derive has no
     * views: show no partners rather than stale ones. */
    v->n_partners = p->partner_ptrs ? p->n_partners : 0;
    v->partners = p->partner_ptrs;
    v->inspected = p->inspected ? p->inspected : p->as_of;
    v->previous_dates = (const char *const *)p->previous_date;
    v->n_judgements = IMV_J_COUNT;
    v->judgements_present = p->judgements_present;
    v->judgements = p->judgements;
    v->intervention_kind = p->iv_kind;
    v->n_progress = p->progress_ptrs ? p->n_progress : 0;
    v->progress = p->progress_ptrs;
    const imv_derived *d = &p->derived;
    v->persistent_failure = d->persistent_failure;
    v->persistent_since = d->persistent_since;
    v->persistent_gap_months = d->persistent_gap_months;
    v->systemic_failure = d->systemic_failure;
    v->key_judgements_given = d->key_judgements_given;
    v->trajectory = d->trajectory;
    v->judgement_trend = d->judgement_trend;
    v->latest_finding = d->latest_finding;
    v->trajectory_date = d->trajectory_date;
    v->judgements_since = d->judgements_since;
    v->rules_in_force = d->rules_in_force;
    v->intervention_baseline = d->iv_baseline;
    v->intervention_reinspected_months = d->iv_reinspected_months;
    imv_profile_view_status(v, p, IMV_UNKNOWN);
}

void imv_profile_view_status(imv_profile_view *v, const imv_profile *p, double expected)
{
    imv_iv_fact f;
    imv_facts_status(p, expected, &f);
    v->intervention_expected_months = expected;
    v->intervention_status = f.status;
    v->intervention_signal = f.signal;
    v->intervention_past_expected = (uint32_t)f.past_expected;
}

void imv_profile_view_expect(imv_profile_view *v, const imv_profile *p, const imv_registry *reg)
{
    const imv_model *m = v->intervention_model && reg ? imv_registry_find(reg, v->intervention_model)
                                                      : NULL;
    imv_profile_view_status(v, p, m ? imv_model_stall_months(m) : IMV_UNKNOWN);
}

void imv_profile_free(imv_profile *p)
{
    if (!p)
        return;
    free(p->source);
    free(p->id);
    free(p->name);
    free(p->as_of);
    free(p->src_note);
    free(p->previous);
    free(p->iv_model);
    free(p->iv_since);
    free(p->iv_partner);
    for (size_t i = 0; p->previous_date && i < p->n_previous; i++)
        free(p->previous_date[i]);
    free(p->previous_date);
    free(p->inspected);
    for (size_t i = 0; i < p->n_progress; i++) {
        free(p->progress[i].date);
        free(p->progress[i].note);
    }
    free(p->progress);
    for (size_t i = 0; i < p->n_partners; i++) {
        free(p->partners[i].id);
        free(p->partners[i].name);
    }
    free(p->partners);
    free(p->partner_views);
    free(p->partner_ptrs);
    free(p->progress_views);
    free(p->progress_ptrs);
    free(p->extra_json);
    free(p);
}

unsigned long imv_profile_next_serial(void)
{
    static atomic_ulong next = 1;
    return atomic_fetch_add(&next, 1);
}
