/*
 * html.c - the adviser's report as one HTML file (html.h).
 *
 * Everything is read from the JSON the engine wrote (the result document,
 * the sensitivity analysis, the inputs), never recomputed, so the report
 * cannot disagree with `imeval evaluate --format json`: the charts carry
 * the JSON's numbers in their data- attributes.  Text from profiles and
 * models is escaped on the way out (imv_chart_escape) and isolated in
 * <bdi> so that a right-to-left name cannot reorder what follows it.
 */
#include "imeval.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "internal.h"

#define MAX_MODELS 64

static const char CSP[] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                          "base-uri 'none'; form-action 'none'";

static const char CSS[] =
    "@page{size:A4;margin:14mm 14mm 16mm}\n"
    "html{background:#fff}\n"
    "body{font-family:'DejaVu Sans',Verdana,sans-serif;font-size:9.5pt;line-height:1.4;color:#1a1a1a;"
    "max-width:182mm;margin:0 auto;padding:0 4mm;overflow-wrap:break-word}\n"
    "h1{font-size:17pt;margin:0 0 2pt}h2{font-size:12.5pt;margin:14pt 0 4pt;border-bottom:1.5px solid #1a1a1a;"
    "break-after:avoid}h3{font-size:10.5pt;margin:10pt 0 3pt;break-after:avoid}\n"
    "p{margin:3pt 0 5pt}ul{margin:2pt 0 6pt;padding-left:14pt}li{margin:1pt 0}\n"
    ".authority{break-before:page}.authority:first-of-type{break-before:auto}\n"
    ".summary{break-after:page}.cover{break-after:page}\n"
    ".headline{font-size:12pt;font-weight:bold;margin:6pt 0 8pt;padding:6pt 8pt;background:#eef3f8;"
    "border-left:5px solid #0072B2}\n"
    ".meta{color:#454545}.caution{border-left:5px solid #D55E00;padding:3pt 8pt;background:#fdf1e8}\n"
    ".box{border:1px solid #8c8c8c;padding:4pt 8pt;margin:4pt 0 8pt}\n"
    "figure{margin:6pt 0 12pt;break-inside:avoid}figcaption{margin-bottom:3pt}\n"
    "figcaption strong{display:block;font-size:10pt}figcaption span{color:#454545;font-size:8.5pt}\n"
    "svg.chart{display:block;width:100%;height:auto;max-width:182mm}\n"
    "table{border-collapse:collapse;width:100%;font-size:8pt;margin:3pt 0 8pt;break-inside:auto}\n"
    "th,td{border-bottom:1px solid #c8c8c8;padding:1.5pt 4pt;text-align:left;vertical-align:top}\n"
    "th{border-bottom:1.5px solid #1a1a1a;font-weight:bold}tr{break-inside:avoid}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}\n"
    "table.form td{height:22pt}table.form th{width:18%}\n"
    ".hash{font-family:'DejaVu Sans Mono',monospace;font-size:7.5pt;overflow-wrap:anywhere}\n"
    ".small{font-size:8pt;color:#454545}\n"
    ".whatif{border-left:5px solid #D55E00;padding:3pt 8pt;background:#fdf1e8;font-weight:bold}\n"
    "@media screen{body{padding:8mm}}\n";

/* ---- JSON access --------------------------------------------------------- */

static const cJSON *jget(const cJSON *o, const char *k)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int jtrue(const cJSON *o, const char *k)
{
    return cJSON_IsTrue(jget(o, k));
}

static const char *or_(const char *s, const char *dflt)
{
    return s ? s : dflt;
}

/* ---- writing -------------------------------------------------------------- */

static void esc(FILE *f, const char *s)
{
    imv_chart_escape(f, s, 0);
}

/* Text from a profile or a model: escaped, isolated (so a right-to-left
 * name cannot reorder what follows), and with a break opportunity every
 * RUN characters of an unbroken run, so that a 10 kB name wraps instead
 * of pushing a table off the page. */
#define RUN 24
static void user(FILE *f, const char *s)
{
    s = or_(s, "");
    fputs("<bdi>", f);
    size_t run = 0;
    const char *seg = s;
    for (const char *p = s; *p; p++) {
        run = (*p == ' ' || *p == '\n' || *p == '-' || *p == ',') ? 0 : run + 1;
        /* break only before the first byte of a UTF-8 character */
        if (run >= RUN && ((unsigned char)p[1] & 0xC0) != 0x80 && p[1]) {
            char *piece = imv_xstrndup(seg, (size_t)(p + 1 - seg));
            imv_chart_escape(f, piece, 0);
            free(piece);
            fputs("<wbr>", f);
            seg = p + 1;
            run = 0;
        }
    }
    imv_chart_escape(f, seg, 0);
    fputs("</bdi>", f);
}

/* A number with prec decimals (prec < 0: %g; sign: always a sign), or
 * "-" for none. */
static void numx(FILE *f, double v, int prec, int sign)
{
    if (!isfinite(v))
        fputs("-", f);
    else if (prec < 0)
        fprintf(f, "%g", v);
    else
        fprintf(f, sign ? "%+.*f" : "%.*f", prec, v);
}

static void pct(FILE *f, double share)
{
    if (isfinite(share))
        fprintf(f, "%.0f%%", share * 100);
    else
        fputs("-", f);
}

/* "failure_extent" as "failure extent". */
static void rating_name(FILE *f, const char *s)
{
    fputs("<bdi>", f);
    for (const char *p = or_(s, ""); *p; p++) {
        if (*p == '_')
            fputc(' ', f);
        else if (*p == '&' || *p == '<' || *p == '>' || *p == '"' || *p == '\'') {
            char one[2] = {*p, 0};
            esc(f, one);
        } else
            fputc(*p, f);
    }
    fputs("</bdi>", f);
}

static char *spaced(const char *s)
{
    char *c = imv_xstrdup(or_(s, ""));
    for (char *p = c; *p; p++)
        if (*p == '_')
            *p = ' ';
    return c;
}

/* ---- one authority's data, gathered once -------------------------------- */

typedef struct auth {
    size_t index; /* in the report */
    const cJSON *res, *sens, *inputs, *record;
    const cJSON *ranking; /* array */
    size_t n;
    const cJSON *entry[MAX_MODELS]; /* ranking entries in rank order */
    const cJSON *unc;               /* uncertainty object or NULL */
    const cJSON *unc_models;
    double draws;
    const char *first; /* recommended id or NULL */
    int fig;           /* figure counter */
} auth;

typedef struct ctx {
    FILE *f;
    const imv_report *r;
    const cJSON *models; /* the document's "models" */
    const cJSON *prov;
} ctx;

static const char *model_name(const ctx *c, const char *id)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, c->models)
    {
        const char *mid = jstr(m, "id");
        if (mid && id && strcmp(mid, id) == 0)
            return or_(jstr(m, "name"), id);
    }
    return or_(id, "none");
}

static const cJSON *unc_of(const auth *a, const char *id)
{
    return id ? jget(a->unc_models, id) : NULL;
}

/* P(model ranks k+1) from the draws, NaN without them. */
static double rank_prob(const auth *a, const char *id, size_t k)
{
    const cJSON *rp = jget(unc_of(a, id), "rank_probability");
    const cJSON *v = cJSON_IsArray(rp) ? cJSON_GetArrayItem(rp, (int)k) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void gather(auth *a, size_t index, const imv_report_authority *ra)
{
    memset(a, 0, sizeof *a);
    a->index = index;
    a->res = ra->result;
    a->sens = ra->sensitivity;
    a->inputs = ra->inputs;
    a->record = ra->record;
    a->ranking = jget(a->res, "ranking");
    const cJSON *e;
    cJSON_ArrayForEach(e, a->ranking)
    {
        if (a->n < MAX_MODELS)
            a->entry[a->n++] = e;
    }
    a->unc = jget(a->res, "uncertainty");
    a->unc_models = jget(a->unc, "models");
    a->draws = a->unc ? jnum(a->unc, "draws") : 0;
    a->first = jstr(a->res, "recommended");
}

static void fig_id(char *buf, size_t n, auth *a)
{
    snprintf(buf, n, "a%zu-fig%d", a->index + 1, ++a->fig);
}

static void figure_begin(ctx *c, const char *title, const char *subtitle)
{
    fputs("<figure><figcaption><strong>", c->f);
    esc(c->f, title);
    fputs("</strong><span>", c->f);
    esc(c->f, subtitle);
    fputs("</span></figcaption>\n", c->f);
}

static void figure_end(ctx *c)
{
    fputs("</figure>\n", c->f);
}

/* ---- 1. heading and headline ------------------------------------------------ */

/* The uncertain rating with a tipping point inside its range, nearest
 * first; NULL when none.  *to, *who: the tip. */
static const char *fragile_rating(const auth *a, double *from, double *to, const char **who)
{
    const cJSON *rt = jget(a->sens, "ratings"), *r;
    const char *best = NULL;
    double bestd = INFINITY;
    cJSON_ArrayForEach(r, rt)
    {
        static const char *const dirs[] = {"increase", "decrease"};
        for (int d = 0; d < 2; d++) {
            const cJSON *t = jget(r, dirs[d]);
            if (!cJSON_IsObject(t) || !jtrue(t, "within_range"))
                continue;
            double ch = fabs(jnum(t, "change"));
            if (ch < bestd) {
                bestd = ch;
                best = r->string;
                *from = jnum(r, "value");
                *to = jnum(t, "to");
                *who = jstr(t, "first");
            }
        }
    }
    return best;
}

/* The nearest tipping points of any rating, up to max, nearest first. */
typedef struct tip_ref {
    const char *rating, *first;
    double from, to, change;
    int within;
} tip_ref;

static size_t nearest_tips(const auth *a, tip_ref *out, size_t max)
{
    size_t n = 0;
    const cJSON *rt = jget(a->sens, "ratings"), *r;
    cJSON_ArrayForEach(r, rt)
    {
        static const char *const dirs[] = {"increase", "decrease"};
        for (int d = 0; d < 2; d++) {
            const cJSON *t = jget(r, dirs[d]);
            if (!cJSON_IsObject(t))
                continue;
            tip_ref x = {r->string,     jstr(t, "first"),        jnum(r, "value"),
                         jnum(t, "to"), fabs(jnum(t, "change")), jtrue(t, "within_range")};
            /* insertion into the sorted list */
            size_t k = n < max ? n++ : max;
            if (k == max && (max == 0 || x.change >= out[max - 1].change))
                continue;
            if (k == max)
                k = max - 1;
            while (k > 0 && out[k - 1].change > x.change) {
                out[k] = out[k - 1];
                k--;
            }
            out[k] = x;
        }
    }
    return n;
}

/* The model, other than the first, most often first in the draws. */
static const char *rival(const auth *a, double *share)
{
    const char *best = NULL;
    *share = 0;
    for (size_t i = 0; i < a->n; i++) {
        const char *id = jstr(a->entry[i], "model");
        if (!id || (a->first && strcmp(id, a->first) == 0))
            continue;
        double p = rank_prob(a, id, 0);
        if (p > *share) {
            *share = p;
            best = id;
        }
    }
    return best;
}

static void headline(ctx *c, const auth *a)
{
    FILE *f = c->f;
    fputs("<p class=\"headline\" id=\"headline\">", f);
    if (!a->first) {
        fputs("No model is viable for this authority: every one has a precondition that is not "
              "met (see the ranking and why each model scores as it does).</p>\n",
              f);
        return;
    }
    user(f, model_name(c, a->first));
    fputs(" ranks first", f);
    double p1 = rank_prob(a, a->first, 0), rs = 0, from = NAN, to = NAN;
    const char *who = NULL, *rv = rival(a, &rs);
    const char *fr = fragile_rating(a, &from, &to, &who);
    if (isfinite(p1) && a->draws > 0) {
        if (p1 >= 0.9) {
            fprintf(f,
                    "; it is first in %.0f%% of %.0f draws: the choice is robust to the uncertain "
                    "ratings",
                    p1 * 100, a->draws);
        } else {
            fputs("; ", f);
            if (rv) {
                user(f, model_name(c, rv));
                fprintf(f, " is first in %.0f%% of draws", rs * 100);
            } else {
                fprintf(f, "it is first in only %.0f%% of draws", p1 * 100);
            }
            fputs(p1 >= 0.6 ? ": the choice is fairly robust" : ": the choice is not robust", f);
            if (fr) {
                fputs(" to the judgement on ", f);
                rating_name(f, fr);
            } else {
                fputs(" to the uncertain ratings", f);
            }
        }
    } else {
        tip_ref t[1];
        if (nearest_tips(a, t, 1)) {
            fputs("; no draws were made, and the nearest tipping point is ", f);
            rating_name(f, t[0].rating);
            fprintf(f, " at %.2f (now %.2f), which puts ", t[0].to, t[0].from);
            user(f, model_name(c, t[0].first));
            fputs(" first", f);
        } else {
            fputs("; no single rating change within 0..4 puts another model first", f);
        }
    }
    fputs(".</p>\n", f);
}

/* A what-if of `imeval serve` (inputs.what_if): said at the top, so the
 * report is never mistaken for the profile as assessed. */
static void what_if_note(ctx *c, const auth *a)
{
    const cJSON *w = jget(a->inputs, "what_if"), *x;
    if (!cJSON_IsObject(w))
        return;
    FILE *f = c->f;
    const cJSON *ch = jget(w, "changed");
    fputs("<p class=\"whatif\"><strong>What-if, not the profile as assessed", f);
    if (jstr(w, "base")) {
        fputs(" (", f);
        user(f, jstr(w, "base"));
        fputs(")", f);
    }
    fprintf(f, ":</strong> %d input%s changed", cJSON_GetArraySize(ch),
            cJSON_GetArraySize(ch) == 1 ? "" : "s");
    int k = 0;
    cJSON_ArrayForEach(x, ch)
    {
        char *from = cJSON_PrintUnformatted(jget(x, "from")),
             *to = cJSON_PrintUnformatted(jget(x, "to"));
        fputs(k++ ? "; " : ": ", f);
        user(f, or_(jstr(x, "field"), "?"));
        fputs(" from ", f);
        user(f, or_(from, "none"));
        fputs(" to ", f);
        user(f, or_(to, "none"));
        free(from);
        free(to);
    }
    fputs(".</p>\n", f);
}

/* The what-if's old value of field ("ratings.x"), or NULL when unchanged. */
static const cJSON *what_if_from(const auth *a, const char *field)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, jget(jget(a->inputs, "what_if"), "changed"))
    {
        const char *fl = jstr(x, "field");
        if (fl && strcmp(fl, field) == 0)
            return cJSON_GetObjectItemCaseSensitive(x, "from") ? jget(x, "from") : x;
    }
    return NULL;
}

