using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.Samples.MLNetSample;

/// <summary>
/// The sample's data: the ISBI 2012 membrane slices (<see cref="KnownDatasets.Membrane"/>'s split: 25 train, 5
/// validation; gray, 0/255 masks) when the shared datasets folder is there, otherwise synthetic shapes (4 classes, RGB)
/// written as PNGs under the output folder.
/// </summary>
public sealed record SampleData(string Name, LabeledImage[] Train, LabeledImage[] Validation, string[] ClassNames, int Channels,
    MaskEncoding MaskEncoding, int Size)
{
    /// <summary>Membrane from <paramref name="membraneFolder"/> (or the shared copy) if present, else shapes written to <paramref name="outputFolder"/>.</summary>
    public static SampleData Find(string? membraneFolder, string outputFolder)
    {
        membraneFolder ??= KnownDatasets.FindDataset("membrane");
        if (membraneFolder is not null && Directory.Exists(Path.Combine(membraneFolder, "train", "image")))
            return new SampleData("ISBI 2012 membrane", Rows(KnownDatasets.Membrane(MembraneSplit.Train, membraneFolder)),
                Rows(KnownDatasets.Membrane(MembraneSplit.Validation, membraneFolder)), [.. DatasetDescription.Membrane.ClassNames], 1,
                MaskEncoding.Binary, 256);
        return Shapes(outputFolder);
    }

    /// <summary>40 synthetic-shapes images of 64 x 64 (32 train, 8 validation), written to <paramref name="outputFolder"/>/data.</summary>
    public static SampleData Shapes(string outputFolder)
    {
        string folder = Path.Combine(outputFolder, "data");
        Directory.CreateDirectory(folder);
        var shapes = new SyntheticShapesDataset(40, 64, 64, seed: 5);
        var rows = new LabeledImage[shapes.Count];
        for (int i = 0; i < shapes.Count; i++)
        {
            using var sample = shapes.Get(i);
            rows[i] = new LabeledImage { ImagePath = Path.Combine(folder, $"image{i}.png"), MaskPath = Path.Combine(folder, $"mask{i}.png") };
            ImageEncoder.WritePng(rows[i].ImagePath, sample.Image);
            ImageEncoder.WriteMask(rows[i].MaskPath, sample.Mask);
        }
        return new SampleData("synthetic shapes", rows[..32], rows[32..], [.. DatasetDescription.SyntheticShapes.ClassNames], 3, MaskEncoding.ClassIds, 64);
    }

    private static LabeledImage[] Rows(PairedFileDataset dataset) =>
        dataset.Samples.Select(s => new LabeledImage { ImagePath = s.ImagePath, MaskPath = s.MaskPath }).ToArray();
}
