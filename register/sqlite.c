/*
 * sqlite.c - the register in one SQLite file (the embedded default).
 *
 * WAL, so readers never wait for the writer and a killed writer leaves
 * the last committed transaction intact; synchronous=FULL, so a commit is
 * on disk when it returns; STRICT tables; triggers that refuse UPDATE and
 * DELETE; the schema version in PRAGMA user_version, migrated in one
 * transaction.  Writers take the write lock up front (BEGIN IMMEDIATE) and
 * wait for it through a long busy timeout, so two advisers' processes
 * queue instead of failing with "database is locked".  WAL needs shared
 * memory between the processes: all of them on one machine, never a
 * network file system (docs/register.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "internal.h"
#include "store.h"

#define APP_ID 0x696D6576 /* 'imev' */
/* How long a writer waits for another's transaction before giving up.
 * Appends take milliseconds; this only ends a wait on a stuck process. */
#define BUSY_MS (10 * 60 * 1000)

typedef struct sq_store {
    imv_store base;
    sqlite3 *db;
    char *path;
} sq_store;

/* Schema version 1: the tables and the append-only triggers. */
static const char schema_v1[] =
    "CREATE TABLE blob("
    " sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),"
    " kind TEXT NOT NULL CHECK (kind IN ('profile','result')),"
    " body TEXT NOT NULL CHECK (json_valid(body)),"
    " bytes INTEGER NOT NULL) STRICT;"
    "CREATE TABLE entry("
    " seq INTEGER PRIMARY KEY CHECK (seq > 0),"
    " id TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL CHECK (kind IN ('assessment','review','decision','assumption','sign-off')),"
    " authority TEXT NOT NULL,"
    " ref TEXT REFERENCES entry(id),"
    " supersedes TEXT REFERENCES entry(id),"
    " at TEXT NOT NULL,"
    " author TEXT NOT NULL,"
    " role TEXT,"
    " as_of TEXT, grade TEXT, model TEXT, status TEXT, finding TEXT, rating REAL,"
    " profile_sha TEXT REFERENCES blob(sha256),"
    " result_sha TEXT REFERENCES blob(sha256),"
    " body TEXT NOT NULL CHECK (json_valid(body)),"
    " hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),"
    " prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),"
    " row_hash TEXT NOT NULL UNIQUE CHECK (length(row_hash) = 64)) STRICT;"
    "CREATE TRIGGER blob_no_update BEFORE UPDATE ON blob"
    " BEGIN SELECT RAISE(ABORT, 'the register is append-only: blobs are never changed'); END;"
    "CREATE TRIGGER blob_no_delete BEFORE DELETE ON blob"
    " BEGIN SELECT RAISE(ABORT, 'the register is append-only: blobs are never deleted'); END;"
    "CREATE TRIGGER entry_no_update BEFORE UPDATE ON entry"
    " BEGIN SELECT RAISE(ABORT, 'the register is append-only: record a correction that supersedes the entry'); END;"
    "CREATE TRIGGER entry_no_delete BEFORE DELETE ON entry"
    " BEGIN SELECT RAISE(ABORT, 'the register is append-only: record a correction that supersedes the entry'); END;";

/* Version 2: the indexes that history, status and replay read by. */
static const char migrate_v2[] = "CREATE INDEX entry_authority ON entry(authority, seq);"
                                 "CREATE INDEX entry_ref ON entry(ref);"
                                 "CREATE INDEX entry_supersedes ON entry(supersedes);";

static const char *const migrations[] = {schema_v1, migrate_v2};

static int db_fail(sq_store *s, char *err, size_t errlen, const char *what)
{
    int code = sqlite3_extended_errcode(s->db);
    imv_store_err(err, errlen, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
    if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB)
        return IMV_REG_ECORRUPT;
    return IMV_REG_EDB;
}

static int exec(sq_store *s, const char *sql, char *err, size_t errlen)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, err, errlen, "could not run the register's SQL");
    return 0;
}

