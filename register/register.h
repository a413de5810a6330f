/*
 * register.h - the assessment register: an append-only, hash-chained
 * record of what imeval was asked, what it said, what was decided and
 * why, and how each intervention went over later reviews.
 *
 * Entries (one stream, in the order they were appended):
 *   assessment  a profile as assessed (stored by content hash) and the run
 *               that scored it (engine version, each model's id, version,
 *               file hash and parameters, seed, draws) with the full result
 *               JSON (stored by content hash);
 *   review      the same, for a later profile of the same authority, linked
 *               (ref) to the decision whose intervention it reviews;
 *   decision    the model chosen for an assessment (ref), the partner, the
 *               rationale (required when it differs from the recommendation);
 *   assumption  an assumption an assessment or decision rests on (AQuA);
 *   sign-off    an analyst's, assurer's or approver's sign-off of an entry.
 * Nothing is updated or deleted: a correction is a new entry whose
 * `supersedes` names the old one.  Each entry's hash covers its content;
 * row_hash = sha256(prev row_hash || hash) chains them, so
 * imv_register_verify finds a changed, removed or reordered entry.
 *
 * Storage: a SQLite file (the default) or a PostgreSQL database, chosen by
 * the location: "postgresql://..." or "postgres://..." (a libpq URL; keep
 * passwords out of it: use PGPASSFILE, a service file or peer
 * authentication) or a file path.
 *
 * Ownership as in imeval.h: what comes back through **out belongs to the
 * caller and has a NULL-safe _free.  Errors: 0 on success, a negative
 * IMV_E* code (imeval.h) or IMV_REG_E* below, with a message a user can
 * act on in err (errlen bytes).  Nothing here prints.
 */
#ifndef IMV_REGISTER_H
#define IMV_REGISTER_H

#include <stdint.h>
#include <stdio.h>

#include "imeval.h"

#define IMV_REGISTER_EXPORT_FORMAT "imeval-register/1"

enum {
    IMV_REG_ENOTFOUND = -20, /* no such entry, or no register at the location */
    IMV_REG_EVERSION = -21,  /* made by a newer imeval: refused, left as it was */
    IMV_REG_ECORRUPT = -22,  /* damaged, tampered with or not a register */
    IMV_REG_EDB = -23,       /* the database refused (message from it) */
    IMV_REG_ECONFLICT = -24  /* an id already used for other content */
};

typedef struct imv_register imv_register;

/* Open the register at location (NULL: IMEVAL_REGISTER, else the default
 * of imv_register_default_location).  create 1 makes it when missing
 * (`register init`); 0 refuses a missing one.  An older schema is migrated
 * in one transaction; a newer one is refused (IMV_REG_EVERSION) untouched. */
int imv_register_open(const char *location, int create, imv_register **out, char *err, size_t errlen);
void imv_register_close(imv_register *r);
/* The location for messages: a path, or the URL without any password. */
const char *imv_register_where(const imv_register *r);
/* "sqlite" or "postgresql". */
const char *imv_register_backend(const imv_register *r);
/* The schema version this build writes. */
int imv_register_schema_version(void);

/* The default location: $IMEVAL_REGISTER, else $XDG_DATA_HOME/imeval/register.db,
 * else ~/.local/share/imeval/register.db.  Writes into buf; 0, or -1 when
 * no home directory is known. */
int imv_register_default_location(char *buf, size_t n);

