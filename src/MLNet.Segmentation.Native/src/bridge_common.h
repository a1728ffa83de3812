// Shared helpers of the bridge: the error channel and the guard every export runs its body in.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/util/Exception.h>
#include <exception>
#include <string>

#include "mlseg_bridge.h"

// 1 when CMake found a CUDA libtorch (CUDA graphs, CUDA memory statistics); 0 otherwise.
#ifndef MLSEG_WITH_CUDA
#define MLSEG_WITH_CUDA 0
#endif

namespace mlseg {

void set_last_error(std::string message);
void clear_last_error();

inline at::Tensor& as_tensor(mlseg_tensor handle) {
  TORCH_CHECK(handle != nullptr, "null tensor handle");
  return *static_cast<at::Tensor*>(handle);
}

inline mlseg_tensor new_handle(at::Tensor tensor) { return new at::Tensor(std::move(tensor)); }

// Runs body and converts any exception into a status code plus a message without C++ backtrace.
template <typename Body>
int32_t guarded(Body&& body) noexcept {
  try {
    body();
    return 0;
  } catch (const c10::Error& error) {
    set_last_error(error.what_without_backtrace());
  } catch (const std::exception& error) {
    set_last_error(error.what());
  } catch (...) {
    set_last_error("unknown native exception");
  }
  return 1;
}

}  // namespace mlseg
