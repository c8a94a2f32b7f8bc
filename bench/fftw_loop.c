/*
 * A minimal split-step loop on an N0 x N1 complex128 grid: the reference "physical limit"
 * for qdq's engines (bench/qhd_vs_c.py builds and drives it).
 *
 * Per step s:  psi <- exp(-i cV[s] V) psi                     (skipped when cV[s] == 0)
 *              psi <- IFFT( exp(-i cK[s] D (k0^2 + k1^2)) FFT(psi) )   (skipped when cK[s] == 0)
 *
 * The 2-D FFT is done as separable 1-D transforms (fftw_plan_many_dft along each axis),
 * planned with FFTW_MEASURE. The kinetic phase is the outer product of two 1-D phase
 * vectors (N0 + N1 cos/sin per step instead of N0*N1); the 1/(N0*N1) of the inverse
 * transform is folded into those vectors. Threads: fftw3_threads for the transforms and,
 * when built with -fopenmp, the same number of OpenMP threads for the phase loops.
 *
 * bench/qhd_vs_c.py builds this file twice, the code unchanged, only the flags differ:
 *   -O3 -march=native [-fopenmp]          the minimal loop: scalar glibc cos/sin (sincos);
 *   ... -ffast-math                       "the limit": GCC may then call glibc's libmvec
 *                                         vector cos/sin (_ZGVeN8v_cos/_sin on AVX-512) in
 *                                         the N0*N1 potential loop (-fopt-info-vec-optimized
 *                                         reports it vectorized; plain -O3 does not, since
 *                                         libm's scalar cos/sin have no SIMD declaration
 *                                         without __FAST_MATH__). libmvec is within 4 ulp,
 *                                         not correctly rounded: the final state differs at
 *                                         rounding level, which the script reports.
 *
 * Usage: fftw_loop INPUT OUTPUT THREADS
 *
 * INPUT (native-endian): int64 N0, N1, S; double D; double k0[N0], k1[N1], V[N0*N1],
 * cV[S], cK[S]; complex128 psi0[N0*N1] (row-major, axis 1 contiguous).
 * OUTPUT: complex128 psi[N0*N1]. Prints "loop_wall_s=... loop_cpu_s=... plan_s=..." on stdout.
 */
#include <fftw3.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench_timing.h" /* now(): the clock both loops read */

static void *xmalloc(size_t bytes) {
    void *p = fftw_malloc(bytes);
    if (!p) {
        fprintf(stderr, "fftw_loop: out of memory (%zu bytes)\n", bytes);
        exit(2);
    }
    return p;
}