static int pragma_int(sq_store *s, const char *sql, long *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
        rc = db_fail(s, err, errlen, "could not read the database header");
    else
        *out = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

/* BEGIN IMMEDIATE, retried while another process holds the lock: the busy
 * timeout covers most waits, but WAL recovery after a crash can report
 * SQLITE_BUSY without calling the handler. */
static int sq_begin(imv_store *base, char *err, size_t errlen)
{
    sq_store *s = (sq_store *)base;
    time_t until = time(NULL) + BUSY_MS / 1000;
    for (;;) {
        int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return 0;
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            return db_fail(s, err, errlen, "could not start a transaction");
        if (time(NULL) > until) {
            imv_store_err(err, errlen,
                          "%s: another process has held the register's write lock for over %d "
                          "minutes: is an imeval stuck? (nothing was recorded)",
                          s->path, BUSY_MS / 60000);
            return IMV_REG_EDB;
        }
        usleep(20000);
    }
}

static int sq_commit(imv_store *base, char *err, size_t errlen)
{
    sq_store *s = (sq_store *)base;
    for (;;) {
        int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return 0;
        if ((rc & 0xff) != SQLITE_BUSY) {
            int r = db_fail(s, err, errlen, "could not commit");
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return r;
        }
        usleep(20000);
    }
}

/* In WAL mode a deferred transaction reads one snapshot, taken at its
 * first read, until it ends; it never blocks writers. */
static int sq_snapshot(imv_store *base, char *err, size_t errlen)
{
    sq_store *s = (sq_store *)base;
    if (sqlite3_exec(s->db, "BEGIN DEFERRED", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, err, errlen, "could not start a read transaction");
    return 0;
}

static void sq_rollback(imv_store *base)
{
    sq_store *s = (sq_store *)base;
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_tail(imv_store *base, long *seq, char row_hash[65], char *err, size_t errlen)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st = NULL;
    int rc = 0;
    *seq = 0;
    row_hash[0] = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT seq, row_hash FROM entry ORDER BY seq DESC LIMIT 1", -1,
                           &st, NULL) != SQLITE_OK) {
        rc = db_fail(s, err, errlen, "could not read the last entry");
        goto done;
    }
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *seq = (long)sqlite3_column_int64(st, 0);
        const char *h = (const char *)sqlite3_column_text(st, 1);
        snprintf(row_hash, 65, "%s", h ? h : "");
    } else if (step != SQLITE_DONE) {
        rc = db_fail(s, err, errlen, "could not read the last entry");
    }
done:
    sqlite3_finalize(st);
    return rc;
}

static int sq_put_blob(imv_store *base, const char *sha, const char *kind, const char *body,
                       size_t len, char *err, size_t errlen)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO blob(sha256, kind, body, bytes) VALUES (?1, ?2, ?3, ?4)"
                           " ON CONFLICT(sha256) DO NOTHING",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = db_fail(s, err, errlen, "could not store a document");
        goto done;
    }
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, body, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)len);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(s, err, errlen, "could not store a document");
done:
    sqlite3_finalize(st);
    return rc;
}

static int sq_get_blob(imv_store *base, const char *sha, char **body, size_t *len, char *err,
                       size_t errlen)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st = NULL;
    int rc = 1;
    if (sqlite3_prepare_v2(s->db, "SELECT body FROM blob WHERE sha256 = ?1", -1, &st, NULL) !=
        SQLITE_OK) {
        rc = db_fail(s, err, errlen, "could not read a document");
        goto done;
    }
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *b = (const char *)sqlite3_column_text(st, 0);
        *len = (size_t)sqlite3_column_bytes(st, 0);
        *body = imv_xstrndup(b ? b : "", *len);
        rc = 0;
    } else if (step != SQLITE_DONE) {
        rc = db_fail(s, err, errlen, "could not read a document");
    }
done:
    sqlite3_finalize(st);
    return rc;
}

static int sq_insert(imv_store *base, const imv_register_entry *e, char *err, size_t errlen)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO entry(" IMV_STORE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5,"
                           " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
                           " ?20, ?21)",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = db_fail(s, err, errlen, "could not record the entry");
        goto done;
    }
    for (int i = 0; i < IMV_STORE_NCOLUMNS; i++) {
        char buf[64];
        if (i == 0) {
            sqlite3_bind_int64(st, 1, e->seq);
            continue;
        }
        if (i == 14) {
            if (e->has_rating)
                sqlite3_bind_double(st, 15, e->rating);
            else
                sqlite3_bind_null(st, 15);
            continue;
        }
        const char *t = imv_store_column_text(e, i, buf, sizeof buf);
        if (t)
            sqlite3_bind_text(st, i + 1, t, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i + 1);
    }
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(s, err, errlen, "could not record the entry");
done:
    sqlite3_finalize(st);
    return rc;
}

