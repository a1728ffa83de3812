using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>An image as planar float32 values: C x H x W, row-major, in [0, 1] for decoded images.</summary>
internal readonly record struct PlanarImage(float[] Values, int Channels, int Height, int Width);

/// <summary>
/// Reads the image of the current row of a cursor (or PredictionEngine row) as planar floats in [0, 1], from any image
/// <see cref="ColumnFormat"/> (path, encoded bytes, MLImage, or pixel vectors with a <see cref="PixelLayout"/>). Made once
/// per cursor: the getter and the buffers it fills are reused. Needs no TorchSharp.
/// </summary>
internal sealed class PlanarImageReader
{
    private readonly Func<PlanarImage> _read;
    private readonly Func<(int Height, int Width)> _size;

    public PlanarImageReader(DataViewRow row, DataViewSchema.Column column, int channels, PixelLayout? pixels)
    {
        Format = ColumnInputs.ImageFormat(ColumnInputs.ColumnInfo.From(column));
        string Source() => $"row {row.Position} of column '{column.Name}'";
        PlanarImage Planes(Image image, string source)
        {
            var values = new float[channels * image.Width * image.Height];
            ImagePlanes.Write(image, channels, scale: true, values, source);
            return new PlanarImage(values, channels, image.Height, image.Width);
        }
        switch (Format)
        {
            case ColumnFormat.Path:
            {
                var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> text = default;
                _read = () =>
                {
                    getter(ref text);
                    string path = text.ToString();
                    return Planes(ImageDecoder.Read(path), path);
                };
                _size = () =>
                {
                    getter(ref text);
                    string path = text.ToString();
                    var probe = ImageDecoder.Probe(File.ReadAllBytes(path), path);
                    return (probe.Height, probe.Width);
                };
                break;
            }
            case ColumnFormat.EncodedBytes:
            {
                var getter = row.GetGetter<VBuffer<byte>>(column);
                VBuffer<byte> bytes = default;
                _read = () =>
                {
                    getter(ref bytes);
                    return Planes(ImageDecoder.Decode(bytes.DenseValues().ToArray(), Source()), Source());
                };
                _size = () =>
                {
                    getter(ref bytes);
                    var probe = ImageDecoder.Probe(bytes.DenseValues().ToArray(), Source());
                    return (probe.Height, probe.Width);
                };
                break;
            }
            case ColumnFormat.Image:
            {
                // ML.NET's image getters own (and dispose on the next call) the MLImage they hand out.
                var getter = row.GetGetter<MLImage>(column);
                MLImage image = null!;
                _read = () =>
                {
                    getter(ref image);
                    if (image is null) throw new InvalidDataException($"{Source()} holds no image");
                    return Planes(MLImages.ToImage(image, preferGray: true, Source()), Source());
                };
                _size = () =>
                {
                    getter(ref image);
                    return image is null ? throw new InvalidDataException($"{Source()} holds no image") : (image.Height, image.Width);
                };
                break;
            }
            default:
            {
                if (pixels is null)
                {
                    // Pixel vectors carry no size of their own.
                    _read = () => throw new InvalidOperationException(
                        $"image column '{column.Name}' holds pixel vectors: set the options' PixelLayout (channels, height, width)");
                    _size = () => throw SchemaErrors.Mismatch("image", column.Name, "String (path), Image (MLImage) or Vector<Byte> (PNG/JPEG bytes)",
                        column.Type.ToString() ?? "?");
                    break;
                }
                var layout = pixels;
                _size = () => (layout.Height, layout.Width);
                var getter = row.GetGetter<VBuffer<float>>(column);
                VBuffer<float> values = default;
                _read = () =>
                {
                    getter(ref values);
                    int expected = layout.Channels * layout.Height * layout.Width;
                    if (values.Length != expected)
                        throw new InvalidDataException($"{Source()} has {values.Length} values; the PixelLayout " +
                                                       $"{layout.Channels}x{layout.Height}x{layout.Width} needs {expected}");
                    var data = new float[expected];
                    int k = 0;
                    foreach (float v in values.DenseValues()) data[k++] = v * layout.Scale;
                    return new PlanarImage(layout.Interleaved ? ToPlanar(data, layout) : data, layout.Channels, layout.Height, layout.Width);
                };
                break;
            }
        }
    }

    /// <summary>How the column stores images.</summary>
    public ColumnFormat Format { get; }

    /// <summary>The current row's image (new arrays, owned by the caller).</summary>
    public PlanarImage Read() => _read();

    /// <summary>The current row's image size, from the file header where there is one (nothing is decoded).</summary>
    public (int Height, int Width) ReadSize() => _size();

    private static float[] ToPlanar(float[] interleaved, PixelLayout layout)
    {
        int c = layout.Channels, plane = layout.Height * layout.Width;
        var planar = new float[interleaved.Length];
        for (int p = 0; p < plane; p++)
            for (int ch = 0; ch < c; ch++)
                planar[ch * plane + p] = interleaved[p * c + ch];
        return planar;
    }
}
