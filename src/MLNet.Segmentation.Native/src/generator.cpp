// Seeded random generators (CPU, and CUDA when the libtorch has it) and their states.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Generator.h>
#include <ATen/Context.h>

#include <mutex>

#include "bridge_common.h"

using mlseg::guarded;

namespace {
at::Generator& as_generator(mlseg_generator handle) {
  TORCH_CHECK(handle != nullptr, "null generator handle");
  return *static_cast<at::Generator*>(handle);
}

// Context::defaultGenerator has the same spelling in libtorch 1.13 and 2.x; for CUDA it goes through the CUDA hooks.
at::Generator default_generator(int32_t device_type, int32_t device_index) {
  if (device_type == static_cast<int32_t>(c10::DeviceType::CPU)) return at::detail::getDefaultCPUGenerator();
  TORCH_CHECK(device_type == static_cast<int32_t>(c10::DeviceType::CUDA), "generators exist for cpu and cuda only");
  return at::globalContext().defaultGenerator(
      c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(device_index)));
}
}  // namespace

MLSEG_API int32_t mlseg_generator_new(uint64_t seed, int32_t device_type, int32_t device_index, mlseg_generator* out) {
  return guarded([&] {
    at::Generator generator = device_type == static_cast<int32_t>(c10::DeviceType::CPU)
                                  ? at::detail::createCPUGenerator(seed)
                                  : default_generator(device_type, device_index).clone();
    generator.set_current_seed(seed);
    *out = new at::Generator(std::move(generator));
  });
}

MLSEG_API int32_t mlseg_generator_default(int32_t device_type, int32_t device_index, mlseg_generator* out) {
  return guarded([&] { *out = new at::Generator(default_generator(device_type, device_index)); });
}

MLSEG_API void mlseg_generator_free(mlseg_generator generator) { delete static_cast<at::Generator*>(generator); }

MLSEG_API int32_t mlseg_generator_get_state(mlseg_generator generator, mlseg_tensor* state) {
  return guarded([&] {
    auto& gen = as_generator(generator);
    std::lock_guard<std::mutex> lock(gen.mutex());
    *state = mlseg::new_handle(gen.get_state());
  });
}

MLSEG_API int32_t mlseg_generator_set_state(mlseg_generator generator, mlseg_tensor state) {
  return guarded([&] {
    auto& gen = as_generator(generator);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(mlseg::as_tensor(state));
  });
}

MLSEG_API int32_t mlseg_generator_seed(mlseg_generator generator, uint64_t seed) {
  return guarded([&] {
    auto& gen = as_generator(generator);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  });
}