static void sec_heading(ctx *c, const auth *a)
{
    FILE *f = c->f;
    fprintf(f, "<header><h1 id=\"a%zu\">", a->index + 1);
    user(f, jstr(a->res, "name"));
    fputs("</h1>\n<p class=\"meta\">Authority profile <bdi>", f);
    esc(f, jstr(a->res, "profile"));
    fputs("</bdi>, as of ", f);
    user(f, jstr(a->res, "as_of"));
    fputs("; Ofsted grade: ", f);
    user(f, jstr(a->res, "grade"));
    fputs("; report generated ", f);
    esc(f, or_(c->r->generated, "-"));
    fputs(".</p>\n<p class=\"meta\">The question: which intervention model should the DfE use for "
          "this authority's children's services, and how sure can we be?</p>\n",
          f);
    what_if_note(c, a);
    headline(c, a);
    fputs("</header>\n", f);
}

/* ---- 2. summary ---------------------------------------------------------------- */

static double entry_score(const cJSON *e)
{
    return jnum(e, "score");
}

static void sec_summary(ctx *c, const auth *a)
{
    FILE *f = c->f;
    fprintf(f,
            "<section class=\"summary\" aria-labelledby=\"a%zu-s2\"><h2 id=\"a%zu-s2\">Summary</h2>\n",
            a->index + 1, a->index + 1);
    const cJSON *e1 = a->n ? a->entry[0] : NULL, *e2 = a->n > 1 ? a->entry[1] : NULL;
    fputs("<ul>\n", f);
    if (a->first && e1) {
        fputs("<li><strong>Recommendation:</strong> ", f);
        user(f, model_name(c, a->first));
        fputs(" (<bdi>", f);
        esc(f, a->first);
        fputs("</bdi>), score ", f);
        numx(f, entry_score(e1), 1, 0);
        fputs(" (", f);
        esc(f, or_(jstr(e1, "band"), "-"));
        fputs(")", f);
        if (e2 && isfinite(entry_score(e2))) {
            fprintf(f, ", %.1f points ahead of ", entry_score(e1) - entry_score(e2));
            user(f, model_name(c, jstr(e2, "model")));
            fputs(jtrue(e2, "viable") ? "" : " (not viable)", f);
        }
        fputs(".</li>\n", f);
    } else {
        fputs("<li><strong>Recommendation:</strong> none: no model is viable.</li>\n", f);
    }
    if (a->draws > 0 && a->first) {
        double p1 = rank_prob(a, a->first, 0), p2 = p1 + rank_prob(a, a->first, 1);
        fprintf(f,
                "<li><strong>Robustness:</strong> over %.0f draws of the uncertain ratings "
                "(seed ",
                a->draws);
        numx(f, jnum(a->unc, "seed"), 0, 0);
        fputs("), ", f);
        user(f, model_name(c, a->first));
        fputs(" is first in ", f);
        pct(f, p1);
        fputs(" and in the top two in ", f);
        pct(f, a->n > 1 ? p2 : p1);
        double rs;
        const char *rv = rival(a, &rs);
        if (rv && rs > 0) {
            fputs("; ", f);
            user(f, model_name(c, rv));
            fputs(" is first in ", f);
            pct(f, rs);
        }
        fputs(".</li>\n", f);
    } else {
        fputs("<li><strong>Robustness:</strong> no draws were made (give ratings as ranges in the "
              "profile and run with --draws).</li>\n",
              f);
    }
    /* unmet preconditions of the leading models: the top three, and any
     * model that would score above the first but is not viable */
    int any = 0;
    for (size_t i = 0; i < a->n; i++) {
        const cJSON *e = a->entry[i], *um = jget(e, "unmet_preconditions");
        int leading = i < 3 || (e1 && entry_score(e) > entry_score(e1));
        if (!leading || cJSON_GetArraySize(um) == 0)
            continue;
        if (!any++)
            fputs("<li><strong>Preconditions not met among the leading models:</strong><ul>\n", f);
        fputs("<li>", f);
        user(f, model_name(c, jstr(e, "model")));
        fputs(" (score ", f);
        numx(f, entry_score(e), 1, 0);
        fputs("): ", f);
        const cJSON *u;
        int k = 0;
        cJSON_ArrayForEach(u, um)
        {
            fputs(k++ ? "; " : "", f);
            user(f, cJSON_IsString(u) ? u->valuestring : "");
        }
        fputs("</li>\n", f);
    }
    if (any)
        fputs("</ul></li>\n", f);

    /* the caveats with most effect, at most three, most serious first */
    fputs("<li><strong>Caveats with most effect:</strong><ol>\n", f);
    int nc = 0;
    double p1 = a->first ? rank_prob(a, a->first, 0) : NAN, from = NAN, to = NAN;
    const char *who = NULL, *fr = fragile_rating(a, &from, &to, &who);
    if (fr && nc < 3) {
        fputs("<li>A change of ", f);
        rating_name(f, fr);
        fprintf(f, " from %.2f to %.2f, inside the range the profile gives, puts ", from, to);
        user(f, model_name(c, who));
        fputs(" first.</li>\n", f);
        nc++;
    }
    if (isfinite(p1) && p1 < 0.9 && nc < 3) {
        fputs("<li>The recommended model is first in only ", f);
        pct(f, p1);
        fputs(" of the draws: read the rank-acceptability chart, not the first place alone.</li>\n",
              f);
        nc++;
    }
    int caution = e1 && a->first && isfinite(entry_score(e1)) && entry_score(e1) < 50;
    if (caution && nc < 3) {
        caution = 0; /* said here: not again below */
        fputs("<li class=\"caution\"><strong>Caution:</strong> even the best viable model fits poorly "
              "here (score ",
              f);
        numx(f, entry_score(e1), 1, 0);
        fputs("); read the reasons and why the others are not viable before relying on it.</li>\n",
              f);
        nc++;
    }
    if (e1 && e2 && nc < 3 && isfinite(entry_score(e2)) && entry_score(e1) - entry_score(e2) < 5) {
        fprintf(f, "<li>The margin over the runner-up is only %.1f points.</li>\n",
                entry_score(e1) - entry_score(e2));
        nc++;
    }
    for (size_t i = 1; i < a->n && nc < 3; i++) {
        const cJSON *e = a->entry[i];
        if (!jtrue(e, "viable") && e1 && entry_score(e) > entry_score(e1)) {
            fputs("<li>", f);
            user(f, model_name(c, jstr(e, "model")));
            fputs(" would score higher (", f);
            numx(f, entry_score(e), 1, 0);
            fputs(") but a precondition is not met.</li>\n", f);
            nc++;
            break;
        }
    }
    if (!nc)
        fputs("<li>None of the checks found a caveat: the first place holds over the draws, no "
              "tipping point lies inside a given range, the margin is at least 5 points.</li>\n",
              f);
    fputs("</ol></li>\n", f);

    tip_ref t[3];
    size_t nt = nearest_tips(a, t, 3);
    fputs("<li><strong>Nearest tipping points</strong> (one rating changed, the others as "
          "given):<ul>\n",
          f);
    for (size_t i = 0; i < nt; i++) {
        fputs("<li>", f);
        rating_name(f, t[i].rating);
        fprintf(f, " from %.2f to %.2f puts ", t[i].from, t[i].to);
        user(f, model_name(c, t[i].first));
        fputs(" first", f);
        fputs(t[i].within ? " (inside the range the profile gives)" : "", f);
        fputs("</li>\n", f);
    }
    if (!nt)
        fputs("<li>None: no single rating change within 0..4 changes the first model.</li>\n", f);
    fputs("</ul></li>\n", f);
    if (caution)
        fputs("<li class=\"caution\"><strong>Caution:</strong> even the best viable model fits "
              "poorly here; read the reasons and why the others are not viable before relying on "
              "it.</li>\n",
              f);
    const cJSON *iv = jget(a->res, "intervention");
    fputs("<li><strong>Intervention in place:</strong> ", f);
    if (iv) {
        user(f, jstr(iv, "text"));
        fputs(" (status: ", f);
        user(f, jstr(iv, "status"));
        fputs(")", f);
    } else {
        fputs("none recorded in the profile", f);
    }
    fputs(".</li>\n</ul>\n</section>\n", f);
}

