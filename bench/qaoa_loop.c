/*
 * A minimal QAOA loop on n bits (2^n complex128 amplitudes): the C reference for qdq's
 * binary engines (bench/binary_speed.py builds and drives it).
 *
 * Per step s (the factors of qdq's own spec.product_formula(), written by the script):
 *   psi_z <- exp(-i cV[s] zeta(z)) psi_z                        (skipped when cV[s] == 0)
 *   psi   <- exp(-i c L) psi,  c = cK[s] D,  L = sum_i (1 - X_i)   (skipped when cK[s] == 0)
 * The mixer is applied qubit by qubit: exp(-ic(1 - X)) = e^{-ic}(cos c + i sin c X), one
 * 2x2 rotation (a, b) <- (alpha a + beta b, beta a + alpha b) on each pair of amplitudes
 * whose indices differ in bit i, alpha = e^{-ic} cos c, beta = e^{-ic} i sin c -- the same
 * arithmetic as qdq.kinetic.HypercubeLaplacian.exp_inplace (QAOA: cV = gamma, cK = -beta).
 *
 * The code is the same for both builds the script makes; only flags differ:
 *   -O3 -march=native [-fopenmp]               scalar cos/sin (glibc), exact libm rounding;
 *   ... -ffast-math                             lets GCC call glibc's libmvec vector
 *                                               cos/sin (_ZGV*_cos/_sin) in the phase loop
 *                                               (check: -fopt-info-vec-optimized).
 * With -fopenmp the loops are split over THREADS OpenMP threads.
 *
 * Usage: qaoa_loop INPUT OUTPUT THREADS REPEATS
 *
 * INPUT (native-endian): int64 n, S; double D, amp; double zeta[2^n], cV[S], cK[S].
 * The start is the uniform state, every amplitude = amp (written by the script so that it
 * is bit-for-bit numpy's). The loop runs REPEATS times from the start; the best wall time
 * is reported. OUTPUT: complex128 psi[2^n] after the last repeat.
 * Prints "loop_wall_s=... loop_cpu_s=..." (best repeat; CPU of that repeat) on stdout.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench_timing.h" /* now(): the clock both loops read */

static void read_exact(FILE *f, void *dst, size_t size, size_t count, const char *what) {
    if (fread(dst, size, count, f) != count) {
        fprintf(stderr, "qaoa_loop: input file too short while reading %s\n", what);
        exit(2);
    }
}

static void *xmalloc(size_t bytes) {
    /* 64-byte aligned: whole AVX-512 vectors. */
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!p) {
        fprintf(stderr, "qaoa_loop: out of memory (%zu bytes)\n", bytes);
        exit(2);
    }
    return p;
}

/* psi_z <- exp(-i cv zeta_z) psi_z; psi interleaved (re, im). restrict: no aliasing, so
 * the vectorizer needs no runtime overlap check. */
static void phase_layer(double *restrict psi, const double *restrict zeta, size_t N,
                        double cv) {
#pragma omp parallel for schedule(static)
    for (size_t j = 0; j < N; ++j) {
        const double th = zeta[j] * -cv; /* same rounding as the C/FFTW loop */
        const double c = cos(th), s = sin(th);
        const double re = psi[2 * j], im = psi[2 * j + 1];
        psi[2 * j] = re * c - im * s;
        psi[2 * j + 1] = re * s + im * c;
    }
}

/* exp(-ic(1 - X_i)) on every qubit i < n, one pass over the state per qubit. */
static void mixer_layer(double *restrict psi, int n, double c) {
    const size_t N = (size_t)1 << n;
    const double cc = cos(c), sc = sin(c);
    /* e^{-ic} = (cc, -sc); alpha = e^{-ic} cc; beta = e^{-ic} i sc = (sc sc, cc sc). */
    const double ar = cc * cc, ai = -sc * cc, br = sc * sc, bi = cc * sc;
    for (int i = 0; i < n; ++i) {
        const size_t h = (size_t)1 << i; /* partner offset; blocks of 2h amplitudes */
        /* Parallel over the N/2 pairs: pair p has a = its index with a 0 inserted at bit i,
         * b = a + h. For i >= 3 the inner run of h pairs is contiguous (vectorizes). */
#pragma omp parallel for schedule(static)
        for (size_t blk = 0; blk < N; blk += 2 * h) {
            double *restrict pa = psi + 2 * blk, *restrict pb = psi + 2 * (blk + h);
            for (size_t k = 0; k < h; ++k) {
                const double xr = pa[2 * k], xi = pa[2 * k + 1];
                const double yr = pb[2 * k], yi = pb[2 * k + 1];
                pa[2 * k] = (ar * xr - ai * xi) + (br * yr - bi * yi);
                pa[2 * k + 1] = (ar * xi + ai * xr) + (br * yi + bi * yr);
                pb[2 * k] = (br * xr - bi * xi) + (ar * yr - ai * yi);
                pb[2 * k + 1] = (br * xi + bi * xr) + (ar * yi + ai * yr);
            }
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s INPUT OUTPUT THREADS REPEATS\n", argv[0]);
        return 2;
    }
    const int threads = atoi(argv[3]), repeats = atoi(argv[4]);
    if (threads < 1 || repeats < 1) {
        fprintf(stderr, "qaoa_loop: THREADS and REPEATS must be >= 1\n");
        return 2;
    }
#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 2;
    }
    int64_t hdr[2];
    double dd[2];
    read_exact(in, hdr, sizeof(int64_t), 2, "header");
    read_exact(in, dd, sizeof(double), 2, "D, amp");
    const int64_t n = hdr[0], steps = hdr[1];
    if (n < 1 || n > 40 || steps < 0) {
        fprintf(stderr, "qaoa_loop: bad header n=%lld S=%lld\n", (long long)n,
                (long long)steps);
        return 2;
    }
    const double D = dd[0], amp = dd[1];
    const size_t N = (size_t)1 << n;
    double *zeta = xmalloc(sizeof(double) * N), *psi = xmalloc(2 * sizeof(double) * N);
    double *cV = xmalloc(sizeof(double) * (steps + 1)), *cK = xmalloc(sizeof(double) * (steps + 1));
    read_exact(in, zeta, sizeof(double), N, "zeta");
    read_exact(in, cV, sizeof(double), steps, "cV");
    read_exact(in, cK, sizeof(double), steps, "cK");
    fclose(in);

    double best = INFINITY, best_cpu = 0.0;
    for (int r = 0; r < repeats; ++r) {
        const double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
#pragma omp parallel for schedule(static)
        for (size_t j = 0; j < N; ++j) {
            psi[2 * j] = amp;
            psi[2 * j + 1] = 0.0;
        }
        for (int64_t s = 0; s < steps; ++s) {
            if (cV[s] != 0.0) phase_layer(psi, zeta, N, cV[s]);
            if (cK[s] != 0.0) mixer_layer(psi, (int)n, cK[s] * D);
        }
        const double w = now(CLOCK_MONOTONIC) - w0, c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (w < best) {
            best = w;
            best_cpu = c;
        }
    }

    FILE *out = fopen(argv[2], "wb");
    if (!out || fwrite(psi, 2 * sizeof(double), N, out) != N || fclose(out) != 0) {
        perror(argv[2]);
        return 2;
    }
    printf("loop_wall_s=%.6f loop_cpu_s=%.6f threads=%d\n", best, best_cpu, threads);
    free(zeta);
    free(psi);
    free(cV);
    free(cK);
    return 0;
}
