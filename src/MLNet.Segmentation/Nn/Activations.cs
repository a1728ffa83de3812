using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>max(x, 0) (torch.nn.ReLU); in place when asked (the input must not be needed for gradients).</summary>
public sealed class ReLU(bool inPlace = false) : Module
{
    /// <summary>True when the input is overwritten.</summary>
    public bool InPlace { get; } = inPlace;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => InPlace ? Functional.ReluInPlace(input) : Functional.Relu(input);
}

/// <summary>x for x &gt; 0, else slope * x (torch.nn.LeakyReLU).</summary>
public sealed class LeakyReLU(double negativeSlope = 0.01) : Module
{
    /// <summary>Slope for negative inputs.</summary>
    public double NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.LeakyRelu(input, NegativeSlope);
}

/// <summary>Returns its input (a placeholder that keeps PyTorch's layer numbering).</summary>
public sealed class Identity : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input;
}
