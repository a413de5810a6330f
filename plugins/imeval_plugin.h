/*
 * imeval_plugin.h - the one header a model plugin includes (the SDK).
 *
 * A model plugin scores one intervention model against one authority
 * profile.  It never links against the engine: everything it needs from the
 * host comes in the imv_host table passed to its entry point, so a plugin
 * built once works with every engine of the same ABI major version.
 *
 * Compatibility rules (after SQLite's sqlite3ext.h and Redis modules):
 *   - every struct that crosses the boundary starts with a size field
 *     (imv_param_def, declared in arrays, has its size in the model
 *     definition's param_size instead);
 *   - structs only ever grow at the end, after the "---- ABI 2.0 ----"
 *     marker of their type; a reader checks struct_size before touching
 *     a field added after 2.0: IMV_HOST_HAS for the host table,
 *     IMV_VIEW_HAS for the profile view, IMV_PARTNER_HAS for a partner;
 *   - no array of structs crosses the boundary with the reader's own
 *     stride: partners come as an array of pointers, and the engine walks
 *     the plugin's parameter table with the plugin's param_size, so both
 *     structs may grow;
 *   - IMV_PLUGIN_ABI changes only when an existing field changes meaning,
 *     and the engine then refuses other plugins with a clear message.
 *     ABI 2 (this header) replaced ABI 1 while every plugin was in the
 *     imeval tree: partners became pointers, parameters gained plausible
 *     ranges and flags, the definition gained param_size and directions.
 *   - minor versions, marked in the structs: 2.1 added the view's
 *     history, judgements, progress and derived facts and the host's log;
 *     2.2 the host's partner_component (a partner's fit itemised).  A
 *     plugin built against 2.2 loads in a 2.0 engine when it tests
 *     IMV_HOST_HAS(h, partner_component) first.
 *
 * Ownership: every pointer the host passes to the plugin (views, strings,
 * parameter arrays) is owned by the host and valid only during the call.
 * Every string the plugin passes to the host is copied by the host before
 * the call returns, so the plugin may pass stack buffers.  The model
 * definition returned by the entry point must stay valid until the process
 * exits (a static const struct is the usual way): the engine never
 * dlcloses a plugin that it has called.
 *
 * Threads: the engine may call score functions of one plugin from several
 * threads at once, each with its own result.  A plugin must not keep
 * mutable global state.
 *
 * A minimal plugin:
 *
 *     #include "imeval_plugin.h"
 *     static const imv_param_def params[] = {
 *         {"base", 50, 0, 100, "score before any factor",
 *          .flags = IMV_PARAM_BASE},
 *         {"weight", 10, 0, 25, "points per step of acceptance above 2",
 *          IMV_PLAUSIBLE(6, 14)},
 *     };
 *     static int score(const imv_profile_view *p, const double *w,
 *                      imv_result *r, const imv_host *h)
 *     {
 *         double pts = w[1] * (p->ratings[IMV_R_ACCEPTANCE] - 2);
 *         h->set_score(r, w[0] + pts);
 *         h->add_reason(r, "ratings.acceptance", pts,
 *                       "the council accepts the judgement",
 *                       "003 ch.1: recognition of weakness");
 *         return 0;
 *     }
 *     static const imv_model_def def = {
 *         .struct_size = sizeof def, .abi = IMV_PLUGIN_ABI,
 *         .id = "example", .name = "Example", .version = "1.0.0",
 *         .summary = "an example", .evidence = "none",
 *         IMV_PARAMS(params),
 *         .score = score,
 *         .directions = "acceptance:+",
 *     };
 *     IMV_EXPORT const imv_model_def *imeval_model(const imv_host *h)
 *     { (void)h; return &def; }
 */
#ifndef IMEVAL_PLUGIN_H
#define IMEVAL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Major ABI version.  See the compatibility rules above. */
#define IMV_PLUGIN_ABI 2

/* Name of the symbol the engine looks up in a native plugin. */
#define IMV_ENTRY_SYMBOL "imeval_model"

#if defined(__GNUC__)
#define IMV_EXPORT __attribute__((visibility("default")))
#else
#define IMV_EXPORT
#endif

