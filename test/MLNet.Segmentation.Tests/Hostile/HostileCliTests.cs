using System.Diagnostics;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Samples;

namespace MLNet.Segmentation.Tests.Hostile;

/// <summary>
/// `mlseg predict` and `mlseg evaluate` over a hostile model set (60 fuzzed model files, a folder, a missing file,
/// random bytes) and a hostile image set (a 9000 x 9000 PNG of 80 KB, a 3000 x 3000 one over the network budget, a
/// truncated PNG, random bytes named .jpg, an empty file): every case ends with exit code 0, or 1 and one line of
/// error, each within 10 s, all within 90 s and 512 MiB of peak memory growth (the bounds README states).
/// </summary>
[TestClass]
public sealed class HostileCliTests
{
    private const double CaseSeconds = 10, TotalSeconds = 90, MemoryMiB = 512;

    [TestMethod]
    public async Task PredictAndEvaluateFinishEveryHostileCaseWithinTheBounds()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlseg-hostile-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            await Run(dir);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static async Task Run(string dir)
    {
        var parts = ModelFileParts.TinyUNet(dir);
        string model = parts.Write(Path.Combine(dir, "model.mlseg.zip"));
        byte[] valid = File.ReadAllBytes(model);

        string data = Path.Combine(dir, "data");
        Directory.CreateDirectory(Path.Combine(data, "images"));
        Directory.CreateDirectory(Path.Combine(data, "masks"));
        var shapes = new SyntheticShapesDataset(3, 24, 24, seed: 2);
        for (int i = 0; i < shapes.Count; i++)
        {
            using var sample = shapes.Get(i);
            ImageEncoder.WritePng(Path.Combine(data, "images", $"{i}.png"), sample.Image);
            ImageEncoder.WriteMask(Path.Combine(data, "masks", $"{i}.png"), (sample.Mask > 0).to_type(TorchSharp.torch.ScalarType.Byte));
        }
        string good = Path.Combine(data, "images", "0.png");

        string images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        File.WriteAllBytes(Path.Combine(images, "huge.png"), DecoderLimitTests.ZeroPng(9000, 9000));
        File.WriteAllBytes(Path.Combine(images, "large.png"), DecoderLimitTests.ZeroPng(3000, 3000));
        byte[] goodBytes = File.ReadAllBytes(good);
        File.WriteAllBytes(Path.Combine(images, "truncated.png"), goodBytes[..(goodBytes.Length / 2)]);
        var random = new Random(5);
        var noise = new byte[4096];
        random.NextBytes(noise);
        File.WriteAllBytes(Path.Combine(images, "noise.jpg"), noise);
        File.WriteAllBytes(Path.Combine(images, "empty.png"), []);

        var memory = PeakMemory.Start();
        var total = Stopwatch.StartNew();
        var outcomes = new Dictionary<string, int>();
        string output = Path.Combine(dir, "out");

        // The image set against the valid model: each hostile image is refused by name; the good one is segmented.
        foreach (string image in Directory.GetFiles(images).Order(StringComparer.Ordinal).Append(good))
        {
            var (code, error) = await Case(outcomes, "predict", "--model", model, "--input", image, "--out", output);
            if (image == good) Assert.AreEqual(0, code, error);
            else
            {
                Assert.AreEqual(1, code, $"{image}: {error}");
                StringAssert.Contains(error, Path.GetFileName(image) == "large.png" ? "MaxPixels" : image, error);
            }
        }

        // The model set against the good image, and a few of them through evaluate.
        var models = new List<string> { dir, Path.Combine(dir, "missing.mlseg.zip") };
        string noiseModel = Path.Combine(dir, "noise.mlseg.zip");
        File.WriteAllBytes(noiseModel, noise);
        models.Add(noiseModel);
        for (int k = 0; k < 60; k++)
        {
            string path = Path.Combine(dir, $"case-{k:D2}.mlseg.zip");
            ModelFileFuzzTests.Mutate(k * 16 + 3, new Random(2000 + k), parts, valid, path);
            models.Add(path);
        }
        foreach (string candidate in models)
            await Case(outcomes, "predict", "--model", candidate, "--input", good, "--out", output);
        foreach (string candidate in models.Take(15))
            await Case(outcomes, "evaluate", "--model", candidate, "--data", data, "--layout", "folder", "--classes", "2", "--mask-encoding", "ids", "--split", "all");

        total.Stop();
        string summary = string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"));
        Console.WriteLine($"{outcomes.Values.Sum()} cases in {total.Elapsed.TotalSeconds:0.0} s, peak memory +{memory.GrowthMiB:0} MiB: {summary}");
        Assert.IsTrue(outcomes.GetValueOrDefault("exit 1") >= 40, summary);
        Assert.IsTrue(outcomes.GetValueOrDefault("exit 0") >= 5, summary);
        Assert.IsTrue(total.Elapsed.TotalSeconds < TotalSeconds, $"{total.Elapsed.TotalSeconds:0} s: {summary}");
        Assert.IsTrue(memory.GrowthMiB < MemoryMiB, $"peak memory grew {memory.GrowthMiB:0} MiB: {summary}");
    }

    private static async Task<(int Code, string Error)> Case(Dictionary<string, int> outcomes, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var clock = Stopwatch.StartNew();
        int code = await CommandLine.RunAsync(args, output, error);
        string text = error.ToString().Trim();
        string what = string.Join(' ', args);
        Assert.IsTrue(clock.Elapsed.TotalSeconds < CaseSeconds, $"{what}: {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.IsTrue(code is 0 or 1, $"{what}: exit {code}: {text}");
        if (code == 1)
        {
            Assert.AreEqual(1, text.Split('\n').Length, $"{what}: one line: {text}");
            StringAssert.StartsWith(text, $"mlseg {args[0]}: ", what);
            // An exception type in front means one the CLI did not expect (CommandLine.ErrorText names those).
            Assert.IsFalse(System.Text.RegularExpressions.Regex.IsMatch(text, @"^mlseg [a-z ]+: \w+Exception: "), $"{what}: unexpected failure: {text}");
        }
        outcomes[$"exit {code}"] = outcomes.GetValueOrDefault($"exit {code}") + 1;
        return (code, text);
    }
}
