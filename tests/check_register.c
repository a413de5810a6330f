/*
 * check_register.c - the assessment register against both backends, each
 * real: a SQLite file, and a PostgreSQL server started for this suite by
 * tests/pg-cluster.sh (a throw-away cluster on a Unix socket).  Every test
 * named with a loop runs once per backend (_i: 0 SQLite, 1 PostgreSQL).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sqlite3.h>
#include <time.h>

#include "register.h"
#include "sha256.h"
#include "testutil.h"
#include "uncertainty.h"

int imv_register_init_version(const char *location, int version, char *err, size_t errlen);

static char pg_dir[128];
static char pg_admin[256]; /* URL of the cluster's postgres database, as owner */
static int pg_up;

/* A new, empty register location for backend b. */
static char *fresh(int b)
{
    static int n;
    char *loc = malloc(512);
    if (b == 0) {
        snprintf(loc, 512, "/tmp/imv-reg-%d-%d.db", (int)getpid(), n++);
        unlink(loc);
        return loc;
    }
    ck_assert_msg(pg_up, "the PostgreSQL test cluster did not start (see tests/pg-cluster.sh "
                         "output above)");
    char db[64];
    snprintf(db, sizeof db, "r_%d_%d", (int)getpid(), n++);
    PGconn *c = PQconnectdb(pg_admin);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
    PGresult *res = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
    PQclear(res);
    PQfinish(c);
    snprintf(loc, 512, "postgresql:///%s?host=%s&user=imeval_owner", db, pg_dir);
    return loc;
}

static char *as_user(const char *loc, const char *user)
{
    char *u = strdup(loc);
    char *p = strstr(u, "user=");
    ck_assert_ptr_nonnull(p);
    *p = 0;
    char *out = malloc(strlen(u) + strlen(user) + 8);
    sprintf(out, "%suser=%s", u, user);
    free(u);
    return out;
}

static void drop(int b, char *loc)
{
    if (b == 0) {
        char p[600];
        unlink(loc);
        snprintf(p, sizeof p, "%s-wal", loc);
        unlink(p);
        snprintf(p, sizeof p, "%s-shm", loc);
        unlink(p);
    }
    free(loc);
}

