namespace MLNet.Segmentation.Data;

/// <summary>
/// What a dataset's labels mean: class names and display colours, the ignore id, optional class weights,
/// the image channel count and how masks are stored. Ready-made for membrane (ISBI 2012), CamVid (SegNet),
/// Pascal VOC and the synthetic shapes.
/// </summary>
public sealed record DatasetDescription
{
    /// <summary>A short name, e.g. "camvid".</summary>
    public required string Name { get; init; }

    /// <summary>The real classes' names; class id = index.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Display colour of each class (same length as <see cref="ClassNames"/>).</summary>
    public required IReadOnlyList<Rgb> Colors { get; init; }

    /// <summary>The id of pixels excluded from training and evaluation, or null.</summary>
    public long? IgnoreIndex { get; init; }

    /// <summary>Display colour of ignored pixels.</summary>
    public Rgb IgnoreColor { get; init; } = new(0, 0, 0);

    /// <summary>The class left uncoloured in overlays (the background), or null to colour every class.</summary>
    public long? BackgroundClass { get; init; } = 0;

    /// <summary>Per-class loss weights (e.g. SegNet's median-frequency weights), or null.</summary>
    public IReadOnlyList<float>? ClassWeights { get; init; }

    /// <summary>Channels the images are converted to when loaded (1 gray, 3 RGB).</summary>
    public int ImageChannels { get; init; } = 3;

    /// <summary>How the mask files store class ids.</summary>
    public MaskEncoding MaskEncoding { get; init; } = MaskEncoding.Auto;

    /// <summary>Number of real classes.</summary>
    public int NumClasses => ClassNames.Count;

    /// <summary>Mask reading options: this encoding, class range, ignore id and colour table.</summary>
    public MaskOptions MaskOptions() =>
        new() { Encoding = MaskEncoding, NumClasses = NumClasses, IgnoreIndex = IgnoreIndex, ColorTable = ColorTable() };

    /// <summary>Colour → class id for colour-coded masks (the ignore colour maps to the ignore id).</summary>
    public IReadOnlyDictionary<Rgb, long> ColorTable()
    {
        var table = new Dictionary<Rgb, long>(Data.MaskOptions.ColorTableOf(Colors));
        if (IgnoreIndex is { } ignore) table.TryAdd(IgnoreColor, ignore);
        return table;
    }

    /// <summary>A palette for mask PNGs: the class colours, with <see cref="IgnoreColor"/> at the ignore id (when ≤ 255).</summary>
    public IReadOnlyList<Rgb> Palette()
    {
        var palette = new List<Rgb>(Colors);
        if (IgnoreIndex is { } ignore && ignore is >= 0 and <= 255)
        {
            while (palette.Count <= ignore) palette.Add(new Rgb(0, 0, 0));
            palette[(int)ignore] = IgnoreColor;
        }
        return palette;
    }

    /// <summary>
    /// ISBI 2012 membrane: 0 = membrane, 255 = cell interior (→ 1); gray images. Membranes are drawn red and cells
    /// white, so overlays on the gray slices show the membranes.
    /// </summary>
    public static DatasetDescription Membrane { get; } = new()
    {
        Name = "membrane",
        ClassNames = ["membrane", "cell"],
        Colors = [new Rgb(230, 40, 40), new Rgb(255, 255, 255)],
        BackgroundClass = 1,
        ImageChannels = 1,
        MaskEncoding = MaskEncoding.Binary,
    };

    /// <summary>CamVid as used by SegNet: 11 classes, ignore id 11 (Unlabelled), median-frequency weights.</summary>
    public static DatasetDescription CamVid { get; } = new()
    {
        Name = "camvid",
        ClassNames = ["Sky", "Building", "Pole", "Road", "Pavement", "Tree", "SignSymbol", "Fence", "Car", "Pedestrian", "Bicyclist"],
        Colors =
        [
            new Rgb(128, 128, 128), new Rgb(128, 0, 0), new Rgb(192, 192, 128), new Rgb(128, 64, 128), new Rgb(60, 40, 222),
            new Rgb(128, 128, 0), new Rgb(192, 128, 128), new Rgb(64, 64, 128), new Rgb(64, 0, 128), new Rgb(64, 64, 0),
            new Rgb(0, 128, 192),
        ],
        IgnoreIndex = 11,
        IgnoreColor = new Rgb(0, 0, 0),
        ClassWeights = [0.2595f, 0.1826f, 4.5640f, 0.1417f, 0.9051f, 0.3826f, 9.6446f, 1.8418f, 0.6823f, 6.2478f, 7.3614f],
        MaskEncoding = MaskEncoding.ClassIds,
    };

    /// <summary>Pascal VOC 2012: background + 20 object classes in palette PNGs, ignore id 255 (object borders).</summary>
    public static DatasetDescription PascalVoc { get; } = new()
    {
        Name = "voc",
        ClassNames =
        [
            "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
            "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
        ],
        Colors = Enumerable.Range(0, 21).Select(VocColor).ToArray(),
        IgnoreIndex = 255,
        IgnoreColor = VocColor(255),
        MaskEncoding = MaskEncoding.PaletteIndices,
    };

    /// <summary>The synthetic shapes of <c>SyntheticShapesDataset</c>.</summary>
    public static DatasetDescription SyntheticShapes { get; } = new()
    {
        Name = "shapes",
        ClassNames = ["background", "circle", "rectangle", "triangle"],
        Colors = [new Rgb(0, 0, 0), new Rgb(230, 60, 60), new Rgb(60, 200, 60), new Rgb(60, 90, 230)],
        MaskEncoding = MaskEncoding.ClassIds,
    };

    /// <summary>Display colours for <paramref name="count"/> classes without their own: VOC's 21 class colours, repeated.</summary>
    public static IReadOnlyList<Rgb> DefaultColors(int count) =>
        Enumerable.Range(0, count).Select(i => VocColor(i % 21)).ToArray();

    // VOC's colour map: the bits of the class id are spread over the high bits of R, G and B in turn.
    private static Rgb VocColor(int id)
    {
        int r = 0, g = 0, b = 0;
        for (int shift = 7; shift >= 0 && id > 0; shift--, id >>= 3)
        {
            r |= (id & 1) << shift;
            g |= ((id >> 1) & 1) << shift;
            b |= ((id >> 2) & 1) << shift;
        }
        return new Rgb((byte)r, (byte)g, (byte)b);
    }
}