/* One entry.  Strings are NULL when they do not apply. */
typedef struct imv_register_entry {
    long seq;            /* position in this register's chain, from 1 */
    char *id;            /* unique; given (assessments) or generated */
    char *kind;          /* assessment review decision assumption sign-off */
    char *authority;     /* whose case this is ("torbay") */
    char *ref;           /* the entry it concerns (see above) */
    char *supersedes;    /* the entry it corrects */
    char *at;            /* when recorded, UTC "YYYY-MM-DDTHH:MM:SSZ" */
    char *author, *role; /* who; role: adviser analyst assurer approver commissioner other */
    char *as_of, *grade; /* assessment/review: the profile's date and grade */
    char *model;         /* assessment/review: recommended; decision: chosen */
    char *status;        /* assessment/review: the engine's one-snapshot status */
    char *finding;       /* assessment/review: newest progress finding of the profile */
    int has_rating;
    double rating;                  /* assessment/review: mean rating, 0..4, higher better */
    char *profile_sha, *result_sha; /* assessment/review: blob hashes */
    char *body;                     /* kind-specific detail, a JSON object (never NULL once read) */
    char *hash, *prev_hash, *row_hash;
} imv_register_entry;

void imv_register_entry_clear(imv_register_entry *e); /* frees contents, not e */
void imv_register_entry_free(imv_register_entry *e);
void imv_register_entries_free(imv_register_entry *v, size_t n);

/* Text limits: longer texts are refused with a message, never cut. */
#define IMV_REGISTER_MAX_TEXT (8u << 20)

/* A content-addressed document an entry refers to. */
typedef struct imv_register_blob {
    const char *kind; /* "profile" or "result" */
    const char *body;
    size_t len;
    char sha[65]; /* filled by imv_register_append */
} imv_register_blob;

/* Append e (its id, at, hash, prev_hash, row_hash and seq are filled in:
 * id is generated when NULL) with the blobs it refers to, in one
 * transaction: all of it is recorded or none.  Refuses unknown refs,
 * a supersedes of another kind or authority, texts with NUL bytes or not
 * UTF-8, and texts over IMV_REGISTER_MAX_TEXT.  For an assessment or
 * review, blobs[0] is the profile and blobs[1] the result, and
 * profile_sha/result_sha are set from them. */
int imv_register_append(imv_register *r, imv_register_entry *e, imv_register_blob *blobs,
                        size_t n_blobs, char *err, size_t errlen);

/* The entry with this id (IMV_REG_ENOTFOUND when none). */
int imv_register_get(imv_register *r, const char *id, imv_register_entry **out, char *err,
                     size_t errlen);
/* A blob's body (NUL-terminated; *len bytes) by hash. */
int imv_register_blob_get(imv_register *r, const char *sha, char **body, size_t *len, char *err,
                          size_t errlen);
/* Every entry of authority (NULL: all), in chain order. */
int imv_register_list(imv_register *r, const char *authority, imv_register_entry **out, size_t *n,
                      char *err, size_t errlen);

/* ---- recording from the engine (register/record.c) -------------------- */

/* How the run was made, beside what the registry and evaluation say. */
typedef struct imv_register_run {
    size_t draws;
    uint64_t seed;
    int vary_parameters;
    int argc; /* the command line, recorded as given */
    char *const *argv;
} imv_register_run;

/* What to record about one evaluated profile. */
typedef struct imv_register_assessment_in {
    const char *id;        /* NULL: generated */
    const char *authority; /* NULL: the profile id without a trailing date */
    const char *author;    /* NULL: $USER */
    const char *role;      /* NULL: "adviser" */
    const char *rated_by;  /* who rated the profile, NULL: author */
    const char *question;  /* NULL: "which intervention?" */
    const char *review_of; /* a decision id: record a review, else an assessment */
    const char *supersedes;
    const char *rated_on; /* when the ratings were made (a profile date), or NULL */
} imv_register_assessment_in;

/* Record e (scored by the models in reg, as run describes) as an
 * assessment or review.  profile_json is the profile as assessed (a JSON
 * object; NULL: read it again from e->profile->source, which must then be
 * a JSON file).  The full result JSON is the `evaluate --format json`
 * document of this one profile.  The new id is written to id_out. */
int imv_register_record_evaluation(imv_register *r, const imv_registry *reg,
                                   const imv_evaluation *e, const imv_register_run *run,
                                   const char *profile_json, const imv_register_assessment_in *in,
                                   char *id_out, size_t id_len, char *err, size_t errlen);