/* Raw SQL against the register, bypassing imeval (as its owner). */
static int raw_sql(int b, const char *loc, const char *sql, char *msg, size_t n)
{
    msg[0] = 0;
    if (b == 0) {
        sqlite3 *db;
        char *e = NULL;
        ck_assert_int_eq(sqlite3_open(loc, &db), SQLITE_OK);
        int rc = sqlite3_exec(db, sql, NULL, NULL, &e);
        snprintf(msg, n, "%s", e ? e : "");
        sqlite3_free(e);
        sqlite3_close(db);
        return rc == SQLITE_OK ? 0 : -1;
    }
    PGconn *c = PQconnectdb(loc);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
    PGresult *res = PQexec(c, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    snprintf(msg, n, "%s", PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(c);
    return ok ? 0 : -1;
}

/* A client killed with SIGKILL may leave its server backend still running
 * the statement it sent last: that statement can commit after the kill.
 * Wait until no other session is connected to the register's database, so
 * that what the test counts next is final. */
static void settle(int b, const char *loc)
{
    if (b == 0)
        return;
    PGconn *c = PQconnectdb(loc);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
    for (int tries = 0;; tries++) {
        PGresult *res = PQexec(c, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                  "current_database() AND pid <> pg_backend_pid() "
                                  "AND backend_type = 'client backend'");
        ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
        int others = atoi(PQgetvalue(res, 0, 0));
        PQclear(res);
        if (others == 0)
            break;
        ck_assert_msg(tries < 30000, "a killed writer's session is still open after 300 s");
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    PQfinish(c);
}

static imv_register *open_ok(const char *loc, int create)
{
    imv_register *r = NULL;
    char err[1024];
    int rc = imv_register_open(loc, create, &r, err, sizeof err);
    ck_assert_msg(rc == 0, "open %s: %s", loc, err);
    return r;
}

/* A small assessment without the engine: for tests of the register alone. */
static int add_assessment(imv_register *r, const char *authority, const char *id, const char *as_of,
                          const char *grade, double rating, const char *model,
                          const char *review_of, char *err, size_t errlen)
{
    char prof[256], res[256];
    snprintf(prof, sizeof prof, "{\"id\":\"%s-%s\",\"as_of\":\"%s\",\"n\":%ld}", authority, as_of,
             as_of, random());
    snprintf(res, sizeof res, "{\"format\":\"imeval-result/1\",\"recommended\":\"%s\",\"n\":%ld}",
             model, random());
    imv_register_blob blobs[2] = {{"profile", prof, strlen(prof), ""},
                                  {"result", res, strlen(res), ""}};
    imv_register_entry e = {.kind = strdup(review_of ? "review" : "assessment"),
                            .id = id ? strdup(id) : NULL,
                            .authority = strdup(authority),
                            .ref = review_of ? strdup(review_of) : NULL,
                            .author = strdup("tester"),
                            .role = strdup("adviser"),
                            .as_of = strdup(as_of),
                            .grade = strdup(grade),
                            .model = strdup(model),
                            .has_rating = 1,
                            .rating = rating};
    int rc = imv_register_append(r, &e, blobs, 2, err, errlen);
    imv_register_entry_clear(&e);
    return rc;
}

static int add_decision(imv_register *r, const char *id, const char *on, const char *model,
                        const char *rationale, const char *supersedes, char *err, size_t errlen)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "rationale", rationale ? rationale : "");
    imv_register_entry e = {.kind = strdup("decision"),
                            .id = id ? strdup(id) : NULL,
                            .ref = strdup(on),
                            .model = strdup(model),
                            .author = strdup("dfe"),
                            .role = strdup("approver"),
                            .supersedes = supersedes ? strdup(supersedes) : NULL,
                            .body = cJSON_PrintUnformatted(b)};
    cJSON_Delete(b);
    int rc = imv_register_append(r, &e, NULL, 0, err, errlen);
    imv_register_entry_clear(&e);
    return rc;
}

static long count_entries(imv_register *r)
{
    imv_register_entry *v;
    size_t n;
    char err[512];
    ck_assert_int_eq(imv_register_list(r, NULL, &v, &n, err, sizeof err), 0);
    imv_register_entries_free(v, n);
    return (long)n;
}

static void verify_ok(imv_register *r, long entries)
{
    imv_register_verify_result res;
    char err[1024];
    int rc = imv_register_verify(r, NULL, &res, err, sizeof err);
    ck_assert_msg(rc == 0, "verify: %s", err);
    if (entries >= 0)
        ck_assert_int_eq(res.entries, entries);
}

/* The engine's evaluation of one bundled case, for recording. */
typedef struct evaluated {
    imv_registry *reg;
    imv_worker *w;
    imv_profile *p;
    imv_evaluation e;
} evaluated;

static void evaluate_case(evaluated *x, const char *file, const char *extra_model)
{
    imv_limits lim;
    imv_limits_default(&lim);
    imv_diags d;
    imv_diags_init(&d);
    x->reg = imv_registry_new(&lim);
    ck_assert_int_ge(imv_registry_load_dir(x->reg, TU_MODELS, 1, &d), 0);
    if (extra_model) {
        ck_assert_int_eq(imv_registry_select(x->reg, "commissioner,trust", &d), 0);
        ck_assert_int_ge(imv_registry_load_file(x->reg, extra_model, 0, &d), 0);
    }
    ck_assert_int_eq((int)d.n_errors, 0);
    char path[512];
    snprintf(path, sizeof path, "%s/cases/%s", TU_DATASETS, file);
    imv_reader *rd = imv_reader_open(path, &(imv_read_opts){0}, &d);
    ck_assert_ptr_nonnull(rd);
    ck_assert_int_eq(imv_reader_next(rd, &x->p, &d), 1);
    imv_reader_close(rd);
    x->w = imv_worker_new(x->reg);
    ck_assert_int_eq(imv_evaluate(x->w, x->p, &x->e), 0);
    imv_diags_free(&d);
}

static void evaluated_free(evaluated *x)
{
    imv_evaluation_clear(&x->e);
    imv_worker_free(x->w);
    imv_profile_free(x->p);
    imv_registry_free(x->reg);
}

START_TEST(register__records_an_evaluation_and_verifies)
{
    char *loc = fresh(_i), err[1024], id[128];
    imv_register *r = open_ok(loc, 1);
    evaluated x;
    evaluate_case(&x, "torbay-2018.json", NULL);
    char *argv[] = {"imeval", "evaluate", "torbay-2018.json"};
    imv_register_run run = {.draws = 0, .seed = 1, .argc = 3, .argv = argv};
    imv_register_assessment_in in = {.id = "torbay-2018-a", .author = "alice"};
    int rc = imv_register_record_evaluation(r, x.reg, &x.e, &run, NULL, &in, id, sizeof id, err,
                                            sizeof err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_str_eq(id, "torbay-2018-a");
    /* The same id again is refused, and nothing is added. */
    ck_assert_int_eq(imv_register_record_evaluation(r, x.reg, &x.e, &run, NULL, &in, id, sizeof id,
                                                    err, sizeof err),
                     IMV_REG_ECONFLICT);
    imv_register_assessment *a = NULL;
    ck_assert_int_eq(imv_register_assessment_get(r, "torbay-2018-a", &a, err, sizeof err), 0);
    ck_assert_str_eq(a->entry->authority, "torbay");
    ck_assert_str_eq(a->entry->as_of, "2018-04");
    ck_assert_str_eq(a->entry->grade, "inadequate");
    ck_assert_str_eq(a->entry->model, x.e.recommended);
    ck_assert_ptr_nonnull(strstr(a->profile_json, "\"id\":\"torbay-2018\""));
    /* The stored result is the evaluate --format json document, hashed. */
    size_t len;
    char *doc = imv_register_result_json(x.reg, &x.e, &len);
    ck_assert_str_eq(a->result_json, doc);
    unsigned char d[32];
    char hex[65];
    imv_sha256(doc, len, d);
    ck_assert_str_eq(a->entry->result_sha, imv_sha256_hex(d, hex));
    /* The run: every model with version, file hash and parameters. */
    cJSON *body = cJSON_Parse(a->entry->body);
    cJSON *models = cJSON_GetObjectItem(cJSON_GetObjectItem(body, "run"), "models");
    ck_assert_int_eq(cJSON_GetArraySize(models), (int)imv_registry_count(x.reg));
    cJSON *m0 = cJSON_GetArrayItem(models, 0);
    ck_assert_int_eq((int)strlen(cJSON_GetObjectItem(m0, "sha256")->valuestring), 64);
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(m0, "version"));
    ck_assert(cJSON_IsObject(cJSON_GetObjectItem(m0, "parameters")));
    cJSON_Delete(body);
    ck_assert_ptr_null(a->decision);
    imv_register_assessment_free(a);
    free(doc);
    verify_ok(r, 1);
    /* Decided and signed: the report reads them back. */
    ck_assert_int_eq(add_decision(r, "D1", "torbay-2018-a", x.e.recommended, "as recommended", NULL,
                                  err, sizeof err),
                     0);
    imv_register_entry s = {.kind = strdup("sign-off"),
                            .ref = strdup("D1"),
                            .author = strdup("bob"),
                            .role = strdup("assurer")};
    ck_assert_msg(imv_register_append(r, &s, NULL, 0, err, sizeof err) == 0, "%s", err);
    imv_register_entry_clear(&s);
    ck_assert_int_eq(imv_register_assessment_get(r, "torbay-2018-a", &a, err, sizeof err), 0);
    ck_assert_ptr_nonnull(a->decision);
    ck_assert_str_eq(a->decision->id, "D1");
    ck_assert_int_eq((int)a->n_signoffs, 1);
    ck_assert_str_eq(a->signoffs[0].role, "assurer");
    imv_register_assessment_free(a);
    verify_ok(r, 3);
    imv_register_close(r);
    evaluated_free(&x);
    drop(_i, loc);
}
END_TEST

START_TEST(register__database_refuses_update_and_delete)
{
    char *loc = fresh(_i), err[1024], msg[1024];
    imv_register *r = open_ok(loc, 1);
    ck_assert_int_eq(add_assessment(r, "x", "A1", "2020", "inadequate", 1, "trust", NULL, err,
                                    sizeof err),
                     0);
    imv_register_close(r);
    const char *stmts[] = {"UPDATE entry SET author = 'mallory'", "DELETE FROM entry",
                           "UPDATE blob SET body = '{}'", "DELETE FROM blob"};
    for (int k = 0; k < 4; k++) {
        ck_assert_int_eq(raw_sql(_i, loc, stmts[k], msg, sizeof msg), -1);
        ck_assert_msg(strstr(msg, "append-only"), "%s: %s", stmts[k], msg);
    }
    if (_i == 1) {
        ck_assert_int_eq(raw_sql(_i, loc, "TRUNCATE entry CASCADE", msg, sizeof msg), -1);
        ck_assert_msg(strstr(msg, "append-only"), "%s", msg);
    }
    r = open_ok(loc, 0);
    verify_ok(r, 1);
    imv_register_close(r);
    drop(_i, loc);
}
END_TEST

/* Tamper as the database owner would: switch the triggers off, change,
 * switch them on again. */
static void tamper(int b, const char *loc, const char *change)
{
    char sql[2048], msg[1024];
    if (b == 0)
        snprintf(sql, sizeof sql,
                 "DROP TRIGGER entry_no_update; DROP TRIGGER entry_no_delete; %s;"
                 "CREATE TRIGGER entry_no_update BEFORE UPDATE ON entry BEGIN SELECT RAISE(ABORT, 'append-only'); END;"
                 "CREATE TRIGGER entry_no_delete BEFORE DELETE ON entry BEGIN SELECT RAISE(ABORT, 'append-only'); END;",
                 change);
    else
        snprintf(sql, sizeof sql,
                 "ALTER TABLE entry DISABLE TRIGGER entry_append_only; %s;"
                 "ALTER TABLE entry ENABLE TRIGGER entry_append_only;",
                 change);
    ck_assert_msg(raw_sql(b, loc, sql, msg, sizeof msg) == 0, "%s", msg);
}

START_TEST(register__verify_finds_a_tampered_row)
{
    char *loc = fresh(_i), err[1024];
    imv_register *r = open_ok(loc, 1);
    for (int k = 0; k < 4; k++)
        ck_assert_int_eq(add_assessment(r, "x", NULL, "2020", "inadequate", 1, "trust", NULL, err,
                                        sizeof err),
                         0);
    imv_register_close(r);
    tamper(_i, loc, "UPDATE entry SET grade = 'good' WHERE seq = 2");
    r = open_ok(loc, 0);
    imv_register_verify_result res;
    ck_assert_int_eq(imv_register_verify(r, NULL, &res, err, sizeof err), IMV_REG_ECORRUPT);
    ck_assert_int_eq(res.bad_seq, 2);
    ck_assert_msg(strstr(res.problem, "changed"), "%s", res.problem);
    imv_register_close(r);
    drop(_i, loc);
}
END_TEST

START_TEST(register__verify_finds_a_cut_or_holed_register)
{
    char *loc = fresh(_i), err[1024];
    imv_register *r = open_ok(loc, 1);
    for (int k = 0; k < 5; k++)
        ck_assert_int_eq(add_assessment(r, "x", NULL, "2020", "inadequate", 1, "trust", NULL, err,
                                        sizeof err),
                         0);
    imv_register_verify_result res;
    ck_assert_int_eq(imv_register_verify(r, NULL, &res, err, sizeof err), 0);
    char head[65];
    snprintf(head, sizeof head, "%s", res.head);
    imv_register_close(r);
    /* The last two entries cut off: still a valid prefix, but the head
     * noted earlier is gone. */
    tamper(_i, loc, "DELETE FROM entry WHERE seq >= 4");
    r = open_ok(loc, 0);
    ck_assert_int_eq(imv_register_verify(r, head, &res, err, sizeof err), IMV_REG_ECORRUPT);
    ck_assert_msg(strstr(res.problem, "no longer in the chain"), "%s", res.problem);
    ck_assert_int_eq(res.entries, 3);
    imv_register_close(r);
    /* A hole in the middle breaks the chain whatever was noted. */
    tamper(_i, loc, "DELETE FROM entry WHERE seq = 2");
    r = open_ok(loc, 0);
    ck_assert_int_eq(imv_register_verify(r, NULL, &res, err, sizeof err), IMV_REG_ECORRUPT);
    ck_assert_int_eq(res.bad_seq, 3);
    imv_register_close(r);
    drop(_i, loc);
}
END_TEST

START_TEST(register__verify_finds_a_truncated_file)
{
    char *loc = fresh(0), err[1024];
    imv_register *r = open_ok(loc, 1);
    char big[20000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    ck_assert_int_eq(add_assessment(r, "x", "A1", "2020", "inadequate", 1, "trust", NULL, err,
                                    sizeof err),
                     0);
    for (int k = 0; k < 30; k++)
        ck_assert_int_eq(add_decision(r, NULL, "A1", "trust", big + k, NULL, err, sizeof err), 0);
    imv_register_close(r); /* the last close checkpoints the WAL into the file */
    struct stat st;
    ck_assert_int_eq(stat(loc, &st), 0);
    ck_assert_int_eq(truncate(loc, st.st_size / 2), 0);
    int rc = imv_register_open(loc, 0, &r, err, sizeof err);
    if (rc == 0) {
        imv_register_verify_result res;
        rc = imv_register_verify(r, NULL, &res, err, sizeof err);
        imv_register_close(r);
    }
    ck_assert_int_eq(rc, IMV_REG_ECORRUPT);
    ck_assert_msg(strstr(err, loc), "the message names the file: %s", err);
    drop(0, loc);
}
END_TEST

START_TEST(register__decisions_need_reasons_and_corrections_supersede)
{
    char *loc = fresh(_i), err[1024];
    imv_register *r = open_ok(loc, 1);
    ck_assert_int_eq(add_assessment(r, "torbay", "A1", "2018-04", "inadequate", 1.2, "commissioner",
                                    NULL, err, sizeof err),
                     0);
    /* Not the recommended model, no rationale: refused. */
    ck_assert_int_eq(add_decision(r, "D1", "A1", "trust", NULL, NULL, err, sizeof err), IMV_EUSAGE);
    ck_assert_msg(strstr(err, "rationale"), "%s", err);
    ck_assert_int_eq(add_decision(r, "D1", "A1", "trust", "the commissioner's review advised it",
                                  NULL, err, sizeof err),
                     0);
    /* A decision on something that is not an assessment, or unknown. */
    ck_assert_int_eq(add_decision(r, "D2", "D1", "trust", "x", NULL, err, sizeof err), IMV_EUSAGE);
    ck_assert_int_eq(add_decision(r, "D2", "nope", "trust", "x", NULL, err, sizeof err),
                     IMV_REG_ENOTFOUND);
    /* A correction supersedes; one of another kind may not. */
    ck_assert_int_eq(add_decision(r, "D2", "A1", "commissioner", "", "D1", err, sizeof err), 0);
    ck_assert_int_eq(add_assessment(r, "torbay", "A2", "2019", "inadequate", 1, "trust", NULL, err,
                                    sizeof err),
                     0);
    ck_assert_int_eq(add_decision(r, "D3", "A1", "commissioner", "", "A2", err, sizeof err),
                     IMV_EUSAGE);
    imv_register_assessment *a;
    ck_assert_int_eq(imv_register_assessment_get(r, "A1", &a, err, sizeof err), 0);
    ck_assert_str_eq(a->decision->id, "D2");
    imv_register_assessment_free(a);
    /* A sign-off is by an analyst, assurer or approver. */
    imv_register_entry s = {.kind = strdup("sign-off"),
                            .ref = strdup("D2"),
                            .author = strdup("x"),
                            .role = strdup("adviser")};
    ck_assert_int_eq(imv_register_append(r, &s, NULL, 0, err, sizeof err), IMV_EUSAGE);
    imv_register_entry_clear(&s);
    verify_ok(r, 4);
    imv_register_close(r);
    drop(_i, loc);
}
END_TEST

static char *export_to_file(imv_register *r)
{
    char *path = strdup("/tmp/imv-export-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    char err[1024];
    ck_assert_msg(imv_register_export(r, f, err, sizeof err) == 0, "%s", err);
    fclose(f);
    return path;
}

static int import_file(imv_register *r, const char *path, imv_register_import_stats *st, char *err,
                       size_t n)
{
    FILE *f = fopen(path, "r");
    int rc = imv_register_import(r, f, path, st, err, n);
    fclose(f);
    return rc;
}

START_TEST(register__export_import_is_lossless_and_idempotent)
{
    /* Exported from one backend, imported into the other as well. */
    char *la = fresh(_i), *lb = fresh(_i), *lc = fresh(1 - _i), err[1024];
    imv_register *a = open_ok(la, 1), *b = open_ok(lb, 1), *c = open_ok(lc, 1);
    ck_assert_int_eq(add_assessment(a, "torbay", "A1", "2018", "inadequate", 1, "commissioner",
                                    NULL, err, sizeof err),
                     0);
    ck_assert_int_eq(add_decision(a, "D1", "A1", "commissioner", "\"quoted\" ' and \\ \n line",
                                  NULL, err, sizeof err),
                     0);
    ck_assert_int_eq(add_assessment(a, "torbay", "R1", "2019", "requires_improvement", 2.1,
                                    "peer_support", "D1", err, sizeof err),
                     0);
    ck_assert_int_eq(add_assessment(c, "slough", "S1", "2015", "inadequate", 0.8, "trust", NULL,
                                    err, sizeof err),
                     0);
    char *ea = export_to_file(a);
    imv_register_import_stats st;
    ck_assert_msg(import_file(b, ea, &st, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(st.added, 3);
    ck_assert_int_eq(st.present, 0);
    /* Twice: nothing changes. */
    ck_assert_int_eq(import_file(b, ea, &st, err, sizeof err), 0);
    ck_assert_int_eq(st.added, 0);
    ck_assert_int_eq(st.present, 3);
    /* Lossless: the copy exports byte for byte the same. */
    char *eb = export_to_file(b);
    char *ta = tu_slurp(ea), *tb = tu_slurp(eb);
    ck_assert_str_eq(ta, tb);
    verify_ok(b, 3);
    /* Merged with a register that has entries of its own. */
    ck_assert_msg(import_file(c, ea, &st, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(st.added, 3);
    ck_assert_int_eq(import_file(c, ea, &st, err, sizeof err), 0);
    ck_assert_int_eq(st.added, 0);
    verify_ok(c, 4);
    imv_register_entry *d;
    ck_assert_int_eq(imv_register_get(c, "D1", &d, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(d->body, "\\\"quoted\\\" ' and \\\\ \\n line"));
    imv_register_entry_free(d);
    /* A changed export is refused whole. */
    char *bad = strdup(ta);
    char *p = strstr(bad, "requires_improvement");
    ck_assert_ptr_nonnull(p);
    memcpy(p, "outstanding_improvem", 20);
    char *badpath = tu_write_temp_str(bad, ".jsonl");
    char *ld = fresh(_i);
    imv_register *dd = open_ok(ld, 1);
    ck_assert_int_eq(import_file(dd, badpath, &st, err, sizeof err), IMV_REG_ECORRUPT);
    ck_assert_int_eq(count_entries(dd), 0);
    imv_register_close(dd);
    drop(_i, ld);
    unlink(badpath);
    free(badpath);
    free(bad);
    free(ta);
    free(tb);
    unlink(ea);
    unlink(eb);
    free(ea);
    free(eb);
    imv_register_close(a);
    imv_register_close(b);
    imv_register_close(c);
    drop(_i, la);
    drop(_i, lb);
    drop(1 - _i, lc);
}
END_TEST

static void file_sha(const char *path, char hex[65])
{
    unsigned char d[32];
    ck_assert_int_eq(imv_sha256_file(path, d), 0);
    imv_sha256_hex(d, hex);
}

START_TEST(register__older_schema_migrates_newer_is_refused_untouched)
{
    char *loc = fresh(_i), err[1024], msg[1024];
    ck_assert_msg(imv_register_init_version(loc, 1, err, sizeof err) == 0, "%s", err);
    /* Written at version 1 (the same rows; version 2 adds indexes). */
    imv_register *r = NULL;
    if (_i == 0) {
        sqlite3 *db;
        sqlite3_open(loc, &db);
        sqlite3_stmt *s;
        sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);
        sqlite3_step(s);
        ck_assert_int_eq(sqlite3_column_int(s, 0), 1);
        sqlite3_finalize(s);
        sqlite3_close(db);
    }
    r = open_ok(loc, 0);
    ck_assert_int_eq(add_assessment(r, "x", "A1", "2020", "inadequate", 1, "trust", NULL, err,
                                    sizeof err),
                     0);
    verify_ok(r, 1);
    imv_register_close(r);
    const char *check = _i == 0 ? "SELECT 1 FROM sqlite_master WHERE name = 'entry_authority'"
                                : "SELECT 'entry_authority'::regclass";
    ck_assert_msg(raw_sql(_i, loc, check, msg, sizeof msg) == 0, "%s", msg);
    /* From a newer imeval: refused, and the file not changed. */
    ck_assert_int_eq(raw_sql(_i, loc,
                             _i == 0 ? "PRAGMA user_version = 99"
                                     : "UPDATE register_meta SET value = '99'",
                             msg, sizeof msg),
                     0);
    char before[65] = "", after[65] = "";
    if (_i == 0)
        file_sha(loc, before);
    ck_assert_int_eq(imv_register_open(loc, 0, &r, err, sizeof err), IMV_REG_EVERSION);
    ck_assert_msg(strstr(err, "newer") && strstr(err, "not changed"), "%s", err);
    ck_assert_int_eq(imv_register_open(loc, 1, &r, err, sizeof err), IMV_REG_EVERSION);
    if (_i == 0) {
        file_sha(loc, after);
        ck_assert_str_eq(before, after);
    }
    drop(_i, loc);
}
END_TEST

START_TEST(register__hostile_text_is_stored_exactly)
{
    char *loc = fresh(_i), err[1024];
    imv_register *r = open_ok(loc, 1);
    const char *auth = "x'); DROP TABLE entry; --";
    ck_assert_int_eq(add_assessment(r, auth, "A1", "2020", "inadequate", 1, "trust", NULL, err,
                                    sizeof err),
                     0);
    size_t big = 1u << 20;
    char *why = malloc(big + 1);
    const char *pat = "'\";--%s%n\\_%\t\xc3\xa9\xe2\x82\xac$1 ?1 ";
    for (size_t k = 0; k < big; k++)
        why[k] = pat[k % strlen(pat)];
    why[big] = 0;
    while ((why[big - 1] & 0xc0) == 0x80 || (unsigned char)why[big - 1] >= 0xc0)
        why[--big] = 0; /* end on a whole character */
    ck_assert_msg(add_decision(r, "D'1", "A1", "commissioner", why, NULL, err, sizeof err) == 0,
                  "%s", err);
    imv_register_entry *d;
    ck_assert_int_eq(imv_register_get(r, "D'1", &d, err, sizeof err), 0);
    ck_assert_str_eq(d->authority, auth);
    cJSON *b = cJSON_Parse(d->body);
    ck_assert_str_eq(cJSON_GetObjectItem(b, "rationale")->valuestring, why);
    cJSON_Delete(b);
    imv_register_entry_free(d);
    /* Too large, or not UTF-8: refused whole, nothing recorded. */
    char *huge = malloc(IMV_REGISTER_MAX_TEXT + 2);
    memset(huge, 'x', IMV_REGISTER_MAX_TEXT + 1);
    huge[IMV_REGISTER_MAX_TEXT + 1] = 0;
    ck_assert_int_eq(add_decision(r, "D2", "A1", "commissioner", huge, NULL, err, sizeof err),
                     IMV_EINVAL);
    ck_assert_msg(strstr(err, "limit"), "%s", err);
    ck_assert_int_eq(add_decision(r, "D3", "A1", "commissioner", "bad \xff\xfe utf-8", NULL, err,
                                  sizeof err),
                     IMV_EINVAL);
    ck_assert_int_eq(count_entries(r), 2);
    verify_ok(r, 2);
    free(huge);
    free(why);
    imv_register_close(r);
    drop(_i, loc);
}
END_TEST

static const char *status_of(cJSON *st, const char *authority)
{
    cJSON *x;
    cJSON_ArrayForEach(
        x, cJSON_GetObjectItem(
               st, "authorities")) if (strcmp(cJSON_GetObjectItem(x, "authority")->valuestring,
                                              authority) == 0) return cJSON_GetObjectItem(x, "status")
        ->valuestring;
    return "absent";
}

START_TEST(register__status_is_computed_across_reviews)
{
    char *loc = fresh(_i), err[1024];
    imv_register *r = open_ok(loc, 1);
#define A(auth, id, date, grade, rating, model, rev)                                                  \
    ck_assert_msg(add_assessment(r, auth, id, date, grade, rating, model, rev, err, sizeof err) == 0, \
                  "%s", err)
#define D(id, on, model) \
    ck_assert_msg(add_decision(r, id, on, model, "x", NULL, err, sizeof err) == 0, "%s", err)
    A("alpha", "a0", "2014-01", "inadequate", 1.0, "improvement_board", NULL);
    D("da", "a0", "improvement_board");
    A("alpha", "a1", "2015-01", "inadequate", 1.5, "improvement_board", "da");
    A("alpha", "a2", "2016-01", "requires_improvement", 2.4, "self_improvement", "da");
    A("beta", "b0", "2014-01", "inadequate", 1.5, "executive_partnership", NULL);
    D("db", "b0", "executive_partnership");
    A("beta", "b1", "2015-01", "inadequate", 1.1, "commissioner", "db");
    A("gamma", "g0", "2014-01", "inadequate", 1.0, "improvement_board", NULL);
    D("dg", "g0", "improvement_board");
    A("gamma", "g1", "2015-01", "inadequate", 1.1, "improvement_board", "dg");
    A("gamma", "g2", "2016-01", "inadequate", 1.15, "commissioner", "dg");
    A("delta", "e0", "2014-01", "inadequate", 1.0, "peer_support", NULL);
    D("de", "e0", "peer_support");
    A("delta", "e1", "2015-01", "inadequate", 1.6, "peer_support", "de");
    A("eps", "p0", "2014-01", "inadequate", 1.0, "trust", NULL);
    cJSON *st = NULL;
    ck_assert_int_eq(imv_register_status(r, &st, err, sizeof err), 0);
    ck_assert_str_eq(status_of(st, "alpha"), "improved");
    ck_assert_str_eq(status_of(st, "beta"), "deteriorating");
    ck_assert_str_eq(status_of(st, "gamma"), "stalled");
    ck_assert_str_eq(status_of(st, "delta"), "on_track");
    ck_assert_str_eq(status_of(st, "eps"), "undecided");
    /* Escalate and step down first. */
    const char *order[] = {"beta", "gamma", "alpha", "delta", "eps"};
    cJSON *all = cJSON_GetObjectItem(st, "authorities");
    for (int k = 0; k < 5; k++)
        ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(all, k), "authority")->valuestring,
                         order[k]);
    cJSON *g = cJSON_GetArrayItem(all, 1);
    ck_assert_str_eq(cJSON_GetObjectItem(g, "escalate_to")->valuestring, "commissioner");
    cJSON_Delete(st);
    /* The history: every entry, the trajectory in date order. */
    cJSON *h = NULL;
    ck_assert_int_eq(imv_register_history(r, "gamma", &h, err, sizeof err), 0);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(h, "entries")), 4);
    cJSON *traj = cJSON_GetObjectItem(h, "trajectory");
    ck_assert_int_eq(cJSON_GetArraySize(traj), 3);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(traj, 2), "as_of")->valuestring,
                     "2016-01");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(h, "intervention"), "status")->valuestring,
                     "stalled");
    cJSON_Delete(h);
    /* A correcting review that supersedes g2 changes the answer. */
    imv_register_entry *old;
    ck_assert_int_eq(imv_register_get(r, "g2", &old, err, sizeof err), 0);
    imv_register_entry_free(old);
    char prof[] = "{\"id\":\"gamma-2016\"}", res[] = "{\"fixed\":1}";
    imv_register_blob blobs[2] = {{"profile", prof, strlen(prof), ""},
                                  {"result", res, strlen(res), ""}};
    imv_register_entry e = {.kind = strdup("review"),
                            .id = strdup("g2b"),
                            .ref = strdup("dg"),
                            .authority = strdup("gamma"),
                            .supersedes = strdup("g2"),
                            .author = strdup("t"),
                            .as_of = strdup("2016-01"),
                            .grade = strdup("requires_improvement"),
                            .model = strdup("self_improvement"),
                            .has_rating = 1,
                            .rating = 2.5};
    ck_assert_msg(imv_register_append(r, &e, blobs, 2, err, sizeof err) == 0, "%s", err);
    imv_register_entry_clear(&e);
    ck_assert_int_eq(imv_register_status(r, &st, err, sizeof err), 0);
    ck_assert_str_eq(status_of(st, "gamma"), "improved");
    cJSON_Delete(st);
    imv_register_close(r);
    drop(_i, loc);
