using MLNet.Segmentation.Samples;
using MLNet.Segmentation.Samples.Cli;

namespace MLNet.Segmentation.Tests.Samples;

/// <summary>The typed readers over parsed options: values, defaults, ranges, choices, lists and sizes.</summary>
[TestClass]
public sealed class ArgumentsTests
{
    private static Arguments Of(params (string Name, string? Value)[] values) =>
        new("x", values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal));

    [TestMethod]
    public void ReadsValuesFlagsAndDefaults()
    {
        var a = Of(("--n", "7"), ("--json", null), ("--lr", "1e-3"), ("--list", "0.5, 0.25"), ("--mode", "Fast"), ("--size", "64x48"));
        Assert.AreEqual(7, a.Int("--n", 1, 1, 10));
        Assert.AreEqual(1e-3, a.Double("--lr", 0));
        Assert.IsTrue(a.Has("--json"));
        Assert.IsFalse(a.Has("--tta"));
        Assert.AreEqual("fast", a.Choice("--mode", "slow", "slow", "fast"));
        CollectionAssert.AreEqual(new[] { 0.5f, 0.25f }, a.Floats("--list"));
        Assert.AreEqual((64, 48), a.Size("--size", (1, 1)));
        Assert.AreEqual(3, Of().Int("--n", 3));
        Assert.IsNull(Of().DoubleOrNull("--lr"));
        Assert.AreEqual((360, 480), Of().Size("--crop", (360, 480)));
        Assert.AreEqual("--n 7 --json --lr 1e-3 --list '0.5, 0.25' --mode Fast --size 64x48", a.CommandLineText);
    }

    [TestMethod]
    public void ReportsMalformedValuesInOneLinePointingAtHelp()
    {
        Assert.AreEqual("--n must be an integer in [1, 10], got '11' (see 'mlseg x --help')",
            Assert.ThrowsExactly<UsageException>(() => Of(("--n", "11")).Int("--n", 1, 1, 10)).Message);
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Of(("--lr", "NaN")).Double("--lr", 0)).Message, "--lr must be a number");
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Of(("--mode", "warp")).Choice("--mode", "slow", "slow", "fast")).Message,
            "--mode must be one of slow|fast, got 'warp'");
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Of(("--size", "12")).Size("--size", (1, 1))).Message,
            "--size must be HEIGHTxWIDTH");
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Of(("--size", "0x5")).Size("--size", (1, 1))).Message,
            "--size must be HEIGHTxWIDTH");
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Of().Required("--model")).Message, "--model is required");
        Assert.AreEqual(-1, Of(("--n", "-1")).Int("--n", 0));
    }
}
