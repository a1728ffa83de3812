// C ABI of the MLNet.Segmentation native bridge. Every function returns 0 on success and non-zero
// on failure; the failure's message is then available from mlseg_last_error() on the same thread.
// Tensors are opaque handles owning one reference to an at::Tensor.
#pragma once
#include <stdint.h>

#define MLSEG_API extern "C" __attribute__((visibility("default")))

typedef void* mlseg_tensor;
typedef void* mlseg_op;
typedef void* mlseg_generator;
typedef void* mlseg_cuda_graph;

// Argument kinds understood by mlseg_op_call.
enum mlseg_arg_kind {
  MLSEG_ARG_NONE = 0,
  MLSEG_ARG_TENSOR = 1,       // p = mlseg_tensor (null = None / undefined)
  MLSEG_ARG_INT = 2,          // i
  MLSEG_ARG_DOUBLE = 3,       // d
  MLSEG_ARG_BOOL = 4,         // i != 0
  MLSEG_ARG_INT_LIST = 5,     // p = int64_t*, n
  MLSEG_ARG_DOUBLE_LIST = 6,  // p = double*, n
  MLSEG_ARG_TENSOR_LIST = 7,  // p = mlseg_tensor*, n (null entries = None for Tensor?[])
  MLSEG_ARG_STRING = 8,       // p = const char* (UTF-8, NUL terminated)
  MLSEG_ARG_DEVICE = 9,       // i = device type, n = device index
  MLSEG_ARG_GENERATOR = 10,   // p = mlseg_generator
};

typedef struct {
  int32_t kind;
  int32_t reserved;
  int64_t i;
  double d;
  const void* p;
  int64_t n;
} mlseg_arg;

enum mlseg_result_kind {
  MLSEG_RES_NONE = 0,
  MLSEG_RES_TENSOR = 1,  // p = new mlseg_tensor (null when undefined)
  MLSEG_RES_INT = 2,
  MLSEG_RES_DOUBLE = 3,
  MLSEG_RES_BOOL = 4,
};

typedef struct {
  int32_t kind;
  int32_t reserved;
  int64_t i;
  double d;
  void* p;
} mlseg_result;

MLSEG_API const char* mlseg_last_error(void);

// Runtime
MLSEG_API int32_t mlseg_version(char* buffer, int32_t capacity);
MLSEG_API int32_t mlseg_cuda_is_available(int32_t* available);
MLSEG_API int32_t mlseg_cuda_device_count(int32_t* count);
MLSEG_API int32_t mlseg_cuda_synchronize(int32_t device_index);
MLSEG_API int32_t mlseg_onednn_is_available(int32_t* available);
MLSEG_API int32_t mlseg_get_num_threads(int32_t* threads);
MLSEG_API int32_t mlseg_set_num_threads(int32_t threads);
MLSEG_API int32_t mlseg_manual_seed(uint64_t seed);
MLSEG_API int32_t mlseg_grad_enabled(int32_t* enabled);
MLSEG_API int32_t mlseg_set_grad_enabled(int32_t enabled);

/* cuDNN's autotuner (torch.backends.cudnn.benchmark): picks the fastest convolution algorithm per shape. */
MLSEG_API int32_t mlseg_cudnn_benchmark_get(int32_t* enabled);
MLSEG_API int32_t mlseg_cudnn_benchmark_set(int32_t enabled);

/* CUDA parts (cuda_memory.cpp, cuda_graph.cpp): real only when the bridge was built against a CUDA libtorch. */
MLSEG_API int32_t mlseg_cuda_bridge_compiled(int32_t* compiled);
/* values: allocated bytes now, peak allocated, reserved bytes now, peak reserved (count >= 4). */
MLSEG_API int32_t mlseg_cuda_memory_stats(int32_t device_index, int64_t* values, int32_t count);
MLSEG_API int32_t mlseg_cuda_memory_reset_peak(int32_t device_index);
MLSEG_API int32_t mlseg_cuda_memory_empty_cache(void);
/* A CUDA graph: warm up between enter/exit_side_stream, capture between capture_begin/end (on the side stream), then
   replay on the current stream. */
MLSEG_API int32_t mlseg_cuda_graph_new(int32_t device_index, mlseg_cuda_graph* out);
MLSEG_API int32_t mlseg_cuda_graph_enter_side_stream(mlseg_cuda_graph graph);
MLSEG_API int32_t mlseg_cuda_graph_exit_side_stream(mlseg_cuda_graph graph);
MLSEG_API int32_t mlseg_cuda_graph_capture_begin(mlseg_cuda_graph graph);
MLSEG_API int32_t mlseg_cuda_graph_capture_end(mlseg_cuda_graph graph);
MLSEG_API int32_t mlseg_cuda_graph_replay(mlseg_cuda_graph graph);
MLSEG_API void mlseg_cuda_graph_free(mlseg_cuda_graph graph);