static void read_exact(FILE *f, void *dst, size_t size, size_t count, const char *what) {
    if (fread(dst, size, count, f) != count) {
        fprintf(stderr, "fftw_loop: input file too short while reading %s\n", what);
        exit(2);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s INPUT OUTPUT THREADS\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[3]);
    if (threads < 1) {
        fprintf(stderr, "fftw_loop: THREADS must be >= 1, got %s\n", argv[3]);
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 2;
    }
    int64_t hdr[3];
    double D;
    read_exact(in, hdr, sizeof(int64_t), 3, "header");
    read_exact(in, &D, sizeof(double), 1, "D");
    const int64_t n0 = hdr[0], n1 = hdr[1], steps = hdr[2];
    if (n0 < 1 || n1 < 1 || steps < 0 || n0 > (1 << 20) || n1 > (1 << 20)) {
        fprintf(stderr, "fftw_loop: bad header N0=%lld N1=%lld S=%lld\n", (long long)n0,
                (long long)n1, (long long)steps);
        return 2;
    }
    const size_t n = (size_t)n0 * (size_t)n1;
    double *k0 = xmalloc(sizeof(double) * n0), *k1 = xmalloc(sizeof(double) * n1);
    double *V = xmalloc(sizeof(double) * n);
    double *cV = xmalloc(sizeof(double) * (steps + 1)), *cK = xmalloc(sizeof(double) * (steps + 1));
    fftw_complex *psi = fftw_alloc_complex(n), *p0 = fftw_alloc_complex(n0),
                 *p1 = fftw_alloc_complex(n1);
    if (!psi || !p0 || !p1) {
        fprintf(stderr, "fftw_loop: out of memory\n");
        return 2;
    }
    read_exact(in, k0, sizeof(double), n0, "k0");
    read_exact(in, k1, sizeof(double), n1, "k1");
    read_exact(in, V, sizeof(double), n, "V");
    read_exact(in, cV, sizeof(double), steps, "cV");
    read_exact(in, cK, sizeof(double), steps, "cK");

    /* Plan first: FFTW_MEASURE overwrites the array it measures on. */
    double t_plan = now(CLOCK_MONOTONIC);
    fftw_init_threads();
    fftw_plan_with_nthreads(threads);
#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
    const int len1 = (int)n1, len0 = (int)n0;
    /* axis 1: n0 contiguous rows of length n1; axis 0: n1 columns of stride n1. */
    fftw_plan f1 = fftw_plan_many_dft(1, &len1, len0, psi, NULL, 1, len1, psi, NULL, 1, len1,
                                      FFTW_FORWARD, FFTW_MEASURE);
    fftw_plan f0 = fftw_plan_many_dft(1, &len0, len1, psi, NULL, len1, 1, psi, NULL, len1, 1,
                                      FFTW_FORWARD, FFTW_MEASURE);
    fftw_plan b1 = fftw_plan_many_dft(1, &len1, len0, psi, NULL, 1, len1, psi, NULL, 1, len1,
                                      FFTW_BACKWARD, FFTW_MEASURE);
    fftw_plan b0 = fftw_plan_many_dft(1, &len0, len1, psi, NULL, len1, 1, psi, NULL, len1, 1,
                                      FFTW_BACKWARD, FFTW_MEASURE);
    if (!f0 || !f1 || !b0 || !b1) {
        fprintf(stderr, "fftw_loop: FFTW planning failed\n");
        return 2;
    }
    t_plan = now(CLOCK_MONOTONIC) - t_plan;
    read_exact(in, psi, sizeof(fftw_complex), n, "psi0");
    fclose(in);

    const double inv0 = 1.0 / (double)n0, inv1 = 1.0 / (double)n1;
    const double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    for (int64_t s = 0; s < steps; ++s) {
        const double cv = cV[s], ck = cK[s];
        if (cv != 0.0) {
#pragma omp parallel for schedule(static)
            for (size_t j = 0; j < n; ++j) {
                const double th = V[j] * -cv;
                const double c = cos(th), sn = sin(th);
                const double re = psi[j][0], im = psi[j][1];
                psi[j][0] = re * c - im * sn;
                psi[j][1] = re * sn + im * c;
            }
        }
        if (ck != 0.0) {
            fftw_execute(f1);
            fftw_execute(f0);
            /* Same rounding as qdq: the angle is -c * (D k^2). */
            for (int64_t i = 0; i < n0; ++i) {
                const double th = -ck * (D * (k0[i] * k0[i]));
                p0[i][0] = inv0 * cos(th);
                p0[i][1] = inv0 * sin(th);
            }
            for (int64_t i = 0; i < n1; ++i) {
                const double th = -ck * (D * (k1[i] * k1[i]));
                p1[i][0] = inv1 * cos(th);
                p1[i][1] = inv1 * sin(th);
            }
#pragma omp parallel for schedule(static)
            for (int64_t i = 0; i < n0; ++i) {
                const double ar = p0[i][0], ai = p0[i][1];
                fftw_complex *row = psi + (size_t)i * (size_t)n1;
                for (int64_t j = 0; j < n1; ++j) {
                    const double fr = ar * p1[j][0] - ai * p1[j][1];
                    const double fi = ar * p1[j][1] + ai * p1[j][0];
                    const double re = row[j][0], im = row[j][1];
                    row[j][0] = re * fr - im * fi;
                    row[j][1] = re * fi + im * fr;
                }
            }
            fftw_execute(b1);
            fftw_execute(b0);
        }
    }
    const double wall = now(CLOCK_MONOTONIC) - w0, cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;

    FILE *out = fopen(argv[2], "wb");
    if (!out || fwrite(psi, sizeof(fftw_complex), n, out) != n || fclose(out) != 0) {
        perror(argv[2]);
        return 2;
    }
    printf("loop_wall_s=%.6f loop_cpu_s=%.6f plan_s=%.6f threads=%d\n", wall, cpu, t_plan,
           threads);
    fftw_destroy_plan(f0);
    fftw_destroy_plan(f1);
    fftw_destroy_plan(b0);
    fftw_destroy_plan(b1);
    fftw_free(psi);
    fftw_free(p0);
    fftw_free(p1);
    fftw_free(k0);
    fftw_free(k1);
    fftw_free(V);
    fftw_free(cV);
    fftw_free(cK);
    fftw_cleanup_threads();
    return 0;
}
