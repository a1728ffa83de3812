using MLNet.Segmentation.Data;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Reports;
using MLNet.Segmentation.Samples.Cli;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg predict --model FILE --input FILE|DIR --out DIR [--tile N --overlap F] [--tta]`: segments images and writes,
/// per image NAME, ids/NAME.png (8-bit, pixel = class id), color/NAME.png (palette PNG in the class colours; its
/// indices are also the class ids) and overlay/NAME.png (the image with the classes blended in).
/// </summary>
public sealed class PredictCommand : ICommand
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg"];

    /// <inheritdoc />
    public string Name => "predict";

    /// <inheritdoc />
    public string Summary => "segment an image or a folder; writes class-id, colourized and overlay PNGs";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        .. ModelFileArguments.Options,
        ModelFileArguments.MaxImagePixelsOption,
        CommandOption.Valued("--input", "FILE|DIR", "an image, or a folder of PNG/JPEG images") with { Required = true },
        CommandOption.Valued("--out", "DIR", "output folder; gets ids/, color/ and overlay/") with { Required = true },
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        string input = a.Required("--input");
        string outDir = OutputFolder.Prepare("--out", a.Required("--out"), folders: ["ids", "color", "overlay"]);
        var files = InputFiles(input);
        using var open = ModelFileArguments.Open(a);
        var description = ModelFileArguments.Describe(open.Manifest);
        var palette = description.Palette();
        foreach (string sub in new[] { "ids", "color", "overlay" }) Directory.CreateDirectory(Path.Combine(outDir, sub));

        var terminal = new Terminal(output);
        var counts = new long[description.NumClasses];
        var outputNames = OutputNames.For(files);
        long maxImagePixels = ModelFileArguments.MaxImagePixels(a);
        int channels = open.Manifest.InChannels;
        foreach (string file in files)
        {
            cancellation.ThrowIfCancellationRequested();
            var image = ImageDecoder.Read(file, ImageDecodeMode.Color, maxImagePixels);
            var pixels = image.ToPlanes(channels);
            var segmentation = open.Segmenter.Segment(pixels, channels, image.Height, image.Width);
            var ids = Array.ConvertAll(segmentation.ClassIds, id => (long)id);
            string name = outputNames[file];
            ImageEncoder.WriteMask(Path.Combine(outDir, "ids", name), ids, image.Width, image.Height);
            ImageEncoder.WriteMask(Path.Combine(outDir, "color", name), ids, image.Width, image.Height, palette);
            ImageEncoder.WritePng(Path.Combine(outDir, "overlay", name),
                MaskVisualizer.Overlay(pixels, channels, ids, image.Width, image.Height, palette, transparentClass: description.BackgroundClass));
            foreach (byte id in segmentation.ClassIds) counts[id]++;
            terminal.Line($"{file} -> {Path.Combine(outDir, "color", name)}");
        }
        long total = Math.Max(1, counts.Sum());
        terminal.Line($"{files.Count} image(s) segmented into {outDir}/{{ids,color,overlay}}; predicted pixels: " +
                      string.Join(", ", description.ClassNames.Select((n, c) => FormattableString.Invariant($"{n} {100.0 * counts[c] / total:F1}%"))));
        return Task.FromResult(0);
    }

    private static List<string> InputFiles(string input)
    {
        if (File.Exists(input)) return [input];
        if (!Directory.Exists(input)) throw new FileNotFoundException($"--input {input}: no such file or folder", input);
        var files = Directory.EnumerateFiles(input).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new InvalidDataException($"--input {input}: the folder has no PNG or JPEG images");
    }
}
