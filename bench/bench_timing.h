/* Shared by the benchmark C loops (fftw_loop.c, qaoa_loop.c): one clock reading in seconds. */
#ifndef QDQ_BENCH_TIMING_H
#define QDQ_BENCH_TIMING_H
#include <time.h>

static double now(clockid_t clk) {
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
#endif