/* The thirteen ratings of PROFILE-FORMAT.md, 0..4, higher = more of it. */
typedef enum imv_rating {
    IMV_R_SENIOR_LEADERSHIP,
    IMV_R_MIDDLE_LEADERSHIP,
    IMV_R_LEADERSHIP_STABILITY,
    IMV_R_POLITICAL_COMMITMENT,
    IMV_R_CORPORATE_LEADERSHIP,
    IMV_R_ACCEPTANCE,
    IMV_R_GOVERNANCE,
    IMV_R_PARTNERSHIPS,
    IMV_R_SELF_ASSESSMENT,
    IMV_R_WORKFORCE_STABILITY,
    IMV_R_FINANCIAL_RESILIENCE,
    IMV_R_FAILURE_EXTENT,
    IMV_R_INITIAL_RESPONSE,
    IMV_R_COUNT
} imv_rating;

/* Optional measured facts.  Test presence with IMV_HAS_FACT first. */
typedef enum imv_fact {
    IMV_F_FAILURE_YEARS,
    IMV_F_AGENCY_RATE,
    IMV_F_VACANCY_RATE,
    IMV_F_TURNOVER_RATE,
    IMV_F_LEADERSHIP_CHANGES_3Y,
    IMV_F_UNALLOCATED_CASES,
    IMV_F_ADDITIONAL_INVESTMENT_GBP_M,
    IMV_F_COUNT
} imv_fact;

#define IMV_HAS_FACT(view, f) ((((view)->facts_present) >> (f)) & 1u)

/* Ofsted grades, worst last so that "at least good" is grade <= IMV_G_GOOD. */
typedef enum imv_grade {
    IMV_G_OUTSTANDING,
    IMV_G_GOOD,
    IMV_G_REQUIRES_IMPROVEMENT, /* also the pre-2013 "adequate" */
    IMV_G_INADEQUATE,
    IMV_G_NOT_INSPECTED,
    IMV_G_COUNT
} imv_grade;

/* The judgements of an inspection (ofsted.judgements of PROFILE-FORMAT.md).
 * Key judgements: leadership, help_and_protection, children_in_care, and
 * care_leavers from 2023; adoption (and care_leavers before 2023) are
 * sub-judgements of children_in_care. */
typedef enum imv_judgement {
    IMV_J_LEADERSHIP,
    IMV_J_HELP_AND_PROTECTION,
    IMV_J_CHILDREN_IN_CARE,
    IMV_J_CARE_LEAVERS,
    IMV_J_ADOPTION,
    IMV_J_COUNT
} imv_judgement;

/* current_intervention.kind; IMV_KIND_UNKNOWN when not given. */
typedef enum imv_iv_kind {
    IMV_KIND_UNKNOWN,
    IMV_KIND_VOLUNTARY,
    IMV_KIND_NOTICE,    /* improvement notice */
    IMV_KIND_DIRECTION, /* statutory direction */
    IMV_KIND_COUNT
} imv_iv_kind;

/* current_intervention.progress[].finding, and the trajectory the engine
 * derives from findings and judgements (IMV_TREND_UNKNOWN: no evidence). */
typedef enum imv_trend {
    IMV_TREND_UNKNOWN,
    IMV_TREND_IMPROVING,
    IMV_TREND_MIXED,
    IMV_TREND_STATIC,
    IMV_TREND_DETERIORATING,
    IMV_TREND_COUNT
} imv_trend;

/* current_intervention.progress[].by */
typedef enum imv_finding_by {
    IMV_BY_OFSTED_MONITORING,
    IMV_BY_COMMISSIONER,
    IMV_BY_BOARD,
    IMV_BY_DFE,
    IMV_BY_OTHER,
    IMV_BY_COUNT
} imv_finding_by;

/* A value the plugin or the profile does not know (sizes, timeline). */
#define IMV_UNKNOWN (-1.0)

/* Set in imv_profile_view.flags when only the score is wanted (bulk
 * uncertainty draws): a plugin may skip building reason texts. The host
 * functions still work and are then cheap no-ops. */
