using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

public sealed partial class Tensor
{
    // Appends the trailing (dtype, layout, device, pin_memory) options of factory schemas.
    private static ref OpArgs FactoryOptions(ref OpArgs args, DType dtype, Device? device) =>
        ref args.I((long)dtype).None().Dev(device ?? Device.Cpu).None();

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(long[] shape, DType dtype = DType.Float32, Device? device = null)
    {
        var a = new OpArgs();
        return Ops.Zeros.Tensor(ref FactoryOptions(ref a.Ints(shape), dtype, device));
    }

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(long[] shape, DType dtype = DType.Float32, Device? device = null)
    {
        var a = new OpArgs();
        return Ops.Ones.Tensor(ref FactoryOptions(ref a.Ints(shape), dtype, device));
    }

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(long[] shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        var a = new OpArgs();
        return Ops.Full.Tensor(ref FactoryOptions(ref a.Ints(shape).D(value), dtype, device));
    }

    /// <summary>An uninitialized tensor.</summary>
    public static Tensor Empty(long[] shape, DType dtype = DType.Float32, Device? device = null)
    {
        var a = new OpArgs();
        return Ops.Empty.Tensor(ref FactoryOptions(ref a.Ints(shape), dtype, device));
    }

    /// <summary>Values start, start+step, ... below end (like torch.arange).</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Int64, Device? device = null)
    {
        var a = new OpArgs();
        return Ops.ArangeStartStep.Tensor(ref FactoryOptions(ref a.D(start).D(end).D(step), dtype, device));
    }

    /// <summary>0, 1, ..., end-1 as int64.</summary>
    public static Tensor Arange(long end, Device? device = null) => Arange(0, end, 1, DType.Int64, device);

    /// <summary><paramref name="steps"/> evenly spaced values from start to end inclusive.</summary>
    public static Tensor Linspace(double start, double end, long steps, DType dtype = DType.Float32, Device? device = null)
    {
        var a = new OpArgs();
        return Ops.Linspace.Tensor(ref FactoryOptions(ref a.D(start).D(end).I(steps), dtype, device));
    }

    /// <summary>The n x n identity matrix.</summary>
    public static Tensor Eye(long n, DType dtype = DType.Float32, Device? device = null)
    {
        var a = new OpArgs();
        return Ops.Eye.Tensor(ref FactoryOptions(ref a.I(n), dtype, device));
    }

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor Rand(long[] shape, Generator? generator = null, DType dtype = DType.Float32, Device? device = null)
    {
        var a = new OpArgs();
        return Ops.RandGenerator.Tensor(ref FactoryOptions(ref a.Ints(shape).Gen(generator), dtype, device));
    }

    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(long[] shape, Generator? generator = null, DType dtype = DType.Float32, Device? device = null)
    {
        var a = new OpArgs();
        return Ops.RandnGenerator.Tensor(ref FactoryOptions(ref a.Ints(shape).Gen(generator), dtype, device));
    }

    /// <summary>Uniform integers in [low, high).</summary>
    public static Tensor RandInt(long low, long high, long[] shape, Generator? generator = null, DType dtype = DType.Int64, Device? device = null)
    {
        var a = new OpArgs();
        return Ops.RandintLowGenerator.Tensor(ref FactoryOptions(ref a.I(low).I(high).Ints(shape).Gen(generator), dtype, device));
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public static Tensor RandPerm(long n, Generator? generator = null, Device? device = null)
    {
        var a = new OpArgs();
        return Ops.RandpermGenerator.Tensor(ref FactoryOptions(ref a.I(n).Gen(generator), DType.Int64, device));
    }

    /// <summary>Zeros with this tensor's shape, dtype and device.</summary>
    public Tensor ZerosLike()
    {
        var a = new OpArgs();
        return Ops.ZerosLike.Tensor(ref a.T(this));
    }

    /// <summary>Ones with this tensor's shape, dtype and device.</summary>
    public Tensor OnesLike()
    {
        var a = new OpArgs();
        return Ops.OnesLike.Tensor(ref a.T(this));
    }

    /// <summary>A constant with this tensor's shape, dtype and device.</summary>
    public Tensor FullLike(double value)
    {
        var a = new OpArgs();
        return Ops.FullLike.Tensor(ref a.T(this).D(value));
    }
}
