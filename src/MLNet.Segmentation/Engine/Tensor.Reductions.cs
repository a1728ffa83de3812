using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

public sealed partial class Tensor
{
    /// <summary>Sum of all elements (optionally accumulated in <paramref name="dtype"/>).</summary>
    public Tensor Sum(DType? dtype = null)
    {
        var a = new OpArgs();
        return Ops.Sum.Tensor(ref a.T(this).OptI((long?)dtype));
    }

    /// <summary>Sum over <paramref name="dims"/>.</summary>
    public Tensor Sum(long[] dims, bool keepDim = false, DType? dtype = null)
    {
        var a = new OpArgs();
        return Ops.SumDim.Tensor(ref a.T(this).Ints(dims).B(keepDim).OptI((long?)dtype));
    }

    /// <summary>Sum over one dimension.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Sum([dim], keepDim);

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean()
    {
        var a = new OpArgs();
        return Ops.Mean.Tensor(ref a.T(this));
    }

    /// <summary>Mean over <paramref name="dims"/>.</summary>
    public Tensor Mean(long[] dims, bool keepDim = false)
    {
        var a = new OpArgs();
        return Ops.MeanDim.Tensor(ref a.T(this).Ints(dims).B(keepDim));
    }

    /// <summary>Mean over one dimension.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    /// <summary>Largest element.</summary>
    public Tensor Max()
    {
        var a = new OpArgs();
        return Ops.Max.Tensor(ref a.T(this));
    }

    /// <summary>Largest values along <paramref name="dim"/> and their indices.</summary>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false)
    {
        var a = new OpArgs();
        return Ops.MaxDim.Tensors2(ref a.T(this).I(dim).B(keepDim));
    }

    /// <summary>Smallest element.</summary>
    public Tensor Min()
    {
        var a = new OpArgs();
        return Ops.Min.Tensor(ref a.T(this));
    }

    /// <summary>Smallest values along <paramref name="dim"/> and their indices.</summary>
    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false)
    {
        var a = new OpArgs();
        return Ops.MinDim.Tensors2(ref a.T(this).I(dim).B(keepDim));
    }

    /// <summary>Largest values over <paramref name="dims"/>.</summary>
    public Tensor Amax(long[] dims, bool keepDim = false)
    {
        var a = new OpArgs();
        return Ops.Amax.Tensor(ref a.T(this).Ints(dims).B(keepDim));
    }

    /// <summary>Smallest values over <paramref name="dims"/>.</summary>
    public Tensor Amin(long[] dims, bool keepDim = false)
    {
        var a = new OpArgs();
        return Ops.Amin.Tensor(ref a.T(this).Ints(dims).B(keepDim));
    }

    /// <summary>Index of the largest value along <paramref name="dim"/> (or of the flattened tensor when null).</summary>
    public Tensor ArgMax(int? dim = null, bool keepDim = false)
    {
        var a = new OpArgs();
        return Ops.Argmax.Tensor(ref a.T(this).OptI(dim).B(keepDim));
    }

    /// <summary>Index of the smallest value along <paramref name="dim"/> (or of the flattened tensor when null).</summary>
    public Tensor ArgMin(int? dim = null, bool keepDim = false)
    {
        var a = new OpArgs();
        return Ops.Argmin.Tensor(ref a.T(this).OptI(dim).B(keepDim));
    }

    /// <summary>True (bool scalar tensor) when every element is non-zero.</summary>
    public Tensor All()
    {
        var a = new OpArgs();
        return Ops.All.Tensor(ref a.T(this));
    }

    /// <summary>True (bool scalar tensor) when any element is non-zero.</summary>
    public Tensor Any()
    {
        var a = new OpArgs();
        return Ops.Any.Tensor(ref a.T(this));
    }

    /// <summary>Cumulative sum along <paramref name="dim"/>.</summary>
    public Tensor CumSum(int dim)
    {
        var a = new OpArgs();
        return Ops.Cumsum.Tensor(ref a.T(this).I(dim));
    }

    /// <summary>Sorted values along <paramref name="dim"/> and the permutation that sorts them.</summary>
    public (Tensor Values, Tensor Indices) Sort(int dim = -1, bool descending = false)
    {
        var a = new OpArgs();
        return Ops.Sort.Tensors2(ref a.T(this).I(dim).B(descending));
    }

    /// <summary>The p-norm of all elements.</summary>
    public Tensor Norm(double p = 2)
    {
        var a = new OpArgs();
        return Ops.VectorNorm.Tensor(ref a.T(this).D(p));
    }

    /// <summary>True when both tensors have the same shape and elements.</summary>
    public bool Equal(Tensor other)
    {
        var a = new OpArgs();
        return Ops.Equal.Bool(ref a.T(this).T(other));
    }

    /// <summary>True when |this - other| &lt;= atol + rtol * |other| everywhere.</summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8, bool equalNaN = false)
    {
        var a = new OpArgs();
        return Ops.AllClose.Bool(ref a.T(this).T(other).D(rtol).D(atol).B(equalNaN));
    }
}
