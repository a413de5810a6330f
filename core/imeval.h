/*
 * imeval.h - the engine's public API.
 *
 * The engine reads authority profiles, loads intervention-model plugins
 * (native or Lua), scores every profile with every model, ranks the models
 * and explains each score.  The `imeval` command is one client of it.
 *
 * This is the only engine header a client includes (cli/ and bench/ do;
 * `make checksrc` keeps it so).  Every other header in core/ is private
 * to the engine and its plugin hosts; plugins/imeval_plugin.h is the SDK.
 *
 * Ownership, stated once: an object returned through an `**out` parameter
 * or by a `_new`/`_open` function belongs to the caller and is released
 * with the matching `_free`/`_close`, which accepts NULL.  Strings and
 * arrays reachable from an object belong to that object.  Pointers passed
 * in are borrowed for the duration of the call unless a comment says the
 * object keeps them.
 *
 * Errors: functions return 0 (or a non-negative count) on success and a
 * negative IMV_E* code on failure, with a message in the imv_diags list
 * the caller passed.  Nothing here prints.
 */
#ifndef IMEVAL_H
#define IMEVAL_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "imeval_plugin.h"

#define IMV_VERSION "0.1.0"
#define IMV_PROFILE_FORMAT "imeval-profile/1"
#define IMV_RESULT_FORMAT "imeval-result/1"

enum {
    IMV_OK = 0,
    IMV_EIO = -1,     /* a file could not be read or written */
    IMV_EPARSE = -2,  /* malformed input */
    IMV_EINVAL = -3,  /* a value out of range or of the wrong type */
    IMV_EPLUGIN = -4, /* a plugin failed to load or to score */
    IMV_ENOMEM = -5,
    IMV_EUSAGE = -6 /* a bad option or argument */
};

/* ---- diagnostics ------------------------------------------------------ */

/* One problem: the file (or model) it concerns, where in it ("line 3",
 * "ratings.acceptance"), and what was expected. */
typedef struct imv_diag {
    char *source;
    char *where;
    char *message;
    long line;     /* line in source, 0 when not known or not relevant */
    int warning;   /* 1 for a warning (e.g. an unknown field kept) */
    char *profile; /* id of the profile it concerns, NULL when not known */
} imv_diag;

typedef struct imv_diags {
    imv_diag *v;
    size_t n, cap;
    size_t n_errors; /* diags with warning == 0, kept in v or not */
    /* Optional, for runs too long to keep every message: on_add sees each
     * diagnostic as it is added (to print it at once, say); when it
     * returns 0 the diagnostic is not kept in v.  NULL keeps them all. */
    int (*on_add)(void *ctx, const imv_diag *g);
    void *on_add_ctx;
} imv_diags;

