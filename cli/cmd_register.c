/*
 * cmd_register.c - `imeval register SUBCOMMAND`: the assessment register
 * (register/register.h does the work; this parses, prints and exits).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "register.h"

typedef struct reg_opts {
    const char *sub;
    const char *where; /* --register */
    int json;
    const char *by, *role, *model, *partner, *rationale, *rationale_file;
    const char *text, *text_file, *impact, *reliability, *supersedes, *head, *output;
    const char *args[16];
    int n_args;
    int help;
} reg_opts;

static const char about[] =
    "The assessment register: an append-only, hash-chained record of every assessment\n"
    "(the profile as assessed, the models, parameters, seed and the full result), the\n"
    "decision taken on it and why, assumptions, sign-offs and later reviews.\n\n"
    "subcommands:\n"
    "  init [REG]                 create a register (default: $IMEVAL_REGISTER, else\n"
    "                             $XDG_DATA_HOME/imeval/register.db)\n"
    "  decide ID --model M        record the decision on assessment ID (--partner P;\n"
    "                             --rationale TEXT or --rationale-file FILE, required when\n"
    "                             M is not the recommended model)\n"
    "  review DECISION PROFILE    evaluate a later profile and record it as a review of\n"
    "                             DECISION's intervention (takes evaluate's options)\n"
    "  note ID --text TEXT        record an assumption about entry ID (--text-file FILE,\n"
    "                             --impact TEXT, --reliability TEXT)\n"
    "  sign ID --role ROLE        sign entry ID off as analyst, assurer or approver\n"
    "  history AUTHORITY          every entry of an authority, the trajectory of its\n"
    "                             grades and ratings, and its intervention's status\n"
    "  status                     every authority under an intervention, the ones to\n"
    "                             escalate or step down first\n"
    "  replay ID                  re-run assessment ID with its recorded models and\n"
    "                             parameters: identical, or what changed (exit 1)\n"
    "  verify [--head HASH]       check the hash chain and every document (exit 1 if not)\n"
    "  export [-o FILE]           write the register as JSON Lines\n"
    "  import FILE                add the entries of an export that are missing here\n"
    "  grant ROLE adviser|reader [AUTHORITY...]\n"
    "                             PostgreSQL: let a database role append, or read only\n"
    "                             the named authorities (run as the register's owner)\n\n"
    "Assessments are recorded by `imeval evaluate PROFILE --register REG [--assessment ID]`.\n"
    "A correction is a new entry: --supersedes OLD_ID.  REG is a file path or a\n"
    "postgresql:// URL (passwords go in ~/.pgpass or a service file, never the URL).\n"
    "Exit status: 0 done, 1 failed (or verify/replay found a difference), 2 usage error.";

static const char *const subs[] = {"init",   "decide", "review", "note",   "sign",   "history",
                                   "status", "replay", "verify", "export", "import", "grant"};

static void help(FILE *f)
{
    fprintf(f, "usage: imeval register SUBCOMMAND [options] [args]\n\n%s\n\n", about);
    fprintf(f, "options:\n"
               "  -r, --register REG     the register (file or postgresql:// URL)\n"
               "  -f, --format FMT       table (default) or json\n"
               "      --by NAME          who records it (default $IMEVAL_AUTHOR, else $USER)\n"
               "      --role ROLE        adviser, analyst, assurer, approver, commissioner, other\n"
               "      --model M          decide: the model chosen\n"
               "      --partner P        decide: the partner council\n"
               "      --rationale TEXT   decide: why (--rationale-file FILE reads it)\n"
               "      --text TEXT        note, sign: the text (--text-file FILE reads it)\n"
               "      --impact TEXT      note: the assumption's impact\n"
               "      --reliability TEXT note: how reliable it is\n"
               "      --supersedes ID    the entry this one corrects\n"
               "      --head HASH        verify: a row hash noted earlier must still be there\n"
               "  -o, --output FILE      export: write to FILE\n"
               "  -h, --help             show this help\n");
}

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cli_usage_error("register", "%s", msg);
}

