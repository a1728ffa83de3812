namespace MLNet.Segmentation.Engine;

/// <summary>A (height, width) pair for kernel sizes, strides, paddings and output sizes; an int converts to (n, n).</summary>
public readonly record struct Size2(long Height, long Width)
{
    /// <summary>(n, n).</summary>
    public static implicit operator Size2(long n) => new(n, n);

    /// <summary>(height, width).</summary>
    public static implicit operator Size2((long Height, long Width) pair) => new(pair.Height, pair.Width);

    /// <inheritdoc />
    public override string ToString() => $"{Height}x{Width}";
}
