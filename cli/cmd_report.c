/*
 * cmd_report.c - `imeval report`: the document an adviser attaches to a
 * submission (issue 12; docs/report.md).  Evaluates the profiles with
 * draws, runs the sensitivity analysis of each, and writes one
 * self-contained HTML file through report/html.c, or a PDF of it printed
 * by headless Chromium.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "register.h"

#define DEFAULT_DRAWS 2000
#define PDF_TIMEOUT 180 /* seconds: Chromium's start under load is slow, never endless */

static const char synopsis[] = "[options] PROFILE... [-o report.html | -o report.pdf]";
static const char about[] =
    "Write the adviser's report for each profile: one self-contained HTML file\n"
    "(inline CSS and SVG charts, no script, no network) laid out for A4 print, with\n"
    "the recommendation and how robust it is, the ranking, rank acceptability,\n"
    "why each model scores as it does, the tipping points, timelines, partners,\n"
    "every input, the method and its limits, the provenance (SHA-256 of every\n"
    "file and of the result, the command that reproduces it) and empty sign-off\n"
    "and decision forms.  Several profiles give a summary page and a section\n"
    "each.  -o FILE.pdf prints the HTML to PDF with headless Chromium (Debian\n"
    "package chromium; IMEVAL_CHROMIUM names another binary).  Without -o the\n"
    "HTML goes to standard output.  --format json writes the data behind the\n"
    "report instead.  Draws default to 2000 (seed 1) so that robustness can be\n"
    "shown.  Exit status: 0 written, 1 some profiles or models failed (the report\n"
    "covers the rest), 2 usage error or no Chromium for a PDF, 130 interrupted.\n\n"
    "example:  imeval report datasets/cases/doncaster-2013.json -o doncaster.pdf";

/* Allocation for the command: out of memory ends it with a message. */
static void *checked(void *p)
{
    if (!p) {
        cli_error("report", "out of memory");
        exit(EXIT_PARTIAL);
    }
    return p;
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return checked(n < 0 ? NULL : s);
}

typedef struct rep_ctx {
    imv_output *json;
    imv_worker *w;
    const imv_registry *reg;
    cJSON *sens, *inputs;
    imv_diags *diags;
    size_t count;
    int quiet;
} rep_ctx;

static int on_diag(void *ctx, const imv_diag *g)
{
    rep_ctx *x = ctx;
    cli_print_diag(g, x->quiet);
    return 1; /* kept: warnings go in the inputs, errors in the JSON */
}

static int sink(void *ctx, const imv_evaluation *e)
{
    rep_ctx *x = ctx;
    for (size_t i = 0; i < e->n; i++) {
        const imv_result *r = &e->results[i];
        if (r->error) {
            char where[300];
            snprintf(where, sizeof where, "%s: model %s", e->profile->id, imv_model_id(r->model));
            imv_diags_add_at(x->diags, 0, e->profile->source, e->profile->line, where, "%s",
                             r->error);
        }
    }
    imv_sensitivity *s = NULL;
    if (imv_sensitivity_run(x->w, e->profile, &s) == IMV_OK) {
        cJSON_AddItemToArray(x->sens, imv_sensitivity_json(s, e->profile, x->reg));
        imv_sensitivity_free(s);
    } else {
        cJSON_AddItemToArray(x->sens, cJSON_CreateNull());
    }
    cJSON_AddItemToArray(x->inputs, imv_report_inputs_json(e->profile, x->diags));
    x->count++;
    return imv_output_evaluation(x->json, e) == IMV_OK ? 0 : -1;
}

/* A string field of a JSON object text, or NULL. */
static char *body_str(const char *body, const char *key)
{
    cJSON *b = body ? cJSON_Parse(body) : NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, key);
    char *s = cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
    cJSON_Delete(b);
    return s;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

/* "name (role)" of an entry. */
static char *who(const imv_register_entry *e)
{
    return xasprintf("%s (%s)", e->author ? e->author : "?", e->role ? e->role : "?");
}

/* The decision, assumptions and sign-offs recorded on an assessment, in
 * the shape imv_report_authority.record takes; *profile gets the
 * assessment's profile id.  NULL after printing what went wrong. */
