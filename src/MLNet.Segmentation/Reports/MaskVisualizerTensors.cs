using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Reports;

/// <summary>The tensor side of <see cref="MaskVisualizer"/>: <c>MaskVisualizer.Overlay(imageTensor, maskTensor, colours)</c>.</summary>
public static class MaskVisualizerTensors
{
    extension(MaskVisualizer)
    {
        /// <summary>
        /// The C x H x W image (values in [0, 1], 1 or 3 channels) with the H x W mask's class colours blended in at
        /// <paramref name="opacity"/>; class <paramref name="transparentClass"/> (e.g. background) is left unblended.
        /// </summary>
        public static Image Overlay(Tensor image, Tensor mask, IReadOnlyList<Rgb> colours, double opacity = 0.5, long? transparentClass = 0)
        {
            ArgumentNullException.ThrowIfNull(image);
            ArgumentNullException.ThrowIfNull(mask);
            if (image.dim() != 3 || image.size(0) is not (1 or 3))
                throw new ArgumentException($"expected a 1 x H x W or 3 x H x W image, got {TensorData.ShapeOf(image)}", nameof(image));
            if (mask.dim() != 2 || image.size(1) != mask.size(0) || image.size(2) != mask.size(1))
                throw new ArgumentException($"image {TensorData.ShapeOf(image)} and mask {TensorData.ShapeOf(mask)} differ in size");
            float[] values;
            long[] ids;
            using (NewDisposeScope())
            {
                values = TensorData.ToArray<float>(image.to_type(ScalarType.Float32));
                ids = TensorData.ToArray<long>(mask.to_type(ScalarType.Int64));
            }
            return MaskVisualizer.Overlay(values, (int)image.size(0), ids, (int)mask.size(1), (int)mask.size(0), colours, opacity, transparentClass);
        }
    }
}
