// Automatic mixed precision: per-thread autocast state for CPU (bfloat16) and CUDA (float16/bfloat16).
// PyTorch 2.4 replaced the per-device functions (is_enabled, set_cpu_enabled, ...) by ones taking a device type.
#include <ATen/autocast_mode.h>
#include <torch/csrc/api/include/torch/version.h>

#include "bridge_common.h"

using mlseg::guarded;

namespace {

c10::DeviceType device_of(int32_t device_type) {
  TORCH_CHECK(device_type == 0 || device_type == 1, "autocast supports CPU (0) and CUDA (1), got device type ", device_type);
  return device_type == 0 ? c10::DeviceType::CPU : c10::DeviceType::CUDA;
}

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool enabled(c10::DeviceType d) { return at::autocast::is_autocast_enabled(d); }
void set_enabled(c10::DeviceType d, bool on) { at::autocast::set_autocast_enabled(d, on); }
at::ScalarType dtype(c10::DeviceType d) { return at::autocast::get_autocast_dtype(d); }
void set_dtype(c10::DeviceType d, at::ScalarType t) { at::autocast::set_autocast_dtype(d, t); }
#else
bool enabled(c10::DeviceType d) { return d == c10::DeviceType::CPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled(); }
void set_enabled(c10::DeviceType d, bool on) {
  if (d == c10::DeviceType::CPU) at::autocast::set_cpu_enabled(on); else at::autocast::set_enabled(on);
}
at::ScalarType dtype(c10::DeviceType d) {
  return d == c10::DeviceType::CPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
}
void set_dtype(c10::DeviceType d, at::ScalarType t) {
  if (d == c10::DeviceType::CPU) at::autocast::set_autocast_cpu_dtype(t); else at::autocast::set_autocast_gpu_dtype(t);
}
#endif

}  // namespace

MLSEG_API int32_t mlseg_autocast_get(int32_t device_type, int32_t* is_enabled, int32_t* scalar_type) {
  return guarded([&] {
    auto d = device_of(device_type);
    *is_enabled = enabled(d) ? 1 : 0;
    *scalar_type = static_cast<int32_t>(dtype(d));
  });
}

MLSEG_API int32_t mlseg_autocast_set(int32_t device_type, int32_t is_enabled, int32_t scalar_type) {
  return guarded([&] {
    auto d = device_of(device_type);
    auto t = static_cast<at::ScalarType>(scalar_type);
    TORCH_CHECK(t == at::kHalf || t == at::kBFloat16, "autocast computes in float16 or bfloat16, got ", t);
    bool was_enabled = enabled(d);
    set_dtype(d, t);
    set_enabled(d, is_enabled != 0);
    // Entering the outermost region increments the nesting count; leaving it clears the cast-weight cache.
    if (is_enabled != 0 && !was_enabled) at::autocast::increment_nesting();
    if (is_enabled == 0 && was_enabled && at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  });
}
