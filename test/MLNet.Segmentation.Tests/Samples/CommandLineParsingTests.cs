using MLNet.Segmentation.Samples;
using MLNet.Segmentation.Samples.Cli;
using MLNet.Segmentation.Samples.Commands;

namespace MLNet.Segmentation.Tests.Samples;

/// <summary>
/// The System.CommandLine front of `mlseg`: help for every command and option, one-line usage errors with exit code 2
/// and typo suggestions, the [suggest] directive behind tab completion, and no option without help.
/// </summary>
[TestClass]
public sealed class CommandLineParsingTests
{
    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [TestMethod]
    public async Task EveryCommandHasHelpListingEachOptionWithItsHelpLine()
    {
        foreach (string name in CommandLine.CommandNames)
        {
            var command = CommandLine.Find(name)!;
            var (code, output, error) = await Run([.. name.Split(' '), "--help"]);
            Assert.AreEqual(0, code, error);
            StringAssert.Contains(output, command.Summary, name);
            foreach (var option in command.Options)
            {
                Assert.IsFalse(string.IsNullOrWhiteSpace(option.Help), $"{name} {option.Name} has no help");
                StringAssert.Contains(output, option.Name, $"{name} --help lists {option.Name}");
                StringAssert.Contains(output, option.Help, $"{name} --help shows the help of {option.Name}");
            }
            Assert.AreEqual(command.Options.Count, command.Options.Select(o => o.Name).Distinct().Count(), $"{name} declares an option twice");
        }
    }

    [TestMethod]
    public async Task UsageErrorsAreOneLineWithExitCodeTwo()
    {
        var cases = new (string[] Args, string Expected)[]
        {
            (["predict", "--modle", "m.zip", "--input", "a", "--out", "b"], "mlseg predict: unknown argument '--modle' (did you mean '--model'?) (see 'mlseg predict --help')"),
            (["predcit"], "mlseg: unknown command 'predcit' (did you mean 'predict'?); commands: "),
            (["predict", "--input", "a", "--out", "b"], "mlseg predict: Option '--model' is required (see 'mlseg predict --help')"),
            (["predict", "--model", "a", "--model", "b", "--input", "a", "--out", "b"], "mlseg predict: Option '--model' expects a single argument but 2 were provided"),
            (["train", "--out", "o", "--epochs"], "mlseg train: Required argument missing for option: '--epochs'"),
            (["models", "--size", "12"], "mlseg models: --size must be HEIGHTxWIDTH with sides in [1, 8192], e.g. 256x256, got '12' (see 'mlseg models --help')"),
            (["metrics", "--pred", "p", "--gt", "g", "--classes", "3", "--ignore", "1"], "mlseg metrics: --ignore 1 is a class id for --classes 3"),
            (["info", "extra"], "mlseg info: unknown argument 'extra'"),
            (["demo", "--epochs", "0"], "mlseg demo: --epochs must be an integer in [1, 100000], got '0'"),
        };
        foreach (var (args, expected) in cases)
        {
            var (code, output, error) = await Run(args);
            Assert.AreEqual(2, code, $"{string.Join(' ', args)}: {error}");
            Assert.AreEqual(1, error.Trim().Split('\n').Length, $"{string.Join(' ', args)} gives one line: {error}");
            StringAssert.StartsWith(error.Trim(), expected, string.Join(' ', args));
            Assert.AreEqual("", output, "nothing on standard output");
        }
    }

    [TestMethod]
    public async Task SuggestDirectiveCompletesCommandsAndOptions()
    {
        var (code, output, _) = await Run("[suggest:3]", "pre");
        Assert.AreEqual(0, code);
        CollectionAssert.AreEqual(new[] { "predict" }, output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        (code, output, _) = await Run("[suggest:10]", "predict --");
        Assert.AreEqual(0, code);
        var options = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string option in new[] { "--model", "--tile", "--overlap", "--tta", "--device", "--precision", "--input", "--out" })
            CollectionAssert.Contains(options, option);
        (code, output, _) = await Run("completion");
        Assert.AreEqual(0, code);
        StringAssert.Contains(output, "complete -o default -F _mlseg_complete mlseg");
        StringAssert.Contains(output, "[suggest:${position}]");
    }

    [TestMethod]
    public void TypoSuggestionsUseEditDistanceWithSwaps()
    {
        Assert.AreEqual(1, TypoSuggestions.Distance("--modle", "--model"), "an adjacent swap is one edit");
        Assert.AreEqual(3, TypoSuggestions.Distance("kitten", "sitting"));
        CollectionAssert.AreEqual(new[] { "--tile" }, TypoSuggestions.Closest("--tiel", ["--tile", "--tta", "--out"]).ToArray());
        Assert.AreEqual(0, TypoSuggestions.Closest("--frobnicate", ["--tile", "--tta"]).Count);
    }

    [TestMethod]
    public async Task ArgumentsReachTheCommandAsTyped()
    {
        var (code, output, error) = await Run("models", "--only", "unet", "--classes", "3", "--size", "64x48", "--width-divisor", "16");
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "input 1x3x64x48, 3 classes, width/16");
        StringAssert.Contains(output, "[1, 3, 64, 48]");
    }
}