/* ---- 3. ranking ---------------------------------------------------------------- */

static void months_cell(FILE *f, const cJSON *t, const char *k)
{
    fputs("<td class=\"n\">", f);
    numx(f, jnum(t, k), 0, 0);
    fputs("</td>", f);
}

static void sec_ranking(ctx *c, auth *a)
{
    FILE *f = c->f;
    fprintf(f, "<section aria-labelledby=\"a%zu-s3\"><h2 id=\"a%zu-s3\">Ranking</h2>\n",
            a->index + 1, a->index + 1);
    fputs("<table><thead><tr><th scope=\"col\" class=\"n\">#</th><th scope=\"col\">model</th>"
          "<th scope=\"col\" class=\"n\">score (0-100)</th><th scope=\"col\">band</th>"
          "<th scope=\"col\">viable</th><th scope=\"col\" class=\"n\">p05-p95</th>"
          "<th scope=\"col\" class=\"n\">set-up (months)</th><th scope=\"col\" class=\"n\">to fair "
          "(months)</th><th scope=\"col\" class=\"n\">to good (months)</th>"
          "<th scope=\"col\">partner (fit)</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < a->n; i++) {
        const cJSON *e = a->entry[i], *t = jget(e, "timeline"), *pa = jget(e, "partner");
        const char *id = jstr(e, "model");
        const cJSON *u = unc_of(a, id);
        fprintf(f, "<tr><td class=\"n\">%zu</td><td>", i + 1);
        user(f, model_name(c, id));
        fputs("</td><td class=\"n\">", f);
        numx(f, entry_score(e), 1, 0);
        fputs("</td><td>", f);
        esc(f, jstr(e, "error") ? "error" : or_(jstr(e, "band"), "-"));
        fprintf(f, "</td><td>%s</td><td class=\"n\">", jtrue(e, "viable") ? "yes" : "no");
        if (u) {
            numx(f, jnum(u, "p05"), 1, 0);
            fputs("-", f);
            numx(f, jnum(u, "p95"), 1, 0);
        } else {
            fputs("-", f);
        }
        fputs("</td>", f);
        months_cell(f, t, "setup_months");
        months_cell(f, t, "months_to_fair");
        months_cell(f, t, "months_to_good");
        fputs("<td>", f);
        if (pa) {
            user(f, jstr(pa, "id"));
            fputs(" (", f);
            numx(f, jnum(pa, "fit"), 0, 0);
            fputs(")", f);
        }
        fputs("</td></tr>\n", f);
        if (jstr(e, "error")) {
            fputs("<tr><td></td><td colspan=\"9\" class=\"small\">failed: ", f);
            user(f, jstr(e, "error"));
            fputs("</td></tr>\n", f);
        }
    }
    fputs("</tbody></table>\n", f);

    imv_chart_dot dots[MAX_MODELS];
    char **labels = imv_xcalloc(a->n ? a->n : 1, sizeof *labels);
    for (size_t i = 0; i < a->n; i++) {
        const char *id = jstr(a->entry[i], "model");
        const cJSON *u = unc_of(a, id);
        labels[i] = imv_xstrdup(model_name(c, id));
        dots[i] = (imv_chart_dot){or_(id, ""),
                                  labels[i],
                                  entry_score(a->entry[i]),
                                  u ? jnum(u, "p05") : NAN,
                                  u ? jnum(u, "p95") : NAN,
                                  u ? jnum(u, "mean") : NAN,
                                  !jtrue(a->entry[i], "viable")};
    }
    char id[32], title[300];
    fig_id(id, sizeof id, a);
    snprintf(title, sizeof title, "%s leads the ranking%s",
             a->first ? model_name(c, a->first) : "No viable model",
             a->draws > 0 ? "; the bars show how far each score moves over the draws" : "");
    char desc[400];
    snprintf(desc, sizeof desc,
             "Score of each model (0 to 100), in rank order%s. Hollow dots: not viable (a "
             "precondition is not met).",
             a->draws > 0
                 ? ", with the 5th to 95th percentile of the draws as a bar and the mean as a tick"
                 : "");
    imv_chart_meta m = {id, title, desc, "score (0-100)"};
    figure_begin(c, title, desc);
    imv_chart_dot_interval(f, &m, dots, a->n, 0, 100);
    figure_end(c);
    for (size_t i = 0; i < a->n; i++)
        free(labels[i]);
    free(labels);
    fputs("</section>\n", f);
}

/* ---- 4. robustness ---------------------------------------------------------------- */

static void sec_robustness(ctx *c, auth *a)
{
    FILE *f = c->f;
    fprintf(f, "<section aria-labelledby=\"a%zu-s4\"><h2 id=\"a%zu-s4\">Robustness</h2>\n",
            a->index + 1, a->index + 1);
    if (!(a->draws > 0) || !a->unc_models) {
        fputs("<p>No draws were made, so there is no rank acceptability to show: give uncertain "
              "ratings as ranges ({\"low\", \"mode\", \"high\"}) and run with --draws N.</p></section>\n",
              f);
        return;
    }
    fprintf(f, "<p>Each bar splits the %.0f draws of the uncertain ratings (seed ", a->draws);
    numx(f, jnum(a->unc, "seed"), 0, 0);
    fputs(jtrue(a->unc, "vary_parameters") ? ", model parameters drawn too" : "", f);
    fputs(") by the rank the model took. Read the whole bar: a model first in half the draws and "
          "second in the rest is a different finding from one first in half and last in the rest. "
          "Expected rank is the mean rank over the draws; SUCRA is 1 for a model always first and 0 "
          "for one always last.</p>\n",
          f);
    size_t n = a->n;
    imv_chart_stack rows[MAX_MODELS];
    char **labels = imv_xcalloc(n ? n : 1, sizeof *labels);
    double *shares = imv_xcalloc(n ? n * n : 1, sizeof *shares);
    char **series = imv_xcalloc(n ? n : 1, sizeof *series);
    for (size_t k = 0; k < n; k++)
        series[k] = k == 0   ? imv_xstrdup("1st")
                    : k == 1 ? imv_xstrdup("2nd")
                    : k == 2 ? imv_xstrdup("3rd")
                             : imv_xasprintf("%zuth", k + 1);
    for (size_t i = 0; i < n; i++) {
        const char *id = jstr(a->entry[i], "model");
        labels[i] = imv_xstrdup(model_name(c, id));
        rows[i] = (imv_chart_stack){or_(id, ""), labels[i]};
        for (size_t k = 0; k < n; k++) {
            double p = rank_prob(a, id, k);
            shares[i * n + k] = isfinite(p) ? p : 0;
        }
    }
    char id[32], title[300];
    fig_id(id, sizeof id, a);
    double p1 = a->first ? rank_prob(a, a->first, 0) : NAN;
    if (a->first && isfinite(p1))
        snprintf(title, sizeof title, "%s is first in %.0f%% of draws", model_name(c, a->first),
                 p1 * 100);
    else
        snprintf(title, sizeof title, "How often each model takes each rank");
    const char *desc = "Rank acceptability: for each model, the share of draws in which it ranked "
                       "1st, 2nd and so on, as 100% stacked bars; darker is a better rank.";
    imv_chart_meta m = {id, title, desc, "share of draws (%)"};
    figure_begin(c, title, desc);
    imv_chart_stacked100(f, &m, rows, n, shares, (const char *const *)series, n);
    fputs("<table><thead><tr><th scope=\"col\">model</th>", f);
    for (size_t k = 0; k < n; k++) {
        fputs("<th scope=\"col\" class=\"n\">", f);
        esc(f, series[k]);
        fputs("</th>", f);
    }
    fputs("<th scope=\"col\" class=\"n\">top two</th><th scope=\"col\" class=\"n\">expected rank</th>"
          "<th scope=\"col\" class=\"n\">SUCRA</th><th scope=\"col\" class=\"n\">viable in</th>"
          "</tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const char *mid = jstr(a->entry[i], "model");
        double er = 0, top2 = shares[i * n] + (n > 1 ? shares[i * n + 1] : 0);
        fputs("<tr><td>", f);
        user(f, labels[i]);
        fputs("</td>", f);
        for (size_t k = 0; k < n; k++) {
            er += (double)(k + 1) * shares[i * n + k];
            fputs("<td class=\"n\">", f);
            pct(f, shares[i * n + k]);
            fputs("</td>", f);
        }
        fputs("<td class=\"n\">", f);
        pct(f, top2);
        fprintf(f, "</td><td class=\"n\">%.2f</td><td class=\"n\">%.2f</td><td class=\"n\">", er,
                n > 1 ? ((double)n - er) / (double)(n - 1) : 1.0);
        pct(f, jnum(unc_of(a, mid), "viable_share"));
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
    figure_end(c);
    for (size_t i = 0; i < n; i++) {
        free(labels[i]);
        free(series[i]);
    }
    free(labels);
    free(series);
    free(shares);
    fputs("</section>\n", f);
}

/* ---- 5. why each model scores as it does ------------------------------------------ */

/* The model's "base" parameter, when it has one. */
static double model_base(const ctx *c, const char *id)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, c->models)
    {
        const char *mid = jstr(m, "id");
        if (mid && id && strcmp(mid, id) == 0)
            return jnum(jget(m, "parameters"), "base");
    }
    return NAN;
}

static void reasons_table(ctx *c, const cJSON *e)
{
    FILE *f = c->f;
    fputs("<table><thead><tr><th scope=\"col\" class=\"n\">points</th><th scope=\"col\">reason</th>"
          "<th scope=\"col\">evidence</th><th scope=\"col\">inputs</th></tr></thead><tbody>\n",
          f);
    /* in the waterfall's order: largest effect first, ties as given */
    const cJSON *rs = jget(e, "reasons");
    size_t n = (size_t)cJSON_GetArraySize(rs);
    const cJSON **v = imv_xcalloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i] = cJSON_GetArrayItem(rs, (int)i);
        for (size_t k = i; k > 0 && fabs(jnum(v[k], "points")) > fabs(jnum(v[k - 1], "points")); k--) {
            const cJSON *t = v[k];
            v[k] = v[k - 1];
            v[k - 1] = t;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const cJSON *x = v[i];
        fputs("<tr><td class=\"n\">", f);
        numx(f, jnum(x, "points"), 1, 1);
        fputs("</td><td>", f);
        user(f, jstr(x, "text"));
        fputs("</td><td>", f);
        user(f, jstr(x, "evidence"));
        fputs("</td><td>", f);
        const cJSON *fl;
        int k = 0;
        cJSON_ArrayForEach(fl, jget(x, "fields"))
        {
            fputs(k++ ? ", " : "", f);
            user(f, cJSON_IsString(fl) ? fl->valuestring : "");
        }
        fputs("</td></tr>\n", f);
    }
    free(v);
    fputs("</tbody></table>\n", f);
}

