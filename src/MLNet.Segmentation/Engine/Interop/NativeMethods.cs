using System.Runtime.InteropServices;

namespace MLNet.Segmentation.Engine.Interop;

/// <summary>P/Invoke declarations of the bridge's C ABI (src/MLNet.Segmentation.Native/include/mlseg_bridge.h).</summary>
internal static unsafe class NativeMethods
{
    internal const string Library = "mlseg_native";

    [DllImport(Library)] internal static extern IntPtr mlseg_last_error();

    [DllImport(Library)] internal static extern int mlseg_version(byte* buffer, int capacity);
    [DllImport(Library)] internal static extern int mlseg_cuda_is_available(out int available);
    [DllImport(Library)] internal static extern int mlseg_cuda_device_count(out int count);
    [DllImport(Library)] internal static extern int mlseg_cuda_synchronize(int deviceIndex);
    [DllImport(Library)] internal static extern int mlseg_get_num_threads(out int threads);
    [DllImport(Library)] internal static extern int mlseg_onednn_is_available(out int available);
    [DllImport(Library)] internal static extern int mlseg_set_num_threads(int threads);
    [DllImport(Library)] internal static extern int mlseg_manual_seed(ulong seed);
    [DllImport(Library)] internal static extern int mlseg_cudnn_benchmark_get(out int enabled);
    [DllImport(Library)] internal static extern int mlseg_cudnn_benchmark_set(int enabled);
    [DllImport(Library)] internal static extern int mlseg_cuda_bridge_compiled(out int compiled);
    [DllImport(Library)] internal static extern int mlseg_cuda_memory_stats(int deviceIndex, long* values, int count);
    [DllImport(Library)] internal static extern int mlseg_cuda_memory_reset_peak(int deviceIndex);
    [DllImport(Library)] internal static extern int mlseg_cuda_memory_empty_cache();
    [DllImport(Library)] internal static extern int mlseg_cuda_graph_new(int deviceIndex, out IntPtr graph);
    [DllImport(Library)] internal static extern int mlseg_cuda_graph_enter_side_stream(CudaGraphHandle graph);
    [DllImport(Library)] internal static extern int mlseg_cuda_graph_exit_side_stream(CudaGraphHandle graph);
    [DllImport(Library)] internal static extern int mlseg_cuda_graph_capture_begin(CudaGraphHandle graph);
    [DllImport(Library)] internal static extern int mlseg_cuda_graph_capture_end(CudaGraphHandle graph);
    [DllImport(Library)] internal static extern int mlseg_cuda_graph_replay(CudaGraphHandle graph);
    [DllImport(Library)] internal static extern void mlseg_cuda_graph_free(IntPtr graph);
    [DllImport(Library)] internal static extern int mlseg_cpu_cache_install(out int installed);
    [DllImport(Library)] internal static extern int mlseg_cpu_cache_set_enabled(int enabled);
    [DllImport(Library)] internal static extern int mlseg_cpu_cache_release();
    [DllImport(Library)] internal static extern int mlseg_cpu_cache_get_slack(out long bytes);
    [DllImport(Library)] internal static extern int mlseg_cpu_cache_set_slack(long bytes);
    [DllImport(Library)] internal static extern int mlseg_cpu_cache_stats(long* values, int count);
    [DllImport(Library)] internal static extern int mlseg_grad_enabled(out int enabled);
    [DllImport(Library)] internal static extern int mlseg_set_grad_enabled(int enabled);
    [DllImport(Library)] internal static extern int mlseg_autocast_get(int deviceType, out int enabled, out int scalarType);
    [DllImport(Library)] internal static extern int mlseg_autocast_set(int deviceType, int enabled, int scalarType);

    [DllImport(Library)] internal static extern int mlseg_generator_new(ulong seed, int deviceType, int deviceIndex, out IntPtr generator);
    [DllImport(Library)] internal static extern int mlseg_generator_default(int deviceType, int deviceIndex, out IntPtr generator);
    [DllImport(Library)] internal static extern void mlseg_generator_free(IntPtr generator);
    [DllImport(Library)] internal static extern int mlseg_generator_get_state(IntPtr generator, out IntPtr state);
    [DllImport(Library)] internal static extern int mlseg_generator_set_state(IntPtr generator, IntPtr state);
    [DllImport(Library)] internal static extern int mlseg_generator_seed(IntPtr generator, ulong seed);

    [DllImport(Library)] internal static extern int mlseg_tensor_from_data(void* data, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, out IntPtr tensor);
    [DllImport(Library)] internal static extern int mlseg_tensor_copy_to(IntPtr tensor, void* destination, long byteCount);
    [DllImport(Library)] internal static extern int mlseg_tensor_info(IntPtr tensor, out int ndim, long* shape, int shapeCapacity, out int dtype, out int deviceType, out int deviceIndex, out int requiresGrad);
    [DllImport(Library)] internal static extern int mlseg_tensor_data_ptr(IntPtr tensor, out IntPtr data, out int contiguous);
    [DllImport(Library)] internal static extern int mlseg_tensor_is_contiguous(IntPtr tensor, int memoryFormat, out int contiguous);
    [DllImport(Library)] internal static extern int mlseg_tensor_alias(IntPtr tensor, out IntPtr alias);
    [DllImport(Library)] internal static extern void mlseg_tensor_free(IntPtr tensor);
    [DllImport(Library)] internal static extern int mlseg_tensor_item_double(IntPtr tensor, out double value);
    [DllImport(Library)] internal static extern int mlseg_tensor_item_int64(IntPtr tensor, out long value);

    [DllImport(Library)] internal static extern int mlseg_tensor_set_requires_grad(IntPtr tensor, int requiresGrad);
    [DllImport(Library)] internal static extern int mlseg_tensor_set_data(IntPtr tensor, IntPtr data);
    [DllImport(Library)] internal static extern int mlseg_tensor_version(IntPtr tensor, out long version);
    [DllImport(Library)] internal static extern int mlseg_tensor_is_leaf(IntPtr tensor, out int isLeaf);
    [DllImport(Library)] internal static extern int mlseg_tensor_grad(IntPtr tensor, out IntPtr grad);
    [DllImport(Library)] internal static extern int mlseg_tensor_set_grad(IntPtr tensor, IntPtr grad);
    [DllImport(Library)] internal static extern int mlseg_tensor_backward(IntPtr tensor, IntPtr gradient, int retainGraph, int createGraph);

    [DllImport(Library)] internal static extern int mlseg_op_find(byte* name, byte* overloadName, out IntPtr op);
    [DllImport(Library)] internal static extern int mlseg_op_call(IntPtr op, NativeArg* args, int argCount, NativeResult* results, int resultCapacity, out int resultCount);
}
