using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data;

/// <summary>
/// The tensor side of <see cref="MaskReader"/> (which itself uses no TorchSharp): <c>reader.Read(path)</c> and
/// <c>reader.Decode(bytes, source)</c> give H x W int64 class-id tensors on the CPU. New tensors join the calling
/// thread's current dispose scope, if any.
/// </summary>
public static class MaskTensors
{
    extension(MaskReader reader)
    {
        /// <summary>Reads a mask file as an H x W int64 tensor.</summary>
        public Tensor Read(string path) => reader.Decode(ImageDecoder.ReadFile(path), path);

        /// <summary>Decodes mask bytes as an H x W int64 tensor; <paramref name="source"/> names them in errors.</summary>
        public Tensor Decode(ReadOnlySpan<byte> data, string source = "<memory>")
        {
            var image = ImageDecoder.Decode(data, source, ImageDecodeMode.Raw);
            // The ids are written straight into the tensor's memory.
            var tensor = empty([image.Height, image.Width], ScalarType.Int64);
            try
            {
                reader.Fill(image, MemoryMarshal.Cast<byte, long>(tensor.bytes), source);
                return tensor;
            }
            catch
            {
                tensor.Dispose();
                throw;
            }
        }
    }
}