static void row_to_entry(sqlite3_stmt *st, imv_register_entry *e)
{
    memset(e, 0, sizeof *e);
    e->seq = (long)sqlite3_column_int64(st, 0);
    for (int i = 1; i < IMV_STORE_NCOLUMNS; i++) {
        if (i == 14) {
            e->has_rating = sqlite3_column_type(st, 14) != SQLITE_NULL;
            e->rating = e->has_rating ? sqlite3_column_double(st, 14) : 0;
            continue;
        }
        imv_store_column_set(e, i, (const char *)sqlite3_column_text(st, i));
    }
}

static int sq_get(imv_store *base, const char *column, const char *value, imv_register_entry *out,
                  char *err, size_t errlen)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st = NULL;
    int rc = 1;
    const char *sql = strcmp(column, "hash") == 0
                          ? "SELECT " IMV_STORE_COLUMNS " FROM entry WHERE hash = ?1"
                          : "SELECT " IMV_STORE_COLUMNS " FROM entry WHERE id = ?1";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = db_fail(s, err, errlen, "could not read an entry");
        goto done;
    }
    sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        row_to_entry(st, out);
        rc = 0;
    } else if (step != SQLITE_DONE) {
        rc = db_fail(s, err, errlen, "could not read an entry");
    }
done:
    sqlite3_finalize(st);
    return rc;
}

static int sq_scan(imv_store *base, const char *authority, int light, imv_store_entry_cb cb,
                   void *ctx, char *err, size_t errlen)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st = NULL;
    int rc = 0;
    const char *sql = light ? (authority ? "SELECT " IMV_STORE_LIGHT_COLUMNS
                                           " FROM entry WHERE authority = ?1 ORDER BY seq"
                                         : "SELECT " IMV_STORE_LIGHT_COLUMNS
                                           " FROM entry ORDER BY seq")
                            : (authority ? "SELECT " IMV_STORE_COLUMNS
                                           " FROM entry WHERE authority = ?1 ORDER BY seq"
                                         : "SELECT " IMV_STORE_COLUMNS " FROM entry ORDER BY seq");
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = db_fail(s, err, errlen, "could not read the entries");
        goto done;
    }
    if (authority)
        sqlite3_bind_text(st, 1, authority, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        imv_register_entry e;
        row_to_entry(st, &e);
        rc = cb(ctx, &e);
        imv_register_entry_clear(&e);
        if (rc)
            goto done;
    }
    if (step != SQLITE_DONE)
        rc = db_fail(s, err, errlen, "could not read the entries");
done:
    sqlite3_finalize(st);
    return rc;
}

static int sq_scan_blobs(imv_store *base, imv_store_blob_cb cb, void *ctx, char *err, size_t errlen)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db, IMV_STORE_BLOB_ORDER_SQL, -1, &st, NULL) != SQLITE_OK) {
        rc = db_fail(s, err, errlen, "could not read the documents");
        goto done;
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *body = (const char *)sqlite3_column_text(st, 2);
        rc = cb(ctx, (const char *)sqlite3_column_text(st, 0),
                (const char *)sqlite3_column_text(st, 1), body ? body : "",
                (size_t)sqlite3_column_bytes(st, 2));
        if (rc)
            goto done;
    }
    if (step != SQLITE_DONE)
        rc = db_fail(s, err, errlen, "could not read the documents");
done:
    sqlite3_finalize(st);
    return rc;
}

static int sq_check(imv_store *base, char *err, size_t errlen)
{
    sq_store *s = (sq_store *)base;
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check(5)", -1, &st, NULL) != SQLITE_OK) {
        rc = db_fail(s, err, errlen, "could not check the file");
        goto done;
    }
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW) {
        rc = db_fail(s, err, errlen, "the file is damaged");
        goto done;
    }
    const char *first = (const char *)sqlite3_column_text(st, 0);
    if (!first || strcmp(first, "ok") != 0) {
        imv_store_err(err, errlen, "%s: the file is damaged (SQLite integrity check: %s)", s->path,
                      first ? first : "no answer");
        rc = IMV_REG_ECORRUPT;
    }
