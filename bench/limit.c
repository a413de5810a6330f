/* Copied unchanged from ../shared/bench/limit.c (the project's shared bench
 * material, read-only beside the clone), so that `make bench` does not
 * depend on that path.  Built without the project's warning flags: it is
 * the reference floor of issue 16, kept byte-for-byte as given. */
/* A floor for the national uncertainty scenario: the least work any engine must do.
 * For P profiles x D draws: sample 13 triangular ratings, score 7 models as clamped weighted
 * sums with two interaction terms each, rank them, count rank frequencies. One thread.
 * Usage: limit P D   (prints seconds taken) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t s = 0x9E3779B97F4A7C15ull;
static double u01(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return (s >> 11) * 0x1.0p-53; }
static double tri(double a, double c, double b) {
  double u = u01(), f = (c - a) / (b - a);
  return u < f ? a + sqrt(u * (b - a) * (c - a)) : b - sqrt((1 - u) * (b - a) * (b - c));
}

int main(int argc, char **argv) {
  int P = argc > 1 ? atoi(argv[1]) : 153, D = argc > 2 ? atoi(argv[2]) : 10000;
  double w[7][13], lo[13], mo[13], hi[13];
  static long counts[7][7];
  struct timespec t0, t1;
  for (int m = 0; m < 7; m++) for (int k = 0; k < 13; k++) w[m][k] = u01() * 10 - 3;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int p = 0; p < P; p++) {
    for (int k = 0; k < 13; k++) { mo[k] = u01() * 4; lo[k] = mo[k] * 0.7; hi[k] = mo[k] + (4 - mo[k]) * 0.3 + 1e-9; }
    for (int d = 0; d < D; d++) {
      double r[13], sc[7]; int ord[7];
      for (int k = 0; k < 13; k++) r[k] = tri(lo[k], mo[k], hi[k]);
      for (int m = 0; m < 7; m++) {
        double x = 50;
        for (int k = 0; k < 13; k++) x += w[m][k] * r[k];
        x += 2 * fmin(r[m], r[m + 3]) - fmax(r[m + 1], r[12]);
        sc[m] = x < 0 ? 0 : x > 100 ? 100 : x; ord[m] = m;
      }
      for (int i = 1; i < 7; i++) for (int j = i; j > 0 && sc[ord[j]] > sc[ord[j - 1]]; j--) { int t = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = t; }
      for (int i = 0; i < 7; i++) counts[ord[i]][i]++;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long tot = 0; for (int i = 0; i < 7; i++) tot += counts[0][i];
  printf("%.4f %ld\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9, tot);
  return 0;
}
