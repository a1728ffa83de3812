// C ABI helpers of the data pipeline (loader worker threads).
#pragma once
#include <stdint.h>

#include "mlseg_bridge.h"

// Limits libtorch's intra-op parallelism (OpenMP team size) of the CALLING thread only, so data-loader
// workers run their small ops single-threaded without changing the training thread's setting.
// A no-op where libtorch does not use OpenMP.
MLSEG_API int32_t mlseg_data_set_thread_parallelism(int32_t threads);
