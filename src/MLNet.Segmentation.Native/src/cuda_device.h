// The device check shared by the bridge's CUDA parts (cuda_graph.cpp, cuda_memory.cpp), compiled with MLSEG_WITH_CUDA.
#pragma once
#include <c10/util/Exception.h>
#include <torch/csrc/api/include/torch/cuda.h>

#include <cstdint>

namespace mlseg {

// Throws unless a CUDA device is visible and device_index names one; `what` (plural) says which feature needs it.
inline void check_cuda_device(int32_t device_index, const char* what) {
  // device_count() is size_t in 1.13 and c10::DeviceIndex in 2.x, hence the casts.
  TORCH_CHECK(torch::cuda::is_available(), what, " need a visible CUDA device");
  TORCH_CHECK(device_index >= 0 && static_cast<int64_t>(device_index) < static_cast<int64_t>(torch::cuda::device_count()), "no CUDA device ",
              device_index);
}

}  // namespace mlseg
