/*
 * history.c - the ABI 2.1 part of the Lua table p: history, judgements
 * and progress as given, and the facts the engine derives, under the same
 * names as the fields of imv_profile_view (docs/plugin-guide.md):
 *
 *   p.inspected                     "2015-03" (ofsted.inspected, else as_of)
 *   p.history                       { { grade = "inadequate", date = "2013-06" }, { grade = "good" } }
 *                                   (p.previous, with the dates)
 *   p.judgements                    { leadership = "inadequate", ... }
 *   p.current_intervention.kind     "notice"
 *   p.current_intervention.progress { { date, finding, by, note }, ... } newest first
 *   p.persistent_failure            "yes", "no" or "undated"
 *   p.persistent_since, p.persistent_gap_months
 *   p.systemic_failure              "yes", "no" or "unknown"
 *   p.key_judgements_given          { "leadership", ... }
 *   p.trajectory, p.judgement_trend, p.latest_finding
 *                                   "improving", "mixed", "static", "deteriorating" or "unknown"
 *   p.trajectory_date, p.judgements_since
 *   p.rules_in_force                { commissioner = true, sector_led = true, ... }
 *   p.current_intervention.status   "on_track", "stalling", "deteriorating", "improved" or "unknown"
 *   p.current_intervention.why      what decided it ("re-inspected inadequate 16 months in")
 *   p.rules                         the same facts in the form reasons use (imeval_aux.h's
 *                                   imv_rule_facts): persistent (1, 0, -1 undated),
 *                                   persistent_year, persistent_earlier_year, systemic (1, 0,
 *                                   -1 unknown), n_key, trajectory (the status), why, months,
 *                                   commissioner_weight, regime
 */
#include <lauxlib.h>
#include <lua.h>
#include <string.h>

#include "../../core/internal.h"
#include "../imeval_aux.h"
#include "lua_aux.h"
#include "lua_host.h"

static const char *const fact_states[] = {"no", "yes", "undated", "unknown"};