#define IMV_VIEW_SCORE_ONLY 0x1u
/* Set in imv_profile_view.flags when the caller shows no reason, risk or
 * partner component (a CSV of results; ABI 2.3): a plugin may skip
 * making them.  Everything else (score, unmet preconditions, timeline,
 * partner and fit) must be what a call without the flag gives; a plugin
 * that ignores the flag is right too.  Never set with IMV_VIEW_SCORE_ONLY. */
#define IMV_VIEW_BRIEF 0x2u

/* A monitoring finding since the intervention began (ABI 2.1). */
typedef struct imv_progress_view {
    uint32_t struct_size;
    const char *date;
    imv_trend finding; /* improving .. deteriorating, never unknown */
    imv_finding_by by;
    const char *note; /* may be NULL */
    /* ---- ABI 2.1 ends here; later fields go below ---- */
} imv_progress_view;

/* A yes / no fact that may be impossible to establish. */
typedef enum imv_fact_state {
    IMV_FACT_NO,
    IMV_FACT_YES,
    IMV_FACT_UNDATED, /* an earlier judgement would count but has no date */
    IMV_FACT_UNKNOWN  /* nothing given to decide it */
} imv_fact_state;

/* The rules in force (DOMAIN "The rules in force"), bits of
 * imv_profile_view.rules_in_force; imeval_aux.h's imv_rule_info gives
 * each one's date and the passage to cite.  A rule is in force when the
 * profile's as_of is on or after 1 January of the year DOMAIN gives. */
enum {
    IMV_RULE_PROFIT_RESTRICTION = 1u << 0, /* 2014: no delegation to profit-making bodies */
    IMV_RULE_COMMISSIONER = 1u << 1, /* 2016: commissioner for persistent or systemic failure */
    IMV_RULE_PRESUMPTION_OF_REMOVAL = 1u << 2, /* 2017: directions presume removal */
    IMV_RULE_SECTOR_LED = 1u << 3,             /* 2017: sector-led support; imposed trusts rare */
    IMV_RULE_TRUST_ONE_OUTCOME = 1u << 4,      /* 2023: a trust is one possible outcome */
    IMV_RULE_COMMISSIONER_REVIEWS = 1u << 5,   /* 2013: commissioners' reviews used in practice */
    IMV_RULE_TRUSTS = 1u << 6 /* 2013: the first children's services trust directed */
};
#define IMV_RULE_COUNT 7

/* Where the intervention in place stands (imv_profile_view.
 * intervention_status, ABI 2.2), decided by the engine from the
 * judgements and monitoring findings made under it, with months as one
 * signal among them (DOMAIN rules in force: still inadequate under an
 * intervention is escalated). */
typedef enum imv_iv_status {
    IMV_IV_STATUS_NONE,          /* no intervention in place */
    IMV_IV_STATUS_ON_TRACK,      /* still inadequate, nothing says it is not working */
    IMV_IV_STATUS_STALLED,       /* re-inspected inadequate after its first year, a static
                                     * finding, or past its expected time */
    IMV_IV_STATUS_DETERIORATING, /* a worse judgement or a deteriorating finding under it */
    IMV_IV_STATUS_IMPROVED,      /* no longer inadequate under it */
    IMV_IV_STATUS_UNKNOWN,       /* in place, but with no start date */
    IMV_IV_STATUS_COUNT
} imv_iv_status;

/* What decided intervention_status (imeval_aux.h's imv_intervention_why
 * says it in words). */
typedef enum imv_iv_signal {
    IMV_IV_SIGNAL_NONE,   /* no intervention, or no start date */
    IMV_IV_SIGNAL_JUDGED, /* improved: judged better than inadequate */
    IMV_IV_SIGNAL_FELL,   /* a judgement under it is worse than the baseline */
    IMV_IV_SIGNAL_FINDING_DETERIORATING,
    IMV_IV_SIGNAL_REINSPECTED, /* re-inspected inadequate a year or more in */
    IMV_IV_SIGNAL_FINDING_STATIC,
    IMV_IV_SIGNAL_PAST_EXPECTED, /* past its expected time, no finding says improving */
    IMV_IV_SIGNAL_RESCUED,       /* re-inspected inadequate, but found improving since */
    IMV_IV_SIGNAL_FINDING,       /* the latest finding, improving or mixed */
    IMV_IV_SIGNAL_MONTHS,        /* months in, no judgement or finding against it */
    IMV_IV_SIGNAL_COUNT
} imv_iv_signal;

