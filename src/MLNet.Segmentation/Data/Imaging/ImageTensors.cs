using System.Runtime.InteropServices;
using MLNet.Segmentation.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data;

/// <summary>
/// The tensor side of the imaging types, kept apart from the codecs (which use no TorchSharp): as extension members,
/// <c>image.ToTensor()</c>, <c>Image.FromTensor(t)</c>, <c>ImageDecoder.ReadTensor/DecodeTensor</c> and
/// <c>ImageEncoder.WritePng/WriteMask/MaskImage</c> for tensors. New tensors join the calling thread's current
/// dispose scope, if any; the caller owns them.
/// </summary>
public static class ImageTensors
{
    extension(Image image)
    {
        /// <summary>
        /// The image as a float32 C x H x W CPU tensor (or on <paramref name="device"/>), scaled to [0, 1] (or raw sample
        /// values when <paramref name="scale"/> is false). Palette indices are returned as stored.
        /// </summary>
        public Tensor ToTensor(bool scale = true, Device? device = null)
        {
            var tensor = Planar(image, image.Channels, scale, "<image>");
            if (device is null || device.type == DeviceType.CPU) return tensor;
            using (tensor) return tensor.to(device);
        }
    }

    extension(Image)
    {
        /// <summary>
        /// An 8-bit image from a C x H x W (or H x W) tensor: floating-point values are taken as [0, 1] and
        /// rounded after clamping; integer values are clamped to 0..255.
        /// </summary>
        public static Image FromTensor(Tensor tensor)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            using var scope = NewDisposeScope();
            var t = tensor.dim() == 2 ? tensor.unsqueeze(0) : tensor;
            if (t.dim() != 3 || t.size(0) is < 1 or > 4)
                throw new ArgumentException($"expected a C x H x W tensor with 1..4 channels, got {TensorData.ShapeOf(tensor)}", nameof(tensor));
            if (t.is_floating_point()) t = t.Clamped(0, 1).Times(255.0).round();
            var bytes = TensorData.ToArray<byte>(t.Clamped(0, 255).to_type(ScalarType.Byte).permute(1, 2, 0));
            return new Image((int)t.size(2), (int)t.size(1), (int)t.size(0), bytes);
        }
    }

    extension(ImageDecoder)
    {
        /// <summary>
        /// Reads an image file into a float32 C x H x W tensor scaled to [0, 1], converted to <paramref name="channels"/>
        /// channels when given (1: luminance, 3: gray replicated / alpha dropped). This is the data loader's path.
        /// Images of more than <paramref name="maxPixels"/> pixels are refused from their header.
        /// </summary>
        public static Tensor ReadTensor(string path, int? channels = null, long maxPixels = ImageDecoder.DefaultMaxPixels) =>
            ImageDecoder.DecodeTensor(ImageDecoder.ReadFile(path), path, channels, maxPixels);

        /// <summary>Decodes encoded bytes into a float32 C x H x W tensor in [0, 1] (see <see cref="ReadTensor"/>).</summary>
        public static Tensor DecodeTensor(ReadOnlySpan<byte> data, string source = "<memory>", int? channels = null,
            long maxPixels = ImageDecoder.DefaultMaxPixels)
        {
            if (channels is { } c && c is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(channels), c, "1..4 channels");
            var image = ImageDecoder.Decode(data, source, ImageDecodeMode.Color, maxPixels);
            return Planar(image, channels ?? image.Channels, scale: true, source);
        }
    }

    extension(ImageEncoder)
    {
        /// <summary>Writes a C x H x W image tensor (floats in [0, 1] or integers 0..255) as a PNG file.</summary>
        public static void WritePng(string path, Tensor image) => ImageEncoder.WritePng(path, Image.FromTensor(image));

        /// <summary>
        /// Writes an H x W tensor of class ids as a mask PNG: a palette PNG (index = class) when a palette is
        /// given, otherwise 8-bit gray. Ids must be in 0..255 (and below the palette size, which is padded with
        /// black up to the largest id).
        /// </summary>
        public static void WriteMask(string path, Tensor mask, IReadOnlyList<Rgb>? palette = null) =>
            ImageEncoder.WritePng(path, ImageEncoder.MaskImage(mask, palette));

        /// <summary>The 8-bit (palette) image of an H x W class-id tensor, as written by <see cref="WriteMask"/>.</summary>
        public static Image MaskImage(Tensor mask, IReadOnlyList<Rgb>? palette = null)
        {
            ArgumentNullException.ThrowIfNull(mask);
            if (mask.dim() != 2) throw new ArgumentException($"expected an H x W mask, got {TensorData.ShapeOf(mask)}", nameof(mask));
            long[] ids;
            using (NewDisposeScope()) ids = TensorData.ToArray<long>(mask.to_type(ScalarType.Int64));
            return ImageEncoder.MaskImage(ids, (int)mask.size(1), (int)mask.size(0), palette);
        }
    }

    // A new float32 channels x H x W CPU tensor written in one pass from the interleaved samples.
    private static Tensor Planar(Image image, int channels, bool scale, string source)
    {
        var tensor = empty([channels, image.Height, image.Width], ScalarType.Float32);
        try
        {
            ImagePlanes.Write(image, channels, scale, MemoryMarshal.Cast<byte, float>(tensor.bytes), source);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }
}