done:
    sqlite3_finalize(st);
    return rc;
}

static void sq_close(imv_store *base)
{
    sq_store *s = (sq_store *)base;
    if (!s)
        return;
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

static const imv_store_ops sq_ops = {
    "sqlite", sq_begin, sq_commit,     sq_rollback, sq_tail, sq_put_blob, sq_get_blob, sq_insert,
    sq_get,   sq_scan,  sq_scan_blobs, sq_check,    NULL,    sq_close,    sq_snapshot,
};

/* Bring the schema from `from` to `to` in one transaction, re-reading the
 * version under the lock (another process may have migrated meanwhile). */
static int migrate(sq_store *s, long to, char *err, size_t errlen)
{
    int rc = sq_begin(&s->base, err, errlen);
    if (rc)
        return rc;
    long from = 0;
    if ((rc = pragma_int(s, "PRAGMA user_version", &from, err, errlen)))
        goto fail;
    for (long v = from; v < to; v++)
        if ((rc = exec(s, migrations[v], err, errlen)))
            goto fail;
    if (from < to) {
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %ld", APP_ID,
                 to);
        if ((rc = exec(s, sql, err, errlen)))
            goto fail;
    }
    return sq_commit(&s->base, err, errlen);
fail:
    sq_rollback(&s->base);
    return rc;
}

static int sq_prepare(sq_store *s, int create, int version, char *err, size_t errlen)
{
    long app = 0, ver = 0, tables = 0;
    int rc;
    if ((rc = pragma_int(s, "PRAGMA application_id", &app, err, errlen)) ||
        (rc = pragma_int(s, "PRAGMA user_version", &ver, err, errlen)) ||
        (rc = pragma_int(s, "SELECT count(*) FROM sqlite_master", &tables, err, errlen)))
        return rc == IMV_REG_EDB ? IMV_REG_ECORRUPT : rc;
    if (tables == 0 && ver == 0) {
        if (!create) {
            imv_store_err(err, errlen,
                          "%s is empty, not a register: create one with `imeval register init %s`",
                          s->path, s->path);
            return IMV_REG_ENOTFOUND;
        }
        /* journal_mode cannot change inside a transaction; it is kept in
         * the file from now on. */
        if ((rc = exec(s, "PRAGMA journal_mode = WAL", err, errlen)))
            return rc;
        return migrate(s, version, err, errlen);
    }
    if (app != APP_ID) {
        imv_store_err(err, errlen,
                      "%s is a SQLite database but not an imeval register (application_id %ld): "
                      "name another file",
                      s->path, app);
        return IMV_REG_ECORRUPT;
    }
    if (ver > IMV_REGISTER_SCHEMA) {
        imv_store_err(err, errlen,
                      "%s has register schema version %ld, newer than this imeval's (%d): use "
                      "the imeval that made it or a newer one; the register was not changed",
                      s->path, ver, IMV_REGISTER_SCHEMA);
        return IMV_REG_EVERSION;
    }
    if (ver < IMV_REGISTER_SCHEMA && !(create && ver >= version))
        return migrate(s, IMV_REGISTER_SCHEMA, err, errlen);
    return 0;
}

int imv_store_sqlite_open(const char *path, int create, int version, imv_store **out, char *err,
                          size_t errlen)
{
    struct stat sb;
    *out = NULL;
    if (stat(path, &sb) != 0) {
        if (!create || errno != ENOENT) {
            imv_store_err(err, errlen,
                          "no register at %s (%s): create one with `imeval register init %s`", path,
                          strerror(errno), path);
            return IMV_REG_ENOTFOUND;
        }
    } else if (S_ISDIR(sb.st_mode)) {
        imv_store_err(err, errlen, "%s is a directory: name a register file, e.g. %s/register.db",
                      path, path);
        return IMV_EUSAGE;
    }
    sq_store *s = imv_xcalloc(1, sizeof *s);
    s->base.ops = &sq_ops;
    s->path = imv_xstrdup(path);
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    int rc = 0;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        rc = db_fail(s, err, errlen, "could not open the register");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_MS);
    if ((rc = exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL", err, errlen)))
        goto fail;
    if ((rc = sq_prepare(s, create, version, err, errlen)))
        goto fail;
    *out = &s->base;
    return 0;
fail:
    sq_close(&s->base);
    return rc;
}
