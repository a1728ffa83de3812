using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// Multi-tensor ("foreach") elementwise ops over lists of tensors, as torch._foreach_*: one operator call for a whole
/// list. On CUDA, libtorch runs a list in a few fused kernel launches instead of one launch per tensor; on the CPU it
/// applies the single-tensor op to each element, with the same results. All tensors of a call share a device and dtype.
/// </summary>
internal static class Foreach
{
    private static readonly OpInvoker MulScalarInPlaceOp = new("aten::_foreach_mul_", "Scalar");
    private static readonly OpInvoker AddScalarInPlaceOp = new("aten::_foreach_add_", "Scalar");
    private static readonly OpInvoker AddListInPlaceOp = new("aten::_foreach_add_", "List");
    private static readonly OpInvoker AddListOp = new("aten::_foreach_add", "List");
    private static readonly OpInvoker AddcmulInPlaceOp = new("aten::_foreach_addcmul_", "Scalar");
    private static readonly OpInvoker AddcdivInPlaceOp = new("aten::_foreach_addcdiv_", "Scalar");
    private static readonly OpInvoker SqrtOp = new("aten::_foreach_sqrt");
    private static readonly OpInvoker NormOp = new("aten::_foreach_norm", "Scalar");

    /// <summary>self[k] *= scalar.</summary>
    public static void MulInPlace(PinnedTensorList self, double scalar)
    {
        var a = new OpArgs();
        MulScalarInPlaceOp.InPlace(ref a.Tensors(self).D(scalar));
    }

    /// <summary>self[k] += scalar.</summary>
    public static void AddInPlace(PinnedTensorList self, double scalar)
    {
        var a = new OpArgs();
        AddScalarInPlaceOp.InPlace(ref a.Tensors(self).D(scalar));
    }

    /// <summary>self[k] += alpha * other[k].</summary>
    public static void AddInPlace(PinnedTensorList self, PinnedTensorList other, double alpha)
    {
        RequireSameCount(self, other);
        var a = new OpArgs();
        AddListInPlaceOp.InPlace(ref a.Tensors(self).Tensors(other).D(alpha));
    }

    /// <summary>New tensors self[k] + alpha * other[k].</summary>
    public static Tensor[] Add(PinnedTensorList self, PinnedTensorList other, double alpha)
    {
        RequireSameCount(self, other);
        var a = new OpArgs();
        return AddListOp.TensorList(ref a.Tensors(self).Tensors(other).D(alpha), self.Count);
    }

    /// <summary>self[k] += value * first[k] * second[k].</summary>
    public static void AddcmulInPlace(PinnedTensorList self, PinnedTensorList first, PinnedTensorList second, double value)
    {
        RequireSameCount(self, first);
        RequireSameCount(self, second);
        var a = new OpArgs();
        AddcmulInPlaceOp.InPlace(ref a.Tensors(self).Tensors(first).Tensors(second).D(value));
    }

    /// <summary>self[k] += value * first[k] / second[k].</summary>
    public static void AddcdivInPlace(PinnedTensorList self, PinnedTensorList first, PinnedTensorList second, double value)
    {
        RequireSameCount(self, first);
        RequireSameCount(self, second);
        var a = new OpArgs();
        AddcdivInPlaceOp.InPlace(ref a.Tensors(self).Tensors(first).Tensors(second).D(value));
    }

    /// <summary>New tensors sqrt(self[k]).</summary>
    public static Tensor[] Sqrt(PinnedTensorList self)
    {
        var a = new OpArgs();
        return SqrtOp.TensorList(ref a.Tensors(self), self.Count);
    }

    /// <summary>New 0-d tensors: the <paramref name="order"/>-norm of each self[k] (infinity: the largest magnitude).</summary>
    public static Tensor[] Norm(PinnedTensorList self, double order = 2)
    {
        var a = new OpArgs();
        return NormOp.TensorList(ref a.Tensors(self).D(order), self.Count);
    }

    /// <summary>The tensors of the list stacked along a new first dimension (torch.stack of a list of any length).</summary>
    public static Tensor Stack(PinnedTensorList self)
    {
        var a = new OpArgs();
        return Ops.Stack.Tensor(ref a.Tensors(self).I(0));
    }

    private static void RequireSameCount(PinnedTensorList self, PinnedTensorList other)
    {
        if (self.Count != other.Count)
            throw new ArgumentException($"foreach lists differ in length: {self.Count} and {other.Count} tensors");
    }
}