static int parse(int argc, char **argv, reg_opts *o)
{
    static const struct {
        const char *name;
        char sh;
        size_t off;
    } valued[] = {
        {"register", 'r', offsetof(reg_opts, where)},
        {"by", 0, offsetof(reg_opts, by)},
        {"role", 0, offsetof(reg_opts, role)},
        {"model", 0, offsetof(reg_opts, model)},
        {"partner", 0, offsetof(reg_opts, partner)},
        {"rationale", 0, offsetof(reg_opts, rationale)},
        {"rationale-file", 0, offsetof(reg_opts, rationale_file)},
        {"text", 0, offsetof(reg_opts, text)},
        {"text-file", 0, offsetof(reg_opts, text_file)},
        {"impact", 0, offsetof(reg_opts, impact)},
        {"reliability", 0, offsetof(reg_opts, reliability)},
        {"supersedes", 0, offsetof(reg_opts, supersedes)},
        {"head", 0, offsetof(reg_opts, head)},
        {"output", 'o', offsetof(reg_opts, output)},
    };
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            o->help = 1;
            continue;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->n_args == 16)
                return usage("too many arguments (\"%s\")", a);
            o->args[o->n_args++] = a;
            continue;
        }
        const char *val = NULL, *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        int found = 0;
        if ((len == 8 && strncmp(a, "--format", 8) == 0) || strcmp(a, "-f") == 0) {
            val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!val || (strcmp(val, "json") && strcmp(val, "table")))
                return usage("--format: \"%s\" is not table or json", val ? val : "");
            o->json = strcmp(val, "json") == 0;
            continue;
        }
        for (size_t k = 0; k < sizeof valued / sizeof valued[0] && !found; k++) {
            int is_long = a[1] == '-' && len == strlen(valued[k].name) + 2 &&
                          strncmp(a + 2, valued[k].name, len - 2) == 0;
            int is_short = valued[k].sh && a[1] == valued[k].sh && a[2] == 0;
            if (!is_long && !is_short)
                continue;
            found = 1;
            val = eq && is_long ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!val)
                return usage("option %s needs a value", a);
            *(const char **)((char *)o + valued[k].off) = val;
        }
        if (!found)
            return usage("unknown option %s", a);
    }
    return 0;
}

/* A text from a file: refused when it holds a NUL byte or is too large,
 * never cut.  Caller frees. */
static char *read_text(const char *path, int *bad)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    *bad = 0;
    if (!f) {
        cli_error("register", "%s: cannot read it: %s", path, strerror(errno));
        *bad = 1;
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 + 1 > cap) {
            cap = cap ? cap * 2 : 131072;
            char *nb = realloc(buf, cap);
            if (!nb)
                break;
            buf = nb;
        }
        size_t got = fread(buf + n, 1, 65536, f);
        n += got;
        if (got == 0 || n > IMV_REGISTER_MAX_TEXT)
            break;
    }
    if (f != stdin)
        fclose(f);
    if (!buf) {
        *bad = 1;
        return NULL;
    }
    buf[n] = 0;
    const char *nul = memchr(buf, 0, n);
    if (nul || n > IMV_REGISTER_MAX_TEXT) {
        if (nul)
            cli_error("register",
                      "%s: byte %zu is a NUL: a text must be UTF-8 without NUL bytes "
                      "(nothing was recorded)",
                      path, (size_t)(nul - buf) + 1);
        else
            cli_error("register",
                      "%s: over %u bytes, the register's limit for a text (shorten "
                      "it or refer to a document; nothing was recorded)",
                      path, IMV_REGISTER_MAX_TEXT);
        free(buf);
        *bad = 2;
        return NULL;
    }
    return buf;
}

static int exit_for(int rc)
{
    return rc == 0 ? 0 : rc == IMV_EUSAGE ? EXIT_USAGE : EXIT_PARTIAL;
}

static int open_reg(const reg_opts *o, int create, imv_register **r)
{
    char err[1024];
    int rc = imv_register_open(o->where, create, r, err, sizeof err);
    if (rc)
        cli_error("register", "%s", err);
    return rc;
}

static void print_json(cJSON *j)
{
    char *s = imv_json_print(j, 1);
    if (s)
        printf("%s\n", s);
    free(s);
}

static char *author_default(const reg_opts *o)
{
    const char *u = o->by;
    if (!u || !*u)
        u = getenv("IMEVAL_AUTHOR");
    if (!u || !*u)
        u = getenv("USER");
    return strdup(u && *u ? u : "unknown");
}