static cJSON *load_record(const cli_opts *o, char **profile)
{
    imv_register *r = NULL;
    imv_register_assessment *a = NULL;
    char err[1024];
    cJSON *rec = NULL;
    if (imv_register_open(o->reg_location, 0, &r, err, sizeof err) != 0) {
        cli_error("report", "--register: %s", err);
        goto done;
    }
    if (imv_register_assessment_get(r, o->assessment, &a, err, sizeof err) != 0) {
        cli_error("report", "--assessment %s: %s", o->assessment, err);
        goto done;
    }
    cJSON *pj = a->profile_json ? cJSON_Parse(a->profile_json) : NULL;
    const cJSON *pid = cJSON_GetObjectItemCaseSensitive(pj, "id");
    *profile = cJSON_IsString(pid) ? strdup(pid->valuestring) : NULL;
    cJSON_Delete(pj);
    rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "assessment", a->entry->id);
    add_str(rec, "register", imv_register_where(r));
    add_str(rec, "recorded_at", a->entry->at);
    add_str(rec, "recommended", a->entry->model);
    if (a->decision) {
        const imv_register_entry *d = a->decision;
        cJSON *x = cJSON_AddObjectToObject(rec, "decision");
        char *partner = body_str(d->body, "partner"), *why = body_str(d->body, "rationale");
        char *text = partner
                         ? xasprintf("%s, with %s as partner", d->model ? d->model : "?", partner)
                         : checked(strdup(d->model ? d->model : "?"));
        char *by = who(d);
        add_str(x, "id", d->id);
        add_str(x, "text", text);
        add_str(x, "rationale", why);
        add_str(x, "by", by);
        add_str(x, "at", d->at);
        cJSON_AddBoolToObject(x, "differs_from_recommendation",
                              d->model && a->entry->model && strcmp(d->model, a->entry->model) != 0);
        free(partner);
        free(why);
        free(text);
        free(by);
    } else {
        cJSON_AddNullToObject(rec, "decision");
    }
    cJSON *as = cJSON_AddArrayToObject(rec, "assumptions");
    for (size_t i = 0; i < a->n_assumptions; i++) {
        const imv_register_entry *e = &a->assumptions[i];
        cJSON *x = cJSON_CreateObject();
        char *t = body_str(e->body, "text"), *im = body_str(e->body, "impact"),
             *rl = body_str(e->body, "reliability"), *by = who(e);
        add_str(x, "text", t);
        add_str(x, "impact", im);
        add_str(x, "reliability", rl);
        add_str(x, "by", by);
        add_str(x, "at", e->at);
        cJSON_AddItemToArray(as, x);
        free(t);
        free(im);
        free(rl);
        free(by);
    }
    cJSON *ss = cJSON_AddArrayToObject(rec, "signoffs");
    for (size_t i = 0; i < a->n_signoffs; i++) {
        const imv_register_entry *e = &a->signoffs[i];
        cJSON *x = cJSON_CreateObject();
        char *t = body_str(e->body, "text");
        add_str(x, "role", e->role);
        add_str(x, "name", e->author);
        add_str(x, "at", e->at);
        add_str(x, "text", t);
        add_str(x, "on", e->ref);
        cJSON_AddItemToArray(ss, x);
        free(t);
    }
done:
    imv_register_assessment_free(a);
    imv_register_close(r);
    return rec;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The Chromium binary: $IMEVAL_CHROMIUM, else chromium on PATH. */
static char *find_chromium(void)
{
    const char *env = getenv("IMEVAL_CHROMIUM");
    if (env && *env)
        return access(env, X_OK) == 0 ? strdup(env) : NULL;
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    char *copy = strdup(path), *save = NULL, *found = NULL;
    for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d && !found;
         d = strtok_r(NULL, ":", &save)) {
        static const char *const names[] = {"chromium", "chromium-browser"};
        for (size_t i = 0; i < 2 && !found; i++) {
            char *p = xasprintf("%s/%s", *d ? d : ".", names[i]);
            if (access(p, X_OK) == 0)
                found = p;
            else
                free(p);
        }
    }
    free(copy);
    return found;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Print html (a file in dir) to pdf with Chromium, within the deadline.
 * Returns 0, or -1 with a message in err. */
