using MLNet.Segmentation.Samples;
using MLNet.Segmentation.Samples.Cli;

namespace MLNet.Segmentation.Tests.Samples;

[TestClass]
public sealed class ArgumentsTests
{
    private static Arguments Parse(params string[] args) => new(args, "usage: x", ["--n", "--lr", "--mode", "--list"], ["--json"]);

    [TestMethod]
    public void ParsesValuesFlagsAndDefaults()
    {
        var a = Parse("--n", "7", "--json", "--lr", "1e-3", "--list", "0.5, 0.25", "--mode", "Fast");
        Assert.AreEqual(7, a.Int("--n", 1, 1, 10));
        Assert.AreEqual(1e-3, a.Double("--lr", 0));
        Assert.IsTrue(a.Has("--json"));
        Assert.AreEqual("fast", a.Choice("--mode", "slow", "slow", "fast"));
        CollectionAssert.AreEqual(new[] { 0.5f, 0.25f }, a.Floats("--list"));
        Assert.AreEqual(3, Parse().Int("--n", 3));
        Assert.IsNull(Parse().DoubleOrNull("--lr"));
    }

    [TestMethod]
    public void ReportsUnknownRepeatedMissingAndMalformedOptions()
    {
        Assert.AreEqual("unknown argument '--x'. usage: x", Assert.ThrowsExactly<UsageException>(() => Parse("--x")).Message);
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Parse("--n", "1", "--n", "2")).Message, "--n is given twice");
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Parse("--n")).Message, "--n needs a value");
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Parse("--n", "--json")).Message, "--n needs a value");
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Parse("--n", "11").Int("--n", 1, 1, 10)).Message,
            "--n must be an integer in [1, 10], got '11'");
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Parse("--lr", "NaN").Double("--lr", 0)).Message, "--lr must be a number");
        StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Parse("--mode", "warp").Choice("--mode", "slow", "slow", "fast")).Message,
            "--mode must be one of slow|fast, got 'warp'");
        Assert.AreEqual(-1, Parse("--n", "-1").Int("--n", 0), "a negative number is a value, not an option");
    }
}
