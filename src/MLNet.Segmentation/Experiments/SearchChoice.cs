using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// A categorical dimension of a search space: the values a trial may take (drawn with equal probability, or enumerated
/// in this order by grid search) and the default. A single value fixes the dimension. Serializes as
/// <c>{"values": [...], "default": ...}</c>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SearchChoice<T> : ISearchDimension where T : notnull
{
    /// <summary>A choice among <paramref name="values"/> with <paramref name="default"/> (one of them).</summary>
    [JsonConstructor]
    public SearchChoice(IReadOnlyList<T> values, T @default)
    {
        Values = values?.ToArray() ?? throw new ArgumentNullException(nameof(values));
        Default = @default;
    }

    /// <summary>A choice among <paramref name="values"/>; the first is the default.</summary>
    public SearchChoice(params T[] values) : this(values, values is { Length: > 0 } ? values[0] : default!) { }

    /// <summary>The values, in grid order.</summary>
    public IReadOnlyList<T> Values { get; }

    /// <summary>The default value.</summary>
    public T Default { get; }

    /// <summary>True when only one value is left.</summary>
    [JsonIgnore]
    public bool IsFixed => Values.Count == 1;

    /// <summary>The dimension fixed to <paramref name="value"/>.</summary>
    public static SearchChoice<T> Fixed(T value) => new([value], value);

    /// <inheritdoc />
    int ISearchDimension.GridCount => Values.Count;

    object ISearchDimension.DefaultValue => Default;

    /// <summary>The value for a uniform draw <paramref name="u"/> in [0, 1): value ⌊u · count⌋.</summary>
    public T ValueAt(double u) => Values[Math.Clamp((int)Math.Floor(u * Values.Count), 0, Values.Count - 1)];

    object ISearchDimension.ValueAt(double u) => ValueAt(u);

    object ISearchDimension.GridValue(int index) => Values[index];

    void ISearchDimension.Validate(string name)
    {
        if (Values.Count == 0) throw new ArgumentException($"search space: '{name}' has no values");
        if (Values.Distinct().Count() != Values.Count) throw new ArgumentException($"search space: '{name}' lists a value twice");
        if (!Values.Contains(Default))
            throw new ArgumentException($"search space: the default of '{name}' ({Text(Default)}) is not one of its values ({string.Join(", ", Values.Select(Text))})");
    }

    ISearchDimension ISearchDimension.Restrict(string name, string text)
    {
        var values = text.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => Parse(name, t)).ToArray();
        if (values.Length == 0) throw new ArgumentException($"search space: no value given for '{name}'");
        return new SearchChoice<T>(values, values[0]);
    }

    // A number or true/false as JSON reads it; anything else (names, enum members such as "ce+dice") as a JSON string.
    private static T Parse(string name, string text)
    {
        try
        {
            if (typeof(T) != typeof(string) && !typeof(T).IsEnum)
                return JsonSerializer.Deserialize<T>(text, SweepJson.Options) ?? throw new JsonException("null");
            return JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(text), SweepJson.Options) ?? throw new JsonException("null");
        }
        catch (JsonException)
        {
            throw new ArgumentException($"search space: '{text}' is not a value of '{name}' ({typeof(T).Name})");
        }
    }

    private static string Text(T value) => JsonSerializer.Serialize(value, SweepJson.Options);
}