/* Record e and say so. */
static int append_and_report(imv_register *r, const reg_opts *o, imv_register_entry *e)
{
    char err[1024];
    int rc = imv_register_append(r, e, NULL, 0, err, sizeof err);
    if (rc) {
        char name[64];
        snprintf(name, sizeof name, "register %s", o->sub);
        cli_error(name, "%s (nothing was recorded)", err);
        return exit_for(rc);
    }
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "id", e->id);
        cJSON_AddStringToObject(j, "kind", e->kind);
        cJSON_AddStringToObject(j, "authority", e->authority);
        cJSON_AddNumberToObject(j, "seq", (double)e->seq);
        cJSON_AddStringToObject(j, "row_hash", e->row_hash);
        print_json(j);
        cJSON_Delete(j);
    } else {
        printf("%s\n", e->id);
        cli_error("register", "recorded %s %s for %s in %s", e->kind, e->id, e->authority,
                  imv_register_where(r));
    }
    return 0;
}

/* A text given inline or from a file into *out (caller frees); 0, or an exit code. */
static int text_arg(const char *inline_text, const char *file, char **out)
{
    int bad = 0;
    *out = NULL;
    if (inline_text && file)
        return usage("give the text inline or from a file, not both%s", "");
    if (file) {
        *out = read_text(file, &bad);
        return bad ? (bad == 2 ? EXIT_USAGE : EXIT_PARTIAL) : 0;
    }
    *out = inline_text ? strdup(inline_text) : NULL;
    return 0;
}

static int sub_decide(imv_register *r, const reg_opts *o)
{
    if (o->n_args != 1 || !o->model)
        return usage("decide needs the assessment id and --model M, e.g.\n"
                     "  imeval register decide A-1a2b3c4d5e6f --model commissioner --rationale TEXT%s",
                     "");
    char *why = NULL;
    int rc = text_arg(o->rationale, o->rationale_file, &why);
    if (rc)
        return rc;
    imv_register_entry *a = NULL;
    char err[1024];
    if (imv_register_get(r, o->args[0], &a, err, sizeof err) == 0) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "rationale", why ? why : "");
        if (o->partner)
            cJSON_AddStringToObject(b, "partner", o->partner);
        if (a->model)
            cJSON_AddStringToObject(b, "recommended", a->model);
        cJSON_AddBoolToObject(b, "differs_from_recommendation",
                              a->model && strcmp(a->model, o->model) != 0);
        imv_register_entry e = {.kind = strdup("decision"),
                                .ref = strdup(o->args[0]),
                                .model = strdup(o->model),
                                .author = author_default(o),
                                .role = strdup(o->role ? o->role : "adviser"),
                                .supersedes = o->supersedes ? strdup(o->supersedes) : NULL,
                                .body = cJSON_PrintUnformatted(b)};
        cJSON_Delete(b);
        rc = append_and_report(r, o, &e);
        imv_register_entry_clear(&e);
    } else {
        cli_error("register decide", "%s", err);
        rc = EXIT_PARTIAL;
    }
    imv_register_entry_free(a);
    free(why);
    return rc;
}

static int sub_note_or_sign(imv_register *r, const reg_opts *o, int sign)
{
    if (o->n_args != 1)
        return usage(
            sign ? "sign needs the id of the entry signed off and --role, e.g.\n"
                   "  imeval register sign A-1a2b3c4d5e6f --role assurer --by NAME%s"
                 : "note needs the id of the entry it concerns and --text, e.g.\n"
                   "  imeval register note A-1a2b3c4d5e6f --text \"ratings from the 2018 report\"%s",
            "");
    char *text = NULL;
    int rc = text_arg(o->text, o->text_file, &text);
    if (rc)
        return rc;
    if (!sign && (!text || !*text)) {
        free(text);
        return usage("note: the assumption's text is required (--text or --text-file)%s", "");
    }
    if (sign && !o->role) {
        free(text);
        return usage("sign: --role analyst, assurer or approver is required%s", "");
    }
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "text", text ? text : "");
    if (o->impact)
        cJSON_AddStringToObject(b, "impact", o->impact);
    if (o->reliability)
        cJSON_AddStringToObject(b, "reliability", o->reliability);
    imv_register_entry e = {.kind = strdup(sign ? "sign-off" : "assumption"),
                            .ref = strdup(o->args[0]),
                            .author = author_default(o),
                            .role = strdup(o->role ? o->role : "adviser"),
                            .supersedes = o->supersedes ? strdup(o->supersedes) : NULL,
                            .body = cJSON_PrintUnformatted(b)};
    cJSON_Delete(b);
    rc = append_and_report(r, o, &e);
    imv_register_entry_clear(&e);
    free(text);
    return rc;
}

