namespace MLNet.Segmentation.Data.Transforms;

/// <summary>Ready-made augmentation pipelines for the bundled datasets (starting points; compose your own freely).</summary>
public static class Pipelines
{
    /// <summary>
    /// CamVid training: random scale 0.75..1.25, random crop (padding with the ignore id 11), horizontal flip,
    /// mild colour jitter, ImageNet normalization.
    /// </summary>
    public static IJointTransform CamVidTrain(int cropHeight = 352, int cropWidth = 480) => new Compose(
        new RandomScale(0.75, 1.25),
        new RandomCrop(cropHeight, cropWidth, DatasetDescription.CamVid.IgnoreIndex!.Value),
        new RandomHorizontalFlip(),
        new ColorJitter(0.2, 0.2, 0.2),
        Normalize.ImageNet);

    /// <summary>CamVid evaluation: ImageNet normalization only.</summary>
    public static IJointTransform CamVidEval() => Normalize.ImageNet;

    /// <summary>
    /// Membrane training as in the U-Net paper: elastic deformation (3 x 3 grid, σ = 10 px), rotation and flips
    /// with mirror padding, a random square crop, slight Gaussian noise.
    /// </summary>
    public static IJointTransform MembraneTrain(int crop = 256) => new Compose(
        new ElasticDeformation(sigma: 10, gridSize: 3),
        new RandomRotation(15),
        new RandomHorizontalFlip(),
        new RandomVerticalFlip(),
        new RandomCrop(crop, crop, maskFill: 255),
        new GaussianNoise(0.02));

    /// <summary>Synthetic shapes training: flips and small rotations with mirror padding.</summary>
    public static IJointTransform ShapesTrain() => new Compose(
        new RandomHorizontalFlip(),
        new RandomVerticalFlip(),
        new RandomRotation(10));
}
