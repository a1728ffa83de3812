using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>Border modes of <see cref="Tensor.Pad"/>.</summary>
public enum PadMode
{
    /// <summary>A constant value.</summary>
    Constant,
    /// <summary>Mirror without repeating the edge (the U-Net paper's mirror padding).</summary>
    Reflect,
    /// <summary>Repeat the edge.</summary>
    Replicate,
}

public sealed partial class Tensor
{
    /// <summary>Same data with a new shape (copies when needed); one size may be -1.</summary>
    public Tensor Reshape(params long[] shape)
    {
        var a = new OpArgs();
        return Ops.Reshape.Tensor(ref a.T(this).Ints(shape));
    }

    /// <summary>A view with a new shape (never copies; fails on incompatible strides).</summary>
    public Tensor View(params long[] shape)
    {
        var a = new OpArgs();
        return Ops.View.Tensor(ref a.T(this).Ints(shape));
    }

    /// <summary>Reorders dimensions.</summary>
    public Tensor Permute(params long[] dims)
    {
        var a = new OpArgs();
        return Ops.Permute.Tensor(ref a.T(this).Ints(dims));
    }

    /// <summary>Swaps two dimensions.</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        var a = new OpArgs();
        return Ops.Transpose.Tensor(ref a.T(this).I(dim0).I(dim1));
    }

    /// <summary>A row-major contiguous copy (or a new handle when already contiguous).</summary>
    public Tensor Contiguous()
    {
        var a = new OpArgs();
        return Ops.Contiguous.Tensor(ref a.T(this));
    }

    /// <summary>A tensor with the same values laid out in <paramref name="format"/> (channels-last needs 4 dimensions); this data when it already is.</summary>
    public Tensor Contiguous(MemoryFormat format)
    {
        if (format == MemoryFormat.ChannelsLast && Dim != 4)
            throw new ArgumentException($"channels-last layout needs an N x C x H x W tensor, got {ShapeString}");
        var a = new OpArgs();
        return Ops.Contiguous.Tensor(ref a.T(this).I((long)format));
    }

    /// <summary>Whether the data is laid out densely in <paramref name="format"/>.</summary>
    public bool IsContiguous(MemoryFormat format)
    {
        if (format == MemoryFormat.Preserve) throw new ArgumentException("Preserve is not a layout", nameof(format));
        Interop.NativeStatus.Check(Interop.NativeMethods.mlseg_tensor_is_contiguous(LiveHandle, (int)format, out int contiguous), "is_contiguous");
        return contiguous != 0;
    }

    /// <summary>Concatenates along an existing dimension.</summary>
    public static Tensor Cat(ReadOnlySpan<Tensor> tensors, int dim = 0)
    {
        if (tensors.Length == 0) throw new ArgumentException("Cat needs at least one tensor", nameof(tensors));
        var a = new OpArgs();
        return Ops.Cat.Tensor(ref a.Tensors(tensors!).I(dim));
    }

    /// <summary>Stacks along a new dimension.</summary>
    public static Tensor Stack(ReadOnlySpan<Tensor> tensors, int dim = 0)
    {
        if (tensors.Length == 0) throw new ArgumentException("Stack needs at least one tensor", nameof(tensors));
        var a = new OpArgs();
        return Ops.Stack.Tensor(ref a.Tensors(tensors!).I(dim));
    }

    /// <summary>The slice [start, start+length) of dimension <paramref name="dim"/> (a view).</summary>
    public Tensor Narrow(int dim, long start, long length)
    {
        var a = new OpArgs();
        return Ops.Narrow.Tensor(ref a.T(this).I(dim).I(start).I(length));
    }

    /// <summary>Index <paramref name="index"/> of dimension <paramref name="dim"/>, removing that dimension (a view).</summary>
    public Tensor Select(int dim, long index)
    {
        var a = new OpArgs();
        return Ops.Select.Tensor(ref a.T(this).I(dim).I(index));
    }

    /// <summary>Reverses the order along <paramref name="dims"/>.</summary>
    public Tensor Flip(params long[] dims)
    {
        var a = new OpArgs();
        return Ops.Flip.Tensor(ref a.T(this).Ints(dims));
    }

    /// <summary>
    /// Pads the last dimensions; <paramref name="padding"/> lists (before, after) pairs starting from the last
    /// dimension, as torch.nn.functional.pad. Reflect and replicate pad the last two dimensions of 3-D or 4-D input.
    /// </summary>
    public Tensor Pad(long[] padding, PadMode mode = PadMode.Constant, double value = 0)
    {
        var a = new OpArgs();
        switch (mode)
        {
            case PadMode.Constant:
                return Ops.ConstantPad.Tensor(ref a.T(this).Ints(padding).D(value));
            case PadMode.Reflect:
            case PadMode.Replicate:
                if (padding.Length != 4)
                    throw new ArgumentException($"{mode} padding takes 4 values (left, right, top, bottom), got {padding.Length}", nameof(padding));
                var op = mode == PadMode.Reflect ? Ops.ReflectionPad2d : Ops.ReplicationPad2d;
                return op.Tensor(ref a.T(this).Ints(padding));
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown pad mode");
        }
    }

    /// <summary>Removes every dimension of size 1.</summary>
    public Tensor Squeeze()
    {
        var a = new OpArgs();
        return Ops.SqueezeAll.Tensor(ref a.T(this));
    }

    /// <summary>Removes dimension <paramref name="dim"/> when its size is 1.</summary>
    public Tensor Squeeze(int dim)
    {
        var a = new OpArgs();
        return Ops.SqueezeDim.Tensor(ref a.T(this).I(dim));
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(int dim)
    {
        var a = new OpArgs();
        return Ops.Unsqueeze.Tensor(ref a.T(this).I(dim));
    }

    /// <summary>Broadcasts to <paramref name="shape"/> without copying (-1 keeps a size).</summary>
    public Tensor Expand(params long[] shape)
    {
        var a = new OpArgs();
        return Ops.Expand.Tensor(ref a.T(this).Ints(shape));
    }

    /// <summary>Tiles the tensor <paramref name="repeats"/> times along each dimension.</summary>
    public Tensor Repeat(params long[] repeats)
    {
        var a = new OpArgs();
        return Ops.Repeat.Tensor(ref a.T(this).Ints(repeats));
    }

    /// <summary>Flattens dimensions start..end into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        var a = new OpArgs();
        return Ops.Flatten.Tensor(ref a.T(this).I(startDim).I(endDim));
    }

    /// <summary>Entries of <paramref name="index"/> (int64) along <paramref name="dim"/>.</summary>
    public Tensor IndexSelect(int dim, Tensor index)
    {
        var a = new OpArgs();
        return Ops.IndexSelect.Tensor(ref a.T(this).I(dim).T(index));
    }

    /// <summary>Advanced indexing (x[i0, i1, ...]); null entries take the whole dimension.</summary>
    public Tensor Index(params Tensor?[] indices)
    {
        var a = new OpArgs();
        return Ops.Index.Tensor(ref a.T(this).Tensors(indices));
    }

    /// <summary>out[i][j] = this[i][index[i][j]] along <paramref name="dim"/> (like torch.gather).</summary>
    public Tensor Gather(int dim, Tensor index)
    {
        var a = new OpArgs();
        return Ops.Gather.Tensor(ref a.T(this).I(dim).T(index));
    }

    /// <summary>A copy with source values written at <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public Tensor Scatter(int dim, Tensor index, Tensor source)
    {
        var a = new OpArgs();
        return Ops.ScatterSrc.Tensor(ref a.T(this).I(dim).T(index).T(source));
    }

    /// <summary>A copy with <paramref name="value"/> written at <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public Tensor Scatter(int dim, Tensor index, double value)
    {
        var a = new OpArgs();
        return Ops.ScatterValue.Tensor(ref a.T(this).I(dim).T(index).D(value));
    }

    /// <summary>A copy with source values added at <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public Tensor ScatterAdd(int dim, Tensor index, Tensor source)
    {
        var a = new OpArgs();
        return Ops.ScatterAdd.Tensor(ref a.T(this).I(dim).T(index).T(source));
    }

    /// <summary>One-hot encoding of int64 class ids: a new last dimension of size <paramref name="numClasses"/>.</summary>
    public Tensor OneHot(long numClasses = -1)
    {
        var a = new OpArgs();
        return Ops.OneHot.Tensor(ref a.T(this).I(numClasses));
    }

    /// <summary>Indices of non-zero elements, one row per element.</summary>
    public Tensor Nonzero()
    {
        var a = new OpArgs();
        return Ops.Nonzero.Tensor(ref a.T(this));
    }

    /// <summary>A copy that records gradients back to this tensor.</summary>
    public Tensor Clone()
    {
        var a = new OpArgs();
        return Ops.Clone.Tensor(ref a.T(this));
    }

    /// <summary>The same data cut off from the autograd graph.</summary>
    public Tensor Detach()
    {
        var a = new OpArgs();
        return Ops.Detach.Tensor(ref a.T(this));
    }

    /// <summary>Converted to <paramref name="dtype"/> (a new handle when already of that type, unless <paramref name="copy"/>).</summary>
    public Tensor To(DType dtype, bool copy = false)
    {
        var a = new OpArgs();
        return Ops.ToDtype.Tensor(ref a.T(this).I((long)dtype).B(false).B(copy));
    }

    /// <summary>Moved to <paramref name="device"/>, optionally converting the dtype.</summary>
    public Tensor To(Device device, DType? dtype = null, bool nonBlocking = false, bool copy = false)
    {
        var a = new OpArgs();
        return Ops.ToDevice.Tensor(ref a.T(this).Dev(device).I((long)(dtype ?? DType)).B(nonBlocking).B(copy));
    }
}