static const char *js(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "-";
}

static void print_status_line(const cJSON *s)
{
    const cJSON *latest = cJSON_GetObjectItem(s, "latest");
    printf("%-14s %-22s %-22s %3.0f  %-8s %-21s %s%s%s\n", js(s, "label"), js(s, "authority"),
           js(s, "intervention"), cJSON_GetObjectItem(s, "reviews")->valuedouble,
           js(latest, "as_of"), js(latest, "grade"), js(s, "reason"),
           cJSON_IsString(cJSON_GetObjectItem(s, "escalate_to")) ? "; escalate to " : "",
           cJSON_IsString(cJSON_GetObjectItem(s, "escalate_to")) ? js(s, "escalate_to") : "");
}

static int sub_history(imv_register *r, const reg_opts *o)
{
    if (o->n_args != 1)
        return usage("history needs an authority, e.g. imeval register history torbay%s", "");
    cJSON *h = NULL;
    char err[1024];
    int rc = imv_register_history(r, o->args[0], &h, err, sizeof err);
    if (rc) {
        cli_error("register history", "%s", err);
        return EXIT_PARTIAL;
    }
    if (o->json) {
        print_json(h);
        cJSON_Delete(h);
        return 0;
    }
    const cJSON *iv = cJSON_GetObjectItem(h, "intervention"), *x;
    printf("%s: %s", o->args[0], js(iv, "label"));
    if (cJSON_IsString(cJSON_GetObjectItem(iv, "intervention")))
        printf(" (%s, decision %s)", js(iv, "intervention"), js(iv, "decision"));
    printf("\n  %s%s%s\n", js(iv, "reason"),
           cJSON_IsString(cJSON_GetObjectItem(iv, "escalate_to")) ? "; escalate to " : "",
           cJSON_IsString(cJSON_GetObjectItem(iv, "escalate_to")) ? js(iv, "escalate_to") : "");
    printf("\ntrajectory\n  %-10s %-21s %6s  %-22s %s\n", "as of", "grade", "rating", "recommended",
           "id");
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(h, "trajectory"))
    {
        const cJSON *rt = cJSON_GetObjectItem(x, "rating");
        printf("  %-10s %-21s %6.2f  %-22s %s\n", js(x, "as_of"), js(x, "grade"),
               cJSON_IsNumber(rt) ? rt->valuedouble : 0, js(x, "recommended"), js(x, "id"));
    }
    printf("\nentries\n  %4s  %-20s %-10s %-16s %-20s %s\n", "seq", "at", "kind", "id", "by",
           "detail");
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(h, "entries"))
    {
        char who[128], detail[200];
        snprintf(who, sizeof who, "%s (%s)", js(x, "author"), js(x, "role"));
        const char *kind = js(x, "kind");
        if (strcmp(kind, "decision") == 0)
            snprintf(detail, sizeof detail, "chose %s on %s: %.80s", js(x, "chosen"), js(x, "ref"),
                     js(x, "rationale"));
        else if (strcmp(kind, "assessment") == 0 || strcmp(kind, "review") == 0)
            snprintf(detail, sizeof detail, "%s %s, recommended %s", js(x, "as_of"), js(x, "grade"),
                     js(x, "recommended"));
        else
            snprintf(detail, sizeof detail, "on %s: %.80s", js(x, "ref"), js(x, "text"));
        printf("  %4.0f  %-20s %-10s %-16s %-20s %s%s%s", cJSON_GetObjectItem(x, "seq")->valuedouble,
               js(x, "at"), kind, js(x, "id"), who, detail,
               cJSON_IsString(cJSON_GetObjectItem(x, "superseded_by")) ? " [superseded by " : "",
               cJSON_IsString(cJSON_GetObjectItem(x, "superseded_by")) ? js(x, "superseded_by") : "");
        if (cJSON_IsString(cJSON_GetObjectItem(x, "superseded_by")))
            printf("]");
        printf("\n");
    }
    cJSON_Delete(h);
    return 0;
}

