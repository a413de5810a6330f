/*
 * pg.c - the register in a PostgreSQL database, for a team sharing one.
 *
 * The same rows as the SQLite file, with the rules enforced by the server,
 * not only by imeval: triggers refuse UPDATE, DELETE and TRUNCATE on
 * entries and documents; PUBLIC has no rights; role imeval_adviser may
 * read and append; role imeval_reader (a partner council's login roles are
 * made members of it) may read only the entries of the authorities it is
 * granted in reader_grant, through row-level security.  Writers queue on a
 * transaction-scoped advisory lock so the chain has one tail.
 *
 * Authentication is libpq's own: the URL names host, database and user;
 * passwords belong in PGPASSFILE (~/.pgpass) or a service file, or are not
 * needed at all with peer authentication on a Unix socket.  Nothing here
 * prints or stores the URL; register.c redacts it for messages.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "internal.h"
#include "store.h"

/* libpq is loaded when a PostgreSQL register is opened, not linked: with
 * what it pulls in (OpenSSL, Kerberos, LDAP, SASL) it was about 3 ms of
 * CPU and 10 M instructions at every start of imeval, a third of
 * evaluating one profile, for a library most runs never call. */
/* clang-format off: one function a line (it reflows this list on every run) */
#define PQ_FUNCS(X)         \
    X(PQclear)              \
    X(PQconnectdbParams)    \
    X(PQerrorMessage)       \
    X(PQescapeIdentifier)   \
    X(PQexec)               \
    X(PQexecParams)         \
    X(PQfinish)             \
    X(PQfreemem)            \
    X(PQgetResult)          \
    X(PQgetisnull)          \
    X(PQgetlength)          \
    X(PQgetvalue)           \
    X(PQntuples)            \
    X(PQresultErrorField)   \
    X(PQresultErrorMessage) \
    X(PQresultStatus)       \
    X(PQsendQueryParams)    \
    X(PQsetSingleRowMode)   \
    X(PQstatus)             \
    X(PQtransactionStatus)
/* clang-format on */

#define PQ_FIELD(f) __typeof__(f) *f;
static struct {
    PQ_FUNCS(PQ_FIELD)
} pq;

