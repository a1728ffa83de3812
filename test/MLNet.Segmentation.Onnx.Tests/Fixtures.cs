namespace MLNet.Segmentation.Onnx.Tests;

/// <summary>The files under Fixtures/, made by Fixtures/make-fixtures.sh.</summary>
internal static class Fixtures
{
    public static string Path(string name)
    {
        string path = System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"fixture {name} is missing; run test/MLNet.Segmentation.Onnx.Tests/Fixtures/make-fixtures.sh", path);
    }
}
