namespace MLNet.Segmentation.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes a network as an ONNX graph.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The lowest ONNX opset the exporter writes.</summary>
    public const int MinOpset = 13;

    /// <summary>The highest ONNX opset the exporter writes.</summary>
    public const int MaxOpset = 21;

    /// <summary>The ONNX opset of the default domain (13..21).</summary>
    public int Opset { get; init; } = 17;

    /// <summary>
    /// Height and width as graph dimensions "H" and "W", every pad and crop computed in the graph; false fixes them to
    /// <see cref="Height"/> x <see cref="Width"/> (the batch is dynamic either way).
    /// </summary>
    public bool DynamicSize { get; init; }

    /// <summary>Folds every BatchNorm into the convolution before it (fewer nodes; float32 rounding differs slightly).</summary>
    public bool FoldBatchNorm { get; init; }

    /// <summary>The fixed input height; null takes the manifest's tile_size.</summary>
    public int? Height { get; init; }

    /// <summary>The fixed input width; null takes the manifest's tile_size.</summary>
    public int? Width { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        if (Opset is < MinOpset or > MaxOpset)
            throw new ArgumentException($"OnnxExportOptions.Opset {Opset} is not supported; use {MinOpset}..{MaxOpset}", nameof(Opset));
        if (DynamicSize && (Height is not null || Width is not null))
            throw new ArgumentException("OnnxExportOptions.Height/Width fix the size and cannot be combined with DynamicSize", nameof(DynamicSize));
        if (Height is <= 0) throw new ArgumentException($"OnnxExportOptions.Height {Height} must be positive", nameof(Height));
        if (Width is <= 0) throw new ArgumentException($"OnnxExportOptions.Width {Width} must be positive", nameof(Width));
    }

    /// <summary>The ONNX IR version that goes with <see cref="Opset"/>.</summary>
    internal long IrVersion => Opset switch { <= 14 => 7, <= 18 => 8, <= 20 => 9, _ => 10 };
}
