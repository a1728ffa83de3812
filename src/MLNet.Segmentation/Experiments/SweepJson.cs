using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// The JSON settings of everything a sweep writes (search spaces, trial logs, results): camelCase names, enums as
/// lower-case strings ("adamw", "ce+dice", "stopped-early"), nulls left out, NaN allowed in numbers.
/// </summary>
public static class SweepJson
{
    /// <summary>The serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>The same options, indented (files meant to be read and edited).</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>The JSON name of an enum value, e.g. "ce+dice" or "adamw".</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonSerializer.Serialize(value, Options).Trim('"');

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            WriteIndented = indented,
            // "ce+dice", not "ce\u002Bdice": the files are read by people; nothing here is embedded in HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(new LowerCase(), allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class LowerCase : JsonNamingPolicy
    {
        public override string ConvertName(string name) => name.ToLowerInvariant();
    }
}
