/*
 * synth.c - realistic synthetic profiles (see synth.h for the contract).
 *
 * Why these numbers: DOMAIN.md and the seeds.  The grade mix is the 78
 * authorities inspected 2012-Jan 2016 (20 inadequate, 41 requires
 * improvement, 17 good), dealt exactly within every block of 78 so that a
 * run of 153 (every English authority) looks like the country.  Behind the
 * ratings are two latent factors: service "capacity" (senior and middle
 * leaders, stability, governance, self-assessment, workforce, response),
 * lower the worse the grade, and "politics" (political and corporate
 * commitment, acceptance), correlated with capacity but not the same -
 * the report's distinction between officer and member capacity (003
 * ch.4).  failure_extent runs against capacity; workforce facts (agency
 * rates of 18-28% in the inadequate cases) follow workforce_stability.
 * Advisers rate in halves, so ratings are rounded to 0.5; a third of the
 * profiles give one to three ratings as ranges.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct imv_synth {
    uint64_t seed;
    int year_from, year_to; /* drawn from when fixed_year is 0 */
    int fixed_year, fixed_month;
    char *as_of;    /* the fixed date as given, or NULL */
    uint64_t block; /* block whose grades are in grades[] */
    int have_block;
    unsigned char grades[IMV_SYNTH_BLOCK];
    char *buf;
    size_t n, cap;
};

imv_synth *imv_synth_new(uint64_t seed)
{
    return imv_synth_new_opts(seed, NULL, NULL, 0);
}

static int year_ok(int y)
{
    return y >= IMV_SYNTH_YEAR_MIN && y <= IMV_SYNTH_YEAR_MAX;
}

static int check_opts(const imv_synth_opts *o, char *err, size_t errlen)
{
    if (o->year_from || o->year_to) {
        if (!year_ok(o->year_from) || !year_ok(o->year_to) || o->year_from > o->year_to) {
            snprintf(err, errlen,
                     "years %d-%d: expected years from %d to %d, the first not "
                     "after the last",
                     o->year_from, o->year_to, IMV_SYNTH_YEAR_MIN, IMV_SYNTH_YEAR_MAX);
            return -1;
        }
    }
    if (o->as_of) {
        if (!imv_date_valid(o->as_of) || !year_ok((int)strtol(o->as_of, NULL, 10))) {
            snprintf(err, errlen,
                     "as-of \"%s\": expected a date YYYY, YYYY-MM or YYYY-MM-DD "
                     "from %d to %d",
                     o->as_of, IMV_SYNTH_YEAR_MIN, IMV_SYNTH_YEAR_MAX);
            return -1;
        }
        if (o->year_from || o->year_to) {
            snprintf(err, errlen, "give either a date (as-of) or years, not both");
            return -1;
        }
    }
    return 0;
}

imv_synth *imv_synth_new_opts(uint64_t seed, const imv_synth_opts *opts, char *err, size_t errlen)
{
    imv_synth_opts dflt = {0, 0, NULL};
    const imv_synth_opts *o = opts ? opts : &dflt;
    char scratch[8];
    if (!err) {
        err = scratch;
        errlen = sizeof scratch;
    }
    if (check_opts(o, err, errlen))
        return NULL;
    imv_synth *g = imv_xcalloc(1, sizeof *g);
    g->seed = seed;
    g->year_from = o->year_from ? o->year_from : 2012;
    g->year_to = o->year_to ? o->year_to : 2016;
    if (o->as_of) {
        g->as_of = imv_xstrdup(o->as_of);
        g->fixed_year = (int)strtol(o->as_of, NULL, 10); /* checked by imv_date_valid */
        g->fixed_month = strlen(o->as_of) >= 7 ? (int)strtol(o->as_of + 5, NULL, 10) : 1;
    }
    return g;
}