static void push_history(lua_State *L, int keys, const imv_profile_view *v)
{
    lua_createtable(L, (int)v->n_previous, 0);
    for (size_t i = 0; i < v->n_previous; i++) {
        lua_createtable(L, 0, 2);
        kset_str(L, keys, KEY_grade, imv_grade_name(v->previous[i]));
        kset_str(L, keys, KEY_date, v->previous_dates ? v->previous_dates[i] : NULL);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    kset(L, keys, KEY_history);
    lua_createtable(L, 0, IMV_J_COUNT);
    for (uint32_t j = 0; j < v->n_judgements && j < IMV_J_COUNT; j++)
        if ((v->judgements_present >> j) & 1u)
            kset_str(L, keys, KEY_JUDGEMENT + (int)j, imv_grade_name(v->judgements[j]));
    kset(L, keys, KEY_judgements);
}

/* kind and progress, into p.current_intervention (on top of the stack). */
static void push_intervention(lua_State *L, int keys, const imv_profile_view *v)
{
    kset_str(L, keys, KEY_kind, imv_iv_kind_name(v->intervention_kind));
    lua_createtable(L, (int)v->n_progress, 0);
    for (size_t i = 0; i < v->n_progress; i++) {
        const imv_progress_view *q = v->progress[i];
        lua_createtable(L, 0, 4);
        kset_str(L, keys, KEY_date, q->date);
        kset_str(L, keys, KEY_finding, imv_trend_name(q->finding));
        kset_str(L, keys, KEY_by, imv_finding_by_name(q->by));
        kset_str(L, keys, KEY_note, q->note);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    kset(L, keys, KEY_progress);
    if (IMV_VIEW_HAS(v, intervention_past_expected)) {
        char why[400];
        imv_intervention_why(v, why, sizeof why);
        kset_str(L, keys, KEY_status, imv_iv_status_name(v->intervention_status));
        kset_str(L, keys, KEY_why, why);
    }
}

/* p.rules: the view's rule facts as every model's reasons use them. */
static void push_rules(lua_State *L, int keys, const imv_profile_view *v)
{
    imv_rule_facts ru;
    imv_rule_facts_of_view(v, &ru);
    lua_createtable(L, 0, 10);
    lua_pushinteger(L, ru.persistent);
    kset(L, keys, KEY_persistent);
    lua_pushinteger(L, ru.persistent_year);
    kset(L, keys, KEY_persistent_year);
    lua_pushinteger(L, ru.persistent_earlier_year);
    kset(L, keys, KEY_persistent_earlier_year);
    lua_pushinteger(L, ru.systemic);
    kset(L, keys, KEY_systemic);
    lua_pushinteger(L, ru.n_key);
    kset(L, keys, KEY_n_key);
    kset_str(L, keys, KEY_trajectory, imv_iv_status_name(ru.status));
    kset_str(L, keys, KEY_why, ru.why);
    kset_num(L, keys, KEY_months, ru.months);
    lua_pushnumber(L, ru.commissioner_weight);
    kset(L, keys, KEY_commissioner_weight);
    kset_str(L, keys, KEY_regime, ru.regime);
    kset(L, keys, KEY_rules);
}

static void push_facts(lua_State *L, int keys, const imv_profile_view *v)
{
    kset_str(L, keys, KEY_persistent_failure, fact_states[v->persistent_failure]);
    kset_str(L, keys, KEY_persistent_since, v->persistent_since);
    kset_num(L, keys, KEY_persistent_gap_months, v->persistent_gap_months);
    kset_str(L, keys, KEY_systemic_failure, fact_states[v->systemic_failure]);
    lua_createtable(L, IMV_J_COUNT, 0);
    int k = 0;
    for (int j = 0; j < IMV_J_COUNT; j++)
        if ((v->key_judgements_given >> j) & 1u) {
            lua_pushstring(L, imv_judgement_name(j));
            lua_rawseti(L, -2, ++k);
        }
    kset(L, keys, KEY_key_judgements_given);
    kset_str(L, keys, KEY_trajectory, imv_trend_name(v->trajectory));
    kset_str(L, keys, KEY_judgement_trend, imv_trend_name(v->judgement_trend));
    kset_str(L, keys, KEY_latest_finding, imv_trend_name(v->latest_finding));
    kset_str(L, keys, KEY_trajectory_date, v->trajectory_date);
    lua_pushinteger(L, v->judgements_since);
    kset(L, keys, KEY_judgements_since);
    lua_createtable(L, 0, IMV_RULE_COUNT);
    for (int i = 0; i < IMV_RULE_COUNT; i++)
        if (v->rules_in_force & imv_rule(i)->bit) {
            lua_pushboolean(L, 1);
            kset(L, keys, KEY_RULE + i);
        }
    kset(L, keys, KEY_rules_in_force);
}

void imv_lua_push_history(lua_State *L, int keys, const imv_profile_view *v)
{
    if (!IMV_VIEW_HAS(v, rules_in_force))
        return;
    kset_str(L, keys, KEY_inspected, v->inspected);
    push_history(L, keys, v);
    lua_rawgeti(L, keys, KEY_current_intervention);
    lua_rawget(L, -2);
    if (lua_type(L, -1) == LUA_TTABLE)
        push_intervention(L, keys, v);
    lua_pop(L, 1);
    push_facts(L, keys, v);
    push_rules(L, keys, v);
}

int imv_lua_same_history(const imv_profile_view *a, const imv_profile_view *b)
{
    return a->inspected == b->inspected && a->previous_dates == b->previous_dates &&
           a->n_judgements == b->n_judgements && a->judgements_present == b->judgements_present &&
           a->judgements == b->judgements && a->intervention_kind == b->intervention_kind &&
           a->n_progress == b->n_progress && a->progress == b->progress &&
           a->persistent_failure == b->persistent_failure &&
           a->persistent_since == b->persistent_since && a->systemic_failure == b->systemic_failure &&
           a->key_judgements_given == b->key_judgements_given && a->trajectory == b->trajectory &&
           a->judgement_trend == b->judgement_trend && a->latest_finding == b->latest_finding &&
           a->trajectory_date == b->trajectory_date && a->judgements_since == b->judgements_since &&
           a->rules_in_force == b->rules_in_force &&
           (!IMV_VIEW_HAS(a, intervention_past_expected) ||
            (a->intervention_status == b->intervention_status &&
             a->intervention_signal == b->intervention_signal &&
             a->intervention_baseline == b->intervention_baseline &&
             a->intervention_reinspected_months == b->intervention_reinspected_months &&
             a->intervention_past_expected == b->intervention_past_expected));
}
