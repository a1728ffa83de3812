namespace MLNet.Segmentation.Data;

/// <summary>How <see cref="MaskReader"/> turns a mask file into class ids, and which ids are valid.</summary>
public sealed record MaskOptions
{
    /// <summary>How class ids are stored.</summary>
    public MaskEncoding Encoding { get; init; } = MaskEncoding.Auto;

    /// <summary>Number of real classes: ids must be in [0, NumClasses) or equal <see cref="IgnoreIndex"/>; null skips the check.</summary>
    public int? NumClasses { get; init; }

    /// <summary>The id of pixels to ignore in training and evaluation (e.g. 11 for CamVid, 255 for VOC), or null.</summary>
    public long? IgnoreIndex { get; init; }

    /// <summary>Colour → class id, for <see cref="MaskEncoding.RgbColors"/> (and colour masks under Auto).</summary>
    public IReadOnlyDictionary<Rgb, long>? ColorTable { get; init; }

    /// <summary>What to do with a colour missing from <see cref="ColorTable"/>.</summary>
    public UnknownColorPolicy UnknownColor { get; init; } = UnknownColorPolicy.Error;

    /// <summary>A colour table from the class colours (index = class id).</summary>
    public static IReadOnlyDictionary<Rgb, long> ColorTableOf(IReadOnlyList<Rgb> colors)
    {
        ArgumentNullException.ThrowIfNull(colors);
        var table = new Dictionary<Rgb, long>();
        for (int id = 0; id < colors.Count; id++)
            if (!table.TryAdd(colors[id], id))
                throw new ArgumentException($"colour {colors[id]} is used by classes {table[colors[id]]} and {id}", nameof(colors));
        return table;
    }
}