static void list_items(ctx *c, const cJSON *arr, const char *what)
{
    FILE *f = c->f;
    if (cJSON_GetArraySize(arr) == 0) {
        fprintf(f, "<p><strong>%s:</strong> none.</p>\n", what);
        return;
    }
    fprintf(f, "<p><strong>%s:</strong></p><ul>\n", what);
    const cJSON *u;
    cJSON_ArrayForEach(u, arr)
    {
        fputs("<li>", f);
        user(f, cJSON_IsString(u) ? u->valuestring : "");
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

/* One model: its waterfall, its reasons with their evidence, what is not
 * met and the risks. */
static void model_explained(ctx *c, auth *a, size_t rank)
{
    FILE *f = c->f;
    const cJSON *e = a->entry[rank];
    const char *id = jstr(e, "model");
    fputs("<h3>", f);
    fprintf(f, "%zu. ", rank + 1);
    user(f, model_name(c, id));
    fputs("</h3>\n", f);
    if (jstr(e, "error")) {
        fputs("<p>The model failed on this profile: ", f);
        user(f, jstr(e, "error"));
        fputs("</p>\n", f);
        return;
    }
    double score = entry_score(e), sum = 0, base = model_base(c, id);
    size_t n = 0;
    imv_chart_step *steps = imv_xcalloc((size_t)cJSON_GetArraySize(jget(e, "reasons")) + 2,
                                        sizeof *steps);
    char **labels = imv_xcalloc((size_t)cJSON_GetArraySize(jget(e, "reasons")) + 2, sizeof *labels);
    const cJSON *x;
    cJSON_ArrayForEach(x, jget(e, "reasons"))
    {
        double p = jnum(x, "points");
        if (!isfinite(p) || p == 0)
            continue;
        sum += p;
        labels[n] = imv_xstrdup(or_(jstr(x, "text"), ""));
        steps[n] = (imv_chart_step){labels[n], p};
        n++;
    }
    /* biggest effect first, as a waterfall reads best */
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && fabs(steps[k].delta) > fabs(steps[k - 1].delta); k--) {
            imv_chart_step t = steps[k];
            steps[k] = steps[k - 1];
            steps[k - 1] = t;
        }
    double start;
    const char *start_label;
    if (isfinite(base)) {
        start = base;
        start_label = "base (parameter)";
        double rest = score - (base + sum);
        if (fabs(rest) >= 0.05) {
            steps[n++] = (imv_chart_step){"limit to 0-100 and rounding", rest};
        }
    } else {
        start = score - sum;
        start_label = "base (not itemised)";
    }
    char fid[32], title[400], desc[400];
    fig_id(fid, sizeof fid, a);
    snprintf(title, sizeof title, "How %s reaches %.1f", model_name(c, id), score);
    snprintf(desc, sizeof desc,
             "Waterfall: from the model's starting point through each reason's signed points, "
             "largest first, to the score of %.1f. Blue raises the score, light orange lowers it.",
             score);
    imv_chart_meta m = {fid, title, desc, "score"};
    figure_begin(c, title, desc);
    imv_chart_waterfall(f, &m, or_(id, ""), start_label, start, steps, n, "score", score);
    reasons_table(c, e);
    figure_end(c);
    list_items(c, jget(e, "unmet_preconditions"), "Preconditions not met");
    list_items(c, jget(e, "risks"), "Risks");
    for (size_t i = 0; i < n; i++)
        if (labels[i])
            free(labels[i]);
    free(labels);
    free(steps);
}

/* Themes of the inputs a reason names (its first field decides). */
static const char *const themes[] = {"leadership",
                                     "political and corporate",
                                     "acceptance and insight",
                                     "governance and partnerships",
                                     "workforce and finance",
                                     "extent of failure",
                                     "partner council",
                                     "other"};
/* The same, short enough for a column heading. */
static const char *const theme_heads[] = {"leadership",
                                          "political, corporate",
                                          "insight",
                                          "governance",
                                          "workforce, finance",
                                          "failure",
                                          "partner",
                                          "other"};
#define N_THEMES (sizeof themes / sizeof themes[0])

static size_t theme_of(const char *field)
{
    static const struct {
        const char *prefix;
        size_t theme;
    } map[] = {
        {"ratings.senior_leadership", 0},
        {"ratings.middle_leadership", 0},
        {"ratings.leadership_stability", 0},
        {"facts.leadership_changes_3y", 0},
        {"ratings.political_commitment", 1},
        {"ratings.corporate_leadership", 1},
        {"ratings.acceptance", 2},
        {"ratings.self_assessment", 2},
        {"ratings.initial_response", 2},
        {"ratings.governance", 3},
        {"ratings.partnerships", 3},
        {"ratings.workforce_stability", 4},
        {"ratings.financial_resilience", 4},
        {"facts.agency_rate", 4},
        {"facts.vacancy_rate", 4},
        {"facts.turnover_rate", 4},
        {"facts.additional_investment_gbp_m", 4},
        {"ratings.failure_extent", 5},
        {"facts.failure_years", 5},
        {"facts.unallocated_cases", 5},
        {"ofsted", 5},
        {"partners", 6},
        {"current_intervention", 6},
    };
    for (size_t i = 0; field && i < sizeof map / sizeof map[0]; i++)
        if (strncmp(field, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].theme;
    return N_THEMES - 1;
}

static void themes_chart(ctx *c, auth *a)
{
    FILE *f = c->f;
    size_t n = a->n;
    imv_chart_stack rows[MAX_MODELS];
    char **labels = imv_xcalloc(n ? n : 1, sizeof *labels);
    double *v = imv_xcalloc(n * N_THEMES, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const char *id = jstr(a->entry[i], "model");
        labels[i] = imv_xstrdup(model_name(c, id));
        rows[i] = (imv_chart_stack){or_(id, ""), labels[i]};
        const cJSON *x;
        cJSON_ArrayForEach(x, jget(a->entry[i], "reasons"))
        {
            double p = jnum(x, "points");
            const cJSON *f0 = cJSON_GetArrayItem(jget(x, "fields"), 0);
            if (isfinite(p))
                v[i * N_THEMES + theme_of(cJSON_IsString(f0) ? f0->valuestring : NULL)] += p;
        }
    }
    char fid[32];
    fig_id(fid, sizeof fid, a);
    const char *title = "What drives each model's score, by theme";
    const char *desc = "Sum of each model's reason points by the theme of the input they rest on: "
                       "right of zero raises the score, left lowers it; the figure right of each "
                       "bar is the net.";
    imv_chart_meta m = {fid, title, desc, "points"};
    figure_begin(c, title, desc);
    imv_chart_diverging(f, &m, rows, n, v, themes, N_THEMES);
    fputs("<table><thead><tr><th scope=\"col\">model</th>", f);
    for (size_t k = 0; k < N_THEMES; k++) {
        fputs("<th scope=\"col\" class=\"n\">", f);
        esc(f, theme_heads[k]);
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody>\n", f);
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><td>", f);
        user(f, labels[i]);
        fputs("</td>", f);
        for (size_t k = 0; k < N_THEMES; k++) {
            fputs("<td class=\"n\">", f);
            numx(f, round(v[i * N_THEMES + k] * 10) / 10 + 0.0, 1, 1);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
        free(labels[i]);
    }
    fputs("</tbody></table>\n", f);
    figure_end(c);
    free(labels);
    free(v);
}

static void sec_why(ctx *c, auth *a)
{
    FILE *f = c->f;
    fprintf(f,
            "<section aria-labelledby=\"a%zu-s5\"><h2 id=\"a%zu-s5\">Why each model scores as it "
            "does</h2>\n<p>The first two models here; every other model is in the appendix. Each "
            "reason cites the research behind it.</p>\n",
            a->index + 1, a->index + 1);
    for (size_t i = 0; i < a->n && i < 2; i++)
        model_explained(c, a, i);
    themes_chart(c, a);
    fputs("</section>\n", f);
}

/* ---- 6. what would change the answer ------------------------------------------------ */

static void sec_change(ctx *c, auth *a)
{
    FILE *f = c->f;
    fprintf(f,
            "<section aria-labelledby=\"a%zu-s6\"><h2 id=\"a%zu-s6\">What would change the "
            "answer</h2>\n",
            a->index + 1, a->index + 1);
    const cJSON *rt = jget(a->sens, "ratings");
    if (!rt) {
        char unused[32];
        fig_id(unused, sizeof unused, a); /* the chart's id all the same: later ids do not move */
        fputs("<p>The sensitivity analysis could not be run for this profile.</p></section>\n", f);
        return;
    }
    fputs("<p>Each rating is moved on its own over 0 to 4 while the others stay as given (the mode, or "
          "the middle of a range); a tipping point is the nearest value at which another model would "
          "rank first (found to 0.01).</p>\n",
          f);
    size_t n = (size_t)cJSON_GetArraySize(rt), k = 0;
    imv_chart_tip *rows = imv_xcalloc(n ? n : 1, sizeof *rows);
    char **labels = imv_xcalloc(n ? n : 1, sizeof *labels);
    double *dist = imv_xcalloc(n ? n : 1, sizeof *dist);
    const cJSON *r;
    cJSON_ArrayForEach(r, rt)
    {
        const cJSON *up = jget(r, "increase"), *dn = jget(r, "decrease"), *rg = jget(r, "range");
        labels[k] = spaced(r->string);
        rows[k] = (imv_chart_tip){r->string,
                                  labels[k],
                                  jnum(r, "value"),
                                  rg ? jnum(rg, "low") : NAN,
                                  rg ? jnum(rg, "high") : NAN,
                                  cJSON_IsObject(dn) ? jnum(dn, "to") : NAN,
                                  cJSON_IsObject(up) ? jnum(up, "to") : NAN,
                                  cJSON_IsObject(dn) ? model_name(c, jstr(dn, "first")) : NULL,
                                  cJSON_IsObject(up) ? model_name(c, jstr(up, "first")) : NULL};
        double d = INFINITY;
        if (isfinite(rows[k].down))
            d = fmin(d, rows[k].value - rows[k].down);
        if (isfinite(rows[k].up))
            d = fmin(d, rows[k].up - rows[k].value);
        dist[k] = d;
        k++;
    }
    /* nearest tipping point first; ratings with none keep their order */
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && dist[j] < dist[j - 1]; j--) {
            imv_chart_tip t = rows[j];
            rows[j] = rows[j - 1];
            rows[j - 1] = t;
            double d = dist[j];
            dist[j] = dist[j - 1];
            dist[j - 1] = d;
            char *l = labels[j];
            labels[j] = labels[j - 1];
            labels[j - 1] = l;
        }
    char fid[32], title[300];
    fig_id(fid, sizeof fid, a);
    if (k && isfinite(dist[0]))
        snprintf(title, sizeof title, "%s is the nearest to changing the answer", rows[0].label);
    else
        snprintf(title, sizeof title, "No single rating change within 0-4 changes the first model");
    const char *desc = "Tipping points per rating on the 0-4 scale: the dot is the rating as given, "
                       "the pale band the range the profile gives, the orange bar runs to the "
                       "nearest value that puts another model first (named at its end). Nearest "
                       "first.";
    imv_chart_meta m = {fid, title, desc, "rating (0-4)"};
    figure_begin(c, title, desc);
    imv_chart_tipping(f, &m, rows, k, 0, 4);
    fputs("<table><thead><tr><th scope=\"col\">rating</th><th scope=\"col\" class=\"n\">as given</th>"
          "<th scope=\"col\" class=\"n\">range</th><th scope=\"col\">lowering it to</th>"
          "<th scope=\"col\">raising it to</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < k; i++) {
        fputs("<tr><td>", f);
        esc(f, rows[i].label);
        fputs("</td><td class=\"n\">", f);
        numx(f, rows[i].value, 2, 0);
        fputs("</td><td class=\"n\">", f);
        if (isfinite(rows[i].lo)) {
            numx(f, rows[i].lo, 2, 0);
            fputs("-", f);
            numx(f, rows[i].hi, 2, 0);
        } else {
            fputs("-", f);
        }
        fputs("</td><td>", f);
        if (isfinite(rows[i].down)) {
            numx(f, rows[i].down, 2, 0);
            fputs(": ", f);
            user(f, rows[i].down_label);
        } else {
            fputs("none", f);
        }
        fputs("</td><td>", f);
        if (isfinite(rows[i].up)) {
            numx(f, rows[i].up, 2, 0);
            fputs(": ", f);
            user(f, rows[i].up_label);
        } else {
            fputs("none", f);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
    figure_end(c);
    for (size_t i = 0; i < k; i++)
        free(labels[i]);
    free(labels);
    free(rows);
    free(dist);

    /* what would bring each other model first */
    fputs("<h3>What would bring each other model first</h3>\n<table><thead><tr><th scope=\"col\">"
          "model</th><th scope=\"col\" class=\"n\">score</th><th scope=\"col\">one rating change that "
          "puts it first</th></tr></thead><tbody>\n",
          f);
    const cJSON *mo;
    cJSON_ArrayForEach(mo, jget(a->sens, "models"))
    {
        if (jnum(mo, "rank") == 1)
            continue;
        fputs("<tr><td>", f);
        user(f, model_name(c, mo->string));
        fputs("</td><td class=\"n\">", f);
        numx(f, jnum(mo, "score"), 1, 0);
        fputs("</td><td>", f);
        const cJSON *t = jget(mo, "tip");
        if (cJSON_IsObject(t)) {
            rating_name(f, jstr(t, "rating"));
            fprintf(f, " from %.2f to %.2f", jnum(t, "from"), jnum(t, "to"));
            int others = cJSON_GetArraySize(jget(mo, "options")) - 1;
            if (others > 0)
                fprintf(f, " (or %d other%s)", others, others == 1 ? "" : "s");
        } else {
            fputs("no single rating change within 0-4", f);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);

    fputs("<h3>The parameters the first place depends on</h3>\n", f);
    const cJSON *ps = jget(a->sens, "parameters");
    if (cJSON_GetArraySize(ps) == 0) {
        fputs("<p>No model parameter, moved within its range, changes the first model.</p>\n", f);
    } else {
        fputs("<p>Each model parameter moved on its own within its declared range; those that can "
              "change the first place, most sensitive first.</p>\n<table><thead><tr><th scope=\"col\">parameter</th><th scope=\"col\" "
              "class=\"n\">value</th><th scope=\"col\" class=\"n\">range</th><th scope=\"col\">nearest "
              "value that changes the first</th><th scope=\"col\" class=\"n\">share of range with "
              "another first</th></tr></thead><tbody>\n",
              f);
        const cJSON *p;
        int shown = 0, quiet = 0;
        cJSON_ArrayForEach(p, ps)
        {
            /* only those that can change the first place, the most sensitive 12 */
            if (!cJSON_IsObject(jget(p, "tip")) || shown >= 12) {
                quiet++;
                continue;
            }
            shown++;
            fputs("<tr><td><bdi>", f);
            esc(f, jstr(p, "model"));
            fputs(".", f);
            esc(f, jstr(p, "parameter"));
            fputs("</bdi></td><td class=\"n\">", f);
            numx(f, jnum(p, "value"), -1, 0);
            fputs("</td><td class=\"n\">", f);
            numx(f, jnum(p, "min"), -1, 0);
            fputs("-", f);
            numx(f, jnum(p, "max"), -1, 0);
            fputs("</td><td>", f);
            const cJSON *t = jget(p, "tip");
            if (cJSON_IsObject(t)) {
                numx(f, jnum(t, "to"), -1, 0);
                fputs(": ", f);
                user(f, model_name(c, jstr(t, "first")));
            } else {
                fputs("none", f);
            }
            fputs("</td><td class=\"n\">", f);
            pct(f, jnum(p, "share_of_range"));
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
        if (quiet)
            fprintf(f, "<p class=\"small\">%d other parameters are not listed: %s.</p>\n", quiet,
                    shown >= 12 ? "the rest of those that can change the first place, and those "
                                  "that cannot within their range, are in the sensitivity JSON "
                                  "embedded in this file"
                                : "none of them changes the first place within its range");
    }
    fputs("</section>\n", f);
}

/* ---- 7. timeline ---------------------------------------------------------------------- */

static void sec_timeline(ctx *c, auth *a)
{
    FILE *f = c->f;
    fprintf(f, "<section aria-labelledby=\"a%zu-s7\"><h2 id=\"a%zu-s7\">Timeline</h2>\n",
            a->index + 1, a->index + 1);
    imv_chart_stack rows[MAX_MODELS];
    char *labels[MAX_MODELS];
    double ends[MAX_MODELS * 3], lo[MAX_MODELS * 3], hi[MAX_MODELS * 3];
    static const char *const legs[] = {"setup_months", "months_to_fair", "months_to_good"};
    size_t n = 0;
    int ranged = 0;
    for (size_t i = 0; i < a->n; i++) {
        const cJSON *e = a->entry[i], *t = jget(e, "timeline"), *tr = jget(e, "timeline_range");
        if (!jtrue(e, "viable"))
            continue;
        const char *id = jstr(e, "model");
        labels[n] = imv_xstrdup(model_name(c, id));
        rows[n] = (imv_chart_stack){or_(id, ""), labels[n]};
        /* the model's low / high for each leg, where it gives them */
        for (size_t k = 0; k < 3; k++) {
            const cJSON *leg = jget(tr, legs[k]);
            ends[n * 3 + k] = jnum(t, legs[k]);
            lo[n * 3 + k] = jnum(leg, "low");
            hi[n * 3 + k] = jnum(leg, "high");
            ranged |= isfinite(lo[n * 3 + k]) && isfinite(hi[n * 3 + k]);
        }
        n++;
    }
    if (!n) {
        fputs("<p>No model is viable, so there is no timeline to show.</p></section>\n", f);
        return;
    }
    static const char *const phases[] = {"set-up", "to fair", "to good"};
    char fid[32], title[300];
    fig_id(fid, sizeof fid, a);
    if (isfinite(ends[1]))
        snprintf(title, sizeof title, "Under %s, services would reach fair in about %.0f months",
                 labels[0], ends[1]);
    else
        snprintf(title, sizeof title, "Time to set up, to reach fair and to reach good");
    const char *desc =
        ranged
            ? "Timeline lanes for each viable model, in months from the decision: set-up, then to a "
              "judgement of requires improvement (fair), then to good. Each phase starts where the one "
              "before ends; the whisker at each end spans the model's low to high estimate, from the "
              "spread of past cases widened by this authority's factors."
            : "Timeline lanes for each viable model, in months from the decision: set-up, then to a "
              "judgement of requires improvement (fair), then to good. Each phase starts where the one "
              "before ends. The models give point estimates, not ranges.";
    imv_chart_meta m = {fid, title, desc, "months from the decision"};
    figure_begin(c, title, desc);
    imv_chart_timeline(f, &m, rows, n, ends, ranged ? lo : NULL, ranged ? hi : NULL, phases, 3);
    fputs("<table><thead><tr><th scope=\"col\">model</th><th scope=\"col\" class=\"n\">set-up "
          "(months)</th><th scope=\"col\" class=\"n\">to fair (months)</th><th scope=\"col\" "
          "class=\"n\">to good (months)</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><td>", f);
        user(f, labels[i]);
        fputs("</td>", f);
        for (int k = 0; k < 3; k++) {
            size_t j = i * 3 + (size_t)k;
            fputs("<td class=\"n\">", f);
            numx(f, ends[j], 0, 0);
            if (isfinite(lo[j]) && isfinite(hi[j])) {
                fputs(" (", f);
                numx(f, lo[j], 0, 0);
                fputs("&ndash;", f);
                numx(f, hi[j], 0, 0);
                fputc(')', f);
            }
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
        free(labels[i]);
    }
    fputs("</tbody></table>\n", f);
    figure_end(c);
    fputs("</section>\n", f);
}

/* ---- 8. partners ------------------------------------------------------------------------ */

/* Each candidate alone, one attribute changed (the sensitivity's
 * partners[]): where it would become viable, strong, or recommended. */
static void partner_tips(FILE *f, const auth *a)
{
    const cJSON *ps = jget(a->sens, "partners"), *q, *t;
    if (!cJSON_IsArray(ps) || cJSON_GetArraySize(ps) == 0)
        return;
    fputs("<h3>What would change each candidate's standing</h3>\n<p>Each candidate as the only "
          "one, one of its attributes changed, the others as described: the nearest value at "
          "which it becomes a viable partner or stops being one, its fit crosses 70, or the "
          "recommendation changes.</p>\n<ul>\n",
          f);
    cJSON_ArrayForEach(q, ps)
    {
        int n = 0;
        cJSON_ArrayForEach(t, jget(q, "tipping_points"))
        {
            fputs("<li>", f);
            user(f, jstr(t, "text"));
            fputs("</li>\n", f);
            n++;
        }
        if (!n) {
            fputs("<li>", f);
            user(f, jstr(q, "partner"));
            fputs(": no single change of one attribute changes its standing.</li>\n", f);
        }
    }
    fputs("</ul>\n", f);
}

/* What the partner's fit is made of (partner.components), when given. */
static void fit_parts_table(FILE *f, const cJSON *pa)
{
    const cJSON *cs = jget(pa, "components"), *x;
    if (!cJSON_IsArray(cs) || cJSON_GetArraySize(cs) == 0)
        return;
    fputs("<table><caption>What the fit of ", f);
    user(f, jstr(pa, "id"));
    fputs(" is made of</caption><thead><tr><th scope=\"col\">component</th>"
          "<th scope=\"col\">points</th><th scope=\"col\">evidence</th></tr></thead><tbody>\n",
          f);
    cJSON_ArrayForEach(x, cs)
    {
        fputs("<tr><td>", f);
        user(f, jstr(x, "name"));
        fputs("</td><td class=\"n\">", f);
        double v = jnum(x, "points");
        if (isfinite(v))
            fprintf(f, "%+.1f", v);
        fputs("</td><td>", f);
        user(f, jstr(x, "evidence"));
        fputs("</td></tr>\n", f);
    }
    fputs("<tr><th scope=\"row\">fit</th><td class=\"n\">", f);
    numx(f, jnum(pa, "fit"), 0, 0);
    fputs("</td><td></td></tr></tbody></table>\n", f);
}

static void sec_partners(ctx *c, auth *a)
{
    FILE *f = c->f;
    fprintf(f, "<section aria-labelledby=\"a%zu-s8\"><h2 id=\"a%zu-s8\">Partners</h2>\n",
            a->index + 1, a->index + 1);
    const cJSON *ps = jget(a->inputs, "partners");
    if (cJSON_GetArraySize(ps) == 0) {
        fputs("<p>The profile names no candidate partner council, so the partnership models have "
              "none to use.</p>\n",
              f);
    } else {
        fputs("<table><thead><tr><th scope=\"col\">candidate</th><th scope=\"col\">name</th>"
              "<th scope=\"col\">grade</th><th scope=\"col\">neighbouring</th><th scope=\"col\" "
              "class=\"n\">children</th><th scope=\"col\" class=\"n\">spare leadership (0-4)</th>"
              "<th scope=\"col\" class=\"n\">current commitments</th></tr></thead><tbody>\n",
              f);
        const cJSON *p;
        cJSON_ArrayForEach(p, ps)
        {
            fputs("<tr><td>", f);
            user(f, jstr(p, "id"));
            fputs("</td><td>", f);
            user(f, jstr(p, "name"));
            fputs("</td><td>", f);
            user(f, or_(jstr(p, "grade"), "-"));
            const cJSON *nb = jget(p, "neighbouring");
            fprintf(f, "</td><td>%s</td><td class=\"n\">",
                    cJSON_IsTrue(nb)    ? "yes"
                    : cJSON_IsFalse(nb) ? "no"
                                        : "-");
            numx(f, jnum(p, "child_population"), 0, 0);
            fputs("</td><td class=\"n\">", f);
            numx(f, jnum(p, "spare_leadership_capacity"), -1, 0);
            fputs("</td><td class=\"n\">", f);
            numx(f, jnum(p, "current_commitments"), -1, 0);
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
    }
    /* each model that weighs partners: its choice and each candidate's fit */
    int any = 0;
    for (size_t i = 0; i < a->n; i++) {
        const cJSON *e = a->entry[i], *pa = jget(e, "partner"), *x;
        int has = pa != NULL;
        cJSON_ArrayForEach(x, jget(e, "reasons"))
        {
            const cJSON *f0 = cJSON_GetArrayItem(jget(x, "fields"), 0);
            if (cJSON_IsString(f0) && strcmp(f0->valuestring, "partners") == 0)
                has = 1;
        }
        if (!has)
            continue;
        any = 1;
        fputs("<h3>", f);
        user(f, model_name(c, jstr(e, "model")));
        fputs("</h3>\n<p>", f);
        if (pa && jtrue(e, "viable")) {
            fputs("Chosen partner: <strong>", f);
            user(f, jstr(pa, "id"));
            fputs("</strong>, fit ", f);
            numx(f, jnum(pa, "fit"), 0, 0);
            fputs("/100: the candidate with the highest fit among those that can partner.", f);
        } else if (pa) {
            fputs("Best candidate: <strong>", f);
            user(f, jstr(pa, "id"));
            fputs("</strong>, fit ", f);
            numx(f, jnum(pa, "fit"), 0, 0);
            fputs("/100; the model is not viable here (below).", f);
        } else {
            fputs("No candidate can partner for this model.", f);
        }
        fputs("</p>\n", f);
        if (pa)
            fit_parts_table(f, pa);
        fputs("<ul>\n", f);
        cJSON_ArrayForEach(x, jget(e, "reasons"))
        {
            const cJSON *fl;
            int partners = 0;
            cJSON_ArrayForEach(fl, jget(x, "fields"))
            {
                if (cJSON_IsString(fl) && strcmp(fl->valuestring, "partners") == 0)
                    partners = 1;
            }
            if (!partners)
                continue;
            fputs("<li>", f);
            user(f, jstr(x, "text"));
            double p = jnum(x, "points");
            if (isfinite(p) && p != 0)
                fprintf(f, " (%+.1f points)", p);
            fputs("</li>\n", f);
        }
        const cJSON *u;
        cJSON_ArrayForEach(u, jget(e, "unmet_preconditions"))
        {
            if (cJSON_IsString(u) && strstr(u->valuestring, "partner")) {
                fputs("<li>Not met: ", f);
                user(f, u->valuestring);
                fputs("</li>\n", f);
            }
        }
        fputs("</ul>\n", f);
    }
    if (!any)
        fputs("<p>No model weighed a partner for this profile.</p>\n", f);
    partner_tips(f, a);
    fputs("</section>\n", f);
}

/* ---- 9. inputs ----------------------------------------------------------------------------- */

static void sec_inputs(ctx *c, auth *a)
{
    FILE *f = c->f;
    const cJSON *in = a->inputs;
    fprintf(f, "<section aria-labelledby=\"a%zu-s9\"><h2 id=\"a%zu-s9\">Inputs</h2>\n",
            a->index + 1, a->index + 1);
    fputs("<p><strong>Source of the ratings (the profile's own words):</strong> ", f);
    user(f, or_(jstr(in, "source"), "not given"));
    fputs("</p>\n<p><strong>File:</strong> ", f);
    user(f, jstr(a->res, "source"));
    fputs("; <strong>Ofsted grade:</strong> ", f);
    user(f, jstr(in, "grade"));
    const cJSON *prev = jget(in, "previous"), *x;
    if (cJSON_GetArraySize(prev)) {
        fputs(", before that: ", f);
        int k = 0;
        cJSON_ArrayForEach(x, prev)
        {
            fputs(k++ ? ", " : "", f);
            user(f, cJSON_IsString(x) ? x->valuestring : "");
        }
    }
    const cJSON *iv = jget(in, "intervention");
    fputs("; <strong>intervention in place:</strong> ", f);
    if (cJSON_IsObject(iv)) {
        user(f, jstr(iv, "model"));
        if (jstr(iv, "since")) {
            fputs(" since ", f);
            user(f, jstr(iv, "since"));
        }
        if (jstr(iv, "partner")) {
            fputs(" with ", f);
            user(f, jstr(iv, "partner"));
        }
    } else {
        fputs("none", f);
    }
    fputs(".</p>\n", f);
    fputs("<h3>Ratings (0 = worst, 4 = best; failure extent: 4 = most widespread)</h3>\n<table><thead>"
          "<tr><th scope=\"col\">rating</th><th scope=\"col\" class=\"n\">value</th><th scope=\"col\" "
          "class=\"n\">low</th><th scope=\"col\" class=\"n\">high</th><th scope=\"col\">given as</th>"
          "</tr></thead><tbody>\n",
          f);
    cJSON_ArrayForEach(x, jget(in, "ratings"))
    {
        fputs("<tr><td>", f);
        rating_name(f, x->string);
        fputs("</td><td class=\"n\">", f);
        numx(f, jnum(x, "value"), -1, 0);
        fputs("</td><td class=\"n\">", f);
        numx(f, jnum(x, "low"), -1, 0);
        fputs("</td><td class=\"n\">", f);
        numx(f, jnum(x, "high"), -1, 0);
        fputs("</td><td>", f);
        esc(f, or_(jstr(x, "kind"), "-"));
        char field[160];
        snprintf(field, sizeof field, "ratings.%s", x->string ? x->string : "");
        const cJSON *was = what_if_from(a, field);
        if (was) {
            char *t = cJSON_PrintUnformatted(was);
            fputs("; <strong class=\"changed\">what-if, assessed as ", f);
            user(f, or_(t, "none"));
            fputs("</strong>", f);
            free(t);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n<h3>Facts</h3>\n", f);
    const cJSON *facts = jget(in, "facts");
    if (cJSON_GetArraySize(facts) == 0) {
        fputs("<p>None given.</p>\n", f);
    } else {
        fputs("<table><thead><tr><th scope=\"col\">fact</th><th scope=\"col\" class=\"n\">value</th>"
              "</tr></thead><tbody>\n",
              f);
        cJSON_ArrayForEach(x, facts)
        {
            fputs("<tr><td>", f);
            rating_name(f, x->string);
            fputs("</td><td class=\"n\">", f);
            numx(f, cJSON_IsNumber(x) ? x->valuedouble : NAN, -1, 0);
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
    }
    fputs("<p><strong>Size:</strong> children ", f);
    numx(f, jnum(in, "child_population"), 0, 0);
    fputs(", children in care ", f);
    numx(f, jnum(in, "children_in_care"), 0, 0);
    fputs(".</p>\n<h3>Warnings</h3>\n", f);
    const cJSON *w = jget(in, "warnings");
    if (cJSON_GetArraySize(w) == 0) {
        fputs("<p>None: the profile was read without warnings.</p>\n", f);
    } else {
        fputs("<ul>\n", f);
        cJSON_ArrayForEach(x, w)
        {
            fputs("<li>", f);
            user(f, cJSON_IsString(x) ? x->valuestring : "");
            fputs("</li>\n", f);
        }
        fputs("</ul>\n", f);
    }
    fputs("</section>\n", f);
}

/* ---- cover page for several authorities --------------------------------------------------- */

static void cover(ctx *c, auth *as, size_t n)
{
    FILE *f = c->f;
    fprintf(f,
            "<section class=\"cover\" aria-labelledby=\"cover\"><h1 id=\"cover\">Intervention "
            "options for %zu authorities</h1>\n<p class=\"meta\">Report generated ",
            n);
    esc(f, or_(c->r->generated, "-"));
    fputs(" by imeval. One section per authority follows, then the method, the provenance and the "
          "appendix.</p>\n<table><thead><tr><th scope=\"col\">authority</th><th scope=\"col\">as "
          "of</th><th scope=\"col\">grade</th><th scope=\"col\">recommended</th><th scope=\"col\" "
          "class=\"n\">score</th><th scope=\"col\" class=\"n\">margin</th><th scope=\"col\" "
          "class=\"n\">first in</th><th scope=\"col\">caution</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        auth *a = &as[i];
        const cJSON *e1 = a->n ? a->entry[0] : NULL, *e2 = a->n > 1 ? a->entry[1] : NULL;
        fputs("<tr><td>", f);
        user(f, jstr(a->res, "name"));
        fputs("</td><td class=\"n\">", f);
        user(f, jstr(a->res, "as_of"));
        fputs("</td><td>", f);
        user(f, jstr(a->res, "grade"));
        fputs("</td><td>", f);
        user(f, a->first ? model_name(c, a->first) : "none viable");
        fputs("</td><td class=\"n\">", f);
        numx(f, a->first && e1 ? entry_score(e1) : NAN, 1, 0);
        fputs("</td><td class=\"n\">", f);
        numx(f, a->first && e1 && e2 ? entry_score(e1) - entry_score(e2) : NAN, 1, 0);
        fputs("</td><td class=\"n\">", f);
        pct(f, a->first ? rank_prob(a, a->first, 0) : NAN);
        fputs("</td><td>", f);
        fputs(a->first && e1 && entry_score(e1) < 50 ? "every option fits poorly" : "", f);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n</section>\n", f);
}

/* ---- 10. method and limits --------------------------------------------------------------- */

static const cJSON *prov_model(const ctx *c, const char *id)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, jget(c->prov, "models"))
    {
        const char *mid = jstr(m, "id");
        if (mid && id && strcmp(mid, id) == 0)
            return m;
    }
    return NULL;
}

static void sec_method(ctx *c)
{
    FILE *f = c->f;
    fputs("<section class=\"authority\" aria-labelledby=\"s10\"><h2 id=\"s10\">Method and limits</h2>\n"
          "<p>imeval scores each intervention model against the authority profile. A model is a "
          "plugin (C or Lua) that reads the ratings and facts and gives a score from 0 to 100, the "
          "reasons behind it with the passage of the research each rests on, the preconditions that "
          "are not met, the risks and a timeline. Models are ranked viable first (every precondition "
          "met) by score; a model that is not viable ranks below every viable one whatever its "
          "score.</p>\n<h3>Models</h3>\n<table><thead><tr><th scope=\"col\">id</th><th scope=\"col\">"
          "version</th><th scope=\"col\">language</th><th scope=\"col\">what it is and its evidence "
          "base</th><th scope=\"col\">parameters (changed from the default in bold)</th></tr></thead>"
          "<tbody>\n",
          f);
    const cJSON *m;
    cJSON_ArrayForEach(m, c->models)
    {
        const char *id = jstr(m, "id");
        const cJSON *changed = jget(prov_model(c, id), "changed_parameters");
        const imv_model *im = c->r->reg && id ? imv_registry_find(c->r->reg, id) : NULL;
        fputs("<tr><td><bdi>", f);
        esc(f, id);
        fputs("</bdi></td><td>", f);
        user(f, jstr(m, "version"));
        fputs("</td><td>", f);
        esc(f, jstr(m, "language"));
        fputs("</td><td>", f);
        user(f, jstr(m, "summary"));
        if (im && imv_model_evidence(im) && *imv_model_evidence(im)) {
            fputs(" <em>Evidence:</em> ", f);
            user(f, imv_model_evidence(im));
        }
        fputs("</td><td class=\"small\">", f);
        const cJSON *p;
        int k = 0;
        cJSON_ArrayForEach(p, jget(m, "parameters"))
        {
            int ch = jget(changed, p->string) != NULL;
            fputs(k++ ? ", " : "", f);
            fputs(ch ? "<strong>" : "", f);
            esc(f, p->string);
            fputs("=", f);
            numx(f, cJSON_IsNumber(p) ? p->valuedouble : NAN, -1, 0);
            if (ch) {
                fputs(" (default ", f);
                numx(f, jnum(jget(changed, p->string), "default"), -1, 0);
                fputs(")</strong>", f);
            }
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n<h3>How the draws are made</h3>\n<p>A rating given as a range is drawn, "
          "in each draw, from a triangular distribution over low..high with its peak at the mode, or "
          "uniformly when no mode is given; plain ratings stay fixed. With --vary-parameters every "
          "model parameter is also drawn uniformly within its declared range. The random streams "
          "(xoshiro256**) are seeded from the seed, the profile's id and date and the chunk of draws, "
          "so the same seed gives the same figures on any machine and with any number of threads. "
          "p05 and p95 are the 5th and 95th percentiles of each model's score over the draws.</p>\n"
          "<h3>What this analysis can and cannot be used for</h3>\n<ul>\n"
          "<li>It <strong>can</strong> show which intervention model the research-based rules favour "
          "for the ratings given, by how much, why, and how far the ratings would have to move to "
          "change the answer.</li>\n"
          "<li>It <strong>can</strong> support, record and make reviewable an adviser's recommendation; "
          "every figure is traceable to a reason and to the passage of research behind it.</li>\n"
          "<li>It <strong>cannot</strong> replace the judgement behind the ratings: the ratings are the "
          "adviser's judgements, and the answer is only as sound as they are (see the source of the "
          "ratings and the tipping points).</li>\n"
          "<li>It <strong>cannot</strong> say how likely an intervention is to succeed in this "
          "authority: the scores are fits to the research's findings, not probabilities, and the "
          "timelines are the models' estimates from past cases, not forecasts.</li>\n"
          "<li>The draws cover only the ranges the profile gives; uncertainty that is not written into "
          "the profile (a wrong rating, a model's rules) is not quantified here.</li>\n"
          "<li>Assurance: this report states the hashes needed to check that it was produced from "
          "these inputs by these models; it has not been assured unless the sign-off below says "
          "so.</li>\n</ul>\n</section>\n",
          f);
}

/* ---- 11. provenance, sign-off and decision ---------------------------------------------- */

static void prov_row(FILE *f, const char *k, const char *v, int hash)
{
    fputs("<tr><th scope=\"row\">", f);
    esc(f, k);
    fprintf(f, "</th><td%s>", hash ? " class=\"hash\"" : "");
    user(f, or_(v, "-"));
    fputs("</td></tr>\n", f);
}

static void signoff_block(ctx *c, const auth *a, size_t n_auth)
{
    FILE *f = c->f;
    const cJSON *rec = a ? a->record : NULL;
    fputs("<h3>", f);
    fputs("Decision and rationale", f);
    if (a && n_auth > 1) {
        fputs(": ", f);
        user(f, jstr(a->res, "name"));
    }
    fputs("</h3>\n", f);
    const cJSON *d = jget(rec, "decision");
    if (rec && jstr(rec, "assessment")) {
        fputs("<p class=\"small\">From the register, assessment <bdi>", f);
        esc(f, jstr(rec, "assessment"));
        fputs("</bdi>.</p>\n", f);
    }
    fputs("<table class=\"form\"><tbody>\n", f);
    if (cJSON_IsObject(d)) {
        prov_row(f, "decision", jstr(d, "text"), 0);
        prov_row(f, "rationale", jstr(d, "rationale"), 0);
        prov_row(f, "decided by", jstr(d, "by"), 0);
        prov_row(f, "date", jstr(d, "at"), 0);
        prov_row(f, "register entry", jstr(d, "id"), 1);
        if (jtrue(d, "differs_from_recommendation")) {
            fputs("<tr><th scope=\"row\">note</th><td class=\"caution\">The decision differs from the "
                  "model recommended when the assessment was recorded (",
                  f);
            user(f, jstr(rec, "recommended"));
            fputs("); the rationale above says why.</td></tr>\n", f);
        }
    } else if (rec) {
        fputs("<tr><th scope=\"row\">decision</th><td>none recorded in the register yet</td></tr>\n"
              "<tr><th scope=\"row\">rationale</th><td></td></tr>\n<tr><th scope=\"row\">decided by, "
              "date</th><td></td></tr>\n",
              f);
    } else {
        fputs("<tr><th scope=\"row\">decision</th><td></td></tr>\n<tr><th scope=\"row\">rationale"
              "</th><td></td></tr>\n<tr><th scope=\"row\">rationale (cont.)</th><td></td></tr>\n<tr>"
              "<th scope=\"row\">decided by, date</th><td></td></tr>\n",
              f);
    }
    fputs("</tbody></table>\n", f);
    const cJSON *as = jget(rec, "assumptions"), *x;
    if (cJSON_GetArraySize(as) > 0) {
        fputs("<h3>Assumptions recorded</h3>\n<table><thead><tr><th scope=\"col\">assumption</th><th "
              "scope=\"col\">impact</th><th scope=\"col\">reliability</th><th scope=\"col\">by, "
              "when</th></tr></thead><tbody>\n",
              f);
        cJSON_ArrayForEach(x, as)
        {
            fputs("<tr><td>", f);
            user(f, jstr(x, "text"));
            fputs("</td><td>", f);
            user(f, or_(jstr(x, "impact"), "-"));
            fputs("</td><td>", f);
            user(f, or_(jstr(x, "reliability"), "-"));
            fputs("</td><td>", f);
            user(f, jstr(x, "by"));
            fputs(", ", f);
            user(f, jstr(x, "at"));
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
    }
    fputs("<h3>Sign-off</h3>\n<table class=\"form\"><thead><tr><th scope=\"col\">role"
          "</th><th scope=\"col\">name</th><th scope=\"col\">date</th><th scope=\"col\">statement or "
          "signature</th></tr></thead><tbody>\n",
          f);
    static const char *const roles[] = {"analyst", "assurer", "approver"};
    for (size_t i = 0; i < 3; i++) {
        const cJSON *s = NULL;
        cJSON_ArrayForEach(x, jget(rec, "signoffs"))
        {
            const char *role = jstr(x, "role");
            if (role && strcmp(role, roles[i]) == 0)
                s = x;
        }
        fprintf(f, "<tr><th scope=\"row\">%s</th><td>", roles[i]);
        if (s)
            user(f, jstr(s, "name"));
        fputs("</td><td>", f);
        if (s)
            user(f, jstr(s, "at"));
        fputs("</td><td>", f);
        if (s)
            user(f, jstr(s, "text"));
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static void sec_provenance(ctx *c, auth *as, size_t n)
{
    FILE *f = c->f;
    const cJSON *p = c->prov, *eng = jget(p, "engine"), *x;
    fputs("<section aria-labelledby=\"s11\"><h2 id=\"s11\">Provenance</h2>\n<table><tbody>\n", f);
    char b[200];
    snprintf(b, sizeof b, "imeval %s (commit %s, %s; Lua %s, cJSON %s)",
             or_(jstr(eng, "version"), "?"), or_(jstr(eng, "commit"), "?"),
             or_(jstr(eng, "compiler"), "?"), or_(jstr(eng, "lua"), "?"),
             or_(jstr(eng, "cjson"), "?"));
    prov_row(f, "engine and build", b, 0);
    prov_row(f, "generated (UTC)", c->r->generated, 0);
    prov_row(f, "command as run", c->r->command_line, 1);
    prov_row(f, "command that reproduces the result", jstr(p, "command"), 1);
    snprintf(b, sizeof b, "%.0f draws, seed %.0f%s", jnum(p, "draws"), jnum(p, "seed"),
             jtrue(p, "vary_parameters") ? ", parameters drawn too" : "");
    prov_row(f, "draws and seed", b, 0);
    const cJSON *res = jget(p, "result");
    prov_row(f, "result SHA-256", jstr(res, "sha256"), 1);
    prov_row(f, "to check it",
             "jq -c '.results[]' result.json | sha256sum  (the result JSON is "
             "embedded in this file as #imeval-result)",
             1);
    fputs("</tbody></table>\n<h3>Profiles</h3>\n<table><thead><tr><th scope=\"col\">file</th><th "
          "scope=\"col\" class=\"n\">bytes</th><th scope=\"col\">SHA-256</th></tr></thead><tbody>\n",
          f);
    cJSON_ArrayForEach(x, jget(p, "profiles"))
    {
        fputs("<tr><td>", f);
        user(f, jstr(x, "path"));
        fputs("</td><td class=\"n\">", f);
        numx(f, jnum(x, "bytes"), 0, 0);
        fputs("</td><td class=\"hash\">", f);
        user(f, or_(jstr(x, "sha256"), or_(jstr(x, "note"), "-")));
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n<h3>Model files</h3>\n<table><thead><tr><th scope=\"col\">model</th><th "
          "scope=\"col\">file</th><th scope=\"col\">SHA-256</th></tr></thead><tbody>\n",
          f);
    cJSON_ArrayForEach(x, jget(p, "models"))
    {
        fputs("<tr><td><bdi>", f);
        esc(f, jstr(x, "id"));
        fputs("</bdi> ", f);
        user(f, jstr(x, "version"));
        fputs("</td><td>", f);
        user(f, jstr(x, "file"));
        fputs("</td><td class=\"hash\">", f);
        user(f, or_(jstr(x, "sha256"), or_(jstr(x, "note"), "-")));
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
    if (n == 1) {
        signoff_block(c, &as[0], 1);
    } else {
        for (size_t i = 0; i < n; i++)
            signoff_block(c, &as[i], n);
    }
    fputs("<p class=\"small\">Roles as in the AQuA Book: the analyst produced the analysis, the "
          "assurer (independent of the analyst) checked it, the approver accepts it for use.</p>\n"
          "</section>\n",
          f);
}

/* ---- 12. appendix -------------------------------------------------------------------------- */

/* JSON inside <script type="application/json">: "<" as \u003c, so that no
 * "</script>" or "<!--" in a name can end or change the block. */
static void embed_json(FILE *f, const char *id, const char *json)
{
    fprintf(f, "<script type=\"application/json\" id=\"%s\">", id);
    for (const unsigned char *s = (const unsigned char *)json; *s; s++) {
        /* the invisible bidirectional controls as escapes too: the data
         * stays the same, and no raw one is anywhere in the file */
        unsigned cp = 0;
        if (s[0] == 0xE2 && s[1] == 0x80 &&
            (s[2] == 0x8E || s[2] == 0x8F || (s[2] >= 0xAA && s[2] <= 0xAE) || s[2] == 0xA8 ||
             s[2] == 0xA9))
            cp = 0x2000 + (unsigned)(s[2] - 0x80);
        else if (s[0] == 0xE2 && s[1] == 0x81 && s[2] >= 0xA6 && s[2] <= 0xA9)
            cp = 0x2040 + (unsigned)(s[2] - 0x80);
        else if (s[0] == 0xD8 && s[1] == 0x9C)
            cp = 0x061C;
        if (cp) {
            fprintf(f, "\\u%04x", cp);
            s += cp == 0x061C ? 1 : 2;
        } else if (*s == '<') {
            fputs("\\u003c", f);
        } else {
            fputc(*s, f);
        }
    }
    fputs("</script>\n", f);
}

static void sec_appendix(ctx *c, auth *as, size_t n)
{
    FILE *f = c->f;
    fputs("<section class=\"authority\" aria-labelledby=\"s12\"><h2 id=\"s12\">Appendix</h2>\n"
          "<p>The data table of every figure stands beside it. Here: why each of the other models "
          "scores as it does, then the result itself. The HTML file embeds the whole result JSON "
          "(element #imeval-result, the document <code>imeval evaluate --format json</code> writes "
          "with the command above) and the sensitivity analysis (#imeval-sensitivity); the result "
          "SHA-256 above is the hash of its results.</p>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        auth *a = &as[i];
        if (a->n <= 2)
            continue;
        fputs("<h3>Other models", f);
        if (n > 1) {
            fputs(": ", f);
            user(f, jstr(a->res, "name"));
        }
        fputs("</h3>\n", f);
        for (size_t k = 2; k < a->n; k++)
            model_explained(c, a, k);
    }
    if (c->r->doc_text)
        embed_json(f, "imeval-result", c->r->doc_text);
    if (c->r->sensitivity_doc) {
        char *s = cJSON_PrintUnformatted(c->r->sensitivity_doc);
        if (s)
            embed_json(f, "imeval-sensitivity", s);
        free(s);
    }
    fputs("</section>\n", f);
}

/* ---- the document ------------------------------------------------------------------------ */

int imv_report_write(FILE *f, const imv_report *r)
{
    ctx c = {f, r, jget(r->doc, "models"), jget(r->doc, "provenance")};
    auth *as = imv_xcalloc(r->n ? r->n : 1, sizeof *as);
    for (size_t i = 0; i < r->n; i++)
        gather(&as[i], i, &r->authorities[i]);
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"generator\" content=\"imeval %s\">\n<title>",
            CSP, IMV_VERSION);
    if (r->n == 1) {
        fputs("Intervention options: ", f);
        esc(f, jstr(as[0].res, "name"));
    } else {
        fprintf(f, "Intervention options for %zu authorities", r->n);
    }
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", CSS);
    if (r->n > 1)
        cover(&c, as, r->n);
    for (size_t i = 0; i < r->n; i++) {
        auth *a = &as[i];
        fprintf(f, "<article class=\"authority\" aria-labelledby=\"a%zu\">\n", i + 1);
        sec_heading(&c, a);
        sec_summary(&c, a);
        sec_ranking(&c, a);
        sec_robustness(&c, a);
        sec_why(&c, a);
        sec_change(&c, a);
        sec_timeline(&c, a);
        sec_partners(&c, a);
        sec_inputs(&c, a);
        fputs("</article>\n", f);
    }
    if (!r->n)
        fputs("<h1>No profile could be evaluated</h1>\n", f);
    sec_method(&c);
    sec_provenance(&c, as, r->n);
    sec_appendix(&c, as, r->n);
    fputs("</main>\n</body>\n</html>\n", f);
    free(as);
    return fflush(f) == 0 && !ferror(f) ? IMV_OK : IMV_EIO;
}

int imv_report_sections(const imv_report *r, const char *const *names, FILE *const *outs, size_t n)
{
    static const char *const order[] = {"summary", "ranking",  "robustness", "why",
                                        "change",  "timeline", "partners",   "inputs"};
    const size_t n_order = sizeof order / sizeof order[0];
    if (!r->n)
        return IMV_EINVAL;
    for (size_t k = 0; k < n; k++) {
        size_t i = 0;
        while (i < n_order && (!names[k] || strcmp(names[k], order[i]) != 0))
            i++;
        if (i == n_order)
            return IMV_EINVAL;
    }
    /* Every section is written, in the report's order, so that figure ids
     * are the report's; those not asked for go to a scratch stream. */
    char *scratch = NULL;
    size_t scratch_len = 0;
    FILE *null = open_memstream(&scratch, &scratch_len);
    if (!null)
        return IMV_ENOMEM;
    ctx c = {null, r, jget(r->doc, "models"), jget(r->doc, "provenance")};
    auth a;
    gather(&a, 0, &r->authorities[0]);
    int rc = IMV_OK;
    for (size_t i = 0; i < n_order; i++) {
        FILE *f = null;
        for (size_t k = 0; k < n && f == null; k++)
            if (strcmp(names[k], order[i]) == 0)
                f = outs[k];
        c.f = f;
        switch (i) {
        case 0:
            sec_heading(&c, &a);
            sec_summary(&c, &a);
            break;
        case 1: sec_ranking(&c, &a); break;
        case 2: sec_robustness(&c, &a); break;
        case 3: sec_why(&c, &a); break;
        case 4: sec_change(&c, &a); break;
        case 5: sec_timeline(&c, &a); break;
        case 6: sec_partners(&c, &a); break;
        default: sec_inputs(&c, &a); break;
        }
        if (f != null && (fflush(f) != 0 || ferror(f)))
            rc = IMV_EIO;
        fflush(null);
        rewind(null); /* keep the scratch small: nothing in it is read */
    }
    fclose(null);
    free(scratch);
    return rc;
}

/* ---- inputs as JSON ------------------------------------------------------------------------ */

static void add_num_or_null(cJSON *o, const char *k, double v)
{
    if (v == IMV_UNKNOWN || !isfinite(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, v);
}

cJSON *imv_report_inputs_json(const imv_profile *p, const imv_diags *warnings)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "profile", p->id);
    if (p->src_note)
        cJSON_AddStringToObject(o, "source", p->src_note);
    else
        cJSON_AddNullToObject(o, "source");
    cJSON_AddStringToObject(o, "grade", imv_grade_name(p->grade));
    cJSON *prev = cJSON_AddArrayToObject(o, "previous");
    for (size_t i = 0; i < p->n_previous; i++)
        cJSON_AddItemToArray(prev, cJSON_CreateString(imv_grade_name(p->previous[i])));
    add_num_or_null(o, "child_population", p->child_population);
    add_num_or_null(o, "children_in_care", p->children_in_care);
    cJSON *rt = cJSON_AddObjectToObject(o, "ratings");
    for (int i = 0; i < IMV_R_COUNT; i++) {
        const imv_range *g = &p->ratings[i];
        cJSON *x = cJSON_AddObjectToObject(rt, imv_rating_name(i));
        cJSON_AddNumberToObject(x, "value", imv_range_point(g));
        if (g->kind) {
            cJSON_AddNumberToObject(x, "low", g->low);
            cJSON_AddNumberToObject(x, "high", g->high);
        }
        cJSON_AddStringToObject(x, "kind",
                                g->kind == 0   ? "point"
                                : g->kind == 1 ? "uniform range"
                                               : "triangular range");
    }
    cJSON *fa = cJSON_AddObjectToObject(o, "facts");
    for (int i = 0; i < IMV_F_COUNT; i++)
        if (p->facts_present & (1u << i))
            cJSON_AddNumberToObject(fa, imv_fact_name(i), p->facts[i]);
    if (p->iv_model) {
        cJSON *iv = cJSON_AddObjectToObject(o, "intervention");
        cJSON_AddStringToObject(iv, "model", p->iv_model);
        if (p->iv_since)
            cJSON_AddStringToObject(iv, "since", p->iv_since);
        if (p->iv_partner)
            cJSON_AddStringToObject(iv, "partner", p->iv_partner);
    } else {
        cJSON_AddNullToObject(o, "intervention");
    }
    cJSON *pa = cJSON_AddArrayToObject(o, "partners");
    for (size_t i = 0; i < p->n_partners; i++) {
        const imv_partner *c = &p->partners[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", c->id);
        if (c->name)
            cJSON_AddStringToObject(x, "name", c->name);
        cJSON_AddStringToObject(x, "grade", imv_grade_name(c->grade));
        if (c->neighbouring >= 0)
            cJSON_AddBoolToObject(x, "neighbouring", c->neighbouring);
        add_num_or_null(x, "child_population", c->child_population);
        add_num_or_null(x, "spare_leadership_capacity", c->spare_leadership_capacity);
        add_num_or_null(x, "current_commitments", c->current_commitments);
        cJSON_AddItemToArray(pa, x);
    }
    cJSON *w = cJSON_AddArrayToObject(o, "warnings");
    for (size_t i = 0; warnings && i < warnings->n; i++) {
        const imv_diag *g = &warnings->v[i];
        if (!g->warning || !g->source || strcmp(g->source, p->source) != 0)
            continue;
        char buf[1200];
        imv_diag_format(g, buf, sizeof buf);
        cJSON_AddItemToArray(w, cJSON_CreateString(buf));
    }
    return o;
}
