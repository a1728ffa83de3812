using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

public sealed partial class Tensor
{
    private static Tensor Binary(OpInvoker op, Tensor left, Tensor right)
    {
        var a = new OpArgs();
        return op.Tensor(ref a.T(left).T(right));
    }

    private static Tensor BinaryScalar(OpInvoker op, Tensor left, double right)
    {
        var a = new OpArgs();
        return op.Tensor(ref a.T(left).D(right));
    }

    private static Tensor BinaryScalar(OpInvoker op, Tensor left, long right)
    {
        var a = new OpArgs();
        return op.Tensor(ref a.T(left).I(right));
    }

    // Integral multipliers go as int scalars: libtorch rejects a float alpha for integer tensors (as PyTorch does).
    private static ref OpArgs Alpha(ref OpArgs args, double alpha) =>
        ref alpha == Math.Floor(alpha) && Math.Abs(alpha) < 9e15 ? ref args.I((long)alpha) : ref args.D(alpha);

    private Tensor Unary(OpInvoker op)
    {
        var a = new OpArgs();
        return op.Tensor(ref a.T(this));
    }

    /// <summary>this + alpha * other (broadcasting).</summary>
    public Tensor Add(Tensor other, double alpha = 1)
    {
        var a = new OpArgs();
        return Ops.AddTensor.Tensor(ref Alpha(ref a.T(this).T(other), alpha));
    }

    /// <summary>this - alpha * other (broadcasting).</summary>
    public Tensor Sub(Tensor other, double alpha = 1)
    {
        var a = new OpArgs();
        return Ops.SubTensor.Tensor(ref Alpha(ref a.T(this).T(other), alpha));
    }

    /// <summary>Elementwise product (broadcasting).</summary>
    public Tensor Mul(Tensor other) => Binary(Ops.MulTensor, this, other);

    /// <summary>Elementwise true division (broadcasting).</summary>
    public Tensor Div(Tensor other) => Binary(Ops.DivTensor, this, other);

    /// <summary>Matrix product with broadcasting (torch.matmul).</summary>
    public Tensor MatMul(Tensor other) => Binary(Ops.Matmul, this, other);

