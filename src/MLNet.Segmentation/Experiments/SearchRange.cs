using System.Globalization;
using System.Text.Json.Serialization;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// A numeric dimension of a search space: values in [<see cref="Min"/>, <see cref="Max"/>], uniform or log-uniform
/// (uniform in log(value), the usual prior for learning rates and weight decay), with a default and the number of
/// points grid search takes (evenly spaced, in log space when <see cref="LogScale"/>, both ends included). Min = Max
/// fixes the dimension. Serializes as <c>{"min":…, "max":…, "logScale":…, "default":…, "gridPoints":…}</c>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SearchRange : ISearchDimension
{
    /// <summary>A range; see the class remarks.</summary>
    [JsonConstructor]
    public SearchRange(double min, double max, bool logScale, double @default, int gridPoints = 3)
    {
        (Min, Max, LogScale, Default, GridPoints) = (min, max, logScale, @default, gridPoints);
    }

    /// <summary>Log-uniform values in [min, max] (min &gt; 0).</summary>
    public static SearchRange LogUniform(double min, double max, double @default, int gridPoints = 3) => new(min, max, true, @default, gridPoints);

    /// <summary>Uniform values in [min, max].</summary>
    public static SearchRange Uniform(double min, double max, double @default, int gridPoints = 3) => new(min, max, false, @default, gridPoints);

    /// <summary>The dimension fixed to <paramref name="value"/>.</summary>
    public static SearchRange Fixed(double value) => new(value, value, false, value, 1);

    /// <summary>Smallest value.</summary>
    public double Min { get; }

    /// <summary>Largest value.</summary>
    public double Max { get; }

    /// <summary>Whether values are uniform in log(value).</summary>
    public bool LogScale { get; }

    /// <summary>The default value.</summary>
    public double Default { get; }

    /// <summary>Points of the grid along this dimension (1: the default only).</summary>
    public int GridPoints { get; }

    /// <summary>True when <see cref="Min"/> = <see cref="Max"/>.</summary>
    [JsonIgnore]
    public bool IsFixed => Min == Max;

    int ISearchDimension.GridCount => IsFixed ? 1 : GridPoints;

    object ISearchDimension.DefaultValue => Default;

    /// <summary>
    /// The value for a uniform draw <paramref name="u"/> in [0, 1]: min + u (max - min), or exp(ln min + u (ln max - ln min))
    /// on a log scale; u = 0 and u = 1 give exactly min and max.
    /// </summary>
    public double ValueAt(double u)
    {
        if (IsFixed || u <= 0) return Min;
        if (u >= 1) return Max;
        double value = LogScale ? Math.Exp(Math.Log(Min) + u * (Math.Log(Max) - Math.Log(Min))) : Min + u * (Max - Min);
        return Math.Clamp(value, Min, Max);
    }

    object ISearchDimension.ValueAt(double u) => ValueAt(u);

    /// <summary>The <paramref name="index"/>-th of the grid's points (the default when there is one point).</summary>
    public double GridValue(int index)
    {
        int count = ((ISearchDimension)this).GridCount;
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        return count == 1 ? (IsFixed ? Min : Default) : ValueAt((double)index / (count - 1));
    }

    object ISearchDimension.GridValue(int index) => GridValue(index);

    void ISearchDimension.Validate(string name)
    {
        if (!double.IsFinite(Min) || !double.IsFinite(Max) || Min > Max)
            throw new ArgumentException($"search space: '{name}' needs finite min <= max, got [{F(Min)}, {F(Max)}]");
        if (LogScale && !(Min > 0)) throw new ArgumentException($"search space: '{name}' is log-scaled, so its min must be > 0, got {F(Min)}");
        if (!(Default >= Min && Default <= Max)) throw new ArgumentException($"search space: the default of '{name}' ({F(Default)}) is outside [{F(Min)}, {F(Max)}]");
        if (GridPoints < 1) throw new ArgumentException($"search space: '{name}' needs gridPoints >= 1, got {GridPoints}");
    }

    ISearchDimension ISearchDimension.Restrict(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? Fixed(value)
            : throw new ArgumentException($"search space: '{name}' takes a number, got '{text}'");

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
