using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Losses;

namespace MLNet.Segmentation.Experiments;

/// <summary>The loss and training augmentation of a trial's parameters, as `mlseg train` builds them from its options.</summary>
public static class TrialComponents
{
    /// <summary>
    /// The id the loss ignores: the dataset's, else 255 when the trial crops (crops of images smaller than the crop are
    /// padded with it), else none.
    /// </summary>
    public static long? LossIgnoreIndex(TrialParameters parameters, DatasetDescription description)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(description);
        return description.IgnoreIndex ?? (parameters.CropSize > 0 ? 255 : null);
    }

    /// <summary>The loss; <paramref name="classWeights"/> are used when the trial asks for them (Lovász takes none).</summary>
    public static ISegmentationLoss Loss(TrialParameters parameters, long? ignoreIndex, IReadOnlyList<double>? classWeights)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.ClassWeights && classWeights is null) throw new ArgumentException("the trial weights classes but no class weights were given");
        double[]? weights = parameters.ClassWeights ? classWeights!.ToArray() : null;
        CrossEntropyLoss CrossEntropy() => new(new CrossEntropyLossOptions { IgnoreIndex = ignoreIndex, ClassWeights = weights });
        return parameters.Loss switch
        {
            LossChoice.CrossEntropy => CrossEntropy(),
            LossChoice.CrossEntropyDice => new WeightedSumLoss((1.0, CrossEntropy()),
                (1.0, new DiceLoss(new OverlapLossOptions { IgnoreIndex = ignoreIndex, ClassWeights = weights }))),
            LossChoice.Focal => new FocalLoss(new FocalLossOptions { IgnoreIndex = ignoreIndex, ClassWeights = weights }),
            LossChoice.Lovasz => new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { IgnoreIndex = ignoreIndex }),
            _ => throw new ArgumentOutOfRangeException(nameof(parameters), parameters.Loss, "unknown loss"),
        };
    }

    /// <summary>Disposes a loss made by <see cref="Loss"/> (and the terms of a sum).</summary>
    public static void Dispose(ISegmentationLoss loss)
    {
        if (loss is WeightedSumLoss sum)
            foreach (var (_, term) in sum.Terms) (term as IDisposable)?.Dispose();
        (loss as IDisposable)?.Dispose();
    }

    /// <summary>
    /// The training augmentation (with the random crop when the trial crops), without normalization; null when there
    /// is nothing to do.
    /// </summary>
    public static IJointTransform? Augmentation(TrialParameters parameters, DatasetDescription description)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(description);
        int crop = parameters.CropSize;
        long fill = LossIgnoreIndex(parameters, description) ?? 255;
        bool gray = description.ImageChannels == 1;
        var steps = new List<IJointTransform>();
        switch (parameters.Augmentation)
        {
            case AugmentationLevel.Full when gray:
                if (crop > 0) return new Compose(new ElasticDeformation(sigma: 10, gridSize: 3), new RandomRotation(15), new RandomHorizontalFlip(),
                    new RandomVerticalFlip(), new RandomCrop(crop, crop, fill), new GaussianNoise(0.02));
                steps.AddRange([new ElasticDeformation(sigma: 10, gridSize: 3), new RandomRotation(15), new RandomHorizontalFlip(), new RandomVerticalFlip()]);
                break;
            case AugmentationLevel.Full:
                // Rescaled images differ in size: only a crop brings a batch back to one size, so without one a small
                // rotation (which keeps the size) stands in for the rescaling.
                if (crop > 0) steps.AddRange([new RandomScale(0.75, 1.25), new RandomCrop(crop, crop, fill)]);
                else steps.Add(new RandomRotation(10));
                steps.Add(new RandomHorizontalFlip());
                steps.Add(new ColorJitter(0.2, 0.2, 0.2));
                return new Compose([.. steps]);
            case AugmentationLevel.Flip:
                steps.Add(new RandomHorizontalFlip());
                if (gray) steps.Add(new RandomVerticalFlip());
                break;
        }
        if (crop > 0) steps.Add(new RandomCrop(crop, crop, fill));
        return steps.Count == 0 ? null : new Compose([.. steps]);
    }
}
