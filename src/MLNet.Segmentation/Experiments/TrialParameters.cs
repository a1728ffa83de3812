using System.Globalization;
using System.Text.Json.Serialization;
using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// The hyperparameters of one trial, one value per dimension of a <see cref="SegmentationSearchSpace"/>.
/// <see cref="Backbone"/> and <see cref="OutputStride"/> apply to the DeepLabs only and are null for the other
/// architectures; <see cref="ClassWeights"/> is false with the Lovász loss, which takes none (<see cref="Normalized"/>).
/// </summary>
public sealed record TrialParameters
{
    /// <summary>The architecture family: "unet", "segnet", "fcn-8s", "deeplabv3plus", ... (see <see cref="SegmentationSearchSpace.Architectures"/>).</summary>
    public required string Architecture { get; init; }

    /// <summary>The DeepLabs' ResNet ("resnet18", "resnet34" or "resnet50"); null for the other architectures.</summary>
    public string? Backbone { get; init; }

    /// <summary>The DeepLabs' output stride (8 or 16); null for the other architectures.</summary>
    public int? OutputStride { get; init; }

    /// <summary>Divides every layer's width (1 = the papers' widths).</summary>
    public required int WidthDivisor { get; init; }

    /// <summary>The training loss.</summary>
    public required LossChoice Loss { get; init; }

    /// <summary>Whether the loss weights classes (the dataset's weights, else median-frequency weights of the training masks).</summary>
    public required bool ClassWeights { get; init; }

    /// <summary>The optimizer.</summary>
    public required OptimizerKind Optimizer { get; init; }

    /// <summary>The base learning rate.</summary>
    public required double LearningRate { get; init; }

    /// <summary>The weight decay.</summary>
    public required double WeightDecay { get; init; }

    /// <summary>Images per step (at most the training images).</summary>
    public required int BatchSize { get; init; }

    /// <summary>Side of the random square training crops; 0 trains on whole images.</summary>
    public required int CropSize { get; init; }

    /// <summary>The training augmentation.</summary>
    public required AugmentationLevel Augmentation { get; init; }

    /// <summary>Whether <see cref="Architecture"/> is a DeepLab (which has a backbone and an output stride).</summary>
    [JsonIgnore]
    public bool IsDeepLab => Architecture.StartsWith("deeplab", StringComparison.Ordinal);

    /// <summary>The model-catalog name, e.g. "unet" or "deeplabv3plus-resnet18".</summary>
    [JsonIgnore]
    public string CatalogName => IsDeepLab ? $"{Architecture}-{Backbone ?? "resnet50"}" : Architecture;

    /// <summary>The ResNet depth of <see cref="Backbone"/> (50 when there is none).</summary>
    [JsonIgnore]
    public int BackboneDepth => Backbone is { Length: > 6 } b && int.TryParse(b.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out int d) ? d : 50;

    /// <summary>The same trial with the values that do not apply cleared (backbone and stride off DeepLab, class weights with Lovász).</summary>
    public TrialParameters Normalized() => this with
    {
        Backbone = IsDeepLab ? Backbone : null,
        OutputStride = IsDeepLab ? OutputStride : null,
        ClassWeights = ClassWeights && Loss != LossChoice.Lovasz,
    };

    /// <summary>One line, e.g. "unet /8, ce+dice, adamw lr 1.0e-3 wd 1.0e-4, batch 4, whole images, flip".</summary>
    public string Describe()
    {
        string arch = IsDeepLab ? $"{CatalogName} os{OutputStride ?? 16}" : Architecture;
        return string.Create(CultureInfo.InvariantCulture,
            $"{arch} /{WidthDivisor}, {SweepJson.Name(Loss)}{(ClassWeights ? " weighted" : "")}, {SweepJson.Name(Optimizer)} lr {LearningRate:0.0e+0} " +
            $"wd {WeightDecay:0.0e+0}, batch {BatchSize}, {(CropSize > 0 ? $"crop {CropSize}" : "whole images")}, {SweepJson.Name(Augmentation)}");
    }
}
