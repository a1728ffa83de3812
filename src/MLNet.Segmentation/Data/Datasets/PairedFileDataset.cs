using static TorchSharp.torch;

namespace MLNet.Segmentation.Data;

/// <summary>The files of one sample: a name, an image file and its mask file.</summary>
public readonly record struct SamplePaths(string Name, string ImagePath, string MaskPath);

/// <summary>
/// A dataset of image/mask file pairs, decoded on demand (thread-safe). Build one from paired folders,
/// a list file or a Pascal VOC tree with the static factories, or from explicit <see cref="SamplePaths"/>.
/// </summary>
public sealed partial class PairedFileDataset : ISegmentationDataset
{
    private readonly SamplePaths[] _samples;
    private readonly MaskReader _masks;

    /// <summary>A dataset over the given pairs, decoded as <paramref name="description"/> says.</summary>
    public PairedFileDataset(IEnumerable<SamplePaths> samples, DatasetDescription description, MaskOptions? maskOptions = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        Description = description ?? throw new ArgumentNullException(nameof(description));
        _samples = samples.ToArray();
        _masks = new MaskReader(maskOptions ?? description.MaskOptions());
    }

    /// <summary>The sample files, in dataset order.</summary>
    public IReadOnlyList<SamplePaths> Samples => _samples;

    /// <inheritdoc />
    public DatasetDescription Description { get; }

    /// <inheritdoc />
    public int Count => _samples.Length;

    /// <summary>The mask options used to read masks.</summary>
    public MaskOptions MaskOptions => _masks.Options;

    /// <inheritdoc />
    public SegmentationSample Get(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var paths = _samples[index];
        Tensor? image = null;
        try
        {
            image = ImageDecoder.ReadTensor(paths.ImagePath, Description.ImageChannels);
            var mask = _masks.Read(paths.MaskPath);
            if (mask.size(0) != image.size(1) || mask.size(1) != image.size(2))
            {
                string message = $"{paths.ImagePath} is {image.size(2)}x{image.size(1)} but its mask {paths.MaskPath} is {mask.size(1)}x{mask.size(0)}";
                mask.Dispose();
                throw new InvalidDataException(message);
            }
            return new SegmentationSample(image, mask, paths.Name);
        }
        catch
        {
            image?.Dispose();
            throw;
        }
    }

    /// <summary>A dataset of the samples at <paramref name="indices"/> (e.g. a train/validation split).</summary>
    public PairedFileDataset Subset(IEnumerable<int> indices) =>
        new(indices.Select(i => _samples[i]), Description, _masks.Options);

    /// <summary>
    /// Reads every file header and checks that each image and mask exist, decode and have the same size
    /// (without decoding pixels); throws <see cref="InvalidDataException"/> naming the first bad pair.
    /// </summary>
    public void Validate()
    {
        foreach (var paths in _samples)
        {
            var image = ImageDecoder.Probe(ImageDecoder.ReadFile(paths.ImagePath), paths.ImagePath);
            var mask = ImageDecoder.Probe(ImageDecoder.ReadFile(paths.MaskPath), paths.MaskPath);
            if (image.Width != mask.Width || image.Height != mask.Height)
                throw new InvalidDataException($"{paths.ImagePath} is {image.Width}x{image.Height} but its mask {paths.MaskPath} is {mask.Width}x{mask.Height}");
        }
    }
}
