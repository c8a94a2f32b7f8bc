/* One 2-D FFT pair (forward + backward, in place, FFTW_MEASURE) timed per call, single
 * thread: the transform floor of a split-step step (bench/step_breakdown.py).
 * Usage: fftw_pair N REPEATS  ->  prints microseconds per pair. */
#include <fftw3.h>
#include <stdio.h>
#include <stdlib.h>
#include "bench_timing.h"

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 256, reps = argc > 2 ? atoi(argv[2]) : 2000;
    fftw_complex *a = fftw_malloc(sizeof(fftw_complex) * (size_t)n * n);
    fftw_plan f = fftw_plan_dft_2d(n, n, a, a, FFTW_FORWARD, FFTW_MEASURE);
    fftw_plan b = fftw_plan_dft_2d(n, n, a, a, FFTW_BACKWARD, FFTW_MEASURE);
    for (long i = 0; i < (long)n * n; i++) { a[i][0] = (double)(i % 7); a[i][1] = (double)(i % 3); }
    for (int r = 0; r < reps / 10 + 1; r++) { fftw_execute(f); fftw_execute(b); }
    double t0 = now(CLOCK_MONOTONIC);
    for (int r = 0; r < reps; r++) { fftw_execute(f); fftw_execute(b); }
    printf("%.3f\n", (now(CLOCK_MONOTONIC) - t0) / reps * 1e6);
    fftw_destroy_plan(f); fftw_destroy_plan(b); fftw_free(a);
    return 0;
}