/* A candidate partner council (for the partnership models).  Reached
 * through imv_profile_view.partners[i], an array of pointers, so it may
 * grow: test a field added after 2.0 with IMV_PARTNER_HAS. */
typedef struct imv_partner_view {
    uint32_t struct_size;
    const char *id;
    const char *name;                 /* may be NULL */
    imv_grade grade;                  /* IMV_G_NOT_INSPECTED when not given */
    int neighbouring;                 /* 1 yes, 0 no, -1 not given */
    double child_population;          /* IMV_UNKNOWN when not given */
    double spare_leadership_capacity; /* 0..4, IMV_UNKNOWN when not given */
    double current_commitments;       /* >= 0, IMV_UNKNOWN when not given */
    /* ---- ABI 2.0 ends here; later fields go below ---- */
} imv_partner_view;

/* 1 when the struct at s (of type T, starting with struct_size) has
 * member m: the engine that built it knew the field. */
#define IMV_STRUCT_HAS(T, s, m) ((s)->struct_size >= offsetof(T, m) + sizeof((s)->m))
#define IMV_PARTNER_HAS(q, m) IMV_STRUCT_HAS(imv_partner_view, q, m)

/* One authority at one date, with every rating resolved to one value (the
 * mode or midpoint of a range, or a random draw).
 *
 * Adding a field (append it after the last marker) touches, in the engine:
 * this struct; core/profile.c (imv_profile_view_init, building the view);
 * the Lua host's table p (plugins/lua/: building p, the same-base test of
 * batch calls, imeval.journey's view from p); plugins/isolate.c (packing
 * and unpacking the view for the isolated child); and the Lua `p`
 * paragraph of docs/plugin-guide.md.  The tests
 * isolate__same_result_as_in_process and lua__profile_table_holds_the_profile
 * catch part of any drift. */
