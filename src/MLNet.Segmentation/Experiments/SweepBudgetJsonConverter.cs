using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNet.Segmentation.Experiments;

/// <summary>Writes a <see cref="SweepBudget"/> as its text ("30m,20trials") and reads it back with <see cref="SweepBudget.Parse"/>.</summary>
internal sealed class SweepBudgetJsonConverter : JsonConverter<SweepBudget>
{
    public override SweepBudget Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string text = reader.GetString() ?? throw new JsonException("a budget is a string such as \"30m\" or \"20trials\"");
        if (text == "unlimited") return SweepBudget.Unlimited;
        try
        {
            return SweepBudget.Parse(text);
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, SweepBudget value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
