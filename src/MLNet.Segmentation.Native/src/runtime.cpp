// Version, device, thread, seed and grad-mode queries.
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/api/include/torch/cuda.h>
#include <torch/csrc/api/include/torch/version.h>

#include <cstring>

#include "bridge_common.h"

using mlseg::guarded;

MLSEG_API int32_t mlseg_version(char* buffer, int32_t capacity) {
  return guarded([&] {
    TORCH_CHECK(buffer != nullptr && capacity > 0, "version buffer is empty");
    std::strncpy(buffer, TORCH_VERSION, static_cast<size_t>(capacity) - 1);
    buffer[capacity - 1] = '\0';
  });
}

// The C++ frontend's torch::cuda calls: the same spelling in libtorch 1.13 and 2.x, CPU-only or CUDA.
MLSEG_API int32_t mlseg_cuda_is_available(int32_t* available) {
  return guarded([&] { *available = torch::cuda::is_available() ? 1 : 0; });
}

MLSEG_API int32_t mlseg_cuda_device_count(int32_t* count) {
  return guarded([&] {
    *count = static_cast<int32_t>(torch::cuda::device_count());
  });
}

MLSEG_API int32_t mlseg_cuda_synchronize(int32_t device_index) {
  return guarded([&] { torch::cuda::synchronize(device_index); });
}

// Whether libtorch has oneDNN (MKL-DNN) and the user has not switched it off (torch.backends.mkldnn.enabled).
MLSEG_API int32_t mlseg_onednn_is_available(int32_t* available) {
  return guarded([&] { *available = at::hasMKLDNN() && at::globalContext().userEnabledMkldnn() ? 1 : 0; });
}

MLSEG_API int32_t mlseg_cudnn_benchmark_get(int32_t* enabled) {
  return guarded([&] { *enabled = at::globalContext().benchmarkCuDNN() ? 1 : 0; });
}

MLSEG_API int32_t mlseg_cudnn_benchmark_set(int32_t enabled) {
  return guarded([&] { at::globalContext().setBenchmarkCuDNN(enabled != 0); });
}

MLSEG_API int32_t mlseg_get_num_threads(int32_t* threads) {
  return guarded([&] { *threads = at::get_num_threads(); });
}

MLSEG_API int32_t mlseg_set_num_threads(int32_t threads) {
  return guarded([&] {
    TORCH_CHECK(threads > 0, "thread count must be positive, got ", threads);
    at::set_num_threads(threads);
  });
}

MLSEG_API int32_t mlseg_manual_seed(uint64_t seed) {
  return guarded([&] { at::manual_seed(seed); });
}

MLSEG_API int32_t mlseg_grad_enabled(int32_t* enabled) {
  return guarded([&] { *enabled = c10::GradMode::is_enabled() ? 1 : 0; });
}

MLSEG_API int32_t mlseg_set_grad_enabled(int32_t enabled) {
  return guarded([&] { c10::GradMode::set_enabled(enabled != 0); });
}