typedef struct imv_profile_view {
    uint32_t struct_size;
    uint32_t flags; /* IMV_VIEW_* */
    const char *id;
    const char *name;
    const char *as_of; /* YYYY, YYYY-MM or YYYY-MM-DD */
    imv_grade grade;
    size_t n_previous; /* earlier grades, newest first */
    const imv_grade *previous;
    double child_population; /* IMV_UNKNOWN when not given */
    double children_in_care; /* IMV_UNKNOWN when not given */
    double ratings[IMV_R_COUNT];
    uint32_t facts_present; /* bit f set when facts[f] was given */
    double facts[IMV_F_COUNT];
    /* The intervention in place now, or NULL model when none. */
    const char *intervention_model;
    const char *intervention_since;
    const char *intervention_partner; /* may be NULL */
    double intervention_months;       /* months from since to as_of, or IMV_UNKNOWN */
    /* The expected time of the model in place: its IMV_PARAM_STALL_MONTHS
     * parameter as set in this run, the figure the monitor uses; IMV_UNKNOWN
     * when there is none, that model is not loaded, or declares none. */
    double intervention_expected_months;
    size_t n_partners;
    const imv_partner_view *const *partners; /* partners[i]->id, ... */
    /* ---- ABI 2.0 ends here; later fields go below (IMV_VIEW_HAS) ---- */

    /* ---- ABI 2.1: history, judgements and progress as given ---- */
    const char *inspected; /* the current judgement's date: ofsted.inspected, else as_of */
    const char *const *previous_dates; /* n_previous entries; NULL for an undated grade */
    uint32_t n_judgements;             /* entries in judgements (IMV_J_COUNT of the engine) */
    uint32_t judgements_present;       /* bit j set when judgements[j] was given */
    const imv_grade *judgements;
    imv_iv_kind intervention_kind;
    size_t n_progress; /* newest first */
    const imv_progress_view *const *progress;

    /* ---- ABI 2.1: facts the engine derives, one rule for every model ----
     * persistent failure: inadequate now and at an earlier judgement dated
     * within five years (60 months) before the current one; UNDATED when
     * only an undated earlier inadequate could make it so. */
    imv_fact_state persistent_failure;
    const char *persistent_since; /* that earlier judgement's date, or NULL */
    double persistent_gap_months; /* months between the two, or IMV_UNKNOWN */
    /* systemic failure: every given key judgement inadequate (UNKNOWN when
     * no key judgement is given; key_judgements_given says how many). */
    imv_fact_state systemic_failure;
    uint32_t key_judgements_given; /* bits of imv_judgement: given and key at that date */
    /* Under the intervention in place (IMV_TREND_UNKNOWN without one or
     * without evidence): judgement_trend compares the newest Ofsted
     * judgement dated after `since` with the one in force when it began
     * (inadequate when not given); latest_finding is the newest progress
     * finding; trajectory is whichever of the two is newer (the judgement
     * on a tie), dated trajectory_date. */
    imv_trend trajectory;
    imv_trend judgement_trend;
    imv_trend latest_finding;
    const char *trajectory_date; /* NULL when trajectory is unknown */
    uint32_t judgements_since;   /* Ofsted judgements dated after since */
    uint32_t rules_in_force;     /* IMV_RULE_* at as_of */
    /* ---- ABI 2.1 ends here ---- */

    /* ---- ABI 2.2: the intervention in place, decided once by the engine
     * (core/facts.c) for every model and the monitor; test with
     * IMV_VIEW_HAS(p, intervention_past_expected).  A judgement counts as
     * made under the intervention only when ofsted.inspected (or an earlier
     * judgement's date) is after since; re-inspected inadequate counts from
     * 12 months in (003 ch.1: six months of diagnosis, six to stabilise),
     * unless a finding dated at or after it says improving; months past
     * intervention_expected_months decide only when no finding says
     * improving.  intervention_why of imeval_aux.h gives the clause. */
    imv_iv_status intervention_status;
    imv_iv_signal intervention_signal;
    imv_grade intervention_baseline; /* judgement in force when it began (IMV_G_NOT_INSPECTED: unknown) */
    double intervention_reinspected_months; /* months in at that re-inspection, or IMV_UNKNOWN */
    uint32_t intervention_past_expected;    /* 1: still inadequate past its expected months */
    /* ---- ABI 2.2 ends here ---- */
} imv_profile_view;

#define IMV_VIEW_HAS(v, m) IMV_STRUCT_HAS(imv_profile_view, v, m)

/* Parameter flags (imv_param_def.flags). */
/* A fact or a rule, not a judgement: the year a rule came in, a legal
 * threshold.  Never drawn by --vary-parameters. */
#define IMV_PARAM_FIXED 0x1u
/* The model's base score, the score before any factor (declare exactly
 * one).  The engine shows it; never drawn. */
#define IMV_PARAM_BASE 0x2u

/* The plausible range of a parameter, inside a positional initialiser:
 *   {"w_gap", 6, 0, 15, "points per ...", IMV_PLAUSIBLE(4, 8)}. */
#define IMV_PLAUSIBLE(lo, hi) .plausible_low = (lo), .plausible_high = (hi)

/* The parameter the engine's monitor reads as the model's expected time:
 * months in place, still inadequate, after which this model counts as
 * stalled.  A model that declares a parameter of this name gets its value
 * (as set with --set or --params) used for "on track or stalling" and
 * given to every other model as imv_profile_view.intervention_expected_months
 * when this model is the one in place; without it the monitor uses the
 * model's timeline to fair. */
#define IMV_PARAM_STALL_MONTHS "stall_months"

