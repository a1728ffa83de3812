using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>Zeroes elements with probability p in training mode and scales the rest by 1/(1-p) (torch.nn.Dropout).</summary>
public sealed class Dropout(double p = 0.5) : Module
{
    /// <summary>Drop probability.</summary>
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => IsTraining && P > 0 ? Functional.Dropout(input, P, true) : input;
}

/// <summary>Zeroes whole channels with probability p in training mode (torch.nn.Dropout2d).</summary>
public sealed class Dropout2d(double p = 0.5) : Module
{
    /// <summary>Drop probability.</summary>
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => IsTraining && P > 0 ? Functional.Dropout2d(input, P, true) : input;
}