static int sub_status(imv_register *r, const reg_opts *o)
{
    cJSON *s = NULL, *x;
    char err[1024];
    if (imv_register_status(r, &s, err, sizeof err)) {
        cli_error("register status", "%s", err);
        return EXIT_PARTIAL;
    }
    if (o->json) {
        print_json(s);
        cJSON_Delete(s);
        return 0;
    }
    const cJSON *c = cJSON_GetObjectItem(s, "counts");
    printf("%.0f deteriorating, %.0f stalled, %.0f improved (step down), %.0f on track, %.0f undecided\n\n",
           cJSON_GetObjectItem(c, "deteriorating")->valuedouble,
           cJSON_GetObjectItem(c, "stalled")->valuedouble,
           cJSON_GetObjectItem(c, "improved")->valuedouble,
           cJSON_GetObjectItem(c, "on_track")->valuedouble,
           cJSON_GetObjectItem(c, "undecided")->valuedouble);
    printf("%-14s %-22s %-22s %3s  %-8s %-21s %s\n", "status", "authority", "intervention", "rev",
           "latest", "grade", "why");
    /* Only authorities under an intervention; the undecided are counted
     * above and listed by --format json. */
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(s, "authorities")) if (strcmp(js(x, "status"),
                                                                            "undecided") != 0)
        print_status_line(x);
    cJSON_Delete(s);
    return 0;
}

static int sub_replay(imv_register *r, const reg_opts *o)
{
    if (o->n_args != 1)
        return usage("replay needs an assessment id%s", "");
    cJSON *rep = NULL, *x;
    char err[1024];
    if (imv_register_replay(r, o->args[0], NULL, &rep, err, sizeof err)) {
        cli_error("register replay", "%s", err);
        return EXIT_PARTIAL;
    }
    int same = cJSON_IsTrue(cJSON_GetObjectItem(rep, "identical"));
    if (o->json) {
        print_json(rep);
    } else if (same) {
        printf("%s: identical: the result replays byte for byte (sha256 %s)\n", o->args[0],
               js(rep, "replayed_sha256"));
    } else {
        printf("%s: DIFFERENT: recorded sha256 %s, now %s\n", o->args[0],
               js(rep, "recorded_sha256"), js(rep, "replayed_sha256"));
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(
                                  rep, "models")) if (cJSON_IsTrue(cJSON_GetObjectItem(x, "changed")))
            printf("  model %s changed: %s (recorded %.12s, now %.12s)\n", js(x, "id"),
                   js(x, "path"), js(x, "recorded_sha256"), js(x, "current_sha256"));
        printf("  recommended: %s then, %s now\n  %-22s %9s %9s\n", js(rep, "recorded_recommended"),
               js(rep, "replayed_recommended"), "model", "then", "now");
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(rep, "ranking"))
        {
            const cJSON *a = cJSON_GetObjectItem(x, "recorded_score"),
                        *b = cJSON_GetObjectItem(x, "replayed_score");
            const cJSON *ra = cJSON_GetObjectItem(x, "recorded_rank"),
                        *rb = cJSON_GetObjectItem(x, "replayed_rank");
            printf("  %-22s #%d %5.1f #%d %5.1f%s\n", js(x, "model"),
                   cJSON_IsNumber(ra) ? ra->valueint : 0, cJSON_IsNumber(a) ? a->valuedouble : 0,
                   cJSON_IsNumber(rb) ? rb->valueint : 0, cJSON_IsNumber(b) ? b->valuedouble : 0,
                   (cJSON_IsNumber(ra) && cJSON_IsNumber(rb) && ra->valueint != rb->valueint) ||
                           (cJSON_IsNumber(a) && cJSON_IsNumber(b) && a->valuedouble != b->valuedouble)
                       ? "  <-"
                       : "");
        }
    }
    cJSON_Delete(rep);
    return same ? 0 : EXIT_PARTIAL;
}

static int sub_verify(imv_register *r, const reg_opts *o)
{
    imv_register_verify_result res;
    char err[1024];
    int rc = imv_register_verify(r, o->head, &res, err, sizeof err);
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddBoolToObject(j, "ok", rc == 0);
        cJSON_AddNumberToObject(j, "entries", (double)res.entries);
        cJSON_AddNumberToObject(j, "blobs", (double)res.blobs);
        cJSON_AddStringToObject(j, "head", res.head);
        if (rc) {
            cJSON_AddNumberToObject(j, "bad_seq", (double)res.bad_seq);
            cJSON_AddStringToObject(j, "problem", res.problem[0] ? res.problem : err);
        }
        print_json(j);
        cJSON_Delete(j);
    } else if (rc == 0) {
        printf("%s: sound: %ld entries, %ld documents, head %s\n", imv_register_where(r),
               res.entries, res.blobs, res.head[0] ? res.head : "(empty)");
    }
    if (rc)
        cli_error("register verify", "%s", err);
    return rc ? EXIT_PARTIAL : 0;
}

