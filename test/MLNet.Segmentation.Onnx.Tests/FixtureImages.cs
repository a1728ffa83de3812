using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.Onnx.Tests;

/// <summary>The fixture images, their ground truth and the TorchSharp predictor's class ids (see Fixtures/make-fixtures.sh).</summary>
internal static class FixtureImages
{
    public static string[] Names() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "images"), "*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public static string ImagePath(string name) => Fixtures.Path(Path.Combine("images", name));

    public static string MaskPath(string name) => Fixtures.Path(Path.Combine("masks", name));

    public static Image Read(string name) => ImageDecoder.Read(ImagePath(name));

    /// <summary>Class ids written by `mlseg predict` (ids/NAME, one byte per pixel) under <paramref name="folder"/>.</summary>
    public static byte[] TorchIds(string folder, string name) =>
        ImageDecoder.Read(Fixtures.Path(Path.Combine(folder, name)), ImageDecodeMode.Raw).Pixels8;

    /// <summary>The share of pixels where two id maps agree.</summary>
    public static double Agreement(IReadOnlyList<byte> a, IReadOnlyList<uint> b)
    {
        Assert.AreEqual(a.Count, b.Count, "id maps of different sizes");
        int same = 0;
        for (int i = 0; i < a.Count; i++) if (a[i] == b[i]) same++;
        return (double)same / a.Count;
    }

    public static double Agreement(IReadOnlyList<byte> a, IReadOnlyList<byte> b) => Agreement(a, b.Select(v => (uint)v).ToArray());
}