/* A tunable parameter.  Values outside the hard limits [min, max] are
 * refused by --set before the plugin sees them.  The plausible range
 * [plausible_low, plausible_high] is the uncertainty of the judgement
 * behind the value, what --vary-parameters draws from; it must lie in
 * [min, max] and contain def.  Leave both 0 when the value is not
 * uncertain: such a parameter, and one flagged FIXED or BASE, is never
 * drawn.
 *
 * Declared in an array whose element size the definition gives in
 * param_size (IMV_PARAMS does it), so fields may be added at the end;
 * positional initialisers of the first five fields stay valid. */
typedef struct imv_param_def {
    const char *name; /* [a-z0-9_]+ */
    double def;
    double min;
    double max;
    const char *description;
    double plausible_low;
    double plausible_high;
    uint32_t flags; /* IMV_PARAM_* */
    /* ---- ABI 2.0 ends here; later fields go below ---- */
} imv_param_def;

/* The baseline improvement journey for a profile (report ch.1), before any
 * model's own set-up lag or speed-up: months from the decision to "fair"
 * and to "good".  An out-parameter: set struct_size to the size you
 * allocated (IMV_JOURNEY_INIT does) and the host writes only the fields
 * that fit in it; with struct_size 0 it writes nothing. */
typedef struct imv_journey {
    uint32_t struct_size;
    double months_to_fair;
    double months_to_good;
    double factor; /* multiplier applied to the 24/36-month base */
    /* ---- ABI 2.0 ends here; later fields go below ---- */
} imv_journey;

#define IMV_JOURNEY_INIT                   \
    {                                      \
        .struct_size = sizeof(imv_journey) \
    }

/* The engine's result under construction.  Opaque to plugins. */
typedef struct imv_result imv_result;

/* Host functions.  Every member above the "ABI 2.0" marker is always set.
 * A member added later may be missing from an older engine's table, which
 * is then shorter: test it with IMV_HOST_HAS(h, member), never by reading
 * it for NULL.  Strings are copied.  Text must be valid UTF-8; over-long
 * text, NaN or infinite numbers make the model's result an error, never
 * trusted. */
typedef struct imv_host {
    uint32_t struct_size;
    uint32_t abi; /* IMV_PLUGIN_ABI of the engine */
    const char *engine_version;

    /* The score, 0..100, higher is a better fit.  Required. */
    void (*set_score)(imv_result *r, double score);
    /* One reason: the profile fields it rests on (comma-separated JSON
     * paths of the profile format, no spaces, such as
     * "ratings.acceptance,facts.agency_rate"; "" for none), its signed
     * contribution to the score, a sentence, and the passage of the
     * research behind it (document and chapter or case).  The engine keeps
     * every reason, zero points too; a term under IMV_REASON_MIN_POINTS
     * prints as 0.0, so imeval_aux.h's accumulator leaves those out. */
    void (*add_reason)(imv_result *r, const char *fields, double points, const char *text,
                       const char *evidence);
    /* A precondition that is not met.  Any one makes the model non-viable. */
    void (*add_unmet)(imv_result *r, const char *text);
    void (*add_risk)(imv_result *r, const char *text);
    /* Months; pass IMV_UNKNOWN for a value the model cannot say. */
    void (*set_timeline)(imv_result *r, double setup_months, double months_to_fair,
                         double months_to_good);
    /* The partner council the model would use, with its fit 0..100. */
    void (*set_partner)(imv_result *r, const char *id, double fit);
    /* The model cannot score this profile; message says why. */
    void (*set_error)(imv_result *r, const char *message);
    /* The baseline journey of report ch.1 for this profile; writes the
     * fields that fit in out->struct_size. */
    void (*journey)(const imv_profile_view *p, imv_journey *out);
    /* "senior_leadership" for IMV_R_SENIOR_LEADERSHIP, NULL out of range. */
    const char *(*rating_name)(int rating);
    const char *(*fact_name)(int fact);
    const char *(*grade_name)(int grade);
    /* ---- ABI 2.0 ends here: members below may be missing (IMV_HOST_HAS) ---- */

    /* ---- ABI 2.1 ---- */
    /* A line for the model's author: shown by `imeval evaluate --trace`
     * and `imeval explain --trace`, dropped in normal runs and in
     * score-only calls, never part of the result.  Copied; over-long or
     * non-UTF-8 text is cut or escaped, never an error; at most
     * IMV_MAX_LOG lines a call are kept.
     *     if (IMV_HOST_HAS(h, log)) h->log(r, "officer capacity 1.2");  */
    void (*log)(imv_result *r, const char *message);

    /* ---- ABI 2.2 ---- */
    /* One named part of the fit of partner_id (the id given, or to be
     * given, to set_partner): name [a-z0-9_]{1,32} ("grade",
     * "spare_capacity", "commitments", "size", "neighbouring",
     * "receiving_conditions"; "base" for the starting point, "limit" for
     * what keeping the fit in 0..100 took off), its signed points, and the
     * passage of the research behind it.  The parts of the partner the
     * result names should sum to its fit (check-model checks it); parts of
     * other candidates are dropped.  Ignored in score-only calls.
     *     if (IMV_HOST_HAS(h, partner_component))
     *         h->partner_component(r, "hampshire", "grade", 25, "003 cs 4");  */
    void (*partner_component)(imv_result *r, const char *partner_id, const char *name,
                              double points, const char *evidence);
} imv_host;