int imv_synth_parse_years(const char *s, imv_synth_opts *opts, char *err, size_t errlen)
{
    int a, b, n = 0;
    if (sscanf(s, "%4d-%4d%n", &a, &b, &n) == 2 && s[n] == '\0') {
        /* a range */
    } else if (sscanf(s, "%4d%n", &a, &n) == 1 && s[n] == '\0') {
        b = a;
    } else {
        snprintf(err, errlen, "\"%s\" is not YYYY or YYYY-YYYY (e.g. 2017-2024)", s);
        return -1;
    }
    imv_synth_opts t = {a, b, NULL};
    if (check_opts(&t, err, errlen))
        return -1;
    opts->year_from = a;
    opts->year_to = b;
    return 0;
}

void imv_synth_free(imv_synth *g)
{
    if (!g)
        return;
    free(g->as_of);
    free(g->buf);
    free(g);
}

/* ---- text ------------------------------------------------------------------- */

static void put(imv_synth *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(imv_synth *g, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(g->buf + g->n, g->cap - g->n, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < g->cap - g->n) {
            g->n += (size_t)k;
            return;
        }
        imv_grow((void **)&g->buf, &g->cap, g->n + (size_t)(k > 0 ? k : 64) + 1, 1);
    }
}

/* Append s as it is: most of a profile is literal text and ratings, which
 * went through vsnprintf (85 % of synth's instructions). */
static void put_str(imv_synth *g, const char *s)
{
    size_t n = strlen(s);
    imv_grow((void **)&g->buf, &g->cap, g->n + n + 1, 1);
    memcpy(g->buf + g->n, s, n + 1);
    g->n += n;
}

/* put(g, "%g", v), without vsnprintf for the halves 0..4 a rating is. */
static void put_g(imv_synth *g, double v)
{
    static const char *const halves[] = {"0", "0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4"};
    double k = v * 2;
    if (v >= 0 && v <= 4 && k == (double)(int)k && !signbit(v))
        put_str(g, halves[(int)k]);
    else
        put(g, "%g", v);
}

/* ---- random numbers ---------------------------------------------------------- */

static double unif(imv_rng *r, double a, double b)
{
    return a + (b - a) * imv_rng_uniform(r);
}

static int chance(imv_rng *r, double p)
{
    return imv_rng_uniform(r) < p;
}

static int pick(imv_rng *r, int n)
{
    int k = (int)(imv_rng_uniform(r) * n);
    return k < n ? k : n - 1;
}

/* Standard normal (Box-Muller; one of the pair is thrown away so that a
 * stream never depends on how many normals were drawn before). */
