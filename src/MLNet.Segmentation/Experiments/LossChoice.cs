using System.Text.Json.Serialization;

namespace MLNet.Segmentation.Experiments;

/// <summary>The training losses a sweep chooses from (with class weights or without, see <see cref="TrialParameters.ClassWeights"/>).</summary>
public enum LossChoice
{
    /// <summary>Pixel-wise cross-entropy.</summary>
    [JsonStringEnumMemberName("ce")] CrossEntropy,
    /// <summary>Cross-entropy + Dice, equally weighted (the trainers' default).</summary>
    [JsonStringEnumMemberName("ce+dice")] CrossEntropyDice,
    /// <summary>Focal loss (γ = 2).</summary>
    [JsonStringEnumMemberName("focal")] Focal,
    /// <summary>Lovász-softmax (takes no class weights).</summary>
    [JsonStringEnumMemberName("lovasz")] Lovasz,
}
