using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>
/// Random brightness, contrast and saturation changes of the image (the mask is unchanged), for images in
/// [0, 1] (apply before <see cref="Normalize"/>). Each factor is drawn from [1 - amount, 1 + amount]; the
/// result is clamped to [0, 1]. Saturation applies to 3-channel images only.
/// </summary>
public sealed class ColorJitter : IJointTransform
{
    private static readonly float[] LumaWeights = [0.299f, 0.587f, 0.114f];

    /// <summary>Jitter with the given amounts (0 disables one).</summary>
    public ColorJitter(double brightness = 0.2, double contrast = 0.2, double saturation = 0.2)
    {
        if (brightness is < 0 or > 1 || contrast is < 0 or > 1 || saturation is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(brightness), "amounts are in [0, 1]");
        (Brightness, Contrast, Saturation) = (brightness, contrast, saturation);
    }

    /// <summary>Brightness amount.</summary>
    public double Brightness { get; }

    /// <summary>Contrast amount.</summary>
    public double Contrast { get; }

    /// <summary>Saturation amount.</summary>
    public double Saturation { get; }

    /// <inheritdoc />
    public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator)
    {
        var u = RandomDraw.Uniforms(generator, 3);
        double brightness = 1 + Brightness * (2 * u[0] - 1);
        double contrast = 1 + Contrast * (2 * u[1] - 1);
        double saturation = 1 + Saturation * (2 * u[2] - 1);
        var result = image.Times(brightness);
        using (var gray = Luma(result))
        using (var mean = gray.mean())
        using (var previous = result)
        using (var centred = previous - mean)
        using (var scaled = centred.Times(contrast))
            result = scaled.Plus(mean);
        if (image.size(0) == 3)
        {
            using var gray = Luma(result);
            using var previous = result;
            using var difference = previous - gray;
            using var scaled = difference.Times(saturation);
            result = scaled.Plus(gray);
        }
        return (result.ClampInPlace(0, 1), mask);
    }

    private static Tensor Luma(Tensor image)
    {
        if (image.size(0) != 3) return image.mean([0], keepdim: true);
        using var weights = Engine.TensorData.FromSpan<float>(LumaWeights, [3, 1, 1], image.device);
        using var weighted = image * weights;
        return weighted.sum([0], keepdim: true);
    }
}