static double gauss(imv_rng *r)
{
    double u = imv_rng_uniform(r), v = imv_rng_uniform(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * 3.14159265358979323846 * v);
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static double half(double x)
{
    return clamp(round(x * 2) / 2, 0, 4) + 0.0; /* + 0.0: never "-0" */
}

static double cent(double x)
{
    return round(x * 100) / 100;
}

/* ---- the grade of profile i: exactly the 2012-2016 mix in each block ----- */

enum { GOOD, RI, INADEQUATE };

static int grade_of(imv_synth *g, uint64_t i)
{
    uint64_t b = i / IMV_SYNTH_BLOCK;
    if (!g->have_block || g->block != b) {
        char salt[48];
        snprintf(salt, sizeof salt, "synth-block#%llu", (unsigned long long)b);
        imv_rng r;
        imv_rng_seed(&r, g->seed, salt);
        int k = 0;
        for (int j = 0; j < IMV_SYNTH_INADEQUATE; j++)
            g->grades[k++] = INADEQUATE;
        for (int j = 0; j < IMV_SYNTH_RI; j++)
            g->grades[k++] = RI;
        for (int j = 0; j < IMV_SYNTH_GOOD; j++)
            g->grades[k++] = GOOD;
        for (int j = IMV_SYNTH_BLOCK - 1; j > 0; j--) {
            int s = pick(&r, j + 1);
            unsigned char t = g->grades[j];
            g->grades[j] = g->grades[s];
            g->grades[s] = t;
        }
        g->block = b;
        g->have_block = 1;
    }
    return g->grades[i % IMV_SYNTH_BLOCK];
}

/* ---- names ------------------------------------------------------------------- */

static const char *const stems[] = {"Ash",  "Brad",  "Burn",  "Chel",  "Dun",   "Elm",
                                    "Fair", "Glen",  "Hart",  "Kings", "Lang",  "Mar",
                                    "New",  "Oak",   "Pen",   "Red",   "Stan",  "Thorn",
                                    "Wey",  "Wood",  "Black", "Cold",  "High",  "Long",
                                    "Sand", "Stock", "Wal",   "Whit",  "Ather", "Bex"};
static const char *const ends[] = {"ford", "ley",   "ton",   "bury",    "ham",     "field",
                                   "wick", "mouth", "stead", "borough", "minster", "dale"};
static const char *const kinds[] = {"County Council", "Borough Council", "City Council",
                                    "Metropolitan Borough Council", "Council"};

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void place(imv_rng *r, char *out, size_t n)
{
    int a = pick(r, N_OF(stems)); /* two statements: argument order is unspecified */
    int b = pick(r, N_OF(ends));
    snprintf(out, n, "%s%s", stems[a], ends[b]);
}

static void lower_id(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++)
        out[k++] = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
    out[k] = '\0';
}

/* ---- one profile ------------------------------------------------------------ */

static const char *grade_name(int g)
{
    return g == GOOD ? "good" : g == RI ? "requires_improvement" : "inadequate";
}

static void put_rating(imv_synth *g, imv_rng *r, const char *name, double v, int ranged, int first)
{
    put_str(g, first ? "\"" : ",\"");
    put_str(g, name);
    put_str(g, "\":");
    if (!ranged) {
        put_g(g, v);
        return;
    }
    double lo = clamp(v - 0.5 * (1 + pick(r, 3)), 0, 4);
    double hi = clamp(v + 0.5 * (1 + pick(r, 3)), 0, 4);
    if (lo == hi) {
        put_g(g, v);
    } else if (chance(r, 0.6)) {
        put_str(g, "{\"low\":");
        put_g(g, lo);
        put_str(g, ",\"mode\":");
        put_g(g, v);
        put_str(g, ",\"high\":");
        put_g(g, hi);
        put_str(g, "}");
    } else {
        put_str(g, "{\"low\":");
        put_g(g, lo);
        put_str(g, ",\"high\":");
        put_g(g, hi);
        put_str(g, "}");
    }
}

/* One candidate partner, number k (its id gets the suffix -k+1).  strong
 * >= 0 makes it a good (0) or outstanding (1) neighbour with spare
 * capacity; -1 draws everything. */
static void put_partner(imv_synth *g, imv_rng *r, int k, char *id_out, int strong)
{
    static const char *const pgn[] = {"outstanding", "good", "requires_improvement"};
    char ptown[40], pid[48];
    place(r, ptown, sizeof ptown);
    lower_id(ptown, pid, sizeof pid - 4);
    snprintf(id_out, 64, "%s-%d", pid, k + 1);
    int pg = chance(r, 0.25) ? 0 : chance(r, 0.75) ? 1 : 2;
    double spare = half(3 - 0.8 * pg + 0.7 * gauss(r));
    int kind = pick(r, N_OF(kinds));
    int near = chance(r, 0.5);
    double pchildren = round(clamp(70000 * exp(0.6 * gauss(r)), 3000, 330000) / 100) * 100;
    int commitments = pick(r, 4) == 0 ? 1 + pick(r, 2) : 0;
    if (strong >= 0) {
        pg = strong ? 0 : 1;
        near = 1;
        spare = clamp(spare, 2.5, 4);
        commitments = commitments > 1 ? 1 : commitments;
    }
    put(g,
        "%s{\"id\":\"%s\",\"name\":\"%s %s\",\"grade\":\"%s\",\"neighbouring\":%s,"
        "\"child_population\":%.0f,\"spare_leadership_capacity\":%g,"
        "\"current_commitments\":%d}",
        k ? "," : "", id_out, ptown, kinds[kind], pgn[pg], near ? "true" : "false", pchildren,
        spare, commitments);
}

