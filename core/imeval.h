/*
 * imeval.h - the engine's public API.
 *
 * The engine reads authority profiles, loads intervention-model plugins
 * (native or Lua), scores every profile with every model, ranks the models
 * and explains each score.  The `imeval` command is one client of it.
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

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "imeval_plugin.h"

#define IMV_VERSION "0.1.0"
#define IMV_PROFILE_FORMAT "imeval-profile/1"
#define IMV_RESULT_FORMAT "imeval-result/1"

enum {
    IMV_OK = 0,
    IMV_EIO = -1,      /* a file could not be read or written */
    IMV_EPARSE = -2,   /* malformed input */
    IMV_EINVAL = -3,   /* a value out of range or of the wrong type */
    IMV_EPLUGIN = -4,  /* a plugin failed to load or to score */
    IMV_ENOMEM = -5,
    IMV_EUSAGE = -6    /* a bad option or argument */
};

/* ---- diagnostics ------------------------------------------------------ */

/* One problem: the file (or model) it concerns, where in it ("line 3",
 * "ratings.acceptance"), and what was expected. */
typedef struct imv_diag {
    char *source;
    char *where;
    char *message;
    long line;         /* line in source, 0 when not known or not relevant */
    int warning;       /* 1 for a warning (e.g. an unknown field kept) */
} imv_diag;

typedef struct imv_diags {
    imv_diag *v;
    size_t n, cap;
    size_t n_errors;   /* diags with warning == 0, kept in v or not */
    /* Optional, for runs too long to keep every message: on_add sees each
     * diagnostic as it is added (to print it at once, say); when it
     * returns 0 the diagnostic is not kept in v.  NULL keeps them all. */
    int (*on_add)(void *ctx, const imv_diag *g);
    void *on_add_ctx;
} imv_diags;

