using System.Text.Json;
using System.Text.Json.Serialization;
using MLNet.Segmentation.Models;

namespace MLNet.Segmentation.ModelFiles;

/// <summary>
/// Maps each segmentation architecture to a stable key and its options record, so a model file can rebuild the
/// network before loading its weights.
/// </summary>
public static class ArchitectureRegistry
{
    /// <summary>JSON settings for options records (enums as names).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { Converters = { new JsonStringEnumConverter() }, WriteIndented = true };

    private sealed record Entry(string Key, Type ModelType, Func<SegmentationModel, object> GetOptions, Func<JsonElement, object> Parse,
        Func<int, object, ExpectedStateDict> Plan, Func<int, object, SegmentationModel> Create);

    private static Entry Make<TModel, TOptions>(string key, Func<TModel, TOptions> getOptions, Func<long, TOptions, ExpectedStateDict> plan,
        Func<int, TOptions, TModel> create)
        where TModel : SegmentationModel where TOptions : class =>
        new(key, typeof(TModel), m => getOptions((TModel)m)!,
            json => json.Deserialize<TOptions>(JsonOptions) ?? throw new InvalidDataException($"empty options for '{key}'"),
            (classes, o) => plan(classes, (TOptions)o), (classes, o) => create(classes, (TOptions)o));

    private static readonly Entry[] Entries =
    [
        Make<UNet, UNetOptions>("unet", m => m.Options, ArchitectureShapes.UNet, (k, o) => new UNet(k, o)),
        Make<Fcn, FcnOptions>("fcn", m => m.Options, ArchitectureShapes.Fcn, (k, o) => new Fcn(k, o)),
        Make<SegNet, SegNetOptions>("segnet", m => m.Options, ArchitectureShapes.SegNet, (k, o) => new SegNet(k, o)),
        Make<DeconvNet, DeconvNetOptions>("deconvnet", m => m.Options, ArchitectureShapes.DeconvNet, (k, o) => new DeconvNet(k, o)),
        Make<DeepLabV3, DeepLabV3Options>("deeplabv3", m => m.Options, ArchitectureShapes.DeepLabV3, (k, o) => new DeepLabV3(k, o)),
        Make<DeepLabV3Plus, DeepLabV3PlusOptions>("deeplabv3plus", m => m.Options, ArchitectureShapes.DeepLabV3Plus, (k, o) => new DeepLabV3Plus(k, o)),
    ];

    /// <summary>The known architecture keys.</summary>
    public static IReadOnlyList<string> Keys { get; } = Entries.Select(e => e.Key).ToArray();

    /// <summary>The key and options JSON of <paramref name="model"/>.</summary>
    public static (string Key, JsonElement Options) Describe(SegmentationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entry = Entries.FirstOrDefault(e => e.ModelType == model.GetType())
            ?? throw new NotSupportedException($"{model.GetType().Name} cannot be saved in a model file; supported: {string.Join(", ", Keys)}");
        return (entry.Key, JsonSerializer.SerializeToElement(entry.GetOptions(model), entry.GetOptions(model).GetType(), JsonOptions));
    }

    /// <summary>
    /// Parses and checks the options JSON of architecture <paramref name="key"/> against <see cref="ArchitectureLimits"/>
    /// (including the size of the whole network; <paramref name="inChannels"/>, when given, must equal the options' input
    /// channels) and returns the options record and the state dict the network will have;
    /// nothing is allocated. Throws <see cref="InvalidDataException"/> naming the option.
    /// </summary>
    public static (object Options, ExpectedStateDict Expected) Plan(string key, int numClasses, long? inChannels, JsonElement options)
    {
        var entry = Find(key);
        if (numClasses < 1 || numClasses > ModelManifest.MaxClasses)
            throw new InvalidDataException($"num_classes {numClasses} is outside 1..{ModelManifest.MaxClasses}");
        object parsed;
        try
        {
            parsed = entry.Parse(options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the options of architecture '{key}' are invalid: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // JsonElement.Deserialize of an element that is not an object or of an undefined element.
            throw new InvalidDataException($"the options of architecture '{key}' are invalid: {e.Message}", e);
        }
        ArchitectureLimits.Check(inChannels, parsed);
        var expected = entry.Plan(numClasses, parsed);
        ArchitectureLimits.CheckSize(expected);
        return (parsed, expected);
    }

    /// <summary>Builds an untrained network of architecture <paramref name="key"/> from options returned by <see cref="Plan"/>.</summary>
    public static SegmentationModel Create(string key, int numClasses, object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Find(key).Create(numClasses, options);
    }

    /// <summary>Builds an untrained network of architecture <paramref name="key"/> from its options JSON (checked first, see <see cref="Plan"/>).</summary>
    public static SegmentationModel Create(string key, int numClasses, JsonElement options) =>
        Create(key, numClasses, Plan(key, numClasses, null, options).Options);

    private static Entry Find(string key) => Entries.FirstOrDefault(e => e.Key == key)
        ?? throw new InvalidDataException($"unknown architecture {ModelManifest.Quote(key)}; known: {string.Join(", ", Keys)}");
}
