// CUDA memory statistics of libtorch's caching allocator (torch.cuda.memory_allocated and friends), and whether this
// bridge was compiled with its CUDA parts. Real only against a CUDA libtorch (MLSEG_WITH_CUDA).
#include "bridge_common.h"

using mlseg::guarded;

#if MLSEG_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>

#include "cuda_device.h"
#endif

MLSEG_API int32_t mlseg_cuda_bridge_compiled(int32_t* compiled) {
  return guarded([&] { *compiled = MLSEG_WITH_CUDA ? 1 : 0; });
}

#if MLSEG_WITH_CUDA

// values: allocated bytes now, peak allocated bytes, reserved (cached) bytes now, peak reserved bytes.
MLSEG_API int32_t mlseg_cuda_memory_stats(int32_t device_index, int64_t* values, int32_t count) {
  return guarded([&] {
    TORCH_CHECK(values != nullptr && count >= 4, "CUDA memory statistics need room for 4 values");
    mlseg::check_cuda_device(device_index, "CUDA memory statistics");
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device_index);
    constexpr size_t all_pools = 0;  // StatType::AGGREGATE
    values[0] = stats.allocated_bytes[all_pools].current;
    values[1] = stats.allocated_bytes[all_pools].peak;
    values[2] = stats.reserved_bytes[all_pools].current;
    values[3] = stats.reserved_bytes[all_pools].peak;
  });
}

MLSEG_API int32_t mlseg_cuda_memory_reset_peak(int32_t device_index) {
  return guarded([&] {
    mlseg::check_cuda_device(device_index, "CUDA memory statistics");
    c10::cuda::CUDACachingAllocator::resetPeakStats(device_index);
  });
}

MLSEG_API int32_t mlseg_cuda_memory_empty_cache(void) {
  return guarded([] { c10::cuda::CUDACachingAllocator::emptyCache(); });
}

#else

namespace {
[[noreturn]] void no_cuda() {
  TORCH_CHECK(false, "CUDA memory statistics need the bridge built against a CUDA libtorch (this one has none)");
}
}  // namespace

MLSEG_API int32_t mlseg_cuda_memory_stats(int32_t, int64_t*, int32_t) { return guarded([] { no_cuda(); }); }
MLSEG_API int32_t mlseg_cuda_memory_reset_peak(int32_t) { return guarded([] { no_cuda(); }); }
MLSEG_API int32_t mlseg_cuda_memory_empty_cache(void) { return guarded([] { no_cuda(); }); }

#endif
