using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// The hyperparameters a sweep searches, one typed dimension each (a <see cref="SearchChoice{T}"/> or a
/// <see cref="SearchRange"/> with a default), JSON-serializable (<see cref="ToJson"/>, <see cref="FromJson"/>). Fix a
/// dimension with <see cref="Fix{T}"/> (<c>space.Fix(p =&gt; p.Architecture, "unet")</c>), by assigning a single-value
/// choice, or from text with <see cref="Restrict"/>. The defaults suit a CPU: narrow networks (width divisor 4 or 8)
/// on whole images; widen them (WidthDivisor 1) and add crops on a GPU.
/// </summary>
/// <remarks>
/// Random search draws one uniform number per dimension, in the order of <see cref="DimensionNames"/>, from a generator
/// seeded by the sweep's seed and the trial number, so fixing one dimension leaves the others' draws unchanged.
/// </remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SegmentationSearchSpace
{
    /// <summary>The architecture families a space may name (the DeepLabs take a backbone and an output stride).</summary>
    public static IReadOnlyList<string> Architectures { get; } =
        ["unet", "unet-bilinear", "unet-valid", "segnet", "fcn-8s", "fcn-16s", "fcn-32s", "deconvnet", "deeplabv3", "deeplabv3plus"];

    /// <summary>The DeepLab backbones.</summary>
    public static IReadOnlyList<string> Backbones { get; } = ["resnet18", "resnet34", "resnet50"];

    /// <summary>Architecture family [unet, unet-bilinear, segnet, fcn-8s, deeplabv3, deeplabv3plus; default unet].</summary>
    public SearchChoice<string> Architecture { get; set; } = new("unet", "unet-bilinear", "segnet", "fcn-8s", "deeplabv3", "deeplabv3plus");

    /// <summary>DeepLab backbone [resnet18, resnet34, resnet50; default resnet18].</summary>
    public SearchChoice<string> Backbone { get; set; } = new("resnet18", "resnet34", "resnet50");

    /// <summary>DeepLab output stride [16, 8; default 16].</summary>
    public SearchChoice<int> OutputStride { get; set; } = new(16, 8);

    /// <summary>Width divisor [4, 8; default 4].</summary>
    public SearchChoice<int> WidthDivisor { get; set; } = new(4, 8);

    /// <summary>Loss [ce+dice, ce, focal, lovasz; default ce+dice].</summary>
    public SearchChoice<LossChoice> Loss { get; set; } = new(LossChoice.CrossEntropyDice, LossChoice.CrossEntropy, LossChoice.Focal, LossChoice.Lovasz);

    /// <summary>Class-weighted loss [false, true; default false].</summary>
    public SearchChoice<bool> ClassWeights { get; set; } = new(false, true);

    /// <summary>Optimizer [adamw, adam, sgd; default adamw].</summary>
    public SearchChoice<OptimizerKind> Optimizer { get; set; } = new(OptimizerKind.AdamW, OptimizerKind.Adam, OptimizerKind.Sgd);

    /// <summary>Learning rate, log-uniform in [1e-4, 1e-2], default 1e-3.</summary>
    public SearchRange LearningRate { get; set; } = SearchRange.LogUniform(1e-4, 1e-2, 1e-3);

    /// <summary>Weight decay, log-uniform in [1e-6, 1e-3], default 1e-4.</summary>
    public SearchRange WeightDecay { get; set; } = SearchRange.LogUniform(1e-6, 1e-3, 1e-4);

    /// <summary>Batch size [4, 2, 8; default 4].</summary>
    public SearchChoice<int> BatchSize { get; set; } = new(4, 2, 8);

    /// <summary>Training crop side, 0 = whole images [0; default 0]; e.g. [0, 256] for 512 x 512 images.</summary>
    public SearchChoice<int> CropSize { get; set; } = new(0);

    /// <summary>Augmentation [flip, none, full; default flip].</summary>
    public SearchChoice<AugmentationLevel> Augmentation { get; set; } = new(AugmentationLevel.Flip, AugmentationLevel.None, AugmentationLevel.Full);

    /// <summary>The dimensions' JSON names, in sampling and grid order (the first varies slowest in the grid).</summary>
    public static IReadOnlyList<string> DimensionNames => Slots.Select(s => s.Name).ToArray();

    private sealed record Slot(string Name, PropertyInfo Property);

    private static Slot[] Slots => SlotTable.Value;

    private static readonly Lazy<Slot[]> SlotTable = new(() => new[]
        {
            nameof(Architecture), nameof(Backbone), nameof(OutputStride), nameof(WidthDivisor), nameof(Loss), nameof(ClassWeights),
            nameof(Optimizer), nameof(LearningRate), nameof(WeightDecay), nameof(BatchSize), nameof(CropSize), nameof(Augmentation),
        }.Select(n => new Slot(JsonNamingPolicy.CamelCase.ConvertName(n), typeof(SegmentationSearchSpace).GetProperty(n)!)).ToArray());

    private ISearchDimension[] Dimensions() => Slots.Select(s => (ISearchDimension)(s.Property.GetValue(this)
        ?? throw new ArgumentException($"search space: '{s.Name}' is null"))).ToArray();

    /// <summary>Fixes a choice dimension to <paramref name="value"/>, e.g. <c>space.Fix(p =&gt; p.Architecture, "unet")</c>; returns this space.</summary>
    public SegmentationSearchSpace Fix<T>(Expression<Func<SegmentationSearchSpace, SearchChoice<T>>> dimension, T value) where T : notnull
    {
        Property(dimension).SetValue(this, SearchChoice<T>.Fixed(value));
        return this;
    }

    /// <summary>Fixes a numeric dimension to <paramref name="value"/>, e.g. <c>space.Fix(p =&gt; p.LearningRate, 1e-3)</c>; returns this space.</summary>
    public SegmentationSearchSpace Fix(Expression<Func<SegmentationSearchSpace, SearchRange>> dimension, double value)
    {
        Property(dimension).SetValue(this, SearchRange.Fixed(value));
        return this;
    }

    /// <summary>
    /// Restricts the dimension named <paramref name="name"/> (its JSON name, e.g. "architecture", case-insensitive) to
    /// the value in <paramref name="text"/> ("unet"; "unet|segnet" for several values of a choice); returns this space.
    /// </summary>
    public SegmentationSearchSpace Restrict(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        var slot = Slots.FirstOrDefault(s => string.Equals(s.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"search space: unknown dimension '{name}'; known: {string.Join(", ", DimensionNames)}");
        var current = (ISearchDimension)slot.Property.GetValue(this)!;
        slot.Property.SetValue(this, current.Restrict(slot.Name, text.Trim()));
        return this;
    }

    private static PropertyInfo Property(LambdaExpression dimension)
    {
        ArgumentNullException.ThrowIfNull(dimension);
        if (dimension.Body is MemberExpression { Member: PropertyInfo property, Expression: ParameterExpression }
            && Slots.Any(s => s.Property == property))
            return property;
        throw new ArgumentException($"Fix takes a dimension of the space, such as p => p.Architecture; got {dimension}", nameof(dimension));
    }

    /// <summary>Checks every dimension (values, defaults, known architectures and backbones, sizes); throws a one-line ArgumentException.</summary>
    public void Validate()
    {
        var dimensions = Dimensions();
        for (int i = 0; i < dimensions.Length; i++) dimensions[i].Validate(Slots[i].Name);
        foreach (string arch in Architecture.Values)
            if (!Architectures.Contains(arch))
                throw new ArgumentException($"search space: unknown architecture '{arch}'; known: {string.Join(", ", Architectures)}");
        foreach (string backbone in Backbone.Values)
            if (!Backbones.Contains(backbone))
                throw new ArgumentException($"search space: unknown backbone '{backbone}'; known: {string.Join(", ", Backbones)}");
        Check(OutputStride, "outputStride", v => v is 8 or 16, "8 or 16");
        Check(WidthDivisor, "widthDivisor", v => v is >= 1 and <= 64, "in 1..64");
        Check(BatchSize, "batchSize", v => v >= 1, ">= 1");
        Check(CropSize, "cropSize", v => v == 0 || v >= 16, "0 (whole images) or >= 16");
        if (WeightDecay.Min < 0) throw new ArgumentException("search space: 'weightDecay' must be >= 0");
        if (!(LearningRate.Min > 0)) throw new ArgumentException("search space: 'learningRate' must be > 0");
    }

    private static void Check(SearchChoice<int> choice, string name, Func<int, bool> valid, string rule)
    {
        foreach (int v in choice.Values)
            if (!valid(v)) throw new ArgumentException($"search space: '{name}' must be {rule}, got {v}");
    }

    /// <summary>The trial of every dimension's default.</summary>
    public TrialParameters Defaults() => Compose(Dimensions().Select(d => d.DefaultValue).ToArray());

    /// <summary>A random trial: one uniform draw from <paramref name="random"/> per dimension, in <see cref="DimensionNames"/> order.</summary>
    public TrialParameters Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var dimensions = Dimensions();
        var values = new object[dimensions.Length];
        for (int i = 0; i < dimensions.Length; i++) values[i] = dimensions[i].ValueAt(random.NextDouble());
        return Compose(values);
    }

    /// <summary>
    /// The grid: every combination of the dimensions' grid values, the first dimension (architecture) varying slowest
    /// and the last fastest; combinations that differ only in values that do not apply (a backbone for a U-Net) are
    /// listed once, at their first occurrence.
    /// </summary>
    public IEnumerable<TrialParameters> Grid()
    {
        var dimensions = Dimensions();
        var counts = dimensions.Select(d => d.GridCount).ToArray();
        var index = new int[dimensions.Length];
        var seen = new HashSet<TrialParameters>();
        while (true)
        {
            var trial = Compose(dimensions.Select((d, i) => d.GridValue(index[i])).ToArray());
            if (seen.Add(trial)) yield return trial;
            int k = dimensions.Length - 1;
            while (k >= 0 && ++index[k] == counts[k]) index[k--] = 0;
            if (k < 0) yield break;
        }
    }

    /// <summary>The number of trials <see cref="Grid"/> lists.</summary>
    public long GridSize()
    {
        var dimensions = Dimensions();
        long Count(int i) => dimensions[i].GridCount;
        int arch = Array.FindIndex(Slots, s => s.Name == "architecture");
        int backbone = Array.FindIndex(Slots, s => s.Name == "backbone"), stride = Array.FindIndex(Slots, s => s.Name == "outputStride");
        int loss = Array.FindIndex(Slots, s => s.Name == "loss"), weights = Array.FindIndex(Slots, s => s.Name == "classWeights");
        long others = 1;
        for (int i = 0; i < dimensions.Length; i++)
            if (i != arch && i != backbone && i != stride && i != loss && i != weights) others *= Count(i);
        var grid = Enumerable.Range(0, dimensions[arch].GridCount).Select(i => (string)dimensions[arch].GridValue(i)).ToArray();
        long architectures = grid.Sum(a => a.StartsWith("deeplab", StringComparison.Ordinal) ? Count(backbone) * Count(stride) : 1L);
        var losses = Enumerable.Range(0, dimensions[loss].GridCount).Select(i => (LossChoice)dimensions[loss].GridValue(i)).ToArray();
        // Lovász takes no class weights: its weighted and unweighted trials are one.
        long lossCombinations = losses.Sum(l => l == LossChoice.Lovasz ? 1 : Count(weights));
        return architectures * lossCombinations * others;
    }

    private static TrialParameters Compose(object[] v) => new TrialParameters
    {
        Architecture = (string)v[0], Backbone = (string)v[1], OutputStride = (int)v[2], WidthDivisor = (int)v[3], Loss = (LossChoice)v[4],
        ClassWeights = (bool)v[5], Optimizer = (OptimizerKind)v[6], LearningRate = (double)v[7], WeightDecay = (double)v[8],
        BatchSize = (int)v[9], CropSize = (int)v[10], Augmentation = (AugmentationLevel)v[11],
    }.Normalized();

    /// <summary>The space as indented JSON (<see cref="SweepJson"/>), e.g. for a file to edit and pass back to <see cref="FromJson"/>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SweepJson.Indented);

    /// <summary>A space from JSON; dimensions it leaves out keep their defaults. Unknown names and invalid values are one-line errors.</summary>
    public static SegmentationSearchSpace FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        SegmentationSearchSpace space;
        try
        {
            space = JsonSerializer.Deserialize<SegmentationSearchSpace>(json, SweepJson.Options) ?? throw new JsonException("the JSON is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"search space: {e.Message.Split('\n')[0].Trim()}", e);
        }
        space.Validate();
        return space;
    }

    /// <summary>A copy (the dimensions themselves are immutable).</summary>
    public SegmentationSearchSpace Clone() => (SegmentationSearchSpace)MemberwiseClone();
}