static int print_pdf(const char *chromium, const char *dir, const char *html, const char *pdf,
                     char *err, size_t errlen)
{
    char *profile = xasprintf("%s/chromium-profile", dir);
    char *log = xasprintf("%s/chromium.log", dir);
    char *a_profile = xasprintf("--user-data-dir=%s", profile);
    char *a_pdf = xasprintf("--print-to-pdf=%s", pdf);
    char *url = xasprintf("file://%s", html);
    int rc = -1;
    mkdir(profile, 0700);
    char *const args[] = {(char *)chromium,
                          "--headless",
                          "--no-sandbox",
                          "--disable-gpu",
                          "--disable-quic",
                          "--no-first-run",
                          "--disable-background-networking",
                          "--disable-component-update",
                          "--disable-sync",
                          "--disable-dev-shm-usage",
                          "--no-pdf-header-footer",
                          "--disable-extensions",
                          a_profile,
                          a_pdf,
                          url,
                          NULL};
    const char *t = getenv("IMEVAL_PDF_TIMEOUT");
    double limit = t && atof(t) > 0 ? atof(t) : PDF_TIMEOUT;
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start %s: %s", chromium, strerror(errno));
        goto done;
    }
    if (pid == 0) {
        setpgid(0, 0); /* its own group, so the deadline ends every helper process */
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int nul = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (nul >= 0)
            dup2(nul, 0);
        setenv("HOME", dir, 1); /* nothing written to the user's own profile */
        execv(chromium, args);
        _exit(127);
    }
    setpgid(pid, pid);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = 0, reaped = 0, timed_out = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            reaped = 1;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        double el = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
        if (el > limit || cli_stop) {
            timed_out = el > limit;
            break;
        }
        struct timespec nap = {0, 50 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    kill(-pid, SIGKILL); /* helpers it left behind, and itself when it overran */
    if (!reaped)
        waitpid(pid, &status, 0);
    if (timed_out) {
        snprintf(err, errlen,
                 "%s did not finish printing within %.0f s (IMEVAL_PDF_TIMEOUT sets the "
                 "limit); the HTML report prints from any browser",
                 chromium, limit);
        goto done;
    }
    if (cli_stop) {
        snprintf(err, errlen, "interrupted while printing the PDF");
        goto done;
    }
    struct stat st;
    FILE *pf = fopen(pdf, "rb");
    char magic[5] = "";
    if (pf) {
        if (fread(magic, 1, 4, pf) != 4)
            magic[0] = '\0';
        fclose(pf);
    }
    if (stat(pdf, &st) != 0 || st.st_size == 0 || memcmp(magic, "%PDF", 4) != 0) {
        char tail[300] = "";
        FILE *lf = fopen(log, "r");
        if (lf) {
            char line[300];
            while (fgets(line, sizeof line, lf))
                if (strstr(line, "ERROR") || strstr(line, "rror"))
                    snprintf(tail, sizeof tail, "%s", line);
            fclose(lf);
        }
        tail[strcspn(tail, "\n")] = '\0';
        snprintf(err, errlen, "%s wrote no PDF (exit %d)%s%s", chromium,
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                 *tail ? ": " : "", tail);
        goto done;
    }
    rc = 0;
done:
    free(profile);
    free(log);
    free(a_profile);
    free(a_pdf);
    free(url);
    return rc;
}

/* Copy the file at from into the open output. */
static int copy_into(const char *from, FILE *to)
{
    FILE *f = fopen(from, "rb");
    if (!f)
        return -1;
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (fwrite(buf, 1, n, to) != n)
            rc = -1;
    if (ferror(f))
        rc = -1;
    fclose(f);
    return rc;
}

static char *command_line(int argc, char **argv)
{
    size_t len = 0;
    char *s = checked(strdup(""));
    for (int i = 0; i < argc; i++) {
        char *q = imv_shell_quote(i == 0 ? "imeval" : argv[i]);
        size_t n = strlen(q);
        s = checked(realloc(s, len + n + 2));
        if (i)
            s[len++] = ' ';
        memcpy(s + len, q, n + 1);
        len += n;
        free(q);
    }
    return s;
}