#undef A
#undef D
}
END_TEST

/* ---- reliability: processes ------------------------------------------- */

START_TEST(register__concurrent_writers_lose_nothing)
{
    enum { WRITERS = 8 };
    char *loc = fresh(_i), err[1024];
    imv_register_close(open_ok(loc, 1));
    int fds[WRITERS][2];
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        ck_assert_int_eq(pipe(fds[w]), 0);
        pids[w] = fork();
        if (pids[w] == 0) {
            close(fds[w][0]);
            srandom((unsigned)getpid());
            imv_register *r = NULL;
            long n = 0;
            int rc = imv_register_open(loc, 0, &r, err, sizeof err);
            time_t until = time(NULL) + 3;
            while (rc == 0 && time(NULL) < until) {
                char auth[32];
                snprintf(auth, sizeof auth, "w%d", w);
                rc = add_assessment(r, auth, NULL, "2020", "inadequate", 1, "trust", NULL, err,
                                    sizeof err);
                n += rc == 0;
            }
            char line[1200];
            int len = snprintf(line, sizeof line, "%ld %d %s", n, rc, rc ? err : "");
            ssize_t wr = write(fds[w][1], line, (size_t)len);
            (void)wr;
            imv_register_close(r);
            _exit(rc ? 1 : 0);
        }
        close(fds[w][1]);
    }
    long total = 0;
    for (int w = 0; w < WRITERS; w++) {
        char line[1200] = "";
        ssize_t got = read(fds[w][0], line, sizeof line - 1);
        line[got > 0 ? got : 0] = 0;
        close(fds[w][0]);
        int st;
        waitpid(pids[w], &st, 0);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d failed: %s", w, line);
        ck_assert_msg(!strstr(line, "locked"), "%s", line);
        long n = strtol(line, NULL, 10);
        ck_assert_msg(n > 0, "writer %d recorded nothing", w);
        total += n;
    }
    imv_register *r = open_ok(loc, 0);
    ck_assert_int_eq(count_entries(r), total);
    verify_ok(r, total);
    imv_register_close(r);
    drop(_i, loc);
}
END_TEST

