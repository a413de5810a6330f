/*
 * store.h - the storage interface behind the register: what a backend
 * (register/sqlite.c, register/pg.c) must do.  The backend-independent
 * logic (ids, hashes, the chain, checks) is in register/register.c; a
 * backend only keeps rows, enforces append-only in the database and
 * serialises writers.  Not installed, not part of the API.
 *
 * Every function returns 0, 1 for "not found" where it says so, or a
 * negative IMV_E... or IMV_REG_E... code with a message in err.
 */
#ifndef IMV_REGISTER_STORE_H
#define IMV_REGISTER_STORE_H

#include <stddef.h>

#include "register.h"

/* Current schema version; older versions are migrated by the backend. */
#define IMV_REGISTER_SCHEMA 2

typedef struct imv_store imv_store;

typedef int (*imv_store_entry_cb)(void *ctx, const imv_register_entry *e);
typedef int (*imv_store_blob_cb)(void *ctx, const char *sha, const char *kind, const char *body,
                                 size_t len);

typedef struct imv_store_ops {
    const char *name;
    /* A write transaction that excludes every other writer until commit
     * or rollback; waits (never fails) while another writer holds it. */
    int (*begin)(imv_store *s, char *err, size_t errlen);
    int (*commit)(imv_store *s, char *err, size_t errlen);
    void (*rollback)(imv_store *s);
    /* The last entry's seq and row_hash (0 and "" when empty). */
    int (*tail)(imv_store *s, long *seq, char row_hash[65], char *err, size_t errlen);
    /* Insert a blob unless one with this sha is there. */
    int (*put_blob)(imv_store *s, const char *sha, const char *kind, const char *body, size_t len,
                    char *err, size_t errlen);
    int (*get_blob)(imv_store *s, const char *sha, char **body, size_t *len, char *err,
                    size_t errlen); /* 1: not found */
    int (*insert)(imv_store *s, const imv_register_entry *e, char *err, size_t errlen);
    /* By column "id" or "hash"; 1: not found. */
    int (*get)(imv_store *s, const char *column, const char *value, imv_register_entry *out,
               char *err, size_t errlen);
    /* Entries (of authority, NULL for all) in seq order; cb returning
     * non-zero stops the scan and is returned.  light leaves body, the
     * blob hashes and the chain hashes NULL (for status over many). */
    int (*scan)(imv_store *s, const char *authority, int light, imv_store_entry_cb cb, void *ctx,
                char *err, size_t errlen);
    int (*scan_blobs)(imv_store *s, imv_store_blob_cb cb, void *ctx, char *err, size_t errlen);
    /* The database's own physical check (SQLite integrity_check). */
    int (*check)(imv_store *s, char *err, size_t errlen);
    /* Optional (NULL when the backend has no roles): make the database
     * role `role` an adviser (writes) or a reader of authority. */
    int (*grant)(imv_store *s, const char *role, int adviser, const char *authority, char *err,
                 size_t errlen);
    void (*close)(imv_store *s);
    /* A read-only view that stays the same across several reads, ended
     * with rollback: verify and export scan documents, then entries, and
     * a writer committing between the two scans (a PostgreSQL backend
     * finishing the COMMIT of a client just killed) showed an entry
     * whose document the first scan had not seen. */
    int (*snapshot)(imv_store *s, char *err, size_t errlen);
} imv_store_ops;

struct imv_store {
    const imv_store_ops *ops;
};

/* Open (create 1: make when missing, at schema `version`, which only
 * tests set below IMV_REGISTER_SCHEMA) the store; migrate an older
 * schema, refuse a newer one untouched. */
int imv_store_sqlite_open(const char *path, int create, int version, imv_store **out, char *err,
                          size_t errlen);
int imv_store_pg_open(const char *url, int create, int version, imv_store **out, char *err,
                      size_t errlen);

/* The columns of an entry, in the order every backend stores them. */
#define IMV_STORE_COLUMNS                                                                \
    "seq, id, kind, authority, ref, supersedes, at, author, role, as_of, grade, model, " \
    "status, finding, rating, profile_sha, result_sha, body, hash, prev_hash, row_hash"
#define IMV_STORE_NCOLUMNS 21

/* Text of column i of e (NULL for SQL NULL); column 0 (seq) and 14
 * (rating) are numbers, written into buf. */
const char *imv_store_column_text(const imv_register_entry *e, int i, char *buf, size_t n);
/* Set column i of e from text (NULL for SQL NULL). */
void imv_store_column_set(imv_register_entry *e, int i, const char *text);

/* The entries of authority (NULL: all) through the register's store. */
int imv_register_scan(imv_register *r, const char *authority, int light, imv_store_entry_cb cb,
                      void *ctx, char *err, size_t errlen);

/* The columns a light scan reads (the rest are NULL). */
#define IMV_STORE_LIGHT_COLUMNS                                                          \
    "seq, id, kind, authority, ref, supersedes, at, author, role, as_of, grade, model, " \
    "status, finding, rating, NULL, NULL, NULL, NULL, NULL, NULL"

/* One cached object per register for record.c (freed with it). */
void *imv_register_cache(imv_register *r);
void imv_register_set_cache(imv_register *r, void *cache, void (*free_fn)(void *));

/* Documents in the order the chain first uses them (a profile before its
 * result), the same in every backend, so an export reads in recorded
 * order and a copy in another backend exports the same bytes. */
#define IMV_STORE_BLOB_ORDER_SQL                                                             \
    "SELECT b.sha256, b.kind, b.body FROM blob b LEFT JOIN ("                                \
    " SELECT sha, min(seq) AS first, min(k) AS k FROM ("                                     \
    "  SELECT profile_sha AS sha, seq, 0 AS k FROM entry WHERE profile_sha IS NOT NULL"      \
    "  UNION ALL SELECT result_sha, seq, 1 FROM entry WHERE result_sha IS NOT NULL) AS used" \
    " GROUP BY sha) AS u ON u.sha = b.sha256"                                                \
    " ORDER BY u.first IS NULL, u.first, u.k, b.sha256"

/* printf into err. */
void imv_store_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