#define PQ_SYM(f)                          \
    if (!(*(void **)&pq.f = dlsym(h, #f))) \
        missing = #f;

/* Load libpq once (the register is opened from one thread); 0, or -1 with
 * what to install in err. */
static int pq_load(char *err, size_t errlen)
{
    static int loaded;
    if (loaded)
        return 0;
    void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        imv_store_err(err, errlen,
                      "PostgreSQL register: cannot load the PostgreSQL client library "
                      "(libpq.so.5: %s): install it (Debian: apt-get install libpq5)",
                      dlerror());
        return -1;
    }
    const char *missing = NULL;
    PQ_FUNCS(PQ_SYM)
    if (missing) {
        imv_store_err(err, errlen,
                      "PostgreSQL register: libpq.so.5 has no %s: install libpq 12 or newer",
                      missing);
        dlclose(h);
        return -1;
    }
    loaded = 1;
    return 0;
}

/* From here on every PQ call goes through the loaded library. */
#define PQclear pq.PQclear
#define PQconnectdbParams pq.PQconnectdbParams
#define PQerrorMessage pq.PQerrorMessage
#define PQescapeIdentifier pq.PQescapeIdentifier
#define PQexec pq.PQexec
#define PQexecParams pq.PQexecParams
#define PQfinish pq.PQfinish
#define PQfreemem pq.PQfreemem
#define PQgetResult pq.PQgetResult
#define PQgetisnull pq.PQgetisnull
#define PQgetlength pq.PQgetlength
#define PQgetvalue pq.PQgetvalue
#define PQntuples pq.PQntuples
#define PQresultErrorField pq.PQresultErrorField
#define PQresultErrorMessage pq.PQresultErrorMessage
#define PQresultStatus pq.PQresultStatus
#define PQsendQueryParams pq.PQsendQueryParams
#define PQsetSingleRowMode pq.PQsetSingleRowMode
#define PQstatus pq.PQstatus
#define PQtransactionStatus pq.PQtransactionStatus

#define CHAIN_LOCK 1768777078 /* 'imev' */

typedef struct pg_store {
    imv_store base;
    PGconn *c;
} pg_store;

static const char schema_v1[] =
    "CREATE TABLE register_meta(key text PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE blob("
    " sha256 text PRIMARY KEY CHECK (length(sha256) = 64),"
    " kind text NOT NULL CHECK (kind IN ('profile','result')),"
    " body text NOT NULL CHECK ((body::jsonb) IS NOT NULL),"
    " bytes bigint NOT NULL);"
    "CREATE TABLE entry("
    " seq bigint PRIMARY KEY CHECK (seq > 0),"
    " id text NOT NULL UNIQUE,"
    " kind text NOT NULL CHECK (kind IN ('assessment','review','decision','assumption','sign-off')),"
    " authority text NOT NULL,"
    " ref text REFERENCES entry(id),"
    " supersedes text REFERENCES entry(id),"
    " at text NOT NULL, author text NOT NULL, role text,"
    " as_of text, grade text, model text, status text, finding text, rating double precision,"
    " profile_sha text REFERENCES blob(sha256),"
    " result_sha text REFERENCES blob(sha256),"
    " body text NOT NULL CHECK ((body::jsonb) IS NOT NULL),"
    " hash text NOT NULL UNIQUE CHECK (length(hash) = 64),"
    " prev_hash text NOT NULL CHECK (length(prev_hash) = 64),"
    " row_hash text NOT NULL UNIQUE CHECK (length(row_hash) = 64));"
    "CREATE TABLE reader_grant(grantee name NOT NULL, authority text NOT NULL,"
    " PRIMARY KEY (grantee, authority));"
    "CREATE FUNCTION imeval_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION 'the register is append-only: record a correction that supersedes"
    " the entry'; END $$;"
    "CREATE TRIGGER entry_append_only BEFORE UPDATE OR DELETE ON entry"
    " FOR EACH ROW EXECUTE FUNCTION imeval_append_only();"
    "CREATE TRIGGER entry_no_truncate BEFORE TRUNCATE ON entry"
    " FOR EACH STATEMENT EXECUTE FUNCTION imeval_append_only();"
    "CREATE TRIGGER blob_append_only BEFORE UPDATE OR DELETE ON blob"
    " FOR EACH ROW EXECUTE FUNCTION imeval_append_only();"
    "CREATE TRIGGER blob_no_truncate BEFORE TRUNCATE ON blob"
    " FOR EACH STATEMENT EXECUTE FUNCTION imeval_append_only();"
    "DO $$ BEGIN"
    " IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'imeval_adviser') THEN"
    "  CREATE ROLE imeval_adviser NOLOGIN; END IF;"
    " IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'imeval_reader') THEN"
    "  CREATE ROLE imeval_reader NOLOGIN; END IF;"
    " END $$;"
    "REVOKE ALL ON register_meta, blob, entry, reader_grant FROM PUBLIC;"
    "GRANT SELECT ON register_meta, reader_grant TO imeval_adviser, imeval_reader;"
    "GRANT SELECT, INSERT ON blob, entry TO imeval_adviser;"
    "GRANT SELECT ON blob, entry TO imeval_reader;"
    "ALTER TABLE entry ENABLE ROW LEVEL SECURITY;"
    "ALTER TABLE blob ENABLE ROW LEVEL SECURITY;"
    "CREATE POLICY adviser_entries ON entry TO imeval_adviser USING (true) WITH CHECK (true);"
    "CREATE POLICY adviser_blobs ON blob TO imeval_adviser USING (true) WITH CHECK (true);"
    "CREATE POLICY reader_entries ON entry FOR SELECT TO imeval_reader USING (EXISTS ("
    " SELECT 1 FROM reader_grant g WHERE g.authority = entry.authority"
    " AND pg_has_role(current_user, g.grantee, 'MEMBER')));"
    "CREATE POLICY reader_blobs ON blob FOR SELECT TO imeval_reader USING (EXISTS ("
    " SELECT 1 FROM entry e WHERE e.profile_sha = blob.sha256 OR e.result_sha = blob.sha256));"
    "INSERT INTO register_meta VALUES ('schema_version', '1');";

static const char migrate_v2[] = "CREATE INDEX entry_authority ON entry(authority, seq);"
                                 "CREATE INDEX entry_ref ON entry(ref);"
                                 "CREATE INDEX entry_supersedes ON entry(supersedes);"
                                 "CREATE INDEX entry_profile ON entry(profile_sha);"
                                 "CREATE INDEX entry_result ON entry(result_sha);";

static const char *const migrations[] = {schema_v1, migrate_v2};

/* libpq's message, on one line, without the trailing newline. */
static int pg_fail(pg_store *s, const PGresult *res, char *err, size_t errlen, const char *what)
{
    const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(s->c);
    if (!m || !*m)
        m = PQerrorMessage(s->c);
    char *one = imv_xstrdup(m ? m : "");
    for (char *p = one; *p; p++)
        if (*p == '\n')
            *p = p[1] ? ' ' : 0;
    imv_store_err(err, errlen, "PostgreSQL register: %s: %s", what, one);
    free(one);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && strncmp(state, "42", 2) == 0 && strcmp(state, "42501") != 0)
        return IMV_REG_ECORRUPT; /* undefined table or column: not a register */
    return IMV_REG_EDB;
}

static int run(pg_store *s, const char *sql, char *err, size_t errlen, const char *what)
{
    PGresult *res = PQexec(s->c, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    int rc = ok ? 0 : pg_fail(s, res, err, errlen, what);
    PQclear(res);
    return rc;
}

static PGresult *query(pg_store *s, const char *sql, int n, const char *const *values)
{
    return PQexecParams(s->c, sql, n, NULL, values, NULL, NULL, 0);
}

static int pg_begin(imv_store *base, char *err, size_t errlen)
{
    pg_store *s = (pg_store *)base;
    char sql[96];
    snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%d)", CHAIN_LOCK);
    return run(s, sql, err, errlen, "could not start a transaction");
}

static int pg_commit(imv_store *base, char *err, size_t errlen)
{
    return run((pg_store *)base, "COMMIT", err, errlen, "could not commit");
}

static int pg_snapshot(imv_store *base, char *err, size_t errlen)
{
    return run((pg_store *)base, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errlen,
               "could not start a read transaction");
}

static void pg_rollback(imv_store *base)
{
    pg_store *s = (pg_store *)base;
    if (PQtransactionStatus(s->c) != PQTRANS_IDLE)
        PQclear(PQexec(s->c, "ROLLBACK"));
}

static int pg_tail(imv_store *base, long *seq, char row_hash[65], char *err, size_t errlen)
{
    pg_store *s = (pg_store *)base;
    *seq = 0;
    row_hash[0] = 0;
    PGresult *res = query(s, "SELECT seq, row_hash FROM entry ORDER BY seq DESC LIMIT 1", 0, NULL);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_fail(s, res, err, errlen, "could not read the last entry");
    else if (PQntuples(res) == 1) {
        *seq = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        snprintf(row_hash, 65, "%s", PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return rc;
}

static int pg_put_blob(imv_store *base, const char *sha, const char *kind, const char *body,
                       size_t len, char *err, size_t errlen)
{
    pg_store *s = (pg_store *)base;
    char bytes[32];
    snprintf(bytes, sizeof bytes, "%zu", len);
    const char *v[] = {sha, kind, body, bytes};
    PGresult *res = query(s,
                          "INSERT INTO blob(sha256, kind, body, bytes) VALUES ($1, $2, $3, $4)"
                          " ON CONFLICT (sha256) DO NOTHING",
                          4, v);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK
                 ? 0
                 : pg_fail(s, res, err, errlen, "could not store a document");
    PQclear(res);
    return rc;
}

static int pg_get_blob(imv_store *base, const char *sha, char **body, size_t *len, char *err,
                       size_t errlen)
{
    pg_store *s = (pg_store *)base;
    const char *v[] = {sha};
    PGresult *res = query(s, "SELECT body FROM blob WHERE sha256 = $1", 1, v);
    int rc = 1;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_fail(s, res, err, errlen, "could not read a document");
    else if (PQntuples(res) == 1) {
        *len = (size_t)PQgetlength(res, 0, 0);
        *body = imv_xstrndup(PQgetvalue(res, 0, 0), *len);
        rc = 0;
    }
    PQclear(res);
    return rc;
}

static int pg_insert(imv_store *base, const imv_register_entry *e, char *err, size_t errlen)
{
    pg_store *s = (pg_store *)base;
    const char *v[IMV_STORE_NCOLUMNS];
    char bufs[IMV_STORE_NCOLUMNS][64];
    for (int i = 0; i < IMV_STORE_NCOLUMNS; i++)
        v[i] = imv_store_column_text(e, i, bufs[i], sizeof bufs[i]);
    if (e->has_rating)
        snprintf(bufs[14], sizeof bufs[14], "%.17g", e->rating);
    PGresult *res = query(s,
                          "INSERT INTO entry(" IMV_STORE_COLUMNS ") VALUES ($1, $2, $3, $4,"
                          " $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
                          " $19, $20, $21)",
                          IMV_STORE_NCOLUMNS, v);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK
                 ? 0
                 : pg_fail(s, res, err, errlen, "could not record the entry");
    PQclear(res);
    return rc;
}

static void row_to_entry(const PGresult *res, int row, imv_register_entry *e)
{
    memset(e, 0, sizeof *e);
    for (int i = 0; i < IMV_STORE_NCOLUMNS; i++)
        imv_store_column_set(e, i, PQgetisnull(res, row, i) ? NULL : PQgetvalue(res, row, i));
}

static int pg_get(imv_store *base, const char *column, const char *value, imv_register_entry *out,
                  char *err, size_t errlen)
{
    pg_store *s = (pg_store *)base;
    const char *v[] = {value};
    PGresult *res = query(s,
                          strcmp(column, "hash") == 0
                              ? "SELECT " IMV_STORE_COLUMNS " FROM entry WHERE hash = $1"
                              : "SELECT " IMV_STORE_COLUMNS " FROM entry WHERE id = $1",
                          1, v);
    int rc = 1;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_fail(s, res, err, errlen, "could not read an entry");
    else if (PQntuples(res) == 1) {
        row_to_entry(res, 0, out);
        rc = 0;
    }
    PQclear(res);
    return rc;
}

/* Rows one at a time (single-row mode), so exporting a large register
 * does not hold it all in memory. */
static int scan_rows(pg_store *s, const char *sql, int n, const char *const *v,
                     int (*row)(void *ctx, const PGresult *res), void *ctx, char *err, size_t errlen)
{
    if (!PQsendQueryParams(s->c, sql, n, NULL, v, NULL, NULL, 0) || !PQsetSingleRowMode(s->c))
        return pg_fail(s, NULL, err, errlen, "could not read the register");
    int rc = 0;
    PGresult *res;
    while ((res = PQgetResult(s->c))) {
        ExecStatusType t = PQresultStatus(res);
        if (t == PGRES_SINGLE_TUPLE && rc == 0)
            rc = row(ctx, res);
        else if (t != PGRES_SINGLE_TUPLE && t != PGRES_TUPLES_OK && rc == 0)
            rc = pg_fail(s, res, err, errlen, "could not read the register");
        PQclear(res);
    }
    return rc;
}

typedef struct entry_row_ctx {
    imv_store_entry_cb cb;
    void *ctx;
} entry_row_ctx;

static int entry_row(void *ctx, const PGresult *res)
{
    entry_row_ctx *c = ctx;
    imv_register_entry e;
    row_to_entry(res, 0, &e);
    int rc = c->cb(c->ctx, &e);
    imv_register_entry_clear(&e);
    return rc;
}

static int pg_scan(imv_store *base, const char *authority, int light, imv_store_entry_cb cb,
                   void *ctx, char *err, size_t errlen)
{
    entry_row_ctx c = {cb, ctx};
    const char *v[] = {authority};
    const char *sql = light ? (authority ? "SELECT " IMV_STORE_LIGHT_COLUMNS
                                           " FROM entry WHERE authority = $1 ORDER BY seq"
                                         : "SELECT " IMV_STORE_LIGHT_COLUMNS
                                           " FROM entry ORDER BY seq")
                            : (authority ? "SELECT " IMV_STORE_COLUMNS
                                           " FROM entry WHERE authority = $1 ORDER BY seq"
                                         : "SELECT " IMV_STORE_COLUMNS " FROM entry ORDER BY seq");
    return scan_rows((pg_store *)base, sql, authority ? 1 : 0, authority ? v : NULL, entry_row, &c,
                     err, errlen);
}

typedef struct blob_row_ctx {
    imv_store_blob_cb cb;
    void *ctx;
} blob_row_ctx;

static int blob_row(void *ctx, const PGresult *res)
{
    blob_row_ctx *c = ctx;
    return c->cb(c->ctx, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
                 (size_t)PQgetlength(res, 0, 2));
}

static int pg_scan_blobs(imv_store *base, imv_store_blob_cb cb, void *ctx, char *err, size_t errlen)
{
    blob_row_ctx c = {cb, ctx};
    return scan_rows((pg_store *)base, IMV_STORE_BLOB_ORDER_SQL, 0, NULL, blob_row, &c, err, errlen);
}

static int pg_check(imv_store *base, char *err, size_t errlen)
{
    /* The server keeps its own files consistent (WAL, checksums when the
     * cluster has them); a dropped trigger is what a register check can
     * still see. */
    pg_store *s = (pg_store *)base;
    PGresult *res = query(s,
                          "SELECT count(*) FROM pg_trigger WHERE tgrelid IN"
                          " ('entry'::regclass, 'blob'::regclass) AND tgenabled <> 'D'"
                          " AND NOT tgisinternal",
                          0, NULL);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_fail(s, res, err, errlen, "could not check the append-only triggers");
    else if (strtol(PQgetvalue(res, 0, 0), NULL, 10) < 4) {
        imv_store_err(err, errlen,
                      "PostgreSQL register: an append-only trigger was dropped or "
                      "disabled: entries may have been changed; restore them with "
                      "`imeval register init` as the owner and verify again");
        rc = IMV_REG_ECORRUPT;
    }
    PQclear(res);
    return rc;
}

static int pg_grant(imv_store *base, const char *role, int adviser, const char *authority,
                    char *err, size_t errlen)
{
    pg_store *s = (pg_store *)base;
    char *ident = PQescapeIdentifier(s->c, role, strlen(role));
    if (!ident)
        return pg_fail(s, NULL, err, errlen, "bad role name");
    char *sql = imv_xasprintf("GRANT %s TO %s", adviser ? "imeval_adviser" : "imeval_reader", ident);
    PQfreemem(ident);
    int rc = run(s, sql, err, errlen, "could not grant the role (only the register's owner can)");
    free(sql);
    if (rc == 0 && authority) {
        const char *v[] = {role, authority};
        PGresult *res = query(s,
                              "INSERT INTO reader_grant(grantee, authority) VALUES ($1, $2)"
                              " ON CONFLICT DO NOTHING",
                              2, v);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = pg_fail(s, res, err, errlen, "could not grant reading the authority");
        PQclear(res);
    }
    return rc;
}

static void pg_close(imv_store *base)
{
    pg_store *s = (pg_store *)base;
    if (!s)
        return;
    PQfinish(s->c);
    free(s);
}

static const imv_store_ops pg_ops = {
    "postgresql",  pg_begin,    pg_commit, pg_rollback, pg_tail,
    pg_put_blob,   pg_get_blob, pg_insert, pg_get,      pg_scan,
    pg_scan_blobs, pg_check,    pg_grant,  pg_close,    pg_snapshot,
};

static int schema_version(pg_store *s, long *ver, int *exists, char *err, size_t errlen)
{
    *ver = 0;
    *exists = 0;
    PGresult *res = query(s,
                          "SELECT to_regclass('register_meta') IS NOT NULL,"
                          " to_regclass('entry') IS NOT NULL",
                          0, NULL);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        int rc = pg_fail(s, res, err, errlen, "could not read the schema");
        PQclear(res);
        return rc;
    }
    int meta = PQgetvalue(res, 0, 0)[0] == 't';
    *exists = meta || PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    if (!meta)
        return 0;
    res = query(s, "SELECT value FROM register_meta WHERE key = 'schema_version'", 0, NULL);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_fail(s, res, err, errlen, "could not read the schema version");
    else if (PQntuples(res) == 1)
        *ver = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return rc;
}

static int migrate(pg_store *s, long to, char *err, size_t errlen)
{
    int rc = pg_begin(&s->base, err, errlen), exists;
    long from = 0;
    if (rc)
        return rc;
    if ((rc = schema_version(s, &from, &exists, err, errlen)))
        goto fail;
    for (long v = from; v < to; v++)
        if ((rc = run(s, migrations[v], err, errlen,
                      "could not bring the schema up to date (the register's owner must do "
                      "this once: `imeval register init URL`)")))
            goto fail;
    if (from < to) {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "UPDATE register_meta SET value = '%ld' WHERE key = 'schema_version'", to);
        if ((rc = run(s, sql, err, errlen, "could not record the schema version")))
            goto fail;
    }
    return pg_commit(&s->base, err, errlen);
fail:
    pg_rollback(&s->base);
    return rc;
}

int imv_store_pg_open(const char *url, int create, int version, imv_store **out, char *err,
                      size_t errlen)
{
    *out = NULL;
    if (pq_load(err, errlen))
        return IMV_REG_EDB;
    pg_store *s = imv_xcalloc(1, sizeof *s);
    s->base.ops = &pg_ops;
    const char *keys[] = {"dbname", "application_name", "client_encoding", NULL};
    const char *vals[] = {url, "imeval", "UTF8", NULL};
    s->c = PQconnectdbParams(keys, vals, 1);
    int rc = 0, exists;
    long ver;
    if (!s->c || PQstatus(s->c) != CONNECTION_OK) {
        rc = pg_fail(s, NULL, err, errlen, "could not connect");
        goto fail;
    }
    PQclear(PQexec(s->c, "SET client_min_messages = warning"));
    if ((rc = schema_version(s, &ver, &exists, err, errlen)))
        goto fail;
    if (!exists) {
        if (!create) {
            imv_store_err(err, errlen,
                          "PostgreSQL register: this database holds no register: "
                          "create one with `imeval register init URL`");
            rc = IMV_REG_ENOTFOUND;
            goto fail;
        }
        rc = migrate(s, version, err, errlen);
    } else if (ver > IMV_REGISTER_SCHEMA) {
        imv_store_err(err, errlen,
                      "PostgreSQL register: schema version %ld is newer than this "
                      "imeval's (%d): use a newer imeval; the register was not "
                      "changed",
                      ver, IMV_REGISTER_SCHEMA);
        rc = IMV_REG_EVERSION;
    } else if (ver < 1) {
        imv_store_err(err, errlen,
                      "PostgreSQL register: the database has tables named like a "
                      "register's but no schema version: not an imeval register");
        rc = IMV_REG_ECORRUPT;
    } else if (ver < IMV_REGISTER_SCHEMA && !(create && ver >= version)) {
        rc = migrate(s, IMV_REGISTER_SCHEMA, err, errlen);
    }
    if (rc)
        goto fail;
    *out = &s->base;
    return 0;
fail:
    pg_close(&s->base);
    return rc;
}