/* About a third of the lists of candidates lie in a strong neighbourhood:
 * two or three good or outstanding neighbours with spare capacity (the
 * Hampshire-Isle of Wight and Richmond-Kingston pattern), so that the
 * partner choice is a real choice.  A stream of its own (salt
 * "synth-neighbours#i") leaves every other field as it was.  Returns the
 * new number of partners. */
static int strong_neighbourhood(imv_synth *g, uint64_t index, int n, char ids[][64])
{
    char salt[48];
    snprintf(salt, sizeof salt, "synth-neighbours#%llu", (unsigned long long)index);
    imv_rng r;
    imv_rng_seed(&r, g->seed, salt);
    if (!chance(&r, IMV_SYNTH_STRONG_SHARE))
        return n;
    int want = 2 + pick(&r, 2);
    for (int k = 0; k < want && n < IMV_SYNTH_MAX_PARTNERS; k++, n++)
        put_partner(g, &r, n, ids[n], chance(&r, 0.4));
    return n;
}

const char *imv_synth_profile(imv_synth *g, uint64_t index, size_t *len)
{
    int grade = grade_of(g, index);
    char salt[48];
    snprintf(salt, sizeof salt, "synth#%llu", (unsigned long long)index);
    imv_rng r;
    imv_rng_seed(&r, g->seed, salt);
    g->n = 0;

    /* Latent factors. */
    double cap_mean = grade == GOOD ? 0.9 : grade == RI ? 0.0 : -1.0;
    double capacity = cap_mean + 0.7 * gauss(&r);
    double politics = 0.55 * capacity + 0.85 * gauss(&r);
    /* Drawn whatever the options, so that the date never shifts the
     * stream: the same authority at another date. */
    int year = g->year_from + pick(&r, g->year_to - g->year_from + 1);
    int month = 1 + pick(&r, 12);
    char as_of[32];
    snprintf(as_of, sizeof as_of, "%04d-%02d", year, month);
    if (g->as_of) {
        year = g->fixed_year;
        month = g->fixed_month >= 1 && g->fixed_month <= 12 ? g->fixed_month : 1;
    }

    char town[40], name[96], id[120];
    place(&r, town, sizeof town);
    snprintf(name, sizeof name, "%s %s", town, kinds[pick(&r, N_OF(kinds))]);
    lower_id(town, id, sizeof id);
    put(g,
        "{\"format\":\"" IMV_PROFILE_FORMAT "\",\"id\":\"synth-%llu-%s\",\"name\":\"%s\","
        "\"as_of\":\"%s\",\"source\":\"imeval synth, seed %llu: a synthetic authority\"",
        (unsigned long long)index, id, name, g->as_of ? g->as_of : as_of,
        (unsigned long long)g->seed);

    /* Size: English authorities have about 1,000 to 330,000 children. */
    double children = round(clamp(55000 * exp(0.65 * gauss(&r)), 2000, 330000) / 100) * 100;
    double care_rate = clamp(0.0065 + 0.0015 * (grade == INADEQUATE) + 0.001 * gauss(&r), 0.003,
                             0.015);
    put(g, ",\"size\":{\"child_population\":%.0f,\"children_in_care\":%.0f}", children,
        round(children * care_rate));

    /* Grades: the one before, about three years earlier ("adequate"
     * before 2013); a third of the inadequate have failed before. */
    put(g, ",\"ofsted\":{\"grade\":\"%s\"", grade_name(grade));
    int prev_year = year - 3;
    int n_prev = chance(&r, 0.75) ? 1 + chance(&r, 0.3) : 0;
    int persistent = 0;
    if (n_prev) {
        put_str(g, ",\"previous\":[");
        for (int k = 0; k < n_prev; k++, prev_year -= 3) {
            int pg;
            if (grade == INADEQUATE)
                pg = chance(&r, 0.33) ? INADEQUATE : chance(&r, 0.8) ? RI : GOOD;
            else if (grade == RI)
                pg = chance(&r, 0.25) ? INADEQUATE : chance(&r, 0.7) ? RI : GOOD;
            else
                pg = chance(&r, 0.5) ? RI : GOOD;
            persistent |= pg == INADEQUATE && grade == INADEQUATE;
            const char *pn = pg == RI && prev_year < 2013 ? "adequate" : grade_name(pg);
            put(g, "%s\"%s\"", k ? "," : "", pn);
        }
        put_str(g, "]");
    }
    put_str(g, "}");

    /* Ratings from the factors, with noise, in halves. */
    double v[IMV_R_COUNT];
    v[IMV_R_SENIOR_LEADERSHIP] = half(2 + 0.9 * capacity + 0.5 * gauss(&r));
    v[IMV_R_MIDDLE_LEADERSHIP] = half(2 + 0.8 * capacity + 0.55 * gauss(&r));
    v[IMV_R_LEADERSHIP_STABILITY] = half(2 + 0.7 * capacity + 0.7 * gauss(&r));
    v[IMV_R_POLITICAL_COMMITMENT] = half(2.2 + 0.9 * politics + 0.4 * gauss(&r));
    v[IMV_R_CORPORATE_LEADERSHIP] = half(2.1 + 0.6 * politics + 0.3 * capacity + 0.5 * gauss(&r));
    v[IMV_R_ACCEPTANCE] = half(2.3 + 0.8 * politics + 0.6 * gauss(&r));
    v[IMV_R_GOVERNANCE] = half(2 + 0.6 * capacity + 0.3 * politics + 0.5 * gauss(&r));
    v[IMV_R_PARTNERSHIPS] = half(2 + 0.5 * capacity + 0.7 * gauss(&r));
    v[IMV_R_SELF_ASSESSMENT] = half(2 + 0.8 * capacity + 0.55 * gauss(&r));
    v[IMV_R_WORKFORCE_STABILITY] = half(2 + 0.75 * capacity + 0.6 * gauss(&r));
    v[IMV_R_FINANCIAL_RESILIENCE] = half(2 + 0.3 * capacity + 0.8 * gauss(&r));
    v[IMV_R_FAILURE_EXTENT] = half(1.6 - 0.9 * capacity + 0.5 * gauss(&r) +
                                   (grade == INADEQUATE ? 0.6 : 0));
    v[IMV_R_INITIAL_RESPONSE] = half(2 + 0.6 * capacity + 0.3 * politics + 0.6 * gauss(&r));
    unsigned ranged = 0;
    if (chance(&r, 0.33)) {
        int k = 1 + pick(&r, 3);
        for (int j = 0; j < k; j++)
            ranged |= 1u << pick(&r, IMV_R_COUNT);
    }
    put_str(g, ",\"ratings\":{");
    for (int i = 0; i < IMV_R_COUNT; i++)
        put_rating(g, &r, imv_rating_name(i), v[i], (ranged >> i) & 1, i == 0);
    put_str(g, "}");

    /* Facts: most profiles carry some measured figures. */
    if (chance(&r, 0.7)) {
        double ws = v[IMV_R_WORKFORCE_STABILITY];
        int first = 1;
        put_str(g, ",\"facts\":{");
#define FACT(fmt, ...)                                   \
    do {                                                 \
        put(g, "%s" fmt, first ? "" : ",", __VA_ARGS__); \
        first = 0;                                       \
    } while (0)
        if (grade != GOOD || chance(&r, 0.3)) {
            int fy = grade == INADEQUATE ? 1 + (int)floor(-log(1 - imv_rng_uniform(&r)) * 1.5)
                                         : pick(&r, 2);
            FACT("\"failure_years\":%d", fy < 8 ? fy : 8);
        }
        if (chance(&r, 0.8))
            FACT("\"agency_rate\":%g",
                 cent(clamp(0.03 + 0.055 * (4 - ws) + 0.03 * gauss(&r), 0, 0.6)));
        if (chance(&r, 0.5))
            FACT("\"vacancy_rate\":%g",
                 cent(clamp(0.05 + 0.045 * (4 - ws) + 0.03 * gauss(&r), 0, 0.6)));
        if (chance(&r, 0.5))
            FACT("\"turnover_rate\":%g",
                 cent(clamp(0.08 + 0.035 * (4 - ws) + 0.03 * gauss(&r), 0, 0.6)));
        if (chance(&r, 0.6))
            FACT("\"leadership_changes_3y\":%.0f",
                 clamp(round(0.9 * (4 - v[IMV_R_LEADERSHIP_STABILITY]) + 0.7 * gauss(&r)), 0, 9) +
                     0.0);
        if (grade == INADEQUATE && chance(&r, 0.4))
            FACT("\"unallocated_cases\":%.0f",
                 round(children / 1000 * v[IMV_R_FAILURE_EXTENT] * unif(&r, 0.5, 3)));
        if (grade == INADEQUATE && chance(&r, 0.3))
            FACT("\"additional_investment_gbp_m\":%g",
                 round(clamp(children / 10000 * unif(&r, 0.5, 1.5), 1.5, 35) * 10) / 10);
#undef FACT
        put_str(g, "}");
    }

    /* Candidate partner councils, mostly for the inadequate. */
    char partner_ids[IMV_SYNTH_MAX_PARTNERS][64];
    int n_partners = 0;
    double p_partners = grade == INADEQUATE ? 0.6 : grade == RI ? 0.35 : 0.1;
    if (chance(&r, p_partners)) {
        n_partners = 1 + pick(&r, 3);
        put_str(g, ",\"partners\":[");
        for (int k = 0; k < n_partners; k++)
            put_partner(g, &r, k, partner_ids[k], -1);
        n_partners = strong_neighbourhood(g, index, n_partners, partner_ids);
        put_str(g, "]");
    }

    /* An intervention in place: most persistent failures, a few others. */
    if (grade == INADEQUATE && chance(&r, persistent ? 0.6 : 0.15)) {
        static const char *const iv[] = {"improvement_board", "commissioner",
                                         "executive_partnership"};
        int m = pick(&r, 3);
        if (m == 2 && n_partners == 0)
            m = 0;
        int back = 6 + pick(&r, 31), sm = (year * 12 + month - 1) - back;
        put(g, ",\"current_intervention\":{\"model\":\"%s\",\"since\":\"%04d-%02d\"", iv[m],
            sm / 12, sm % 12 + 1);
        if (m == 2)
            put(g, ",\"partner\":\"%s\"", partner_ids[0]);
        put_str(g, "}");
    }
    put_str(g, "}");
    if (len)
        *len = g->n;
    return g->buf;
}

int imv_synth_write(FILE *f, uint64_t seed, uint64_t first, uint64_t count)
{
    imv_synth *g = imv_synth_new(seed);
    int rc = IMV_OK;
    for (uint64_t i = first; i < first + count; i++) {
        size_t n;
        const char *s = imv_synth_profile(g, i, &n);
        if (fwrite(s, 1, n, f) != n || putc('\n', f) == EOF) {
            rc = IMV_EIO;
            break;
        }
    }
    if (rc == IMV_OK && fflush(f) != 0)
        rc = IMV_EIO;
    imv_synth_free(g);
    return rc;
}