/* Caching CPU allocator for blocks of 1 MiB and more (cpu_memory_cache.cpp). stats: enabled, cached bytes,
   live cached-size bytes, hits, misses. */
MLSEG_API int32_t mlseg_cpu_cache_install(int32_t* installed);
MLSEG_API int32_t mlseg_cpu_cache_set_enabled(int32_t enabled);
MLSEG_API int32_t mlseg_cpu_cache_release(void);
/* Bytes that live + cached blocks may exceed the peak of live memory by before cached blocks are unmapped (default 32 MiB). */
MLSEG_API int32_t mlseg_cpu_cache_get_slack(int64_t* bytes);
MLSEG_API int32_t mlseg_cpu_cache_set_slack(int64_t bytes);
MLSEG_API int32_t mlseg_cpu_cache_stats(int64_t* values, int32_t count);

/* Autocast (mixed precision) on this thread; device_type 0 = CPU, 1 = CUDA; scalar_type = c10::ScalarType (5 half, 15 bfloat16). */
MLSEG_API int32_t mlseg_autocast_get(int32_t device_type, int32_t* enabled, int32_t* scalar_type);
MLSEG_API int32_t mlseg_autocast_set(int32_t device_type, int32_t enabled, int32_t scalar_type);

// Generators
MLSEG_API int32_t mlseg_generator_new(uint64_t seed, int32_t device_type, int32_t device_index, mlseg_generator* out);
MLSEG_API int32_t mlseg_generator_default(int32_t device_type, int32_t device_index, mlseg_generator* out);
MLSEG_API void mlseg_generator_free(mlseg_generator generator);
MLSEG_API int32_t mlseg_generator_get_state(mlseg_generator generator, mlseg_tensor* state);
MLSEG_API int32_t mlseg_generator_set_state(mlseg_generator generator, mlseg_tensor state);
MLSEG_API int32_t mlseg_generator_seed(mlseg_generator generator, uint64_t seed);

// Tensors
MLSEG_API int32_t mlseg_tensor_from_data(const void* data, const int64_t* shape, int32_t ndim, int32_t dtype,
                                         int32_t device_type, int32_t device_index, mlseg_tensor* out);
MLSEG_API int32_t mlseg_tensor_copy_to(mlseg_tensor tensor, void* destination, int64_t byte_count);
MLSEG_API int32_t mlseg_tensor_info(mlseg_tensor tensor, int32_t* ndim, int64_t* shape, int32_t shape_capacity,
                                    int32_t* dtype, int32_t* device_type, int32_t* device_index,
                                    int32_t* requires_grad);
MLSEG_API int32_t mlseg_tensor_data_ptr(mlseg_tensor tensor, void** data, int32_t* contiguous);
/* Whether the tensor is dense in memory_format (0 = contiguous, 2 = channels-last). */
MLSEG_API int32_t mlseg_tensor_is_contiguous(mlseg_tensor tensor, int32_t memory_format, int32_t* contiguous);
MLSEG_API int32_t mlseg_tensor_alias(mlseg_tensor tensor, mlseg_tensor* out);
MLSEG_API void mlseg_tensor_free(mlseg_tensor tensor);
MLSEG_API int32_t mlseg_tensor_item_double(mlseg_tensor tensor, double* value);
MLSEG_API int32_t mlseg_tensor_item_int64(mlseg_tensor tensor, int64_t* value);

// Autograd
MLSEG_API int32_t mlseg_tensor_set_requires_grad(mlseg_tensor tensor, int32_t requires_grad);
// Python's `tensor.data = data`: the tensor keeps its identity and handles, and takes data's data.
MLSEG_API int32_t mlseg_tensor_set_data(mlseg_tensor tensor, mlseg_tensor data);
// The version counter, bumped by every in-place change.
MLSEG_API int32_t mlseg_tensor_version(mlseg_tensor tensor, int64_t* version);
MLSEG_API int32_t mlseg_tensor_is_leaf(mlseg_tensor tensor, int32_t* is_leaf);
MLSEG_API int32_t mlseg_tensor_grad(mlseg_tensor tensor, mlseg_tensor* grad);
MLSEG_API int32_t mlseg_tensor_set_grad(mlseg_tensor tensor, mlseg_tensor grad);
MLSEG_API int32_t mlseg_tensor_backward(mlseg_tensor tensor, mlseg_tensor gradient, int32_t retain_graph,
                                        int32_t create_graph);

// Operators through libtorch's dispatcher (autograd included).
MLSEG_API int32_t mlseg_op_find(const char* name, const char* overload_name, mlseg_op* out);
MLSEG_API int32_t mlseg_op_call(mlseg_op op, const mlseg_arg* args, int32_t arg_count, mlseg_result* results,
                                int32_t result_capacity, int32_t* result_count);
