/* unread.c - which profile facts the loaded models read (issue 11 point 11:
 * `validate` says which given facts no loaded model reads).
 *
 * A model says what it read in the fields of its reasons.  Scoring probe
 * profiles in which every fact is given at a value the research gives a
 * meaning to (rates above 15%, a backlog of unallocated cases, investment,
 * many children in care) shows which facts any loaded model reads; each
 * workforce rate is probed alone, since models count the worst of them
 * once. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define PROBE_HEAD                                                                                \
    "{\"format\":\"imeval-profile/1\",\"id\":\"probe\",\"name\":\"Probe\",\"as_of\":\"2018-06\"," \
    "\"size\":{\"child_population\":60000,\"children_in_care\":900},"                             \
    "\"ofsted\":{\"grade\":\"inadequate\",\"previous\":[\"inadequate\"]},\"ratings\":{"           \
    "\"senior_leadership\":1.5,\"middle_leadership\":1.5,\"leadership_stability\":1.5,"           \
    "\"political_commitment\":2.5,\"corporate_leadership\":2.5,\"acceptance\":2.5,"               \
    "\"governance\":2,\"partnerships\":2,\"self_assessment\":2,\"workforce_stability\":1.5,"      \
    "\"financial_resilience\":2,\"failure_extent\":3,\"initial_response\":2},"                    \
    "\"partners\":[{\"id\":\"p\",\"grade\":\"good\",\"neighbouring\":true,"                       \
    "\"child_population\":150000,\"spare_leadership_capacity\":3,\"current_commitments\":0}],"    \
    "\"facts\":{\"failure_years\":4,\"leadership_changes_3y\":5,\"unallocated_cases\":400,"       \
    "\"additional_investment_gbp_m\":12,"

static const char *const probes[] = {
    PROBE_HEAD "\"agency_rate\":0.35}}",
    PROBE_HEAD "\"vacancy_rate\":0.35}}",
    PROBE_HEAD "\"turnover_rate\":0.35}}",
};

static void mark(const char *fields, unsigned *mask)
{
    for (int f = 0; f < IMV_F_COUNT; f++) {
        char key[64];
        snprintf(key, sizeof key, "facts.%s", imv_fact_name(f));
        if (strstr(fields, key))
            *mask |= 1u << f;
    }
    if (strstr(fields, "size.children_in_care"))
        *mask |= IMV_READ_CHILDREN_IN_CARE;
}

unsigned imv_registry_facts_read(imv_registry *reg)
{
    /* The engine's own journey reads failure_years (003 ch.1 factor (a)). */
    unsigned mask = 1u << IMV_F_FAILURE_YEARS;
    imv_worker *w = imv_worker_new(reg);
    for (size_t k = 0; w && k < sizeof probes / sizeof probes[0]; k++) {
        cJSON *j = cJSON_Parse(probes[k]);
        imv_profile *p = NULL;
        imv_diags d;
        imv_diags_init(&d);
        if (j && imv_profile_from_json(j, "probe", 1, 0, &p, &d) == 0 && p) {
            imv_evaluation e;
            if (imv_evaluate(w, p, &e) == 0) {
                for (size_t i = 0; i < e.n; i++)
                    for (size_t r = 0; r < e.results[i].n_reasons; r++)
                        mark(e.results[i].reasons[r].fields, &mask);
                imv_evaluation_clear(&e);
            }
        }
        imv_profile_free(p);
        imv_diags_free(&d);
        cJSON_Delete(j);
    }
    imv_worker_free(w);
    return mask;
}

size_t imv_profile_unread(const imv_profile *p, unsigned mask, char *buf, size_t n)
{
    size_t count = 0, len = 0;
    buf[0] = '\0';
    for (int f = 0; f < IMV_F_COUNT; f++)
        if (((p->facts_present >> f) & 1u) && !((mask >> f) & 1u)) {
            int k = snprintf(buf + len, n - len, "%sfacts.%s", count ? ", " : "", imv_fact_name(f));
            if (k > 0 && (size_t)k < n - len)
                len += (size_t)k;
            count++;
        }
    if (p->children_in_care != IMV_UNKNOWN && !(mask & IMV_READ_CHILDREN_IN_CARE)) {
        int k = snprintf(buf + len, n - len, "%ssize.children_in_care", count ? ", " : "");
        if (k > 0 && (size_t)k < n - len)
            len += (size_t)k;
        count++;
    }
    return count;
}
