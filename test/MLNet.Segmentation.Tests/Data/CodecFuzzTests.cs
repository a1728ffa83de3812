using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.Tests.Data;

/// <summary>
/// Mutation fuzzing of the decoders (the managed PNG decoder, SkiaSharp's JPEG, BMP and WebP): every mutated file
/// must either decode to a consistent image or throw <see cref="InvalidDataException"/> naming its source, never
/// crash the process or throw anything else.
/// </summary>
[TestClass]
public sealed class CodecFuzzTests
{
    // 140 per seed (1,260 in all) by default; MLSEG_FUZZ_CASES_PER_SEED runs a longer campaign.
    private static readonly int CasesPerSeed =
        int.TryParse(Environment.GetEnvironmentVariable("MLSEG_FUZZ_CASES_PER_SEED"), out int n) && n > 0 ? n : 140;

    private static List<(string Name, byte[] Bytes)> SeedFiles()
    {
        static int[] Pattern(int count, int modulo) => Enumerable.Range(0, count).Select(k => (k * 31 + k / 7) % modulo).ToArray();
        byte[] palette = Enumerable.Range(0, 6).SelectMany(k => new[] { (byte)(k * 40), (byte)(k * 20), (byte)(250 - k * 30) }).ToArray();
        var rgb = new Image(24, 16, 3, Pattern(24 * 16 * 3, 256).Select(v => (byte)v).ToArray());
        return
        [
            ("gray8.png", PngWriter.Build(17, 12, 8, PngWriter.Gray, Pattern(17 * 12, 256))),
            ("rgb8.png", PngWriter.Build(16, 10, 8, PngWriter.Rgb, Pattern(16 * 10 * 3, 256))),
            ("rgba16-interlaced.png", PngWriter.Build(11, 9, 16, PngWriter.Rgba, Pattern(11 * 9 * 4, 65536), interlaced: true)),
            ("palette4-interlaced.png", PngWriter.Build(15, 13, 4, PngWriter.Palette, Pattern(15 * 13, 6), true, palette)),
            ("gray2.png", PngWriter.Build(19, 7, 2, PngWriter.Gray, Pattern(19 * 7, 4))),
            ("encoder-rgb.png", ImageEncoder.EncodePng(rgb)),
            ("baseline.jpg", ImageEncoder.EncodeJpeg(rgb, 80)),
            // SkiaSharp writes baseline JPEG only: the progressive seeds were written by Pillow (Fixtures/Data/make_fixtures.py).
            ("progressive.jpg", SkiaFixture("rgb-progressive.jpg")),
            ("gray-progressive.jpg", SkiaFixture("gray-progressive.jpg")),
        ];
    }

    private static byte[] SkiaFixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Data", "skia", name));

    [TestMethod]
    public void MutatedFilesDecodeOrFailCleanly() => Fuzz(SeedFiles(), 20240611, 9);

    [TestMethod]
    public void MutatedBmpAndWebPFilesDecodeOrFailCleanly() =>
        Fuzz([("rgb.bmp", SkiaFixture("rgb.bmp")), ("rgba.webp", SkiaFixture("rgba-lossless.webp")), ("rgb.webp", SkiaFixture("rgb-lossless.webp"))], 20260612, 3,
            mostRejected: false); // BMP has no checksum: most of its mutations are still pictures

    private static void Fuzz(List<(string Name, byte[] Bytes)> seeds, int seed, int seedCount, bool mostRejected = true)
    {
        Assert.HasCount(seedCount, seeds);
        foreach (var (name, bytes) in seeds) ImageDecoder.Decode(bytes, name, ImageDecodeMode.Raw); // the seeds are valid
        var random = new Random(seed);
        int decoded = 0, rejected = 0, cases = 0;
        foreach (var (name, original) in seeds)
        {
            for (int k = 0; k < CasesPerSeed; k++, cases++)
            {
                string source = $"fuzz/{name}#{k}";
                byte[] mutated = Mutate(original, random, name.EndsWith(".png", StringComparison.Ordinal));
                try
                {
                    var image = ImageDecoder.Decode(mutated, source, k % 2 == 0 ? ImageDecodeMode.Color : ImageDecodeMode.Raw);
                    Assert.IsTrue(image.Width > 0 && image.Height > 0 && (long)image.Width * image.Height <= 1L << 28, source);
                    decoded++;
                }
                catch (InvalidDataException e)
                {
                    StringAssert.Contains(e.Message, source);
                    rejected++;
                }
            }
        }
        Assert.IsGreaterThanOrEqualTo(Math.Min(1000, seedCount * CasesPerSeed), cases);
        if (mostRejected) Assert.IsGreaterThan(cases / 2, rejected, $"decoded {decoded}, rejected {rejected}: most mutations should be caught");
        Console.WriteLine($"fuzz: {cases} cases, {decoded} decoded, {rejected} rejected with InvalidDataException");
    }

    private static byte[] Mutate(byte[] original, Random random, bool png)
    {
        var data = (byte[])original.Clone();
        switch (random.Next(7))
        {
            case 0: // bit flips
                for (int n = random.Next(1, 9); n > 0; n--) data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                return data;
            case 1: // truncation
                return data[..random.Next(data.Length)];
            case 2: // random bytes over a run
                int start = random.Next(data.Length);
                for (int i = start; i < Math.Min(data.Length, start + random.Next(1, 17)); i++) data[i] = (byte)random.Next(256);
                return data;
            case 3: // insert or delete a run
                int at = random.Next(data.Length);
                int count = random.Next(1, 9);
                return random.Next(2) == 0
                    ? [.. data[..at], .. Enumerable.Range(0, count).Select(_ => (byte)random.Next(256)), .. data[at..]]
                    : [.. data[..at], .. data[Math.Min(data.Length, at + count)..]];
            case 4 when png: // overwrite a chunk length
                var offsets = PngWriter.ChunkOffsets(data);
                uint[] lengths = [0, 1, 13, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, (uint)random.Next(), (uint)random.Next(64)];
                PngWriter.WriteUInt32(data, offsets[random.Next(offsets.Count)], lengths[random.Next(lengths.Length)]);
                return data;
            case 5 when png: // corrupt data inside a chunk but keep every CRC valid, so libpng and zlib see it
                for (int n = random.Next(1, 5); n > 0; n--) data[random.Next(8, data.Length)] ^= (byte)(1 << random.Next(8));
                foreach (int offset in PngWriter.ChunkOffsets(data)) PngWriter.FixCrc(data, offset);
                return data;
            case 6 when png: // absurd or zero dimensions in a CRC-valid header
                PngWriter.WriteUInt32(data, 16 + 4 * random.Next(2), RandomDimension(random));
                PngWriter.FixCrc(data, 8);
                return data;
            case 6 or 4 or 5: // JPEG: absurd dimensions in the frame header, or a corrupted segment length
                int marker = FindFrameHeader(data);
                if (marker < 0) goto case 0;
                int field = random.Next(3) switch { 0 => marker + 5, 1 => marker + 7, _ => marker + 2 };
                uint value = field == marker + 2 ? (uint)random.Next(65536) : Math.Min(RandomDimension(random), 65535u);
                (data[field], data[field + 1]) = ((byte)(value >> 8), (byte)value);
                return data;
            default:
                goto case 0;
        }
    }

    private static uint RandomDimension(Random random) =>
        random.Next(4) switch { 0 => 0u, 1 => 65535u, 2 => (uint)random.Next(1, 5000), _ => (uint)random.Next() };

    private static int FindFrameHeader(byte[] jpeg)
    {
        for (int i = 2; i + 9 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2) return i;
        return -1;
    }
}