/* The report itself, from what the run collected. */
static int write_report(FILE *f, const char *doc_text, cJSON *doc, cJSON *sens, cJSON *inputs,
                        const cJSON *record, const char *record_profile, const imv_registry *reg,
                        int argc, char **argv)
{
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(doc, "results");
    size_t n = (size_t)cJSON_GetArraySize(results);
    imv_report_authority *as = calloc(n ? n : 1, sizeof *as);
    if (!as)
        return IMV_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        as[i].result = cJSON_GetArrayItem(results, (int)i);
        const cJSON *s = cJSON_GetArrayItem(sens, (int)i);
        as[i].sensitivity = cJSON_IsObject(s) ? s : NULL;
        as[i].inputs = cJSON_GetArrayItem(inputs, (int)i);
        /* the assessment's record goes with its own profile (or the only one) */
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(as[i].result, "profile");
        if (record && n == 1 && record_profile && cJSON_IsString(pid) &&
            strcmp(pid->valuestring, record_profile) != 0)
            cli_error("report", "warning: the assessment is of profile %s, the report of %s",
                      record_profile, pid->valuestring);
        if (record && (n == 1 || (record_profile && cJSON_IsString(pid) &&
                                  strcmp(pid->valuestring, record_profile) == 0)))
            as[i].record = record;
    }
    char when[64] = "";
    time_t t = time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    char *cmd = command_line(argc, argv);
    cJSON *sdoc = cJSON_CreateObject();
    cJSON_AddStringToObject(sdoc, "format", "imeval-sensitivity/1");
    cJSON_AddItemReferenceToObject(sdoc, "results", sens);
    imv_report r = {doc, doc_text, sdoc, n, as, reg, when, cmd};
    int rc = imv_report_write(f, &r);
    cJSON_Delete(sdoc);
    free(cmd);
    free(as);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, CMD_REPORT, "report", &o);
    if (rc || o.help) {
        if (o.help)
            cli_help(stdout, CMD_REPORT, "report", synopsis, about);
        cli_opts_free(&o);
        return rc;
    }
    if (o.args.n == 0) {
        cli_usage_error("report", "no profiles given, e.g. imeval report "
                                  "datasets/cases/doncaster-2013.json -o doncaster.html");
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    if (o.format != -1 && o.format != IMV_FMT_JSON) {
        cli_usage_error("report", "--format: the report is HTML (or PDF, by -o FILE.pdf); "
                                  "--format json writes the data behind it");
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    if (!o.draws_given)
        o.draws = DEFAULT_DRAWS;
    int pdf = o.format != IMV_FMT_JSON && o.output && ends_with(o.output, ".pdf");
    char *chromium = NULL;
    if (pdf && !(chromium = find_chromium())) {
        cli_usage_error("report",
                        "-o %s: writing a PDF needs Chromium, and %s was not found "
                        "(install the Debian package chromium: apt-get install chromium, "
                        "set IMEVAL_CHROMIUM to its path, or write HTML with -o "
                        "report.html and print it from a browser)",
                        o.output,
                        getenv("IMEVAL_CHROMIUM") && *getenv("IMEVAL_CHROMIUM")
                            ? getenv("IMEVAL_CHROMIUM")
                            : "chromium");
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    if (o.reg_location && !o.assessment) {
        cli_usage_error("report", "--register needs --assessment ID: the assessment whose "
                                  "decision and sign-offs to show");
        free(chromium);
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    char *record_profile = NULL;
    cJSON *record = o.assessment ? load_record(&o, &record_profile) : NULL;
    if (o.assessment && !record) {
        free(chromium);
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    if (record && o.args.n > 1 && !record_profile)
        cli_error("report",
                  "warning: assessment %s names no profile; its decision is shown for "
                  "none of the %zu authorities",
                  o.assessment, o.args.n);
    int partial = 0, ok = 1;
    imv_registry *reg = cli_registry(&o, &partial);
    if (!reg) {
        cJSON_Delete(record);
        free(record_profile);
        free(chromium);
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    char *doc_text = NULL, tmpdir[] = "/tmp/imeval-report-XXXXXX";
    size_t doc_len = 0;
    int have_tmp = 0;
    cJSON *doc = NULL;
    imv_diags diags;
    imv_diags_init(&diags);
    FILE *mem = open_memstream(&doc_text, &doc_len);
    imv_provenance *prov = cli_provenance(&o, reg, argc, argv);
    rep_ctx x = {.json = imv_output_new(mem, IMV_FMT_JSON, 0, reg, NULL),
                 .w = imv_worker_new(reg),
                 .reg = reg,
                 .sens = cJSON_CreateArray(),
                 .inputs = cJSON_CreateArray(),
                 .diags = &diags,
                 .quiet = o.quiet};
    imv_output_set_provenance(x.json, prov, 0);
    imv_output_begin(x.json);
    diags.on_add = on_diag;
    diags.on_add_ctx = &x;
    imv_run_opts ro = {.jobs = o.jobs,
                       .draws = (size_t)o.draws,
                       .seed = o.seed,
                       .vary_parameters = o.vary_parameters,
                       .rating_noise = o.rating_noise,
                       .strict = o.strict,
                       .stop = &cli_stop};
    imv_run_stats st;
    cli_catch_signals();
    int run_rc = imv_run(reg, (char *const *)o.args.v, o.args.n, &ro, sink, NULL, &x, &diags, &st);
    diags.on_add = NULL;
    if (imv_output_end(x.json, &diags) != IMV_OK || run_rc != IMV_OK)
        ok = 0;
    fclose(mem);
    if (st.interrupted) {
        cli_error("report", "interrupted: no report written");
        goto done;
    }
    if (x.count == 0) {
        cli_error("report", "no report written: no profile could be evaluated%s",
                  o.output ? " (the previous file, if any, is as it was)" : "");
        ok = 0;
        goto done;
    }
    doc = cJSON_Parse(doc_text);
    if (!doc) {
        cli_error("report", "internal error: the result document does not parse");
        ok = 0;
        goto done;
    }
    if (o.format == IMV_FMT_JSON) {
        cli_out out;
        if (cli_out_open(&out, o.output)) {
            ok = 0;
            goto done;
        }
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "format", "imeval-report-data/1");
        cJSON_AddItemReferenceToObject(d, "result", doc);
        cJSON_AddItemReferenceToObject(d, "sensitivity", x.sens);
        cJSON_AddItemReferenceToObject(d, "inputs", x.inputs);
        if (record)
            cJSON_AddItemReferenceToObject(d, "record", record);
        char *s = imv_json_print(d, 1);
        int wok = s && fprintf(out.f, "%s\n", s) >= 0;
        free(s);
        cJSON_Delete(d);
        if (cli_out_close(&out, wok) || !wok)
            ok = 0;
        goto done;
    }
    if (!pdf) {
        cli_out out;
        if (cli_out_open(&out, o.output)) {
            ok = 0;
            goto done;
        }
        int wrc = write_report(out.f, doc_text, doc, x.sens, x.inputs, record, record_profile, reg,
                               argc, argv);
        if (cli_out_close(&out, wrc == IMV_OK) || wrc != IMV_OK)
            ok = 0;
        goto done;
    }
    /* PDF: the HTML in a private directory, printed by Chromium, copied
     * into place atomically. */
    if (!mkdtemp(tmpdir)) {
        cli_error("report", "a temporary directory: cannot make it: %s", strerror(errno));
        ok = 0;
        goto done;
    }
    have_tmp = 1;
    char *html = xasprintf("%s/report.html", tmpdir), *pdfp = xasprintf("%s/report.pdf", tmpdir);
    FILE *hf = fopen(html, "w");
    int wrc = hf ? write_report(hf, doc_text, doc, x.sens, x.inputs, record, record_profile, reg,
                                argc, argv)
                 : IMV_EIO;
    if (hf && fclose(hf) != 0)
        wrc = IMV_EIO;
    char err[600];
    if (wrc != IMV_OK) {
        cli_error("report", "%s: cannot write it: %s", html, strerror(errno));
        ok = 0;
    } else if (print_pdf(chromium, tmpdir, html, pdfp, err, sizeof err) != 0) {
        cli_error("report", "%s", err);
        ok = 0;
    } else {
        cli_out out;
        if (cli_out_open(&out, o.output)) {
            ok = 0;
        } else {
            int cok = copy_into(pdfp, out.f) == 0;
            if (!cok)
                cli_error("report", "%s: cannot copy the PDF to it", o.output);
            if (cli_out_close(&out, cok) || !cok)
                ok = 0;
        }
    }
    free(html);
    free(pdfp);
done:
    if (have_tmp)
        rm_tree(tmpdir);
    rc = st.interrupted || cli_stop           ? cli_interrupted_exit()
         : !ok && x.count == 0                ? EXIT_PARTIAL
         : (!ok || diags.n_errors || partial) ? EXIT_PARTIAL
                                              : 0;
    cJSON_Delete(doc);
    cJSON_Delete(x.sens);
    cJSON_Delete(x.inputs);
    free(doc_text);
    imv_worker_free(x.w);
    imv_provenance_free(prov);
    imv_diags_free(&diags);
    imv_registry_free(reg);
    free(chromium);
    cJSON_Delete(record);
    free(record_profile);
    cli_opts_free(&o);
    return rc;
}
