using System.Runtime.InteropServices;
using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Data;

/// <summary>Mirror of mlseg_image_info (src/MLNet.Segmentation.Native/include/mlseg_image.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeImageInfo
{
    public int Format;
    public int Width;
    public int Height;
    public int Channels;
    public int BitDepth;
    public int IsPalette;
    public int PaletteSize;
    public int Interlaced;
    public fixed byte PaletteRgb[768];
}

/// <summary>P/Invoke declarations of the bridge's image codecs.</summary>
internal static unsafe class ImageNative
{
    /// <summary>The writable data pointer of a contiguous CPU tensor.</summary>
    internal static void* DataPointer(Engine.Tensor tensor)
    {
        NativeStatus.Check(NativeMethods.mlseg_tensor_data_ptr(tensor.LiveHandle, out IntPtr data, out int contiguous), "data_ptr");
        if (contiguous == 0 || !tensor.Device.IsCpu) throw new InvalidOperationException("expected a contiguous CPU tensor");
        return (void*)data;
    }

    internal const int DecodeColor = 0;
    internal const int DecodeRaw = 1;

    [DllImport(NativeMethods.Library)]
    internal static extern int mlseg_image_decode(byte* data, long size, int mode, NativeImageInfo* info, out IntPtr pixels, out long byteCount);

    [DllImport(NativeMethods.Library)]
    internal static extern int mlseg_image_decode_chw(byte* data, long size, int channels, float* destination, long capacity, NativeImageInfo* info);

    [DllImport(NativeMethods.Library)]
    internal static extern int mlseg_image_probe(byte* data, long size, NativeImageInfo* info);

    [DllImport(NativeMethods.Library)]
    internal static extern void mlseg_image_free(IntPtr buffer);

    [DllImport(NativeMethods.Library)]
    internal static extern int mlseg_png_encode(void* pixels, int width, int height, int channels, int bitDepth,
        byte* paletteRgb, int paletteSize, int compressionLevel, out IntPtr output, out long outputSize);

    [DllImport(NativeMethods.Library)]
    internal static extern int mlseg_jpeg_encode(void* pixels, int width, int height, int channels, int quality,
        int progressive, out IntPtr output, out long outputSize);
}
