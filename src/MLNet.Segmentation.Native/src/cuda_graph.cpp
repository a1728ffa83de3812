// CUDA graphs: a fixed-shape sequence of kernels captured once on a side stream, then replayed with a single launch.
// Compiled for real only against a CUDA libtorch (MLSEG_WITH_CUDA, set by CMakeLists.txt); otherwise every entry point
// reports that the bridge has no CUDA.
#include "bridge_common.h"

using mlseg::guarded;

#if MLSEG_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <optional>

#include "cuda_device.h"

namespace {

// A graph with the side stream it is warmed up and captured on. libtorch refuses captures on the default stream.
struct CudaGraph {
  explicit CudaGraph(c10::DeviceIndex device)
      : device(device), side_stream(c10::cuda::getStreamFromPool(false, device)) {}

  c10::DeviceIndex device;
  c10::cuda::CUDAStream side_stream;
  std::optional<c10::cuda::CUDAStreamGuard> on_side_stream;
  at::cuda::CUDAGraph graph;
  bool capturing = false;
  bool captured = false;
};

CudaGraph& as_graph(mlseg_cuda_graph handle) {
  TORCH_CHECK(handle != nullptr, "null CUDA graph handle");
  return *static_cast<CudaGraph*>(handle);
}

// The side stream starts after, and the caller's stream resumes after, everything queued before: a device-wide
// synchronization, paid only while warming up and capturing.
void synchronize(const CudaGraph& graph) { torch::cuda::synchronize(graph.device); }

}  // namespace

MLSEG_API int32_t mlseg_cuda_graph_new(int32_t device_index, mlseg_cuda_graph* out) {
  return guarded([&] {
    mlseg::check_cuda_device(device_index, "CUDA graphs");
    *out = new CudaGraph(static_cast<c10::DeviceIndex>(device_index));
  });
}

MLSEG_API int32_t mlseg_cuda_graph_enter_side_stream(mlseg_cuda_graph handle) {
  return guarded([&] {
    auto& graph = as_graph(handle);
    TORCH_CHECK(!graph.on_side_stream, "this thread is already on the graph's side stream");
    synchronize(graph);
    graph.on_side_stream.emplace(graph.side_stream);
  });
}

MLSEG_API int32_t mlseg_cuda_graph_exit_side_stream(mlseg_cuda_graph handle) {
  return guarded([&] {
    auto& graph = as_graph(handle);
    TORCH_CHECK(graph.on_side_stream, "not on the graph's side stream");
    TORCH_CHECK(!graph.capturing, "end the capture before leaving the side stream");
    synchronize(graph);
    graph.on_side_stream.reset();
  });
}

MLSEG_API int32_t mlseg_cuda_graph_capture_begin(mlseg_cuda_graph handle) {
  return guarded([&] {
    auto& graph = as_graph(handle);
    TORCH_CHECK(graph.on_side_stream, "enter the graph's side stream before capturing");
    TORCH_CHECK(!graph.captured && !graph.capturing, "this CUDA graph has already been captured");
    graph.graph.capture_begin();
    graph.capturing = true;
  });
}

MLSEG_API int32_t mlseg_cuda_graph_capture_end(mlseg_cuda_graph handle) {
  return guarded([&] {
    auto& graph = as_graph(handle);
    TORCH_CHECK(graph.capturing, "no capture in progress");
    graph.capturing = false;  // a failed capture_end leaves nothing to end
    graph.graph.capture_end();
    graph.captured = true;
  });
}

MLSEG_API int32_t mlseg_cuda_graph_replay(mlseg_cuda_graph handle) {
  return guarded([&] {
    auto& graph = as_graph(handle);
    TORCH_CHECK(graph.captured, "replay needs a captured CUDA graph");
    c10::cuda::CUDAGuard on_device(graph.device);
    graph.graph.replay();
  });
}

MLSEG_API void mlseg_cuda_graph_free(mlseg_cuda_graph handle) {
  auto* graph = static_cast<CudaGraph*>(handle);
  if (graph == nullptr) return;
  try {
    if (graph->capturing) graph->graph.capture_end();  // an abandoned capture must still leave the stream
  } catch (...) {
  }
  graph->on_side_stream.reset();
  delete graph;
}

#else

namespace {
[[noreturn]] void no_cuda() {
  TORCH_CHECK(false, "CUDA graphs need the bridge built against a CUDA libtorch (this one has none): "
                     "dotnet build -p:LibTorchDir=<PyTorch's cmake prefix path>");
}
}  // namespace

MLSEG_API int32_t mlseg_cuda_graph_new(int32_t, mlseg_cuda_graph*) { return guarded([] { no_cuda(); }); }
MLSEG_API int32_t mlseg_cuda_graph_enter_side_stream(mlseg_cuda_graph) { return guarded([] { no_cuda(); }); }
MLSEG_API int32_t mlseg_cuda_graph_exit_side_stream(mlseg_cuda_graph) { return guarded([] { no_cuda(); }); }
MLSEG_API int32_t mlseg_cuda_graph_capture_begin(mlseg_cuda_graph) { return guarded([] { no_cuda(); }); }
MLSEG_API int32_t mlseg_cuda_graph_capture_end(mlseg_cuda_graph) { return guarded([] { no_cuda(); }); }
MLSEG_API int32_t mlseg_cuda_graph_replay(mlseg_cuda_graph) { return guarded([] { no_cuda(); }); }
MLSEG_API void mlseg_cuda_graph_free(mlseg_cuda_graph) {}

#endif