#define IMV_MAX_LOG 100

/* 1 when the host table h has member m and it is set. */
#define IMV_HOST_HAS(h, m) (IMV_STRUCT_HAS(imv_host, h, m) && (h)->m != NULL)

/* A term whose points round to 0.0 at one decimal. */
#define IMV_REASON_MIN_POINTS 0.05

/* Score one profile.  params holds the model's parameters in declaration
 * order, already range-checked.  Return 0 on success; on failure call
 * host->set_error (or just return non-zero for a generic message). */
typedef int (*imv_score_fn)(const imv_profile_view *p, const double *params, imv_result *r,
                            const imv_host *host);

/* Optional batch path: score n views in one call, views[i] with
 * params[i] into results[i].  Must behave exactly as n calls of score;
 * used for bulk draws, where it saves the per-call overhead. */
typedef int (*imv_score_batch_fn)(const imv_profile_view *const *views, const double *const *params,
                                  size_t n, imv_result *const *results, const imv_host *host);

/* What a plugin declares. */
typedef struct imv_model_def {
    uint32_t struct_size; /* sizeof(imv_model_def) as built */
    uint32_t abi;         /* IMV_PLUGIN_ABI as built */
    const char *id;       /* [a-z0-9_]+, unique among loaded models */
    const char *name;
    const char *version;  /* semantic version of the model */
    const char *summary;  /* one line */
    const char *evidence; /* the research it rests on */
    const imv_param_def *params;
    size_t n_params;
    size_t param_size;              /* sizeof(imv_param_def) as built */
    imv_score_fn score;             /* required */
    imv_score_batch_fn score_batch; /* optional, NULL when absent */
    /* The declared direction of each rating: how a higher rating moves
     * the score, comma-separated "rating:+" (never lowers the score nor
     * makes the model non-viable), "rating:-" (never raises it nor makes
     * it viable), "rating:0" (no effect).  A rating left out is
     * undeclared and not tested.  The engine checks the names at load;
     * the property tests and check-model check the directions.  NULL:
     * nothing declared. */
    const char *directions;
    /* ---- ABI 2.0 ends here; later fields go below ---- */
} imv_model_def;

/* The parameter table of a definition, with its size and element size:
 *   .params = ..., .n_params = ..., .param_size = ... in one go. */
#define IMV_PARAMS(arr) \
    .params = (arr), .n_params = sizeof(arr) / sizeof((arr)[0]), .param_size = sizeof((arr)[0])

/* The entry point every native plugin exports (IMV_ENTRY_SYMBOL).
 * Returns the model definition, or NULL to refuse to load. */
typedef const imv_model_def *(*imv_entry_fn)(const imv_host *host);

/* Declared here so that a plugin built with -Wmissing-prototypes needs no
 * declaration of its own; every native plugin defines it. */
IMV_EXPORT const imv_model_def *imeval_model(const imv_host *host);

#ifdef __cplusplus
}
#endif
#endif /* IMEVAL_PLUGIN_H */
