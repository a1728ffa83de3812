// Per-thread intra-op parallelism for data-loader workers (see include/mlseg_data.h).
#include <ATen/Parallel.h>

#include <stdexcept>

#include "bridge_common.h"
#include "mlseg_data.h"

// Resolved from libgomp when libtorch loaded it; null otherwise.
extern "C" void omp_set_num_threads(int) __attribute__((weak));

MLSEG_API int32_t mlseg_data_set_thread_parallelism(int32_t threads) {
  return mlseg::guarded([&] {
    if (threads < 1) throw std::invalid_argument("thread count must be at least 1");
    // ATen initialises each thread's OpenMP team size lazily from the global setting on the thread's first
    // parallel call; trigger that now so it cannot later override the per-thread value set below.
    (void)at::get_num_threads();
    if (omp_set_num_threads != nullptr) omp_set_num_threads(threads);
  });
}