START_TEST(register__sigkill_while_recording_keeps_what_was_committed)
{
    enum { ROUNDS = 25 };
    char *loc = fresh(_i), err[1024];
    imv_register_close(open_ok(loc, 1));
    long committed = 0;
    srandom(42);
    for (int round = 0; round < ROUNDS; round++) {
        int fd[2];
        ck_assert_int_eq(pipe(fd), 0);
        pid_t pid = fork();
        if (pid == 0) {
            close(fd[0]);
            imv_register *r = NULL;
            if (imv_register_open(loc, 0, &r, err, sizeof err))
                _exit(3);
            for (;;) {
                /* Large enough that a kill lands inside a write often. */
                if (add_assessment(r, "k", NULL, "2020", "inadequate", 1, "trust", NULL, err,
                                   sizeof err))
                    _exit(4);
                ssize_t wr = write(fd[1], "+", 1);
                (void)wr;
            }
        }
        close(fd[1]);
        struct timespec ts = {0, (long)(5 + random() % 120) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        ck_assert_msg(WIFSIGNALED(st), "the writer stopped by itself (status %d)", st);
        char buf[4096];
        ssize_t got;
        while ((got = read(fd[0], buf, sizeof buf)) > 0)
            committed += got;
        close(fd[0]);
        settle(_i, loc);
        imv_register *r = open_ok(loc, 0);
        long n = count_entries(r);
        /* Everything acknowledged is there; at most the one in flight more. */
        ck_assert_msg(n == committed || n == committed + 1, "round %d: %ld entries, %ld committed",
                      round, n, committed);
        committed = n;
        verify_ok(r, n);
        imv_register_close(r);
    }
    ck_assert_int_gt(committed, 0);
    drop(_i, loc);
}
END_TEST

/* ---- PostgreSQL roles ------------------------------------------------- */

START_TEST(register__pg_roles_adviser_writes_council_reads_only_its_grant)
{
    char *loc = fresh(1), err[1024];
    imv_register *owner = open_ok(loc, 1);
    ck_assert_int_eq(add_assessment(owner, "torbay", "T1", "2018", "inadequate", 1, "trust", NULL,
                                    err, sizeof err),
                     0);
    ck_assert_int_eq(add_assessment(owner, "slough", "S1", "2015", "inadequate", 1, "trust", NULL,
                                    err, sizeof err),
                     0);
    ck_assert_msg(imv_register_grant(owner, "adviser", 1, NULL, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(imv_register_grant(owner, "council_a", 0, "torbay", err, sizeof err) == 0, "%s",
                  err);
    char *adv = as_user(loc, "adviser"), *ca = as_user(loc, "council_a"),
         *cb = as_user(loc, "council_b");
    imv_register *r = open_ok(adv, 0);
    ck_assert_msg(add_decision(r, "D1", "T1", "trust", "x", NULL, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(count_entries(r), 3);
    verify_ok(r, 3);
    imv_register_close(r);
    /* The council reads torbay's entries only, and cannot write. */
    r = open_ok(ca, 0);
    imv_register_entry *v;
    size_t n;
    ck_assert_int_eq(imv_register_list(r, NULL, &v, &n, err, sizeof err), 0);
    ck_assert_int_eq((int)n, 2);
    for (size_t k = 0; k < n; k++)
        ck_assert_str_eq(v[k].authority, "torbay");
    imv_register_entries_free(v, n);
    char *pj;
    imv_register_entry *t1;
    ck_assert_int_eq(imv_register_get(r, "T1", &t1, err, sizeof err), 0);
    ck_assert_int_eq(imv_register_blob_get(r, t1->profile_sha, &pj, NULL, err, sizeof err), 0);
    free(pj);
    imv_register_entry_free(t1);
    ck_assert_int_eq(imv_register_get(r, "S1", &t1, err, sizeof err), IMV_REG_ENOTFOUND);
    ck_assert_int_eq(add_decision(r, "D2", "T1", "trust", "x", NULL, err, sizeof err), IMV_REG_EDB);
    ck_assert_msg(strstr(err, "permission denied"), "%s", err);
    imv_register_close(r);
    /* A role granted nothing cannot even open it. */
    ck_assert_int_ne(imv_register_open(cb, 0, &r, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "permission denied"), "%s", err);
    /* No password anywhere, and the message shows none. */
    ck_assert_ptr_null(strstr(err, "password="));
    imv_register_close(owner);
    free(adv);
    free(ca);
    free(cb);
    drop(1, loc);
}
END_TEST

START_TEST(register__url_password_never_shown)
{
    imv_register *r = NULL;
    char err[1024];
    /* A refused connection with a password in the URL: the password
     * does not appear in the message. */
    int rc = imv_register_open("postgresql://bob:s3cret-pw@/nodb?host=/nonexistent&password=s3cret-pw",
                               0, &r, err, sizeof err);
    ck_assert_int_ne(rc, 0);
    ck_assert_msg(!strstr(err, "s3cret-pw"), "%s", err);
}
END_TEST

/* ---- replay ------------------------------------------------------------ */

START_TEST(register__replay_is_identical_until_a_model_changes)
{
    char *loc = fresh(_i), err[1024], id[128];
    char dir[] = "/tmp/imv-replay-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char lua[600], src[600];
    snprintf(lua, sizeof lua, "%s/mytrust.lua", dir);
    snprintf(src, sizeof src, "%s/../models/trust.lua", TU_MODELS);
    char *text = tu_slurp(src);
    ck_assert_ptr_nonnull(text);
    char *p = strstr(text, "id = \"trust\"");
    ck_assert_msg(p, "models/trust.lua declares its id as expected");
    char *copy = malloc(strlen(text) + 16);
    sprintf(copy, "%.*sid = \"mytrust\"%s", (int)(p - text), text, p + strlen("id = \"trust\""));
    FILE *f = fopen(lua, "w");
    fputs(copy, f);
    fclose(f);
    chmod(lua, 0644);
    imv_register *r = open_ok(loc, 1);
    evaluated x;
    evaluate_case(&x, "torbay-2018.json", lua);
    ck_assert_int_eq(imv_uncertainty_run(x.w, &x.e, 200, 7, 0), 0);
    imv_register_run run = {.draws = 200, .seed = 7};
    ck_assert_msg(imv_register_record_evaluation(r, x.reg, &x.e, &run, NULL, NULL, id, sizeof id,
                                                 err, sizeof err) == 0,
                  "%s", err);
    evaluated_free(&x);
    cJSON *rep = NULL;
    ck_assert_msg(imv_register_replay(r, id, NULL, &rep, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(cJSON_IsTrue(cJSON_GetObjectItem(rep, "identical")), "replay differs");
    cJSON_Delete(rep);
    /* The model file changes: replay says which, and how the ranking moved. */
    char *changed = malloc(strlen(copy) + 16);
    p = strstr(copy, "local s = w.base");
    ck_assert_ptr_nonnull(p);
    sprintf(changed, "%.*slocal s = w.base + 60%s", (int)(p - copy), copy,
            p + strlen("local s = w.base"));
    f = fopen(lua, "w");
    fputs(changed, f);
    fclose(f);
    ck_assert_msg(imv_register_replay(r, id, NULL, &rep, err, sizeof err) == 0, "%s", err);
    ck_assert(!cJSON_IsTrue(cJSON_GetObjectItem(rep, "identical")));
    int flagged = 0;
    cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(rep, "models"))
    {
        if (!cJSON_IsTrue(cJSON_GetObjectItem(m, "changed")))
            continue;
        flagged++;
        ck_assert_str_eq(cJSON_GetObjectItem(m, "id")->valuestring, "mytrust");
    }
    ck_assert_int_eq(flagged, 1);
    cJSON *row;
    int moved = 0;
    cJSON_ArrayForEach(
        row,
        cJSON_GetObjectItem(rep, "ranking")) if (strcmp(cJSON_GetObjectItem(row, "model")->valuestring,
                                                        "mytrust") == 0)
        moved = cJSON_GetObjectItem(row, "replayed_score")->valuedouble >
                cJSON_GetObjectItem(row, "recorded_score")->valuedouble;
    ck_assert_msg(moved, "the changed model's score went up in the replay");
    ck_assert_str_eq(cJSON_GetObjectItem(rep, "replayed_recommended")->valuestring, "mytrust");
    cJSON_Delete(rep);
    imv_register_close(r);
    unlink(lua);
    rmdir(dir);
    free(text);
    free(copy);
    free(changed);
    drop(_i, loc);
}
END_TEST

static pid_t suite_pid;

static void stop_cluster(void)
{
    /* Check runs each test in a child that inherits this handler. */
    if (!pg_dir[0] || getpid() != suite_pid)
        return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sh '%s/tests/pg-cluster.sh' stop '%s'", tu_env("IMEVAL_ROOT", "."),
             pg_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "check_register: could not stop the test cluster in %s\n", pg_dir);
    pg_dir[0] = 0;
}

static void start_cluster(void)
{
    suite_pid = getpid();
    snprintf(pg_dir, sizeof pg_dir, "/tmp/imvpg-%d", (int)getpid());
    char cmd[768];
    snprintf(cmd, sizeof cmd, "sh '%s/tests/pg-cluster.sh' start '%s'", tu_env("IMEVAL_ROOT", "."),
             pg_dir);
    FILE *p = popen(cmd, "r");
    char url[256] = "";
    if (p && fgets(url, sizeof url, p))
        url[strcspn(url, "\n")] = 0;
    int st = p ? pclose(p) : -1;
    pg_up = st == 0 && strncmp(url, "postgresql://", 13) == 0;
    if (!pg_up)
        fprintf(stderr, "check_register: the PostgreSQL test cluster did not start (%s)\n", cmd);
    snprintf(pg_admin, sizeof pg_admin, "%s", url);
    atexit(stop_cluster);
}

int main(void)
{
    start_cluster();
    Suite *s = suite_create("register");
    TCase *tc = tcase_create("register");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, register__records_an_evaluation_and_verifies, 0, 2);
    tcase_add_loop_test(tc, register__database_refuses_update_and_delete, 0, 2);
    tcase_add_loop_test(tc, register__verify_finds_a_tampered_row, 0, 2);
    tcase_add_loop_test(tc, register__verify_finds_a_cut_or_holed_register, 0, 2);
    tcase_add_test(tc, register__verify_finds_a_truncated_file);
    tcase_add_loop_test(tc, register__decisions_need_reasons_and_corrections_supersede, 0, 2);
    tcase_add_loop_test(tc, register__export_import_is_lossless_and_idempotent, 0, 2);
    tcase_add_loop_test(tc, register__older_schema_migrates_newer_is_refused_untouched, 0, 2);
    tcase_add_loop_test(tc, register__hostile_text_is_stored_exactly, 0, 2);
    tcase_add_loop_test(tc, register__status_is_computed_across_reviews, 0, 2);
    tcase_add_loop_test(tc, register__concurrent_writers_lose_nothing, 0, 2);
    tcase_add_loop_test(tc, register__sigkill_while_recording_keeps_what_was_committed, 0, 2);
    tcase_add_test(tc, register__pg_roles_adviser_writes_council_reads_only_its_grant);
    tcase_add_test(tc, register__url_password_never_shown);
    tcase_add_loop_test(tc, register__replay_is_identical_until_a_model_changes, 0, 2);
    suite_add_tcase(s, tc);
    int rc = tu_main(s);
    stop_cluster();
    return rc;
}
