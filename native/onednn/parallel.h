// When the native loops use more than one OpenMP thread. Below PARALLEL_MIN elements (16 MB of floats) a loop stays
// on one thread: these loops are memory-bound, so a second thread gains little, while a team waits for its slowest
// member, and on a machine whose cores are busy with other processes that wait was 10-40x the work (measured here:
// a 1M-element add took 0.4 ms on one thread, 10 ms on two). oneDNN's convolutions and gemms keep every thread.
#pragma once
#include <cstdint>

namespace sc {
constexpr int64_t PARALLEL_MIN = int64_t(1) << 22;
}