void imv_diags_init(imv_diags *d);
void imv_diags_free(imv_diags *d);
/* Append a diagnostic.  source and where may be NULL. */
void imv_diags_add(imv_diags *d, int warning, const char *source, const char *where,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The same, with a line number in source. */
void imv_diags_add_at(imv_diags *d, int warning, const char *source, long line, const char *where,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The same, about the profile with this id (NULL: not known). */
void imv_diags_add_in(imv_diags *d, int warning, const char *source, long line, const char *profile,
                      const char *where, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Write one diagnostic: "source: where: message" for a value (with
 * " (profile ID)", or " (profile ID at line N)" when the profile does not
 * start the file, after it), "source:line: message" for a syntax error
 * (", in profile ID" after it when the id is known). */
void imv_diag_format(const imv_diag *g, char *buf, size_t len);
/* Drop every diagnostic from index n on (used to roll back). */
void imv_diags_truncate(imv_diags *d, size_t n);

/* Text from outside (a file name, a value) made safe to quote in a
 * message or a document: one line of valid UTF-8, with control
 * characters, terminal escapes and bytes that are not UTF-8 written as
 * \n, \t, \xHH.  Caller frees. */
char *imv_text_quote(const char *s);
/* s for a terminal (caller frees): newlines, CR and tabs as spaces, other
 * control characters (C0, DEL, C1: ESC and CSI sequences) as '?'. */
char *imv_text_terminal(const char *s);
/* The first \u0000 escape inside a JSON string in buf[0..n) (cJSON would
 * cut the string there without a word): 1, with the line (0-based from
 * buf) and the field it is in (the key, or the last key before a value);
 * 0 when there is none. */
int imv_json_nul_escape(const char *buf, size_t n, long *line, char *field, size_t fieldlen);
/* The candidate closest to word (case-insensitive edit distance, within a
 * third of its length, at most 3), for "did you mean ...?"; NULL when none
 * is that close.  The result is one of cands. */
const char *imv_nearest(const char *word, const char *const *cands, size_t n);

/* ---- profiles --------------------------------------------------------- */

/* A rating as given: a point, a uniform range or a triangular range. */
typedef struct imv_range {
    double low, mode, high; /* mode is the point value for a plain rating */
    int kind;               /* 0 point, 1 uniform (no mode), 2 triangular */
} imv_range;

typedef struct imv_partner {
    char *id;
    char *name;
    imv_grade grade;
    int neighbouring;        /* 1, 0, -1 not given */
    double child_population; /* IMV_UNKNOWN when not given */
    double spare_leadership_capacity;
    double current_commitments;
} imv_partner;

/* A finding of monitoring since the intervention began. */
typedef struct imv_progress {
    char *date;
    imv_trend finding; /* never IMV_TREND_UNKNOWN */
    imv_finding_by by;
    char *note; /* NULL when none */
} imv_progress;

/* Facts derived from a profile once it is valid (core/facts.c): the
 * fields of the same names in imv_profile_view, whose comments define
 * them.  Strings point into the profile. */
typedef struct imv_derived {
    imv_fact_state persistent_failure;
    const char *persistent_since;
    double persistent_gap_months;
    imv_fact_state systemic_failure;
    unsigned key_judgements_given;
    imv_trend trajectory, judgement_trend, latest_finding;
    const char *trajectory_date;
    unsigned judgements_since;
    unsigned rules_in_force;
    /* The intervention in place, what does not depend on its expected
     * time (imv_facts_status adds that): the judgement in force when it
     * began (IMV_G_NOT_INSPECTED unknown), a judgement under it worse than
     * that, re-inspected inadequate 12 months in or more (and how many
     * months in), and a finding at or after that re-inspection saying
     * improving. */
    imv_grade iv_baseline;
    int iv_fell, iv_reinspected, iv_rescued;
    double iv_reinspected_months;
} imv_derived;

typedef struct imv_profile {
    char *source; /* file it came from ("-" for standard input) */
    long line;    /* line where it starts in that file */
    char *id, *name, *as_of, *src_note;
    imv_grade grade;
    int grade_was_adequate;
    size_t n_previous;
    imv_grade *previous;
    double child_population, children_in_care; /* IMV_UNKNOWN when absent */
    imv_range ratings[IMV_R_COUNT];
    unsigned facts_present;
    double facts[IMV_F_COUNT];
    char *iv_model, *iv_since, *iv_partner; /* NULL when none */
    /* History, key judgements and progress (PROFILE-FORMAT.md, all optional). */
    char **previous_date;        /* n_previous entries: each previous grade's date, NULL undated */
    char *inspected;             /* ofsted.inspected, NULL when not given */
    unsigned judgements_present; /* bit j set when judgements[j] was given */
    imv_grade judgements[IMV_J_COUNT];
    imv_iv_kind iv_kind;
    size_t n_progress; /* newest first */
    struct imv_progress *progress;
    size_t n_partners;
    imv_partner *partners;
    int uncertain;        /* 1 when any rating is a range */
    char *extra_json;     /* unknown fields, kept as a JSON object, or NULL */
    unsigned long serial; /* unique in the process: lets hosts cache per profile */
    /* What every view of this profile shares, built once when the profile
     * is complete (imv_profile_derive): the partner views and the array
     * of pointers to them that the view passes to plugins. */
    imv_partner_view *partner_views;
    const imv_partner_view **partner_ptrs;
    imv_progress_view *progress_views;
    const imv_progress_view **progress_ptrs;
    imv_derived derived;
} imv_profile;

void imv_profile_free(imv_profile *p);

/* Point value of a rating: the mode, or the midpoint of a uniform range. */
double imv_range_point(const imv_range *r);

/* Fill a plugin view of p with every rating at its point value.  The view
 * borrows from p and from nothing else (partners_buf is unused since
 * plugin ABI 2, where p holds its partner views; it may be NULL). */
void imv_profile_view_init(const imv_profile *p, imv_profile_view *view,
                           imv_partner_view *partners_buf);
/* Set v's intervention_expected_months from the models of reg (the
 * stall_months of the model in place, as set); the evaluation functions
 * call it after imv_profile_view_init. */
struct imv_registry;
void imv_profile_view_expect(imv_profile_view *v, const imv_profile *p,
                             const struct imv_registry *reg);
/* Build what the views of p share (called by imv_profile_from_json once
 * p is valid; call it again after changing p->partners by hand). */
void imv_profile_derive(imv_profile *p);
/* The facts of imv_derived for p (imv_profile_derive calls it). */
void imv_facts_derive(const imv_profile *p, imv_derived *out);
/* Where the intervention in place stands when it is expected to take
 * expected_months (IMV_UNKNOWN: unknown): the one decision behind the
 * view's intervention_status, the monitor and every bundled model. */
typedef struct imv_iv_fact {
    imv_iv_status status;
    imv_iv_signal signal;
    int past_expected;
} imv_iv_fact;
void imv_facts_status(const imv_profile *p, double expected_months, imv_iv_fact *out);
/* Set v's intervention_expected_months and the status fields that follow
 * from it (imv_profile_view_expect calls it; the draws call it again when
 * the stall_months of the model in place is drawn). */
void imv_profile_view_status(imv_profile_view *v, const imv_profile *p, double expected_months);

/* Names used in JSON paths and CSV headers. */
const char *imv_rating_name(int rating);
const char *imv_fact_name(int fact);
const char *imv_grade_name(int grade);
int imv_rating_index(const char *name); /* -1 when unknown */
int imv_fact_index(const char *name);
int imv_grade_parse(const char *name, int *was_adequate); /* -1 when unknown */
/* Names of judgements, kinds, findings and finders, as in the format;
 * the _index functions return -1 for an unknown name. */
const char *imv_judgement_name(int j);
int imv_judgement_index(const char *name);
const char *imv_iv_kind_name(int k); /* NULL for IMV_KIND_UNKNOWN */
int imv_iv_kind_index(const char *name);
const char *imv_trend_name(int t);       /* "unknown", "improving", ... */
int imv_finding_index(const char *name); /* a finding: never IMV_TREND_UNKNOWN */
const char *imv_finding_by_name(int b);
int imv_finding_by_index(const char *name);
/* -1, 0 or 1 as date a is before, equal to or after b (the format's dates,
 * a bare year as mid-year, a bare month as mid-month); 0 when either does
 * not parse. */
int imv_date_cmp(const char *a, const char *b);

/* Months between two dates of the profile format (YYYY[-MM[-DD]]);
 * IMV_UNKNOWN when either does not parse. */
double imv_months_between(const char *from, const char *to);
/* 1 when s is a date of the profile format. */
int imv_date_valid(const char *s);

/* ---- reading profiles ------------------------------------------------- */

/* Make profile parsing allocate each profile's JSON tree in one piece
 * (a per-thread arena, through cJSON_InitHooks) rather than node by node:
 * a fifth less CPU for a stream of profiles.  Call it once, first thing,
 * before any thread uses cJSON; cJSON elsewhere still uses malloc. */
void imv_json_arena_install(void);

typedef struct imv_reader imv_reader;

typedef struct imv_read_opts {
    int strict; /* unknown fields are errors, not warnings */
    int format; /* 0 detect, 1 JSON, 2 CSV */
} imv_read_opts;

/* Open a profile file for streaming ("-" is standard input).  Detects
 * JSON (one object, an array, JSON Lines or concatenated objects) or CSV
 * by extension, then by content.  Returns NULL with a diagnostic when the
 * file cannot be opened (missing, a directory, unreadable). */
imv_reader *imv_reader_open(const char *path, const imv_read_opts *opts, imv_diags *diags);
/* Read the next profile.  Returns 1 and sets *out (caller frees) when one
 * was read; 0 at the end; -1 when one profile was bad (diagnostics added,
 * call again for the next); IMV_EIO (also -1) when the file cannot be read
 * further, after which every call returns 0. */
int imv_reader_next(imv_reader *r, imv_profile **out, imv_diags *diags);
void imv_reader_close(imv_reader *r);

/* Parse and validate one profile from a parsed JSON object.  Exposed for
 * tests and fuzzers. `json` is a cJSON item. */
struct cJSON;
int imv_profile_from_json(const struct cJSON *json, const char *source, long line, int strict,
                          imv_profile **out, imv_diags *diags);

/* ---- models and the registry ------------------------------------------ */

typedef struct imv_model imv_model;
typedef struct imv_registry imv_registry;

typedef struct imv_limits {
    long lua_instructions;   /* per call; 0 means unlimited */
    size_t lua_memory;       /* bytes per Lua state; 0 unlimited */
    double isolate_timeout;  /* seconds per isolated call */
    int isolate;             /* -1 auto (outside bundled), 0 never, 1 always */
    int trace;               /* keep the models' log lines (--trace) */
    size_t lua_memory_total; /* bytes all Lua states of the process together; 0 unlimited */
    int lua_engine;          /* IMV_LUA_ENGINE_*: what scores Lua models' score-only draws */
} imv_limits;

/* --lua-engine: score-only batches of Lua models (draws, sensitivity's
 * grids) on LuaJIT in worker processes, checked against Lua 5.4 (the
 * reference, which scores everything else): AUTO when imeval-luajit is
 * found, LUAJIT the same (the command refuses to run without it), LUA54
 * never.  The results are the same whichever. */
enum { IMV_LUA_ENGINE_AUTO = 0, IMV_LUA_ENGINE_LUAJIT = 1, IMV_LUA_ENGINE_LUA54 = 2 };
/* The LuaJIT worker executable found for this program, or NULL. */
const char *imv_jit_worker_path(void);

void imv_limits_default(imv_limits *l);

/* Isolated models run in worker processes: this program's executable
 * (imeval, or the imeval beside a program that links the engine) started
 * again with IMV_WORKER_ARG and imeval's pid as its arguments.  Its main
 * hands them to imv_worker_process_main, which serves imeval on
 * descriptor 3 and never returns; IMV_EUSAGE when it was not started so. */
#define IMV_WORKER_ARG "--worker-process"
int imv_worker_process_main(int argc, char **argv);

imv_registry *imv_registry_new(const imv_limits *limits);
void imv_registry_free(imv_registry *reg);

/* Load one plugin file (.so or .lua).  bundled marks the engine's own
 * models (trusted: never isolated by default).  Errors name the file. */
int imv_registry_load_file(imv_registry *reg, const char *path, int bundled, imv_diags *diags);
/* Load every .so and .lua in dir (sorted by name, not recursive). */
int imv_registry_load_dir(imv_registry *reg, const char *dir, int bundled, imv_diags *diags);
/* The directory of the bundled models for this executable, or NULL. */
const char *imv_registry_bundled_dir(void);

size_t imv_registry_count(const imv_registry *reg);
/* Models sorted by id. */
imv_model *imv_registry_get(const imv_registry *reg, size_t i);
imv_model *imv_registry_find(const imv_registry *reg, const char *id);
/* Warn (into d) when p's current_intervention names a model this
 * registry did not load: its progress would not be assessed.  Once per
 * id: the registry keeps the ids it warned about.  Not thread-safe. */
void imv_registry_check_profile(imv_registry *reg, const imv_profile *p, imv_diags *d);
/* Keep only the models whose ids are listed (comma-separated). */
int imv_registry_select(imv_registry *reg, const char *ids, imv_diags *diags);

/* Set a parameter from "MODEL.PARAM=VALUE"; refuses unknown names and
 * out-of-range values. */
int imv_registry_set(imv_registry *reg, const char *assignment, imv_diags *diags);
/* Apply a JSON parameters file: { "model": { "param": value } }. */
int imv_registry_set_file(imv_registry *reg, const char *path, imv_diags *diags);

const char *imv_model_id(const imv_model *m);
const char *imv_model_name(const imv_model *m);
const char *imv_model_version(const imv_model *m);
const char *imv_model_summary(const imv_model *m);
const char *imv_model_evidence(const imv_model *m);
const char *imv_model_language(const imv_model *m); /* "c" or "lua" */
const char *imv_model_path(const imv_model *m);
size_t imv_model_param_count(const imv_model *m);
const imv_param_def *imv_model_param(const imv_model *m, size_t i);
/* Current values, in declaration order (defaults unless overridden). */
const double *imv_model_param_values(const imv_model *m);
int imv_model_isolated(const imv_model *m);
/* Why m's draws were scored on Lua 5.4 although LuaJIT was to run them
 * (the engines disagreed, or the LuaJIT worker could not start or load the
 * script), written into buf; NULL when nothing is to be said. */
const char *imv_jit_note(const imv_model *m, char *buf, size_t n);
/* The declared direction of a rating for m (imv_model_def.directions, or
 * the Lua model's `directions`): +1 a higher rating never lowers the score
 * nor makes it non-viable, -1 never raises it nor makes it viable, 0 no
 * effect; IMV_DIR_UNDECLARED when the model says nothing. */
#define IMV_DIR_UNDECLARED 2
int imv_model_direction(const imv_model *m, int rating);
/* m's IMV_PARAM_STALL_MONTHS parameter as set, or IMV_UNKNOWN. */
double imv_model_stall_months(const imv_model *m);
/* The index of m's base-score parameter (IMV_PARAM_BASE), or SIZE_MAX. */
size_t imv_model_base_param(const imv_model *m);
/* 1 when --vary-parameters draws p: it has a plausible range and is
 * neither fixed nor the base; draws are uniform over that range. */
int imv_param_drawn(const imv_param_def *p);

/* ---- evaluating ------------------------------------------------------- */

/* One reason, as the plugin gave it. */
typedef struct imv_reason {
    char *fields; /* comma-separated JSON paths */
    double points;
    char *text;
    char *evidence;
} imv_reason;

/* One named part of a partner's fit (imv_host.partner_component). */
typedef struct imv_fit_part {
    char *partner; /* the partner it belongs to */
    char *name;    /* [a-z0-9_]{1,32} */
    double points;
    char *evidence;
} imv_fit_part;

struct imv_result {
    const imv_model *model;
    int has_score;
    double score;
    int viable;
    char *error; /* non-NULL when the model failed */
    size_t n_reasons, cap_reasons;
    imv_reason *reasons;
    size_t n_unmet, cap_unmet;
    char **unmet;
    size_t n_risks, cap_risks;
    char **risks;
    double setup_months, months_to_fair, months_to_good; /* IMV_UNKNOWN = null */
    char *partner_id;
    double partner_fit;
    /* The parts of partner_id's fit, in the order given (after
     * imv_result_finish only those of partner_id); none when the model
     * gives none. */
    size_t n_fit_parts, cap_fit_parts;
    imv_fit_part *fit_parts;
    int score_only;        /* detail calls are ignored */
    size_t n_log, cap_log; /* host log lines, kept only with --trace */
    char **log;
    size_t log_dropped; /* lines past IMV_MAX_LOG */
    size_t text_bytes;  /* for the size cap */
    /* Set by a fast engine (the LuaJIT worker) for a score-only call it
     * cannot vouch for: an error, an unusual result, a call that ran long
     * enough to have passed its budget.  The caller scores that view again
     * on the reference engine, whose answer is the one that counts. */
    int declined;
    /* A full call whose reasons, risks and partner fit parts no output
     * shows (CSV): they are checked and counted as in any full call, so
     * that every error is the same, but not kept. */
    int brief;
    size_t brief_reasons, brief_risks, brief_parts;
};

void imv_result_reset(imv_result *r, const imv_model *m, int score_only);
void imv_result_clear(imv_result *r); /* frees contents, not r */
/* Add a log line to r (what the host's log does): kept only when r's
 * model's registry traces and r is not score-only. */
void imv_result_log(imv_result *r, const char *message);
/* Check what a plugin produced; turns bad output into r->error. */
void imv_result_finish(imv_result *r);

/* The band of RESULT-FORMAT.md for a score. */
const char *imv_band(double score);

/* A worker holds per-thread model instances (Lua states).  One per
 * thread; the registry must outlive it. */
typedef struct imv_worker imv_worker;
imv_worker *imv_worker_new(imv_registry *reg);
void imv_worker_free(imv_worker *w);

/* Score one view with model i into r (reset first).  key is the serial of
 * the profile behind v, or 0. */
void imv_worker_score(imv_worker *w, size_t model, const imv_profile_view *v, unsigned long key,
                      const double *params, imv_result *r);
/* Score n views with model i at once, through its batch path when it has
 * one (one call each otherwise); r[k] reset first, as for one view. */
void imv_worker_score_batch(imv_worker *w, size_t model, const imv_profile_view *const *v,
                            unsigned long key, const double *const *params, size_t n,
                            imv_result *const *r);
/* imv_worker_score_batch for draws of one profile: views that the caller
 * vouches differ from v[0] in their ratings alone (the Monte Carlo's), so
 * that they need not be compared to find it out. */
void imv_worker_score_draws(imv_worker *w, size_t model, const imv_profile_view *const *v,
                            unsigned long key, const double *const *params, size_t n,
                            imv_result *const *r);
/* The registry behind a worker. */
imv_registry *imv_worker_registry(imv_worker *w);
/* A new serial for a profile built by hand (imv_profile_from_json sets one). */
unsigned long imv_profile_next_serial(void);

/* One profile scored by every model, ranked. */
typedef struct imv_evaluation {
    const imv_profile *profile;          /* borrowed */
    size_t n;                            /* models */
    imv_result *results;                 /* in registry order */
    size_t *order;                       /* ranking: indices into results */
    const char *recommended;             /* model id or NULL when none viable */
    struct imv_uncertainty *uncertainty; /* NULL unless draws were run */
    /* The intervention in place, assessed while evaluating (on track,
     * stalling, improved: core/monitor.c; the type is private, in
     * monitor.h); NULL when the profile names none. */
    struct imv_monitor *monitor;
    /* Tipping points, when the run was asked for them
     * (imv_run_opts.sensitivity); NULL otherwise. */
    struct imv_sensitivity *sensitivity;
} imv_evaluation;

int imv_evaluate(imv_worker *w, const imv_profile *p, imv_evaluation *out);
/* imv_evaluate for an output that shows no reasons, risks or partner fit
 * parts (CSV): the results keep none (imv_result.brief); everything else,
 * errors included, is exactly imv_evaluate's. */
int imv_evaluate_brief(imv_worker *w, const imv_profile *p, imv_evaluation *out);

/* Which facts the models of reg read (core/unread.c): bit f of
 * imv_fact, and IMV_READ_CHILDREN_IN_CARE for size.children_in_care. */
#define IMV_READ_CHILDREN_IN_CARE (1u << 31)
unsigned imv_registry_facts_read(imv_registry *reg);
/* The facts p gives that no model of mask reads, as "facts.a, facts.b"
 * in buf; returns how many. */
size_t imv_profile_unread(const imv_profile *p, unsigned mask, char *buf, size_t n);
void imv_evaluation_clear(imv_evaluation *e);

/* Rank results: viable by score (descending), then non-viable by score,
 * then failed models; ties by model id.  Writes n indices into order. */
void imv_rank(const imv_result *results, size_t n, size_t *order);

/* ---- uncertainty ------------------------------------------------------ */

/*
 * Monte Carlo over uncertain ratings (and, optionally, model parameters):
 * how robust is a ranking to the judgements behind it?
 */

typedef struct imv_uncertainty {
    size_t draws;
    uint64_t seed;
    int vary_parameters;
    double rating_noise; /* --rating-noise, 0 when none */
    size_t n;            /* models */
    double *mean, *p05, *p95;
    double *viable_share; /* share of draws in which the model was viable */
    double *failed_share; /* share of draws in which the model failed (an error) */
    char **error;         /* per model: the error of its first failed draw, or NULL */
    double *rank_prob;    /* n x n: rank_prob[m * n + k] = P(model m ranks k+1) */
} imv_uncertainty;

/* Run `draws` draws of e's profile through every model of w and attach
 * the summary to e->uncertainty.  The streams are seeded from seed, the
 * profile's id and date and the chunk index, so results do not depend on
 * thread count or order.  IMV_ENOMEM when the scores do not fit. */
int imv_uncertainty_run(imv_worker *w, imv_evaluation *e, size_t draws, uint64_t seed,
                        int vary_parameters);
void imv_uncertainty_free(imv_uncertainty *u);

/* ---- the pipeline ----------------------------------------------------- */

/*
 * The streaming pipeline behind `imeval evaluate`: read profiles file by
 * file, score them in batches over N threads, and hand each evaluation to
 * a sink in input order, so memory stays flat however many profiles there
 * are and output does not depend on the thread count.
 */

typedef struct imv_run_opts {
    int jobs;     /* threads; <= 0 means the number of cores */
    size_t draws; /* Monte Carlo draws per profile; 0 for none */
    uint64_t seed;
    int vary_parameters;
    double rating_noise; /* with draws: spread of point ratings (0 none) */
    int strict;
    int no_evaluate;             /* validate only */
    int sensitivity;             /* attach tipping points to each evaluation */
    int brief;                   /* the sink shows no reasons: imv_evaluate_brief */
    volatile sig_atomic_t *stop; /* set asynchronously to stop early; may be NULL */
} imv_run_opts;

typedef struct imv_run_stats {
    size_t profiles_read;  /* good profiles */
    size_t profiles_bad;   /* profiles that failed validation */
    size_t evaluated;      /* handed to the sink */
    size_t model_failures; /* evaluations in which some model failed */
    int interrupted;
    int io_failed; /* a file could not be read to the end */
} imv_run_stats;

/* Called once per evaluated profile, in input order.  Returns 0, or
 * non-zero to stop the run (e.g. the output cannot be written). */
typedef int (*imv_sink_fn)(void *ctx, const imv_evaluation *e);
/* With no_evaluate, called once per valid profile instead. */
typedef int (*imv_profile_sink_fn)(void *ctx, const imv_profile *p);

int imv_run(imv_registry *reg, char *const *paths, size_t n_paths, const imv_run_opts *o,
            imv_sink_fn sink, imv_profile_sink_fn psink, void *ctx, imv_diags *diags,
            imv_run_stats *stats);

/* The number of online processors (at least 1). */
int imv_cpu_count(void);

/* ---- output ----------------------------------------------------------- */

/*
 * Writing evaluations as JSON (RESULT-FORMAT.md), an aligned table, CSV or
 * Markdown, one profile at a time so that output streams.
 */

typedef enum imv_format { IMV_FMT_TABLE, IMV_FMT_JSON, IMV_FMT_CSV, IMV_FMT_MARKDOWN } imv_format;

/* "table", "json", "csv", "markdown" (or "md"); -1 when unknown. */
int imv_format_parse(const char *name);

typedef struct imv_output imv_output;

/* The documents output writes.  Results: one imv_output_evaluation per
 * profile (RESULT-FORMAT.md in JSON).  Sensitivity: the same calls, each
 * evaluation carrying its tipping points (imv_run_opts.sensitivity), in
 * the imeval-sensitivity/1 envelope or as text.  Validation: one
 * imv_output_profile per valid profile, then the errors and warnings. */
typedef enum imv_document { IMV_DOC_RESULTS, IMV_DOC_SENSITIVITY, IMV_DOC_VALIDATION } imv_document;

#define IMV_SENSITIVITY_FORMAT "imeval-sensitivity/1"

/* Start writing to f (borrowed).  explain adds reasons, preconditions,
 * risks and timelines to the table and Markdown formats (JSON always has
 * them).  reg is borrowed and must outlive the output. */
imv_output *imv_output_new(FILE *f, imv_format fmt, int explain, const imv_registry *reg,
                           const char *extra_header_json);
/* The same for any document (imv_output_new writes results). */
imv_output *imv_output_open(FILE *f, imv_document doc, imv_format fmt, int explain,
                            const imv_registry *reg, const char *extra_header_json);
/* Each returns 0, or IMV_EIO when writing failed. */
int imv_output_begin(imv_output *o);
int imv_output_evaluation(imv_output *o, const imv_evaluation *e);
/* One valid profile of a validation document. */
int imv_output_profile(imv_output *o, const imv_profile *p);
/* Close the document; JSON lists every error in diags (and, for
 * validation, every warning).  Frees o. */
int imv_output_end(imv_output *o, const imv_diags *diags);
/* The errors (warnings = 0) or the warnings of d as the JSON array every
 * document uses: {source, line (when known), where, message}. */
struct cJSON *imv_diags_json(const imv_diags *d, int warnings);
/* The text of a JSON document as cJSON_Print (pretty) or
 * cJSON_PrintUnformatted writes it, but always valid UTF-8: a string that
 * is not (a file name, say) has each bad byte replaced by U+FFFD.  Every
 * document imeval prints goes through it.  Free with free(); NULL when out
 * of memory. */
char *imv_json_print(const struct cJSON *doc, int pretty);

/* Give the document a provenance block (below): JSON gains "provenance"
 * after "errors"; Markdown ends with a provenance section.  The result
 * hash is fed as evaluations are written.  p is borrowed and must outlive
 * the output; with_stamp adds the time and the command line as typed
 * (not deterministic, so only when asked for). */
typedef struct imv_provenance imv_provenance;
void imv_output_set_provenance(imv_output *o, imv_provenance *p, int with_stamp);
/* The run makes draws: CSV gains the uncertainty columns mean, p05, p95,
 * first_share, top_two_share and viable_share (call before begin). */
void imv_output_set_draws(imv_output *o, size_t draws);

/* One model's full reasoning on one profile, as text. */
int imv_output_explain_text(FILE *f, const imv_evaluation *e, size_t result_index);

/* The JSON object of one ranking entry / one evaluation (caller frees
 * with cJSON_Delete). */
struct cJSON *imv_output_ranking_json(const imv_evaluation *e, size_t rank);
struct cJSON *imv_output_evaluation_json(const imv_evaluation *e);

/* Round to one decimal, as every score in the output is (core/format.c). */
double imv_round1(double x);

/* Write text to f wrapped at width: the cursor is at column col, every
 * line after the first starts at column indent; words longer than a line
 * are broken (after a comma when one is near, never inside a UTF-8
 * character).  Ends the line.  IMV_OK, or IMV_EIO when writing failed. */
int imv_wrap(FILE *f, const char *text, int col, int indent, int width);

/* ---- sensitivity ------------------------------------------------------ */

/*
 * Tipping points: what single change in a rating (or a model parameter)
 * would change which model ranks first.
 *
 * An adviser's ratings are judgements.  For one profile this finds, for
 * each rating, the smallest increase and the smallest decrease that put
 * another model first ("if political_commitment rose from 1.0 to 2.5,
 * improvement_board would rank first"); for each model that is not first,
 * the smallest single-rating change that would bring it first; and which
 * model parameters the first place depends on most.
 *
 * The search: every rating is scanned over 0..4 at a step of 0.01 (one
 * batch of calls per model, through its batch path when it has one), then
 * each change found is bisected to 1e-5 and reported at 0.01, checked at
 * the reported value.  A window of change narrower than the step can be
 * missed.  Other ratings stay at their point values (the mode, or the
 * midpoint of a range).  Calls are score-only, so a model's viability
 * (unmet preconditions) counts, as in the ranking.
 */

#define IMV_SENS_NONE ((size_t)-1)

/* A change of one value that puts another model first. */
typedef struct imv_tip {
    int found;    /* 0: no change within the range changes the first */
    double to;    /* the value at which it changes (rounded, checked) */
    size_t first; /* the model then first (registry index) */
    int first_viable;
} imv_tip;

typedef struct imv_rating_sens {
    double value;     /* the point value */
    int uncertain;    /* the profile gives a range */
    double low, high; /* the range, when uncertain */
    imv_tip up, down; /* smallest increase, smallest decrease */
} imv_rating_sens;

/* What it takes for a model that is not first to come first. */
typedef struct imv_model_tip {
    int found;
    int rating;       /* the rating to change */
    double to;        /* to this value (from ratings[rating].value) */
    size_t n_options; /* every rating that could do it, nearest first */
    struct {
        int rating;
        double to;
    } options[IMV_R_COUNT];
} imv_model_tip;

typedef struct imv_param_sens {
    size_t model, param;
    double value, min, max;
    imv_tip tip;  /* the nearest value that changes the first model */
    double share; /* share of the range over which the first differs */
    double swing; /* the model's own score: highest minus lowest over the range */
} imv_param_sens;

typedef struct imv_sensitivity {
    size_t n;     /* models */
    size_t first; /* first at the point values (registry index) */
    int first_viable;
    size_t second;              /* IMV_SENS_NONE with one model */
    double first_score, margin; /* margin: first's score minus second's */
    double *score;              /* n: each model's score at the point values (NaN on error) */
    size_t *rank;               /* n: each model's rank, 1-based */
    int *viable;                /* n */
    imv_rating_sens ratings[IMV_R_COUNT];
    imv_model_tip *models; /* n; models[first].found is 0 */
    size_t n_params;
    imv_param_sens *params; /* most sensitive first */
    /* The profile's candidate partners (the first IMV_SENS_MAX_PARTNERS),
     * each alone, with its attributes varied (core/partner_sens.c). */
    size_t n_partners;
    struct imv_partner_sens *partners;
} imv_sensitivity;
#define IMV_SENS_MAX_PARTNERS 16

/* Analyse p with the models of w.  Returns IMV_OK and *out (caller frees
 * with imv_sensitivity_free).  A model that fails ranks last, as in an
 * evaluation. */
int imv_sensitivity_run(imv_worker *w, const imv_profile *p, imv_sensitivity **out);
void imv_sensitivity_free(imv_sensitivity *s);

/* The result as JSON (an object for one profile; caller deletes). */
struct cJSON *imv_sensitivity_json(const imv_sensitivity *s, const imv_profile *p,
                                   const imv_registry *reg);
/* The result as text for people. */
void imv_sensitivity_text(FILE *f, const imv_sensitivity *s, const imv_profile *p,
                          const imv_registry *reg);

/* ---- synthetic profiles ----------------------------------------------- */

/*
 * Realistic synthetic authority profiles, for benchmarks, stress tests and
 * fuzz corpora.
 *
 * Profile i of seed s is a function of (s, i) alone, so `--count 10` is a
 * prefix of `--count 1000` and generation could be split over threads.
 * Each line is one JSON object of PROFILE-FORMAT.md (JSON Lines).
 *
 * The model behind the numbers (see synth.c): the Ofsted grade is drawn
 * from the mix of the 78 authorities inspected 2012-2016 (20 inadequate,
 * 41 requires improvement, 17 good), exactly in every block of 78; a
 * latent "capacity" factor, lower for worse grades, drives leadership,
 * governance, self-assessment and workforce ratings; a "political" factor
 * correlated with it drives political and corporate commitment and
 * acceptance; failure_extent runs against capacity.  Some ratings are
 * ranges, some profiles carry facts, partner councils or a current
 * intervention.
 *
 * Dates: as_of is drawn uniformly from the years of imv_synth_opts
 * (2012-2016 by default, the years of the grade mix), or fixed by its
 * as_of.  The date never changes the random stream: the same seed and
 * index give the same authority at any date, so `--as-of 2013-01` and
 * `--as-of 2019-01` compare one population under two sets of rules.
 *
 * Partners: of the profiles with candidate partners, about a third lie in
 * a strong neighbourhood (two or three good or outstanding neighbouring
 * councils with spare capacity), as Hampshire and its neighbours were for
 * the Isle of Wight; drawn from a stream of their own so that nothing else
 * in the profile depends on them.
 */

/* The grade mix of the seeds: per block of IMV_SYNTH_BLOCK profiles. */
#define IMV_SYNTH_BLOCK 78
#define IMV_SYNTH_INADEQUATE 20
#define IMV_SYNTH_RI 41
#define IMV_SYNTH_GOOD 17

/* Candidate partners: at most this many in a profile; the share of
 * lists of candidates that gain a strong neighbourhood. */
#define IMV_SYNTH_MAX_PARTNERS 6
#define IMV_SYNTH_STRONG_SHARE (1.0 / 3)

/* Bytes of JSON a profile takes on average (measured over 10,000 of seed
 * 1: 841), for stating the size of a run before it starts. */
#define IMV_SYNTH_BYTES_PER_PROFILE 850
/* The largest --count the command accepts: about 85 GB of JSON. */
#define IMV_SYNTH_MAX_COUNT 100000000L

/* Years are whole calendar years; as_of, when not NULL, is a date of the
 * profile format (YYYY, YYYY-MM or YYYY-MM-DD) given to every profile. */
typedef struct imv_synth_opts {
    int year_from, year_to; /* inclusive; 0, 0 for 2012-2016 */
    const char *as_of;      /* copied */
} imv_synth_opts;

/* The earliest and latest year accepted (the rules DOMAIN.md describes
 * run from 2006; a few years either side are allowed). */
#define IMV_SYNTH_YEAR_MIN 2000
#define IMV_SYNTH_YEAR_MAX 2035

typedef struct imv_synth imv_synth;

/* A generator for seed.  Never NULL (aborts on exhaustion). */
imv_synth *imv_synth_new(uint64_t seed);
/* The same with dates from opts (NULL for the defaults).  Returns NULL
 * with a message in err when opts are out of range: years outside
 * IMV_SYNTH_YEAR_MIN..MAX or reversed, or an as_of that is not a date. */
imv_synth *imv_synth_new_opts(uint64_t seed, const imv_synth_opts *opts, char *err, size_t errlen);
/* Parse "YYYY" or "YYYY-YYYY" into opts->year_from/to; 0 or -1 with a
 * message in err. */
int imv_synth_parse_years(const char *s, imv_synth_opts *opts, char *err, size_t errlen);
void imv_synth_free(imv_synth *g);

/* Profile number index as one line of JSON without the newline.  The
 * text belongs to g and is valid until the next call; *len gets its
 * length when len is not NULL. */
const char *imv_synth_profile(imv_synth *g, uint64_t index, size_t *len);

/* Write profiles first..first+count-1 to f, one a line.  Returns 0, or
 * IMV_EIO when writing failed (e.g. a closed pipe). */
int imv_synth_write(FILE *f, uint64_t seed, uint64_t first, uint64_t count);
/* ---- recorded outcomes (core/expected.c) -------------------------------
 * The format of datasets/cases/expected.tsv: "CASE RULE ARG [ARG2]" a
 * line, # comments.  Rules: first A|B, top2 A, viable A,B, nonviable A,B,
 * not_first A,B, partner M ID, strong M, weak_or_nonviable M. */
typedef struct imv_expect {
    char *case_id; /* the profile id */
    char *rule;
    char *a, *b; /* b is NULL unless the rule takes two */
    long line;
} imv_expect;

typedef struct imv_expects {
    char *source; /* the file */
    imv_expect *v;
    size_t n, cap;
} imv_expects;

/* Read every assertion of path into *out (caller frees with
 * imv_expects_free, also on failure).  Unknown rules and wrong argument
 * counts are errors naming the line; the good lines are still read. */
int imv_expects_read(const char *path, imv_expects *out, imv_diags *diags);
void imv_expects_free(imv_expects *e);

enum { IMV_EXPECT_FAILS = 0, IMV_EXPECT_HOLDS = 1, IMV_EXPECT_NA = 2 };
/* Check one assertion against the evaluation of its case: IMV_EXPECT_HOLDS,
 * IMV_EXPECT_FAILS, or IMV_EXPECT_NA when a model it names is not loaded.
 * msg says what was found ("recommended trust, expected commissioner"). */
int imv_expect_check(const imv_expect *x, const imv_evaluation *e, char *msg, size_t len);

/* ---- conformance of a plugin (core/conformance.c) ----------------------
 * `imeval check-model`: whether one plugin file keeps the plugin guide's
 * rules, over profiles generated by core/synth.c. */
typedef struct imv_check_opts {
    size_t profiles; /* generated profiles; 0 for 2000 */
    uint64_t seed;
    imv_limits limits; /* the limits the model runs under (the defaults) */
} imv_check_opts;

enum { IMV_CHECK_PASS = 0, IMV_CHECK_FAIL = 1, IMV_CHECK_SKIP = 2 };

typedef struct imv_check {
    const char *name; /* load, abi, ids, parameters, scores, timelines,
                            partners, determinism, reasons, directions, score_only,
                            batch, speed, limits: always in this order */
    int status;       /* IMV_CHECK_* */
    double figure;    /* speed: microseconds per evaluation; else a count or 0 */
    char detail[800]; /* what was found, or what failed and where */
} imv_check;

/* Called once per check as it finishes; c is valid during the call. */
typedef void (*imv_check_cb)(void *ctx, const imv_check *c);

/* Run every check on the plugin at path.  Returns the number of failed
 * checks (0 when it conforms). */
int imv_check_model(const char *path, const imv_check_opts *o, imv_check_cb cb, void *ctx);

/* 1 when the n bytes at path name a field of the profile format
 * ("ratings.acceptance", "facts.agency_rate", "partners[0].grade", ...). */
int imv_profile_path_valid(const char *path, size_t n);

/* ---- imeval's own files (core/paths.c) ---------------------------------
 * Found from the program's location: in a build directory's source tree
 * (BUILD/source-tree/rel, a link the Makefile makes; or BUILD/../rel) or
 * installed (PREFIX/share/imeval/rel); the environment variable
 * IMEVAL_DATA_DIR replaces them.  Each writes the path to out and
 * returns 0, or -1 when it is not there. */
int imv_data_path(const char *rel, char *out, size_t len);
/* The pkg-config directory of this engine's plugin SDK: build/pkgconfig
 * (imeval-plugin-uninstalled.pc) or PREFIX/lib/pkgconfig. */
int imv_sdk_pkgconfig_dir(char *out, size_t len);

/* ---- agreement figures (core/stats.c) ----------------------------------
 * For `imeval compare`. */

/* Kendall's tau-b between x and y (n pairs): 1 the same order, -1 the
 * reverse; NaN when either is constant or n < 2. */
double imv_kendall_tau(const double *x, const double *y, size_t n);

/* Pearson's correlation, one pair at a time (zero-initialise). */
typedef struct imv_pearson {
    size_t n;
    double mx, my, sxx, syy, sxy;
} imv_pearson;
void imv_pearson_add(imv_pearson *p, double x, double y);
/* r in -1..1; NaN when n < 2 or either series is constant. */
double imv_pearson_r(const imv_pearson *p);

/* ---- provenance (core/provenance.c) ----------------------------------- */

/* How a result was produced, so that a reader can check it
 * and run it again: the engine's version and build, the command that
 * reproduces the result, the draws and seed, the SHA-256 of every profile
 * file and model file, and the SHA-256 of the result itself.
 *
 * The JSON block (imv_provenance_json) is deterministic: the same inputs,
 * models, parameters and seed give the same bytes.  The wall-clock time
 * and the command line exactly as typed (which names -o, --jobs and the
 * like, none of which change the result) go in only when asked for
 * (with_stamp), never by default.
 *
 * The result hash is the SHA-256 of the results in compact JSON, one
 * evaluation a line, each followed by "\n" (numbers in their shortest
 * exact form): what `jq -c '.results[]' result.json | sha256sum` (jq 1.6)
 * and Python's json.dumps(r, separators=(",", ":"), ensure_ascii=False)
 * print for the file imeval wrote.
 */

imv_provenance *imv_provenance_new(void);
void imv_provenance_free(imv_provenance *p);

/* The command that reproduces the result (canonical: only what changes
 * the result), and the command line exactly as typed with the time it
 * ran (for the stamp).  Both are copied; argv may be NULL. */
void imv_provenance_set_command(imv_provenance *p, const char *reproduce, int argc,
                                char *const *argv);
void imv_provenance_set_draws(imv_provenance *p, size_t draws, uint64_t seed, int vary_parameters);
/* The run's start, seconds since the epoch (for the stamp); 0 for now. */
void imv_provenance_set_time(imv_provenance *p, long long epoch_seconds);

/* Hash one profile file ("-" is recorded as standard input, unhashed).
 * Returns 0, or -1 when the file cannot be read (recorded with
 * "sha256": null and the reason; the run reports the file itself). */
int imv_provenance_add_profile(imv_provenance *p, const char *path);
/* Record every model of reg: id, version, language, file name, its
 * SHA-256, and the parameters set away from their defaults. */
void imv_provenance_add_models(imv_provenance *p, const imv_registry *reg);

/* Feed one evaluation's JSON object (the one written in "results") to the
 * result hash, in output order. */
void imv_provenance_add_result(imv_provenance *p, const struct cJSON *evaluation);
/* The result hash so far, as hex (64 hex digits and a NUL); the hash
 * is not disturbed, more results may follow. */
void imv_provenance_result_hex(const imv_provenance *p, char hex[65]);
size_t imv_provenance_result_count(const imv_provenance *p);

/* The "provenance" object (caller deletes).  with_stamp adds "time"
 * (UTC, ISO 8601) and "argv". */
struct cJSON *imv_provenance_json(const imv_provenance *p, int with_stamp);

/* Build facts for people: "gcc 12.2.0", the git commit the binary was
 * built from ("unknown" outside a checkout), Lua and cJSON versions. */
const char *imv_provenance_compiler(void);
const char *imv_provenance_commit(void);

/* Quote one argument for a POSIX shell when it needs it (caller frees). */
char *imv_shell_quote(const char *arg);

/* ---- the adviser's report (report/html.c) ------------------------------ */

/* The adviser's report (issue 12): one self-contained HTML file,
 * inline CSS and SVG, no script to run, no network, a strict
 * Content-Security-Policy, laid out for A4 print.
 *
 * The report is drawn from the result document exactly as `imeval
 * evaluate --format json` writes it (so every number in it is a number
 * of the JSON, which is embedded in the appendix), the sensitivity
 * analysis of each profile, and the inputs of each profile.  Sections,
 * for each authority: heading and headline, summary, ranking,
 * robustness, why each model scores as it does, what would change the
 * answer, timeline, partners, inputs; then method and limits, provenance
 * with sign-off and decision, appendix.  docs/report.md describes them.
 */

/* One authority: borrowed JSON objects. */
typedef struct imv_report_authority {
    const struct cJSON *result;      /* one element of the document's "results" */
    const struct cJSON *sensitivity; /* imv_sensitivity_json() of the profile, or NULL */
    const struct cJSON *inputs;      /* imv_report_inputs_json() of the profile */
    /* Decision and sign-offs from the register, or NULL for empty forms:
     * {"assessment": "...", "decision": {"text","rationale","by","at"} | null,
     *  "signoffs": [{"role","name","at","text"}]} */
    const struct cJSON *record;
} imv_report_authority;

typedef struct imv_report {
    const struct cJSON *doc;             /* the whole result document */
    const char *doc_text;                /* the same as written (embedded in the appendix) */
    const struct cJSON *sensitivity_doc; /* embedded too, or NULL */
    size_t n;
    const imv_report_authority *authorities;
    const imv_registry *reg;  /* for each model's evidence and parameter ranges */
    const char *generated;    /* "2026-12-01 19:30 UTC" */
    const char *command_line; /* as typed, shell-quoted */
} imv_report;

/* Write the report to f.  Returns 0, or IMV_EIO when writing failed. */
int imv_report_write(FILE *f, const imv_report *r);

/* Sections of the report of r->authorities[0] as HTML fragments, by the
 * code that writes the whole report (one renderer: `imeval serve` shows
 * these): names[k] ("summary": heading, headline and summary; "ranking",
 * "robustness", "why", "change", "timeline", "partners", "inputs") is
 * written to outs[k].  Figure ids are those of the whole report, so
 * fragments shown side by side never repeat an id.  The charts are
 * inline SVG; the fragments need the report's CSS or the page's own.
 * 0, IMV_EINVAL for an unknown name (nothing written), IMV_EIO on a
 * write error.  An inputs object with "what_if": {"base": ID, "changed":
 * [{"field", "from", "to"}]} makes the heading say the report is a
 * what-if and the inputs flag each changed rating. */
int imv_report_sections(const imv_report *r, const char *const *names, FILE *const *outs, size_t n);

/* The inputs of a profile for the report: ratings (value, low, high,
 * kind), facts, size, grade and previous grades, current intervention,
 * partners, its `source`, and the warnings in diags that concern its
 * file.  Caller deletes. */
struct cJSON *imv_report_inputs_json(const imv_profile *p, const imv_diags *warnings);

/* ---- partner councils described once (core/partner.c) ---------------- */

/* One partner council's own description: the fields of a profile's
 * `partners` item (neighbouring unused), its capacity (councils it can
 * support at once, counting current_commitments; derived from
 * spare_leadership_capacity when not given, then capacity_derived is 1)
 * and the ids of its neighbouring authorities. */
/* A commitment with dates (a description's `commitments`): in force on
 * D when from <= D (or no from) and D < until (or no until). */
typedef struct imv_commitment {
    char *council;      /* may be NULL */
    char *from, *until; /* NULL: open */
} imv_commitment;

typedef struct imv_partner_desc {
    imv_partner p;
    int capacity;
    int capacity_derived;
    size_t n_neighbours;
    char **neighbours;
    /* Dates (docs/partners.md): available from / until (NULL: open), and
     * the dated commitments, which replace current_commitments: after
     * imv_partner_desc_at, p.current_commitments (and a derived capacity)
     * count those in force on that date. */
    char *available_from, *available_until;
    size_t n_dated;
    imv_commitment *dated;
    int derived_more;  /* a derived capacity's councils on top of commitments */
    const char *as_of; /* the date it is seen on, or NULL: each profile's as_of */
} imv_partner_desc;

typedef struct imv_partner_set {
    char *source;
    size_t n;
    imv_partner_desc *v;
} imv_partner_set;

/* Read a file holding one description or a JSON array of them ("-" for
 * standard input).  0 and *out (free with imv_partner_set_free), or a
 * negative code with every problem in diags. */
int imv_partner_set_read(const char *path, imv_partner_set **out, imv_diags *diags);
void imv_partner_set_free(imv_partner_set *s);
/* 1 when profile_id is one of d's neighbours: equal to one, or one
 * followed by "-" ("torbay" matches "torbay-2018"). */
int imv_partner_neighbour_of(const imv_partner_desc *d, const char *profile_id);
/* Councils d can still take on: capacity less current commitments; 0
 * when it is not available on the date it is seen on. */
int imv_partner_places(const imv_partner_desc *d);
/* d as profile p sees it, with `added` commitments on top: on d->as_of,
 * else on p's as_of (commitments in force then); p's own partners item
 * of the same id wins field by field.  Strings borrowed.  Returns 1, or 0
 * when d is not available on that date (*out is still filled). */
int imv_partner_for_profile(const imv_partner_desc *d, const imv_profile *p, int added,
                            imv_partner *out);
/* 1 when d is available on date (its available_from / available_until;
 * NULL date: 1). */
int imv_partner_available(const imv_partner_desc *d, const char *date);
/* The commitments of d in force on date: its dated commitments counted,
 * or current_commitments (0 when not given) when it has none dated.  A
 * NULL date counts the dated ones that have not ended (no until). */
double imv_partner_commitments_at(const imv_partner_desc *d, const char *date);
/* See d on date from now on (borrowed; NULL: each profile's as_of):
 * p.current_commitments, a derived capacity, and its places follow. */
void imv_partner_desc_at(imv_partner_desc *d, const char *date);
/* Why d is not available on date, as "available from 2017-09" or
 * "available until 2019-03", into buf; "" when it is. */
const char *imv_partner_availability(const imv_partner_desc *d, const char *date, char *buf,
                                     size_t n);
/* The fields of a partners item from json (core/profile_json.c), keys in
 * extra skipped: 0, or IMV_EINVAL with messages at path. */
int imv_partner_from_json(const struct cJSON *json, const char *source, const char *path,
                          const char *const *extra, imv_partner *out, imv_diags *diags);

/* ---- allocation of partner councils (core/allocate.c) ---------------- */

/* Limits that keep one allocation small enough to solve at once. */
#define IMV_ALLOC_MAX_COUNCILS 2000
#define IMV_ALLOC_MAX_PARTNERS 500
#define IMV_ALLOC_MAX_CAPACITY 8

/* An allocation problem.  benefit[(c * n_partners + p) * max_capacity +
 * (m - 1)] is what council c gains when partner p supports m councils in
 * all under the allocation (m counts c; the partner's own commitments
 * outside the allocation are already in its fit), NAN when the pairing
 * is not viable at that load.  capacity[p] (0..max_capacity) is how many
 * councils p can take on.  neighbouring (optional, n_councils *
 * n_partners) breaks ties in favour of neighbours.  All borrowed. */
typedef struct imv_alloc_problem {
    size_t n_councils, n_partners;
    int max_capacity;
    const double *benefit;
    const int *capacity;
    const unsigned char *neighbouring;
} imv_alloc_problem;

/* partner_of[c] is the partner index of council c or SIZE_MAX; load[p]
 * how many councils p supports; total the summed benefit. */
typedef struct imv_alloc_solution {
    size_t *partner_of;
    int *load;
    double total;
    int optimal;
} imv_alloc_solution;

/* The benefit for (c, p) at load m, NAN outside 1..capacity[p]. */
double imv_alloc_benefit(const imv_alloc_problem *pb, size_t c, size_t p, int m);
/* Check the problem's sizes and capacities: 0 or IMV_EINVAL with err. */
int imv_alloc_check(const imv_alloc_problem *pb, char *err, size_t errlen);
/* Solve exactly (an integer programme, GLPK).  Returns 0 with *out filled
 * (release with imv_alloc_solution_free), or IMV_EINVAL with err. */
int imv_alloc_solve(const imv_alloc_problem *pb, imv_alloc_solution *out, char *err, size_t errlen);
void imv_alloc_solution_free(imv_alloc_solution *s);

/* What a council would get from one partner: the best viable model that
 * uses it (score, id, the fit it gave), or viable 0; with no partner,
 * the best viable model of all.  fit is NAN when no model gave one. */
#define IMV_PAIRING_MAX_PARTS 12
typedef struct imv_pairing {
    int viable;
    double score;
    const char *model; /* borrowed from the registry; NULL when none */
    double fit;
    /* The model that gave the fit, and the fit's components as it gave
     * them (the first IMV_PAIRING_MAX_PARTS; none when it gave none). */
    const char *fit_model;
    size_t n_parts;
    struct {
        char name[33];
        double points;
    } parts[IMV_PAIRING_MAX_PARTS];
} imv_pairing;

/* Score p with `partner` as its only candidate (NULL: with none); p's
 * own partners are restored before returning. */
int imv_pairing_evaluate(imv_worker *w, imv_profile *p, const imv_partner *partner, imv_pairing *out);

/* ---- sensitivity over a partner's attributes (core/partner_sens.c) ----
 * For one council and one candidate partner: each attribute varied alone
 * over its range (commitments 0..8, spare leadership capacity 0..4 to
 * 0.01, grade, neighbouring, child population 5,000..500,000 to 1,000),
 * the nearest value in each direction at which the pairing becomes viable
 * or stops being, its fit crosses 70, or the recommended model changes. */
enum {
    IMV_PATTR_COMMITMENTS,
    IMV_PATTR_SPARE,
    IMV_PATTR_GRADE,
    IMV_PATTR_NEIGHBOURING,
    IMV_PATTR_SIZE,
    IMV_PATTR_COUNT
};
enum { IMV_PTIP_VIABLE, IMV_PTIP_STRONG, IMV_PTIP_FIRST, IMV_PTIP_COUNT };

typedef struct imv_partner_point {
    int viable;              /* a model that uses the partner is viable */
    double score, gain, fit; /* NAN when not viable / no fit given */
    const char *model;       /* that model (borrowed), or NULL */
    const char *first;       /* the council's recommended model then, or NULL */
} imv_partner_point;

typedef struct imv_partner_tip {
    int attribute;        /* IMV_PATTR_* */
    int kind;             /* IMV_PTIP_*: what changes */
    double from, to;      /* grade: 0 inadequate, 1 RI, 1.5 not inspected, 2 good, 3 outstanding */
    imv_partner_point at; /* the pairing at `to` */
} imv_partner_tip;

#define IMV_PARTNER_TIPS_MAX (IMV_PATTR_COUNT * 2 * IMV_PTIP_COUNT)
typedef struct imv_partner_sens {
    imv_partner_point now;         /* as described */
    double baseline;               /* the council's best viable score without a partner, or 0 */
    double value[IMV_PATTR_COUNT]; /* each attribute as given (NAN: not given, not varied) */
    size_t n;
    imv_partner_tip tips[IMV_PARTNER_TIPS_MAX]; /* by attribute, down then up */
} imv_partner_sens;

int imv_partner_sensitivity(imv_worker *w, const imv_profile *p, const imv_partner *q,
                            imv_partner_sens *out);
const char *imv_partner_attr_name(int a);     /* "current_commitments", ... */
const char *imv_partner_tip_kind_name(int k); /* "viable", "strong", "first" */
/* The tip as a sentence: "with one fewer commitment, westshire would be a
 * viable partner (executive_partnership, fit 47.0)". */
void imv_partner_tip_text(const imv_partner_tip *t, const char *partner, const char *now_first,
                          char *buf, size_t n);
/* 1 when t makes the partner more use: it becomes viable, its fit reaches
 * 70, or its model becomes the recommendation. */
int imv_partner_tip_raises(const imv_partner_tip *t);
/* Tips i.. of s that share an attribute and a value, as one sentence
 * ("with 5 more commitments, X would no longer be a viable partner; the
 * recommendation would change ..."); returns the index after them. */
size_t imv_partner_tips_text(const imv_partner_sens *s, size_t i, const char *partner, char *buf,
                             size_t n);
/* 1 when tips i.. (one attribute, one value) are worth a line in a table:
 * one raises the partner's use, or commitments end its viability. */
int imv_partner_tips_shown(const imv_partner_sens *s, size_t i);
/* The tips as a JSON array of {attribute, from, to, changes (viable,
 * strong, first), viable, model, fit, gain, recommended, text}. */
struct cJSON *imv_partner_sens_json(const imv_partner_sens *s, const char *partner);

/* A national allocation: every council's best without a partner, every
 * pairing at every load, the optimal assignment, and for each partner
 * what one more place would add (extra_gain, NAN when at the limit). */
typedef struct imv_allocation {
    imv_alloc_problem pb;  /* capacity = places each partner has left */
    imv_pairing *baseline; /* per council */
    imv_pairing *with;     /* imv_allocation_pairing() */
    double *benefit;
    int *capacity;
    unsigned char *neighbouring;
    imv_alloc_solution solution;
    double *extra_gain;
} imv_allocation;

/* councils are borrowed (changed and restored while scoring).  0 and
 * *out (free with imv_allocation_free), or a negative code with err. */
int imv_allocation_run(imv_worker *w, imv_profile *const *councils, size_t n_councils,
                       const imv_partner_set *partners, imv_allocation **out, char *err,
                       size_t errlen);
/* The pairing of council c with partner p when p supports m councils. */
const imv_pairing *imv_allocation_pairing(const imv_allocation *a, size_t c, size_t p, int m);
void imv_allocation_free(imv_allocation *a);

/* ---- the what-if server (serve/; docs/api.md) ------------------------- */

/* `imeval serve`: a local web server for the what-if page and its JSON
 * API.  Safe by default: loopback, a random token exchanged for an
 * HttpOnly SameSite=Strict cookie, Host and Origin checked, JSON only for
 * POST, strict CSP, limits on bodies, headers, connections and time.
 * Every evaluation runs on one of the server's engine workers through the
 * same registry (hosts, sandbox, budgets, isolation) as the command. */
typedef struct imv_serve imv_serve;

typedef struct imv_serve_opts {
    const char *bind;              /* address to listen on; NULL: 127.0.0.1 */
    unsigned port;                 /* 0: a free port */
    const char *register_location; /* NULL: none (saving and recording refused) */
    const char *const *profiles;   /* JSON profile files served (borrowed) */
    size_t n_profiles;
    int workers; /* evaluations at once; <= 0: the cores, at most 16 */
    int strict;  /* unknown profile fields are errors */
    /* The origin a TLS reverse proxy serves the page at
     * ("https://whatif.example.org"), or NULL: its host is then accepted
     * in Host, and a POST through it must come from exactly that origin. */
    const char *public_origin;
} imv_serve_opts;

/* Build the server's state: read the profiles, start the workers (and
 * isolated models' processes, on this thread), open the register, make
 * the token.  reg is borrowed and must outlive s.  0 and *out, or a
 * negative code with the problems in diags (*out NULL). */
int imv_serve_new(imv_registry *reg, const imv_serve_opts *o, imv_serve **out, imv_diags *diags);
/* Start listening (a thread pool of the daemon's own).  0, or IMV_EIO
 * with a message (the address in use, say). */
int imv_serve_listen(imv_serve *s, const imv_serve_opts *o, imv_diags *diags);
/* The address to open, with the token ("http://127.0.0.1:PORT/?token=HEX"). */
const char *imv_serve_url(const imv_serve *s);
unsigned imv_serve_port(const imv_serve *s);
/* Stop listening (requests in flight finish) and free everything. */
void imv_serve_free(imv_serve *s);

/* One answer of the API.  body is owned (free with imv_serve_reply_clear);
 * type is static; filename, when set, asks the browser to save it. */
typedef struct imv_serve_reply {
    int status;
    const char *type;
    char *body;
    size_t len;
    char *filename;
} imv_serve_reply;
/* Answer one API request after the HTTP checks (authentication, Host,
 * Origin, content type, sizes: serve/http.c): what the daemon calls for
 * every path under /api/, exposed for tests and fuzzers. */
void imv_serve_api(imv_serve *s, const char *method, const char *path, const char *body, size_t len,
                   imv_serve_reply *out);
void imv_serve_reply_clear(imv_serve_reply *r);

#endif /* IMEVAL_H */