    /// <summary>Elementwise sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Binary(Ops.AddTensor, a, b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => BinaryScalar(Ops.AddScalar, a, b);
    /// <summary>Adds an integer scalar (keeps integer dtypes).</summary>
    public static Tensor operator +(Tensor a, long b) => BinaryScalar(Ops.AddScalar, a, b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(double a, Tensor b) => BinaryScalar(Ops.AddScalar, b, a);
    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Binary(Ops.SubTensor, a, b);
    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => BinaryScalar(Ops.SubScalar, a, b);
    /// <summary>Subtracts an integer scalar (keeps integer dtypes).</summary>
    public static Tensor operator -(Tensor a, long b) => BinaryScalar(Ops.SubScalar, a, b);
    /// <summary>Scalar minus tensor.</summary>
    public static Tensor operator -(double a, Tensor b) => BinaryScalar(Ops.RsubScalar, b, a);
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Unary(Ops.Neg);
    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Binary(Ops.MulTensor, a, b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => BinaryScalar(Ops.MulScalar, a, b);
    /// <summary>Multiplies by an integer scalar (keeps integer dtypes).</summary>
    public static Tensor operator *(Tensor a, long b) => BinaryScalar(Ops.MulScalar, a, b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => BinaryScalar(Ops.MulScalar, b, a);
    /// <summary>Elementwise true division.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Binary(Ops.DivTensor, a, b);
    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => BinaryScalar(Ops.DivScalar, a, b);
    /// <summary>Scalar divided by tensor.</summary>
    public static Tensor operator /(double a, Tensor b)
    {
        using var reciprocal = b.Reciprocal();
        return reciprocal * a;
    }

    /// <summary>Elementwise a &lt; b.</summary>
    public static Tensor operator <(Tensor a, Tensor b) => Binary(Ops.LtTensor, a, b);
    /// <summary>Elementwise a &gt; b.</summary>
    public static Tensor operator >(Tensor a, Tensor b) => Binary(Ops.GtTensor, a, b);
    /// <summary>Elementwise a &lt;= b.</summary>
    public static Tensor operator <=(Tensor a, Tensor b) => Binary(Ops.LeTensor, a, b);
    /// <summary>Elementwise a &gt;= b.</summary>
    public static Tensor operator >=(Tensor a, Tensor b) => Binary(Ops.GeTensor, a, b);
    /// <summary>Elementwise a &lt; b.</summary>
    public static Tensor operator <(Tensor a, double b) => BinaryScalar(Ops.LtScalar, a, b);
    /// <summary>Elementwise a &gt; b.</summary>
    public static Tensor operator >(Tensor a, double b) => BinaryScalar(Ops.GtScalar, a, b);
    /// <summary>Elementwise a &lt;= b.</summary>
    public static Tensor operator <=(Tensor a, double b) => BinaryScalar(Ops.LeScalar, a, b);
    /// <summary>Elementwise a &gt;= b.</summary>
    public static Tensor operator >=(Tensor a, double b) => BinaryScalar(Ops.GeScalar, a, b);

    /// <summary>Elementwise equality (bool tensor).</summary>
    public Tensor Eq(Tensor other) => Binary(Ops.EqTensor, this, other);
    /// <summary>Elementwise equality with a scalar (bool tensor).</summary>
    public Tensor Eq(double value) => BinaryScalar(Ops.EqScalar, this, value);
    /// <summary>Elementwise inequality (bool tensor).</summary>
    public Tensor Ne(Tensor other) => Binary(Ops.NeTensor, this, other);
    /// <summary>Elementwise inequality with a scalar (bool tensor).</summary>
    public Tensor Ne(double value) => BinaryScalar(Ops.NeScalar, this, value);
    /// <summary>Elementwise less-than.</summary>
    public Tensor Lt(Tensor other) => this < other;
    /// <summary>Elementwise less-or-equal.</summary>
    public Tensor Le(Tensor other) => this <= other;
    /// <summary>Elementwise greater-than.</summary>
    public Tensor Gt(Tensor other) => this > other;
    /// <summary>Elementwise greater-or-equal.</summary>
    public Tensor Ge(Tensor other) => this >= other;

    /// <summary>Elements of <paramref name="whenTrue"/> where <paramref name="condition"/> holds, else of <paramref name="whenFalse"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor whenTrue, Tensor whenFalse)
    {
        var a = new OpArgs();
        return Ops.WhereSelf.Tensor(ref a.T(condition).T(whenTrue).T(whenFalse));
    }

    /// <summary>Elementwise logical and.</summary>
    public Tensor LogicalAnd(Tensor other) => Binary(Ops.LogicalAnd, this, other);
    /// <summary>Elementwise logical or.</summary>
    public Tensor LogicalOr(Tensor other) => Binary(Ops.LogicalOr, this, other);
    /// <summary>Elementwise logical not.</summary>
    public Tensor LogicalNot() => Unary(Ops.LogicalNot);
    /// <summary>True where the element is NaN.</summary>
    public Tensor IsNaN() => Unary(Ops.IsNan);

    /// <summary>Copy with <paramref name="value"/> wherever <paramref name="mask"/> is true.</summary>
    public Tensor MaskedFill(Tensor mask, double value)
    {
        var a = new OpArgs();
        return Ops.MaskedFillScalar.Tensor(ref a.T(this).T(mask).D(value));
    }

    /// <summary>e^x.</summary>
    public Tensor Exp() => Unary(Ops.Exp);
    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Unary(Ops.Log);
    /// <summary>log(1 + x).</summary>
    public Tensor Log1p() => Unary(Ops.Log1p);
    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Unary(Ops.Sqrt);
    /// <summary>1 / sqrt(x).</summary>
    public Tensor Rsqrt() => Unary(Ops.Rsqrt);
    /// <summary>Absolute value.</summary>
    public Tensor Abs() => Unary(Ops.Abs);
    /// <summary>Sign (-1, 0, 1).</summary>
    public Tensor Sign() => Unary(Ops.Sign);
    /// <summary>Round down.</summary>
    public Tensor Floor() => Unary(Ops.Floor);
    /// <summary>Round up.</summary>
    public Tensor Ceil() => Unary(Ops.Ceil);
    /// <summary>Round half to even.</summary>
    public Tensor Round() => Unary(Ops.Round);
    /// <summary>1 / x.</summary>
    public Tensor Reciprocal() => Unary(Ops.Reciprocal);
    /// <summary>x ^ exponent.</summary>
    public Tensor Pow(double exponent) => BinaryScalar(Ops.PowScalar, this, exponent);
    /// <summary>x ^ exponent elementwise.</summary>
    public Tensor Pow(Tensor exponent) => Binary(Ops.PowTensor, this, exponent);
    /// <summary>Elementwise maximum of two tensors.</summary>
    public Tensor Maximum(Tensor other) => Binary(Ops.Maximum, this, other);
    /// <summary>Elementwise minimum of two tensors.</summary>
    public Tensor Minimum(Tensor other) => Binary(Ops.Minimum, this, other);

    /// <summary>Clamps into [min, max]; a null bound is open.</summary>
    public Tensor Clamp(double? min = null, double? max = null)
    {
        if (min is null && max is null) throw new ArgumentException("Clamp needs a min or a max");
        var a = new OpArgs();
        return Ops.Clamp.Tensor(ref a.T(this).OptD(min).OptD(max));
    }

    // ---------------------------------------------------------------- in place (optimizers, initializers)

    /// <summary>this += alpha * other, in place.</summary>
    public Tensor AddInPlace(Tensor other, double alpha = 1)
    {
        var a = new OpArgs();
        Ops.AddInPlace.InPlace(ref Alpha(ref a.T(this).T(other), alpha));
        return this;
    }

    /// <summary>this += value, in place.</summary>
    public Tensor AddInPlace(double value)
    {
        var a = new OpArgs();
        Ops.AddScalarInPlace.InPlace(ref a.T(this).D(value));
        return this;
    }

    /// <summary>this *= other, in place.</summary>
    public Tensor MulInPlace(Tensor other)
    {
        var a = new OpArgs();
        Ops.MulInPlace.InPlace(ref a.T(this).T(other));
        return this;
    }

    /// <summary>this *= value, in place.</summary>
    public Tensor MulInPlace(double value)
    {
        var a = new OpArgs();
        Ops.MulScalarInPlace.InPlace(ref a.T(this).D(value));
        return this;
    }

    /// <summary>this += value * t1 * t2, in place.</summary>
    public Tensor AddcmulInPlace(Tensor t1, Tensor t2, double value = 1)
    {
        var a = new OpArgs();
        Ops.AddcmulInPlace.InPlace(ref a.T(this).T(t1).T(t2).D(value));
        return this;
    }

    /// <summary>this += value * t1 / t2, in place.</summary>
    public Tensor AddcdivInPlace(Tensor t1, Tensor t2, double value = 1)
    {
        var a = new OpArgs();
        Ops.AddcdivInPlace.InPlace(ref a.T(this).T(t1).T(t2).D(value));
        return this;
    }

    /// <summary>Copies <paramref name="source"/> (broadcast) into this tensor, in place.</summary>
    public Tensor CopyFrom(Tensor source)
    {
        var a = new OpArgs();
        Ops.CopyInPlace.InPlace(ref a.T(this).T(source));
        return this;
    }

    /// <summary>Fills with <paramref name="value"/>, in place.</summary>
    public Tensor Fill(double value)
    {
        var a = new OpArgs();
        Ops.FillScalarInPlace.InPlace(ref a.T(this).D(value));
        return this;
    }

    /// <summary>Fills with zeros, in place.</summary>
    public Tensor Zero()
    {
        var a = new OpArgs();
        Ops.ZeroInPlace.InPlace(ref a.T(this));
        return this;
    }

    /// <summary>Fills with uniform samples in [from, to), in place.</summary>
    public Tensor UniformInPlace(double from = 0, double to = 1, Generator? generator = null)
    {
        var a = new OpArgs();
        Ops.UniformInPlace.InPlace(ref a.T(this).D(from).D(to).Gen(generator));
        return this;
    }

    /// <summary>Fills with normal samples, in place.</summary>
    public Tensor NormalInPlace(double mean = 0, double std = 1, Generator? generator = null)
    {
        var a = new OpArgs();
        Ops.NormalInPlace.InPlace(ref a.T(this).D(mean).D(std).Gen(generator));
        return this;
    }

    /// <summary>Clamps in place.</summary>
    public Tensor ClampInPlace(double? min = null, double? max = null)
    {
        var a = new OpArgs();
        Ops.ClampInPlace.InPlace(ref a.T(this).OptD(min).OptD(max));
        return this;
    }
}
