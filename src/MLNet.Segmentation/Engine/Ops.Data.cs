using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>ATen operators used by the data pipeline (augmentation).</summary>
internal static partial class Ops
{
    internal static readonly OpInvoker UpsampleBicubic2d = new("aten::upsample_bicubic2d");
}
