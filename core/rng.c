/*
 * rng.c - deterministic random streams (xoshiro256**, seeded through
 * splitmix64 from a seed and a salt string) and draws from a profile's
 * ranges.  Used by the Monte Carlo run and the synthetic generator; the
 * same seed and salt give the same stream on every machine.
 */
#include <math.h>
#include <stdint.h>

#include "internal.h"

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void imv_rng_seed(imv_rng *r, uint64_t seed, const char *salt)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a of the salt */
    for (const char *p = salt ? salt : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    uint64_t x = seed ^ rotl(h, 17);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&x);
}

static uint64_t next_u64(imv_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static double uniform(imv_rng *r)
{
    return (double)(next_u64(r) >> 11) * 0x1.0p-53;
}

double imv_rng_uniform(imv_rng *r)
{
    return uniform(r);
}

double imv_range_draw(const imv_range *g, imv_rng *r)
{
    if (g->kind == 0)
        return g->mode;
    double u = imv_rng_uniform(r), a = g->low, b = g->high, c = g->mode;
    if (g->kind == 1 || b <= a)
        return a + u * (b - a);
    double fc = (c - a) / (b - a); /* inverse CDF of the triangle */
    return u < fc ? a + sqrt(u * (b - a) * (c - a)) : b - sqrt((1 - u) * (b - a) * (b - c));
}

void imv_range_prepare(const imv_range *g, imv_range_prep *out)
{
    double a = g->low, b = g->high, c = g->mode;
    *out = (imv_range_prep){.a = a, .b = b, .ba = b - a, .ca = c - a, .bc = b - c};
    if (g->kind == 0) {
        out->kind = IMV_PREP_POINT;
        out->a = c;
    } else if (g->kind == 1 || b <= a) {
        out->kind = IMV_PREP_UNIFORM;
    } else {
        out->kind = IMV_PREP_TRIANGLE;
        out->fc = (c - a) / (b - a);
    }
}

/* The expressions of imv_range_draw, term for term and in the same order
 * (u * (b - a) * (c - a) is (u * (b - a)) * (c - a)), so every draw has
 * the same bits; only what does not depend on u is computed beforehand. */
void imv_ranges_draw(const imv_range_prep *g, size_t n, imv_rng *rng, double *out)
{
    imv_rng st = *rng, *r = &st; /* a local copy stays in registers */
    for (size_t i = 0; i < n; i++) {
        const imv_range_prep *x = &g[i];
        if (x->kind == IMV_PREP_POINT) {
            out[i] = x->a;
            continue;
        }
        double u = uniform(r);
        if (x->kind == IMV_PREP_UNIFORM) {
            out[i] = x->a + u * x->ba;
            continue;
        }
        /* Which side of the mode is a coin toss, so a branch on it is
         * mispredicted half the time: both sides are worked out, the one
         * wanted chosen without a jump, and one square root taken. */
        int left = u < x->fc;
        double arg[2] = {(1 - u) * x->ba * x->bc, u * x->ba * x->ca};
        double root = sqrt(arg[left]);
        double side[2] = {x->b - root, x->a + root};
        out[i] = side[left];
    }
    *rng = st;
}