void imv_diags_init(imv_diags *d);
void imv_diags_free(imv_diags *d);
/* Append a diagnostic.  source and where may be NULL. */
void imv_diags_add(imv_diags *d, int warning, const char *source,
                   const char *where, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The same, with a line number in source. */
void imv_diags_add_at(imv_diags *d, int warning, const char *source, long line,
                      const char *where, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Write one diagnostic: "source: where: message" for a value (with
 * " (profile at line N)" after it when the profile does not start the
 * file), "source:line: message" for a syntax error. */
void imv_diag_format(const imv_diag *g, char *buf, size_t len);
/* Drop every diagnostic from index n on (used to roll back). */
void imv_diags_truncate(imv_diags *d, size_t n);

/* ---- profiles --------------------------------------------------------- */

/* A rating as given: a point, a uniform range or a triangular range. */
typedef struct imv_range {
    double low, mode, high;  /* mode is the point value for a plain rating */
    int kind;                /* 0 point, 1 uniform (no mode), 2 triangular */
} imv_range;

typedef struct imv_partner {
    char *id;
    char *name;
    imv_grade grade;
    int neighbouring;               /* 1, 0, -1 not given */
    double child_population;        /* IMV_UNKNOWN when not given */
    double spare_leadership_capacity;
    double current_commitments;
} imv_partner;

typedef struct imv_profile {
    char *source;        /* file it came from ("-" for standard input) */
    long line;           /* line where it starts in that file */
    char *id, *name, *as_of, *src_note;
    imv_grade grade;
    int grade_was_adequate;
    size_t n_previous;
    imv_grade *previous;
    double child_population, children_in_care;  /* IMV_UNKNOWN when absent */
    imv_range ratings[IMV_R_COUNT];
    unsigned facts_present;
    double facts[IMV_F_COUNT];
    char *iv_model, *iv_since, *iv_partner;     /* NULL when none */
    size_t n_partners;
    imv_partner *partners;
    int uncertain;       /* 1 when any rating is a range */
    char *extra_json;    /* unknown fields, kept as a JSON object, or NULL */
    unsigned long serial; /* unique in the process: lets hosts cache per profile */
    /* What every view of this profile shares, built once when the profile
     * is complete (imv_profile_derive): the partner views and the array
     * of pointers to them that the view passes to plugins. */
    imv_partner_view *partner_views;
    const imv_partner_view **partner_ptrs;
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
void imv_profile_view_expect(imv_profile_view *v, const struct imv_registry *reg);
/* Build what the views of p share (called by imv_profile_from_json once
 * p is valid; call it again after changing p->partners by hand). */
void imv_profile_derive(imv_profile *p);

/* Names used in JSON paths and CSV headers. */
const char *imv_rating_name(int rating);
const char *imv_fact_name(int fact);
const char *imv_grade_name(int grade);
int imv_rating_index(const char *name);   /* -1 when unknown */
int imv_fact_index(const char *name);
int imv_grade_parse(const char *name, int *was_adequate); /* -1 when unknown */

/* Months between two dates of the profile format (YYYY[-MM[-DD]]);
 * IMV_UNKNOWN when either does not parse. */
double imv_months_between(const char *from, const char *to);
/* 1 when s is a date of the profile format. */
int imv_date_valid(const char *s);

/* ---- reading profiles ------------------------------------------------- */

typedef struct imv_reader imv_reader;

typedef struct imv_read_opts {
    int strict;          /* unknown fields are errors, not warnings */
    int format;          /* 0 detect, 1 JSON, 2 CSV */
} imv_read_opts;

/* Open a profile file for streaming ("-" is standard input).  Detects
 * JSON (one object, an array, JSON Lines or concatenated objects) or CSV
 * by extension, then by content.  Returns NULL with a diagnostic when the
 * file cannot be opened (missing, a directory, unreadable). */
imv_reader *imv_reader_open(const char *path, const imv_read_opts *opts,
                            imv_diags *diags);
/* Read the next profile.  Returns 1 and sets *out (caller frees) when one
 * was read; 0 at the end; -1 when one profile was bad (diagnostics added,
 * call again for the next); IMV_EIO (also -1) when the file cannot be read
 * further, after which every call returns 0. */
int imv_reader_next(imv_reader *r, imv_profile **out, imv_diags *diags);
void imv_reader_close(imv_reader *r);

/* Parse and validate one profile from a parsed JSON object.  Exposed for
 * tests and fuzzers. `json` is a cJSON item. */
struct cJSON;
int imv_profile_from_json(const struct cJSON *json, const char *source,
                          long line, int strict, imv_profile **out,
                          imv_diags *diags);

/* ---- models and the registry ----------------------------------------- */

typedef struct imv_model imv_model;
typedef struct imv_registry imv_registry;

typedef struct imv_limits {
    long lua_instructions;       /* per call; 0 means unlimited */
    size_t lua_memory;           /* bytes per Lua state; 0 unlimited */
    double isolate_timeout;      /* seconds per isolated call */
    int isolate;                 /* -1 auto (outside bundled), 0 never, 1 always */
} imv_limits;

void imv_limits_default(imv_limits *l);

imv_registry *imv_registry_new(const imv_limits *limits);
void imv_registry_free(imv_registry *reg);

/* Load one plugin file (.so or .lua).  bundled marks the engine's own
 * models (trusted: never isolated by default).  Errors name the file. */
int imv_registry_load_file(imv_registry *reg, const char *path, int bundled,
                           imv_diags *diags);
/* Load every .so and .lua in dir (sorted by name, not recursive). */
int imv_registry_load_dir(imv_registry *reg, const char *dir, int bundled,
                          imv_diags *diags);
/* The directory of the bundled models for this executable, or NULL. */
const char *imv_registry_bundled_dir(void);

size_t imv_registry_count(const imv_registry *reg);
/* Models sorted by id. */
imv_model *imv_registry_get(const imv_registry *reg, size_t i);
imv_model *imv_registry_find(const imv_registry *reg, const char *id);
/* Keep only the models whose ids are listed (comma-separated). */
int imv_registry_select(imv_registry *reg, const char *ids, imv_diags *diags);

/* Set a parameter from "MODEL.PARAM=VALUE"; refuses unknown names and
 * out-of-range values. */
int imv_registry_set(imv_registry *reg, const char *assignment,
                     imv_diags *diags);
/* Apply a JSON parameters file: { "model": { "param": value } }. */
int imv_registry_set_file(imv_registry *reg, const char *path,
                          imv_diags *diags);

const char *imv_model_id(const imv_model *m);
const char *imv_model_name(const imv_model *m);
const char *imv_model_version(const imv_model *m);
const char *imv_model_summary(const imv_model *m);
const char *imv_model_evidence(const imv_model *m);
const char *imv_model_language(const imv_model *m);  /* "c" or "lua" */
const char *imv_model_path(const imv_model *m);
size_t imv_model_param_count(const imv_model *m);
const imv_param_def *imv_model_param(const imv_model *m, size_t i);
/* Current values, in declaration order (defaults unless overridden). */
const double *imv_model_param_values(const imv_model *m);
int imv_model_isolated(const imv_model *m);
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
    char *fields;        /* comma-separated JSON paths */
    double points;
    char *text;
    char *evidence;
} imv_reason;

struct imv_result {
    const imv_model *model;
    int has_score;
    double score;
    int viable;
    char *error;                     /* non-NULL when the model failed */
    size_t n_reasons, cap_reasons;
    imv_reason *reasons;
    size_t n_unmet, cap_unmet;
    char **unmet;
    size_t n_risks, cap_risks;
    char **risks;
    double setup_months, months_to_fair, months_to_good; /* IMV_UNKNOWN = null */
    char *partner_id;
    double partner_fit;
    int score_only;                  /* detail calls are ignored */
    size_t text_bytes;               /* for the size cap */
};

void imv_result_reset(imv_result *r, const imv_model *m, int score_only);
void imv_result_clear(imv_result *r);    /* frees contents, not r */
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
void imv_worker_score(imv_worker *w, size_t model, const imv_profile_view *v,
                      unsigned long key, const double *params, imv_result *r);
/* A new serial for a profile built by hand (imv_profile_from_json sets one). */
unsigned long imv_profile_next_serial(void);

/* One profile scored by every model, ranked. */
typedef struct imv_evaluation {
    const imv_profile *profile;      /* borrowed */
    size_t n;                        /* models */
    imv_result *results;             /* in registry order */
    size_t *order;                   /* ranking: indices into results */
    const char *recommended;         /* model id or NULL when none viable */
    struct imv_uncertainty *uncertainty;  /* NULL unless draws were run */
} imv_evaluation;

int imv_evaluate(imv_worker *w, const imv_profile *p, imv_evaluation *out);
void imv_evaluation_clear(imv_evaluation *e);

/* Rank results: viable by score (descending), then non-viable by score,
 * then failed models; ties by model id.  Writes n indices into order. */
void imv_rank(const imv_result *results, size_t n, size_t *order);

#endif /* IMEVAL_H */
