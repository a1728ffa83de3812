using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.MLNetIntegration;

/// <summary>An input row with only an image path: what a scoring application has.</summary>
public sealed class ImageRow
{
    public string ImagePath { get; set; } = "";
}

/// <summary>Synthetic shapes (4 classes) written as RGB PNG images and gray class-id PNG masks in a temporary folder.</summary>
internal sealed class ShapesOnDisk : IDisposable
{
    public ShapesOnDisk(int count, int height, int width, int seed)
    {
        Root = Path.Combine(Path.GetTempPath(), "mlseg-shapes-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        var shapes = new SyntheticShapesDataset(count, height, width, seed);
        Rows = new SegmentationPipelineTests.Row[count];
        Masks = new long[count][];
        for (int i = 0; i < count; i++)
        {
            using var sample = shapes.Get(i);
            Rows[i] = new SegmentationPipelineTests.Row { ImagePath = Path.Combine(Root, $"image{i}.png"), MaskPath = Path.Combine(Root, $"mask{i}.png") };
            ImageEncoder.WritePng(Rows[i].ImagePath, sample.Image);
            ImageEncoder.WriteMask(Rows[i].MaskPath, sample.Mask);
            using var ids = sample.Mask.to_type(ScalarType.Int64);
            Masks[i] = TensorData.ToArray<long>(ids);
        }
        (Height, Width) = (height, width);
    }

    public string Root { get; }
    public int Height { get; }
    public int Width { get; }
    public SegmentationPipelineTests.Row[] Rows { get; }

    /// <summary>The class ids of each mask, row-major.</summary>
    public long[][] Masks { get; }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, true);
    }

    public static uint[][] Ids(Microsoft.ML.IDataView data, string column) =>
        data.GetColumn<VBuffer<uint>>(column).Select(v => v.DenseValues().ToArray()).ToArray();
}