/* The `evaluate --format json` document of one evaluation (what is
 * recorded and what replay compares).  Caller frees. */
char *imv_register_result_json(const imv_registry *reg, const imv_evaluation *e, size_t *len);

/* An assessment with what was decided on it, for `imeval report`: the
 * entry, its profile and result documents, and the entries that rest on
 * it and are not superseded (decisions, assumptions, sign-offs, each in
 * chain order; sign-offs of its decisions included). */
typedef struct imv_register_assessment {
    imv_register_entry *entry;
    char *profile_json, *result_json;
    imv_register_entry *decision; /* the newest decision, or NULL */
    imv_register_entry *assumptions;
    size_t n_assumptions;
    imv_register_entry *signoffs;
    size_t n_signoffs;
    imv_register_entry *reviews; /* reviews of its decisions */
    size_t n_reviews;
} imv_register_assessment;

int imv_register_assessment_get(imv_register *r, const char *id, imv_register_assessment **out,
                                char *err, size_t errlen);
void imv_register_assessment_free(imv_register_assessment *a);

/* Re-run the assessment or review `id` with its recorded model files,
 * parameters, draws and seed (limits: NULL for the defaults).  *out: {
 * "identical": bool, "recorded_sha256", "replayed_sha256", "models": [{id,
 * path, recorded_sha256, current_sha256, changed}], "ranking": [{model,
 * recorded_rank, replayed_rank, recorded_score, replayed_score}], ... }. */
struct cJSON;
int imv_register_replay(imv_register *r, const char *id, const imv_limits *limits,
                        struct cJSON **out, char *err, size_t errlen);

/* ---- reading across entries (register/status.c) ----------------------- */

/* An authority's history: entries, trajectory of grades and ratings, and
 * its intervention's status across the reviews (docs/register.md). */
int imv_register_history(imv_register *r, const char *authority, struct cJSON **out, char *err,
                         size_t errlen);
/* Every authority under an intervention, by status, the ones to escalate
 * or step down first. */
int imv_register_status(imv_register *r, struct cJSON **out, char *err, size_t errlen);

/* PostgreSQL only: make the database role `role` an adviser (adviser 1:
 * may read everything and append) or a reader of the entries of
 * `authority` (adviser 0; repeat per authority).  Run by the register's
 * owner.  A SQLite register refuses (IMV_EUSAGE): file permissions decide. */
int imv_register_grant(imv_register *r, const char *role, int adviser, const char *authority,
                       char *err, size_t errlen);

/* ---- integrity and exchange (register/register.c) --------------------- */

typedef struct imv_register_verify_result {
    long entries, blobs;
    char head[65];     /* row_hash of the last entry ("" when empty) */
    long bad_seq;      /* first entry that fails, 0 when none */
    char problem[512]; /* what is wrong, "" when all is well */
} imv_register_verify_result;

/* Check the database's own integrity, every blob's hash, every entry's
 * hash, the chain and the references; with expect_head (a row_hash noted
 * earlier), that it is still in the chain (finds a cut-off tail).
 * Returns 0 when sound, IMV_REG_ECORRUPT with res->problem when not. */
int imv_register_verify(imv_register *r, const char *expect_head, imv_register_verify_result *res,
                        char *err, size_t errlen);

/* Write every blob and entry as JSON Lines (IMV_REGISTER_EXPORT_FORMAT). */
int imv_register_export(imv_register *r, FILE *f, char *err, size_t errlen);

typedef struct imv_register_import_stats {
    long added, present, blobs_added;
} imv_register_import_stats;

/* Add the entries of an export that this register lacks (matched by hash),
 * in their order, re-chained here; importing twice adds nothing.  Every
 * line is checked first (hashes, the bundle's chain, references); nothing
 * is added when any is bad. */
int imv_register_import(imv_register *r, FILE *f, const char *source, imv_register_import_stats *st,
                        char *err, size_t errlen);

#endif