static int sub_export(imv_register *r, const reg_opts *o)
{
    cli_out out;
    char err[1024];
    if (cli_out_open(&out, o->output))
        return EXIT_USAGE;
    int rc = imv_register_export(r, out.f, err, sizeof err);
    if (rc)
        cli_error("register export", "%s", err);
    if (cli_out_close(&out, rc == 0))
        rc = IMV_EIO;
    return rc ? EXIT_PARTIAL : 0;
}

static int sub_import(imv_register *r, const reg_opts *o)
{
    if (o->n_args != 1)
        return usage("import needs an export file (or - for standard input)%s", "");
    FILE *f = strcmp(o->args[0], "-") == 0 ? stdin : fopen(o->args[0], "r");
    if (!f) {
        cli_error("register import", "%s: cannot read it: %s", o->args[0], strerror(errno));
        return EXIT_PARTIAL;
    }
    imv_register_import_stats st;
    char err[1024];
    int rc = imv_register_import(r, f, o->args[0], &st, err, sizeof err);
    if (f != stdin)
        fclose(f);
    if (rc) {
        cli_error("register import", "%s", err);
        return EXIT_PARTIAL;
    }
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "added", (double)st.added);
        cJSON_AddNumberToObject(j, "present", (double)st.present);
        cJSON_AddNumberToObject(j, "documents_added", (double)st.blobs_added);
        print_json(j);
        cJSON_Delete(j);
    } else {
        printf("%ld entries added, %ld already present, %ld documents added\n", st.added,
               st.present, st.blobs_added);
    }
    return 0;
}

static int sub_grant(imv_register *r, const reg_opts *o)
{
    int adviser = o->n_args >= 2 && strcmp(o->args[1], "adviser") == 0;
    if (o->n_args < 2 || (!adviser && strcmp(o->args[1], "reader")) ||
        (!adviser && o->n_args < 3) || (adviser && o->n_args > 2))
        return usage("grant ROLE adviser, or grant ROLE reader AUTHORITY..., e.g.\n"
                     "  imeval register grant plymouth_council reader torbay%s",
                     "");
    char err[1024];
    for (int i = adviser ? 1 : 2; i < o->n_args; i++) {
        int rc = imv_register_grant(r, o->args[0], adviser, adviser ? NULL : o->args[i], err,
                                    sizeof err);
        if (rc) {
            cli_error("register grant", "%s", err);
            return exit_for(rc);
        }
        if (!o->json)
            printf("%s may %s%s\n", o->args[0], adviser ? "read and append" : "read ",
                   adviser ? "" : o->args[i]);
    }
    return 0;
}

static int sub_init(const reg_opts *o)
{
    reg_opts w = *o;
    if (o->n_args == 1 && !o->where)
        w.where = o->args[0];
    else if (o->n_args)
        return usage("init takes one register location%s", "");
    imv_register *r = NULL;
    int rc = open_reg(&w, 1, &r);
    if (rc)
        return exit_for(rc);
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "register", imv_register_where(r));
        cJSON_AddStringToObject(j, "backend", imv_register_backend(r));
        cJSON_AddNumberToObject(j, "schema", imv_register_schema_version());
        print_json(j);
        cJSON_Delete(j);
    } else {
        printf("%s register ready at %s (schema %d)\n", imv_register_backend(r),
               imv_register_where(r), imv_register_schema_version());
    }
    imv_register_close(r);
    return 0;
}

/* `register review DECISION PROFILE... [evaluate options]` is evaluate
 * with --reviews DECISION. */
static int sub_review(int argc, char **argv)
{
    if (argc < 5 || argv[3][0] == '-')
        return usage("review needs the decision id and the later profile, e.g.\n"
                     "  imeval register review D-1a2b3c4d5e6f torbay-2019.json --register REG%s",
                     "");
    char **v = calloc((size_t)argc + 3, sizeof *v);
    if (!v)
        return EXIT_PARTIAL;
    int n = 0;
    v[n++] = argv[0];
    v[n++] = "evaluate";
    for (int i = 4; i < argc; i++)
        v[n++] = argv[i];
    v[n++] = "--reviews";
    v[n++] = argv[3];
    int rc = cmd_evaluate(n, v);
    free(v);
    return rc;
}

