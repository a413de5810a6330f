/* fuzz_model_def.c - libFuzzer harness for the parent's side of an
 * isolated load: the definition a worker process sends back (id, texts,
 * parameters, directions, batch flag), which comes from a plugin's own
 * process and is as untrusted as the plugin.  The first byte chooses raw
 * bytes (odd: the rest is the message as it is) or a well-formed message
 * whose fields are taken from the rest (even), so that the checks behind
 * the framing (imv_model_init: ids, ranges, plausible ranges, flags) are
 * reached.  Either the definition is refused with a one-line UTF-8
 * message, or the model holds only values those checks allow. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct src {
    const uint8_t *p;
    size_t n, at;
} src;

static unsigned take(src *s)
{
    return s->at < s->n ? s->p[s->at++] : 0;
}

typedef struct out {
    unsigned char *p;
    size_t n, cap;
} out;

static void put(out *o, const void *v, size_t n)
{
    if (n == 0)
        return;
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2 + 64;
        o->p = realloc(o->p, o->cap);
        FUZZ_CHECK(o->p != NULL);
    }
    memcpy(o->p + o->n, v, n);
    o->n += n;
}

static void put_u32(out *o, uint32_t v)
{
    put(o, &v, sizeof v);
}

static void put_f64(out *o, src *s)
{
    static const double pick[] = {0, 1, -1, 0.5, 4, 10, 100, 1e9, -1e308, 1e308, 20, 2};
    unsigned k = take(s);
    double v = k < 0xF0 ? pick[k % (sizeof pick / sizeof pick[0])] : (k & 1 ? NAN : INFINITY);
    put(o, &v, sizeof v);
}

static void put_str(out *o, src *s)
{
    unsigned len = take(s) % 24;
    if (len == 23) { /* NULL */
        put_u32(o, 0);
        return;
    }
    put_u32(o, len + 1);
    for (unsigned i = 0; i < len; i++) {
        unsigned char c = (unsigned char)take(s);
        put(o, &c, 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    out o = {0};
    if (data[0] & 1) {
        put(&o, data + 1, size - 1);
    } else {
        src s = {data + 1, size - 1, 0};
        put_u32(&o, take(&s) < 250 ? 1 : 0);
        for (int i = 0; i < 5; i++)
            put_str(&o, &s);
        unsigned np = take(&s) % 6;
        put_u32(&o, np);
        for (unsigned i = 0; i < np; i++) {
            put_str(&o, &s);
            put_f64(&o, &s);
            put_f64(&o, &s);
            put_f64(&o, &s);
            put_str(&o, &s);
            put_f64(&o, &s);
            put_f64(&o, &s);
            put_u32(&o, take(&s) % 4);
        }
        put_u32(&o, take(&s) & 1);
        for (int i = 0; i < IMV_R_COUNT; i++)
            put_u32(&o, take(&s) % 5);
        put_u32(&o, take(&s) & 1);
    }
    imv_model m;
    memset(&m, 0, sizeof m);
    char err[1024] = "";
    int rc = imv_isolated_unpack(o.p ? o.p : (const unsigned char *)"", o.n, &m, "/fuzz/model.so",
                                 err, sizeof err);
    if (rc == IMV_OK) {
        FUZZ_CHECK(m.id && *m.id && one_line_utf8(m.id));
        /* Texts are valid UTF-8 (imv_model_init); control characters in
         * them are escaped where they are shown (imv_text_terminal). */
        FUZZ_CHECK(m.name && imv_utf8_valid(m.name, strlen(m.name)));
        FUZZ_CHECK(m.summary && imv_utf8_valid(m.summary, strlen(m.summary)));
        FUZZ_CHECK(m.n_params <= 1000);
        for (size_t i = 0; i < m.n_params; i++) {
            const imv_param_def *q = &m.params[i];
            FUZZ_CHECK(q->name && *q->name);
            FUZZ_CHECK(isfinite(q->def) && isfinite(q->min) && isfinite(q->max));
            FUZZ_CHECK(q->min <= q->def && q->def <= q->max);
        }
        for (int i = 0; i < IMV_R_COUNT; i++)
            FUZZ_CHECK(m.dir[i] >= -1 && m.dir[i] <= IMV_DIR_UNDECLARED);
    } else {
        FUZZ_CHECK(*err && one_line_utf8(err));
    }
    imv_model_free(&m);
    free(o.p);
    return 0;
}
