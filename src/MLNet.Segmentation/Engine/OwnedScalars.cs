using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// Tensor arithmetic with scalars whose lifetime is owned. TorchSharp 0.107 hands a <see cref="Scalar"/>'s native pointer
/// to libtorch without keeping the managed object alive (dotnet/TorchSharp#1434), so a temporary Scalar (every implicit
/// number-to-Scalar conversion, and the alpha = 1 TorchSharp supplies in <c>tensor + tensor</c>) can be finalized on the
/// finalizer thread, and its c10::Scalar freed, while the native call still reads it: in long runs, a rare "Unknown scalar
/// type", "alpha must not be a floating point number" or a silently wrong value. Every Scalar the package passes is one of
/// the constants here (rooted for the process) or disposed by its owner after the call (<c>using</c>).
/// </summary>
internal static class OwnedScalars
{
    /// <summary>The integer 0.</summary>
    public static readonly Scalar Zero = 0.ToScalar();

    /// <summary>The integer 1 (also the alpha of plain addition).</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>a + b.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>a + alpha * b.</summary>
    public static Tensor PlusScaled(this Tensor a, Tensor b, double alpha)
    {
        using var scalar = alpha.ToScalar();
        return a.add(b, scalar);
    }

    /// <summary>a += b, in place; returns a.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary>a + value.</summary>
    public static Tensor Plus(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.add(scalar, One);
    }

    /// <summary>a * value.</summary>
    public static Tensor Times(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.mul(scalar);
    }

    /// <summary>a * value for an integer value (keeps integer tensors integral).</summary>
    public static Tensor Times(this Tensor a, long value)
    {
        using var scalar = value.ToScalar();
        return a.mul(scalar);
    }

    /// <summary>a * value, in place; returns a.</summary>
    public static Tensor TimesInPlace(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.mul_(scalar);
    }

    /// <summary>a / value.</summary>
    public static Tensor DividedBy(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.div(scalar);
    }

    /// <summary>value - a.</summary>
    public static Tensor SubtractedFrom(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        using var negated = a.neg();
        return negated.add(scalar, One);
    }

    /// <summary>a - value for an integer value (keeps integer tensors integral).</summary>
    public static Tensor Minus(this Tensor a, long value)
    {
        using var scalar = value.ToScalar();
        return a.sub(scalar);
    }

    /// <summary>Clamps a in place to [min, max]; returns a.</summary>
    public static Tensor ClampInPlace(this Tensor a, double min, double max)
    {
        using var low = min.ToScalar();
        using var high = max.ToScalar();
        return a.clamp_(low, high);
    }

    /// <summary>a clamped to [min, max].</summary>
    public static Tensor Clamped(this Tensor a, double min, double max)
    {
        using var low = min.ToScalar();
        using var high = max.ToScalar();
        return a.clamp(low, high);
    }

    /// <summary>Clamps a to [min, ∞).</summary>
    public static Tensor ClampMin(this Tensor a, double min)
    {
        using var low = min.ToScalar();
        return a.clamp_min(low);
    }

    /// <summary>a == value, element-wise.</summary>
    public static Tensor EqualTo(this Tensor a, long value)
    {
        using var scalar = value.ToScalar();
        return a.eq(scalar);
    }

    /// <summary>a to the power exponent.</summary>
    public static Tensor Power(this Tensor a, double exponent)
    {
        using var scalar = exponent.ToScalar();
        return a.pow(scalar);
    }

    /// <summary>a &gt;= value, element-wise.</summary>
    public static Tensor AtLeast(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.ge(scalar);
    }

    /// <summary>a &gt; value, element-wise.</summary>
    public static Tensor Above(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.gt(scalar);
    }

    /// <summary>a &lt; value, element-wise.</summary>
    public static Tensor Below(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.lt(scalar);
    }

    /// <summary>a != value, element-wise.</summary>
    public static Tensor NotEqualTo(this Tensor a, long value)
    {
        using var scalar = value.ToScalar();
        return a.ne(scalar);
    }

    /// <summary>a with an integer value where mask is true (keeps integer tensors integral).</summary>
    public static Tensor MaskedFill(this Tensor a, Tensor mask, long value)
    {
        using var scalar = value.ToScalar();
        return a.masked_fill(mask, scalar);
    }
}
