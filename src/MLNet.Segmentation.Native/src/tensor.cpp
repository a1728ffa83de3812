// Tensor creation from host memory, copies back to host, metadata and autograd accessors.
#include <ATen/Functions.h>
#include <c10/core/GradMode.h>
#include <c10/util/Optional.h>  // c10::optional: its own type in 1.13, an alias of std::optional in 2.x

#include <cstring>

#include "bridge_common.h"

using mlseg::as_tensor;
using mlseg::guarded;

MLSEG_API int32_t mlseg_tensor_from_data(const void* data, const int64_t* shape, int32_t ndim, int32_t dtype,
                                         int32_t device_type, int32_t device_index, mlseg_tensor* out) {
  return guarded([&] {
    TORCH_CHECK(ndim >= 0 && ndim <= 16, "tensors have at most 16 dimensions, got ", ndim);
    std::vector<int64_t> sizes(shape, shape + ndim);
    for (auto s : sizes) TORCH_CHECK(s >= 0, "negative dimension in shape ", c10::IntArrayRef(sizes));
    auto options = at::TensorOptions().dtype(static_cast<c10::ScalarType>(dtype));
    // empty + memcpy owns its memory (from_blob would alias the caller's buffer).
    at::Tensor host = at::empty(sizes, options);
    const auto bytes = host.numel() * static_cast<int64_t>(host.element_size());
    if (bytes > 0) {
      TORCH_CHECK(data != nullptr, "null data pointer for a non-empty tensor");
      std::memcpy(host.data_ptr(), data, static_cast<size_t>(bytes));
    }
    c10::Device device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index));
    *out = mlseg::new_handle(device.is_cpu() ? host : host.to(device));
  });
}

MLSEG_API int32_t mlseg_tensor_copy_to(mlseg_tensor tensor, void* destination, int64_t byte_count) {
  return guarded([&] {
    at::Tensor host = as_tensor(tensor).detach().to(at::kCPU).contiguous();
    const auto bytes = host.numel() * static_cast<int64_t>(host.element_size());
    TORCH_CHECK(bytes == byte_count, "destination holds ", byte_count, " bytes but the tensor of shape ",
                host.sizes(), " and dtype ", host.scalar_type(), " has ", bytes);
    if (bytes > 0) std::memcpy(destination, host.data_ptr(), static_cast<size_t>(bytes));
  });
}

MLSEG_API int32_t mlseg_tensor_info(mlseg_tensor tensor, int32_t* ndim, int64_t* shape, int32_t shape_capacity,
                                    int32_t* dtype, int32_t* device_type, int32_t* device_index,
                                    int32_t* requires_grad) {
  return guarded([&] {
    const auto& t = as_tensor(tensor);
    TORCH_CHECK(t.defined(), "the tensor is undefined");
    *ndim = static_cast<int32_t>(t.dim());
    if (shape != nullptr) {
      TORCH_CHECK(t.dim() <= shape_capacity, "tensor has ", t.dim(), " dimensions, more than ", shape_capacity);
      for (int64_t i = 0; i < t.dim(); ++i) shape[i] = t.size(i);
    }
    *dtype = static_cast<int32_t>(t.scalar_type());
    *device_type = static_cast<int32_t>(t.device().type());
    *device_index = t.device().index();
    *requires_grad = t.requires_grad() ? 1 : 0;
  });
}

MLSEG_API int32_t mlseg_tensor_data_ptr(mlseg_tensor tensor, void** data, int32_t* contiguous) {
  return guarded([&] {
    const auto& t = as_tensor(tensor);
    TORCH_CHECK(t.device().is_cpu(), "data pointers are only handed out for CPU tensors");
    *data = t.data_ptr();
    *contiguous = t.is_contiguous() ? 1 : 0;
  });
}

MLSEG_API int32_t mlseg_tensor_is_contiguous(mlseg_tensor tensor, int32_t memory_format, int32_t* contiguous) {
  return guarded([&] {
    TORCH_CHECK(memory_format == 0 || memory_format == 2, "memory format ", memory_format, " is not contiguous (0) or channels-last (2)");
    const auto format = memory_format == 2 ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    *contiguous = as_tensor(tensor).is_contiguous(format) ? 1 : 0;
  });
}

MLSEG_API int32_t mlseg_tensor_alias(mlseg_tensor tensor, mlseg_tensor* out) {
  return guarded([&] { *out = mlseg::new_handle(as_tensor(tensor)); });
}

MLSEG_API void mlseg_tensor_free(mlseg_tensor tensor) { delete static_cast<at::Tensor*>(tensor); }

MLSEG_API int32_t mlseg_tensor_item_double(mlseg_tensor tensor, double* value) {
  return guarded([&] { *value = as_tensor(tensor).item<double>(); });
}

MLSEG_API int32_t mlseg_tensor_item_int64(mlseg_tensor tensor, int64_t* value) {
  return guarded([&] { *value = as_tensor(tensor).item<int64_t>(); });
}

MLSEG_API int32_t mlseg_tensor_set_requires_grad(mlseg_tensor tensor, int32_t requires_grad) {
  return guarded([&] { as_tensor(tensor).requires_grad_(requires_grad != 0); });
}

// Replaces the tensor's data with another's, keeping the tensor itself (its handles, autograd identity and
// requires_grad): Python's `param.data = new_data`, as torch.nn.Module._apply converts parameters in place.
MLSEG_API int32_t mlseg_tensor_set_data(mlseg_tensor tensor, mlseg_tensor data) {
  return guarded([&] { as_tensor(tensor).set_data(as_tensor(data)); });
}

// The tensor's version counter: bumped by every in-place change (optimizer steps, copy_, running statistics).
MLSEG_API int32_t mlseg_tensor_version(mlseg_tensor tensor, int64_t* version) {
  return guarded([&] { *version = static_cast<int64_t>(as_tensor(tensor)._version()); });
}

MLSEG_API int32_t mlseg_tensor_is_leaf(mlseg_tensor tensor, int32_t* is_leaf) {
  return guarded([&] { *is_leaf = as_tensor(tensor).is_leaf() ? 1 : 0; });
}

MLSEG_API int32_t mlseg_tensor_grad(mlseg_tensor tensor, mlseg_tensor* grad) {
  return guarded([&] {
    const auto& g = as_tensor(tensor).grad();
    *grad = g.defined() ? mlseg::new_handle(g) : nullptr;
  });
}

MLSEG_API int32_t mlseg_tensor_set_grad(mlseg_tensor tensor, mlseg_tensor grad) {
  return guarded([&] {
    auto& t = as_tensor(tensor);
    t.mutable_grad() = grad == nullptr ? at::Tensor() : as_tensor(grad);
  });
}

MLSEG_API int32_t mlseg_tensor_backward(mlseg_tensor tensor, mlseg_tensor gradient, int32_t retain_graph,
                                        int32_t create_graph) {
  return guarded([&] {
    at::Tensor grad = gradient == nullptr ? at::Tensor() : as_tensor(gradient);
    as_tensor(tensor).backward(grad, c10::optional<bool>(retain_graph != 0), create_graph != 0);
  });
}
