/*
 * imeval_plugin.h - the one header a model plugin includes (the SDK).
 *
 * A model plugin scores one intervention model against one authority
 * profile.  It never links against the engine: everything it needs from the
 * host comes in the imv_host table passed to its entry point, so a plugin
 * built once works with every engine of the same ABI major version.
 *
 * Compatibility rules (after SQLite's sqlite3ext.h and Redis modules):
 *   - every struct that crosses the boundary starts with a size field;
 *   - structs only ever grow at the end; a reader checks struct_size before
 *     touching a field added after version 1;
 *   - IMV_PLUGIN_ABI changes only when an existing field changes meaning,
 *     and the engine then refuses older plugins with a clear message.
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
 *     static int score(const imv_profile_view *p, const double *params,
 *                      imv_result *r, const imv_host *h)
 *     {
 *         (void)params;
 *         h->set_score(r, 50 + 10 * (p->ratings[IMV_R_ACCEPTANCE] - 2));
 *         h->add_reason(r, "ratings.acceptance",
 *                       10 * (p->ratings[IMV_R_ACCEPTANCE] - 2),
 *                       "the council accepts the judgement",
 *                       "003 ch.1: recognition of weakness");
 *         return 0;
 *     }
 *     static const imv_model_def def = {
 *         .struct_size = sizeof def, .abi = IMV_PLUGIN_ABI,
 *         .id = "example", .name = "Example", .version = "1.0.0",
 *         .summary = "an example", .evidence = "none",
 *         .score = score,
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
#define IMV_PLUGIN_ABI 1

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

/* A value the plugin or the profile does not know (sizes, timeline). */
#define IMV_UNKNOWN (-1.0)

/* Set in imv_profile_view.flags when only the score is wanted (bulk
 * uncertainty draws): a plugin may skip building reason texts. The host
 * functions still work and are then cheap no-ops. */
#define IMV_VIEW_SCORE_ONLY 0x1u

/* A candidate partner council (for the partnership models). */
typedef struct imv_partner_view {
    uint32_t struct_size;
    const char *id;
    const char *name;               /* may be NULL */
    imv_grade grade;                /* IMV_G_NOT_INSPECTED when not given */
    int neighbouring;               /* 1 yes, 0 no, -1 not given */
    double child_population;        /* IMV_UNKNOWN when not given */
    double spare_leadership_capacity; /* 0..4, IMV_UNKNOWN when not given */
    double current_commitments;     /* >= 0, IMV_UNKNOWN when not given */
} imv_partner_view;

/* One authority at one date, with every rating resolved to one value (the
 * mode or midpoint of a range, or a random draw). */
typedef struct imv_profile_view {
    uint32_t struct_size;
    uint32_t flags;                 /* IMV_VIEW_* */
    const char *id;
    const char *name;
    const char *as_of;              /* YYYY, YYYY-MM or YYYY-MM-DD */
    imv_grade grade;
    size_t n_previous;              /* earlier grades, newest first */
    const imv_grade *previous;
    double child_population;        /* IMV_UNKNOWN when not given */
    double children_in_care;        /* IMV_UNKNOWN when not given */
    double ratings[IMV_R_COUNT];
    uint32_t facts_present;         /* bit f set when facts[f] was given */
    double facts[IMV_F_COUNT];
    /* The intervention in place now, or NULL model when none. */
    const char *intervention_model;
    const char *intervention_since;
    const char *intervention_partner; /* may be NULL */
    double intervention_months;     /* months from since to as_of, or IMV_UNKNOWN */
    size_t n_partners;
    const imv_partner_view *partners;
} imv_profile_view;

/* A tunable parameter.  Values outside [min, max] are refused by the
 * engine before the plugin sees them. */
typedef struct imv_param_def {
    const char *name;               /* [a-z0-9_]+ */
    double def;
    double min;
    double max;
    const char *description;
} imv_param_def;

/* The baseline improvement journey for a profile (report ch.1), before any
 * model's own set-up lag or speed-up: months from the decision to "fair"
 * and to "good". */
typedef struct imv_journey {
    uint32_t struct_size;
    double months_to_fair;
    double months_to_good;
    double factor;                  /* multiplier applied to the 24/36-month base */
} imv_journey;

/* The engine's result under construction.  Opaque to plugins. */
typedef struct imv_result imv_result;

/* Host functions.  Every pointer member may be tested for NULL by a plugin
 * that wants to run on an older engine; all of version 1 are always set.
 * Strings are copied.  Text must be valid UTF-8; over-long text, NaN or
 * infinite numbers make the model's result an error, never trusted. */
typedef struct imv_host {
    uint32_t struct_size;
    uint32_t abi;                   /* IMV_PLUGIN_ABI of the engine */
    const char *engine_version;

    /* The score, 0..100, higher is a better fit.  Required. */
    void (*set_score)(imv_result *r, double score);
    /* One reason: the profile fields it rests on (comma-separated JSON
     * paths such as "ratings.acceptance,facts.agency_rate"), its signed
     * contribution to the score, a sentence, and the passage of the
     * research behind it (document and chapter or case). */
    void (*add_reason)(imv_result *r, const char *fields, double points,
                       const char *text, const char *evidence);
    /* A precondition that is not met.  Any one makes the model non-viable. */
    void (*add_unmet)(imv_result *r, const char *text);
    void (*add_risk)(imv_result *r, const char *text);
    /* Months; pass IMV_UNKNOWN for a value the model cannot say. */
    void (*set_timeline)(imv_result *r, double setup_months,
                         double months_to_fair, double months_to_good);
    /* The partner council the model would use, with its fit 0..100. */
    void (*set_partner)(imv_result *r, const char *id, double fit);
    /* The model cannot score this profile; message says why. */
    void (*set_error)(imv_result *r, const char *message);
    /* The baseline journey of report ch.1 for this profile. */
    void (*journey)(const imv_profile_view *p, imv_journey *out);
    /* "senior_leadership" for IMV_R_SENIOR_LEADERSHIP, NULL out of range. */
    const char *(*rating_name)(int rating);
    const char *(*fact_name)(int fact);
    const char *(*grade_name)(int grade);
} imv_host;

/* Score one profile.  params holds the model's parameters in declaration
 * order, already range-checked.  Return 0 on success; on failure call
 * host->set_error (or just return non-zero for a generic message). */
typedef int (*imv_score_fn)(const imv_profile_view *p, const double *params,
                            imv_result *r, const imv_host *host);

/* Optional batch path: score n views in one call, views[i] with
 * params[i] into results[i].  Must behave exactly as n calls of score;
 * used for bulk draws, where it saves the per-call overhead. */
typedef int (*imv_score_batch_fn)(const imv_profile_view *const *views,
                                  const double *const *params, size_t n,
                                  imv_result *const *results,
                                  const imv_host *host);

/* What a plugin declares. */
typedef struct imv_model_def {
    uint32_t struct_size;           /* sizeof(imv_model_def) as built */
    uint32_t abi;                   /* IMV_PLUGIN_ABI as built */
    const char *id;                 /* [a-z0-9_]+, unique among loaded models */
    const char *name;
    const char *version;            /* semantic version of the model */
    const char *summary;            /* one line */
    const char *evidence;           /* the research it rests on */
    const imv_param_def *params;
    size_t n_params;
    imv_score_fn score;             /* required */
    imv_score_batch_fn score_batch; /* optional, NULL when absent */
} imv_model_def;

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
