using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Reads the image of the current row of a cursor (or PredictionEngine row) as a C x H x W float tensor in [0, 1], from any
/// image <see cref="ColumnFormat"/>. Made once per cursor: the getter and the MLImage buffer it fills are reused.
/// </summary>
internal sealed class ImageColumnReader
{
    private readonly Func<Tensor> _read;

    public ImageColumnReader(DataViewRow row, DataViewSchema.Column column, int channels, PixelLayout? pixels)
    {
        Format = ColumnInputs.ImageFormat(ColumnInputs.ColumnInfo.From(column));
        string Source() => $"row {row.Position} of column '{column.Name}'";
        switch (Format)
        {
            case ColumnFormat.Path:
            {
                var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> text = default;
                _read = () =>
                {
                    getter(ref text);
                    return ImageDecoder.ReadTensor(text.ToString(), channels);
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
                    return ImageDecoder.DecodeTensor(bytes.DenseValues().ToArray(), Source(), channels);
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
                    return MLImages.ToTensor(image, channels, Source());
                };
                break;
            }
            default:
            {
                var layout = pixels ?? throw new InvalidOperationException(
                    $"image column '{column.Name}' holds pixel vectors: set the options' PixelLayout (channels, height, width)");
                var getter = row.GetGetter<VBuffer<float>>(column);
                VBuffer<float> values = default;
                _read = () =>
                {
                    getter(ref values);
                    int expected = layout.Channels * layout.Height * layout.Width;
                    if (values.Length != expected)
                        throw new InvalidDataException($"{Source()} has {values.Length} values; the PixelLayout " +
                                                       $"{layout.Channels}x{layout.Height}x{layout.Width} needs {expected}");
                    var data = values.DenseValues().Select(v => v * layout.Scale).ToArray();
                    if (!layout.Interleaved) return TensorData.FromArray(data, layout.Channels, layout.Height, layout.Width);
                    using var interleaved = TensorData.FromArray(data, layout.Height, layout.Width, layout.Channels);
                    using var planar = interleaved.permute(2, 0, 1);
                    return planar.contiguous();
                };
                break;
            }
        }
    }

    /// <summary>How the column stores images.</summary>
    public ColumnFormat Format { get; }

    /// <summary>The current row's image (a new tensor, owned by the caller).</summary>
    public Tensor Read() => _read();
}
