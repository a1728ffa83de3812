using Microsoft.ML;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Reads the image of the current row of a cursor (or PredictionEngine row) as a C x H x W float tensor in [0, 1], from any
/// image <see cref="ColumnFormat"/>: the tensor form of <see cref="PlanarImageReader"/>.
/// </summary>
internal sealed class ImageColumnReader(DataViewRow row, DataViewSchema.Column column, int channels, PixelLayout? pixels)
{
    private readonly PlanarImageReader _planes = new(row, column, channels, pixels);

    /// <summary>How the column stores images.</summary>
    public ColumnFormat Format => _planes.Format;

    /// <summary>The current row's image (a new tensor, owned by the caller).</summary>
    public Tensor Read()
    {
        var image = _planes.Read();
        return TensorData.FromArray(image.Values, image.Channels, image.Height, image.Width);
    }
}
