using MLNet.Segmentation.Models;
using MLNet.Segmentation.Samples;

namespace MLNet.Segmentation.Tests.Models;

[TestClass]
public sealed class ModelsCommandTests
{
    [TestMethod]
    public async Task ListsEveryArchitectureWithItsOutputShape()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(["models", "--classes", "7", "--size", "361x479", "--width-divisor", "16"], output, error);
        Assert.AreEqual(0, code, error.ToString());
        string text = output.ToString();
        foreach (var entry in ModelCatalog.Entries)
        {
            var line = text.Split('\n').Single(l => l.StartsWith(entry.Name + " ", StringComparison.Ordinal));
            string shape = entry.Name.Contains("autoencoder", StringComparison.Ordinal) ? "[1, 3, 361, 479]" : "[1, 7, 361, 479]";
            StringAssert.Contains(line, shape, entry.Name);
        }
    }

    [TestMethod]
    public async Task BadArgumentsAreUsageErrors()
    {
        var error = new StringWriter();
        Assert.AreEqual(2, await CommandLine.RunAsync(["models", "--size", "12"], new StringWriter(), error));
        StringAssert.Contains(error.ToString(), "--size must be HEIGHTxWIDTH");
        Assert.AreEqual(2, await CommandLine.RunAsync(["models", "--only", "nope"], new StringWriter(), error));
    }
}