int cmd_register(int argc, char **argv)
{
    reg_opts o = {0};
    if (argc < 3 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
        help(argc < 3 ? stderr : stdout);
        return argc < 3 ? EXIT_USAGE : 0;
    }
    o.sub = argv[2];
    size_t k = 0;
    while (k < sizeof subs / sizeof subs[0] && strcmp(subs[k], o.sub) != 0)
        k++;
    if (k == sizeof subs / sizeof subs[0])
        return usage("unknown subcommand \"%s\"", o.sub);
    if (strcmp(o.sub, "review") == 0)
        return sub_review(argc, argv);
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc;
    if (o.help) {
        help(stdout);
        return 0;
    }
    if (strcmp(o.sub, "init") == 0)
        return sub_init(&o);
    imv_register *r = NULL;
    if ((rc = open_reg(&o, 0, &r)))
        return exit_for(rc);
    if (strcmp(o.sub, "decide") == 0)
        rc = sub_decide(r, &o);
    else if (strcmp(o.sub, "note") == 0)
        rc = sub_note_or_sign(r, &o, 0);
    else if (strcmp(o.sub, "sign") == 0)
        rc = sub_note_or_sign(r, &o, 1);
    else if (strcmp(o.sub, "history") == 0)
        rc = sub_history(r, &o);
    else if (strcmp(o.sub, "status") == 0)
        rc = sub_status(r, &o);
    else if (strcmp(o.sub, "replay") == 0)
        rc = sub_replay(r, &o);
    else if (strcmp(o.sub, "verify") == 0)
        rc = sub_verify(r, &o);
    else if (strcmp(o.sub, "export") == 0)
        rc = sub_export(r, &o);
    else if (strcmp(o.sub, "grant") == 0)
        rc = sub_grant(r, &o);
    else
        rc = sub_import(r, &o);
    imv_register_close(r);
    return rc;
}

/* ---- recording from `imeval evaluate` ----------------------------------- */

struct cli_recorder {
    imv_register *r;
    const cli_opts *o;
    int argc;
    char **argv;
    size_t n; /* evaluations recorded so far */
};

cli_recorder *cli_recorder_open(const cli_opts *o, int argc, char **argv, int *failed)
{
    *failed = 0;
    if (!o->reg_location && !o->assessment && !o->reviews)
        return NULL;
    cli_recorder *rec = calloc(1, sizeof *rec);
    char err[1024];
    int rc = rec ? imv_register_open(o->reg_location, 0, &rec->r, err, sizeof err) : IMV_ENOMEM;
    if (rc) {
        cli_error(o->cmd_name, "--register: %s", rc == IMV_ENOMEM ? "out of memory" : err);
        free(rec);
        *failed = 1;
        return NULL;
    }
    rec->o = o;
    rec->argc = argc;
    rec->argv = argv;
    return rec;
}

int cli_recorder_add(cli_recorder *rec, const imv_registry *reg, const imv_evaluation *e)
{
    const cli_opts *o = rec->o;
    char id[256], err[1024], given[256];
    const char *want = NULL;
    if (o->assessment) {
        if (rec->n == 0)
            snprintf(given, sizeof given, "%s", o->assessment);
        else
            snprintf(given, sizeof given, "%s-%zu", o->assessment, rec->n + 1);
        want = given;
    }
    imv_register_run run = {.draws = (size_t)o->draws,
                            .seed = o->seed,
                            .vary_parameters = o->vary_parameters,
                            .argc = rec->argc,
                            .argv = rec->argv};
    imv_register_assessment_in in = {.id = want,
                                     .authority = o->authority,
                                     .author = o->by,
                                     .review_of = o->reviews,
                                     .supersedes = o->supersedes,
                                     .rated_by = o->rated_by,
                                     .rated_on = o->rated_on};
    int rc = imv_register_record_evaluation(rec->r, reg, e, &run, NULL, &in, id, sizeof id, err,
                                            sizeof err);
    if (rc) {
        cli_error(o->cmd_name, "%s: not recorded: %s", e->profile->id, err);
        return -1;
    }
    rec->n++;
    cli_error(o->cmd_name, "recorded %s %s (%s) in %s", o->reviews ? "review" : "assessment", id,
              e->profile->id, imv_register_where(rec->r));
    return 0;
}

void cli_recorder_close(cli_recorder *rec)
{
    if (!rec)
        return;
    imv_register_close(rec->r);
    free(rec);
}
