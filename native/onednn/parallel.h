// When the native loops use more than one OpenMP thread. Below PARALLEL_MIN elements (16 MB of floats) a loop stays
// on one thread: these loops are memory-bound, so a second thread gains little, while a team waits for its slowest
// member, and on a machine whose cores are busy with other processes that wait was 10-40x the work (measured here:
// a 1M-element add took 0.4 ms on one thread, 10 ms on two). oneDNN's convolutions and gemms keep every thread.
//
// Loops say num_threads(team(work)) rather than `if (work >= PARALLEL_MIN)`: with an if clause GCC 12 also emits a
// serial copy of the loop, which it does not vectorise (branches on the data: a ReLU over random signs ran at
// 1.6 GB/s against 80 GB/s); num_threads keeps one vectorised body for both.
#pragma once
#include <omp.h>

#include <cstdint>

namespace sc {
constexpr int64_t PARALLEL_MIN = int64_t(1) << 22;

// `cost`: roughly how many memory-bound element operations one element's work is worth (Adam's square root and
// division make it compute-bound: a second thread pays off on far smaller arrays).
inline int team(int64_t work, int64_t cost = 1) { return work * cost >= PARALLEL_MIN ? omp_get_max_threads() : 1; }
}  // namespace sc
