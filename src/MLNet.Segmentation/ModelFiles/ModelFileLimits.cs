namespace MLNet.Segmentation.ModelFiles;

/// <summary>
/// What <see cref="SegmentationModelFile.Load"/> accepts of a model file before it allocates anything large, and so what
/// a hostile file can cost. Every entry's declared sizes are checked against these limits and against the file's length
/// before it is read, and reads never trust a declared size beyond that: the manifest is read at most
/// <see cref="MaxManifestBytes"/> + 1 bytes far, the weights' 8-byte header length is checked against
/// <see cref="MaxHeaderBytes"/> and the entry before the header is read, and the header's names, dtypes and shapes are
/// checked against the architecture's expected state dict (<see cref="ArchitectureShapes"/>) before the network is built
/// or any tensor data is inflated. So a hostile file of S bytes costs at most about
/// min(<see cref="MaxCompressionRatio"/> x S, <see cref="MaxWeightsBytes"/>) bytes of inflated data, held only as the
/// weights of a network of at most <see cref="ArchitectureLimits.MaxStateElements"/> elements, plus
/// <see cref="MaxManifestBytes"/> and <see cref="MaxHeaderBytes"/>; a zip bomb is refused from its declared sizes alone.
/// </summary>
public static class ModelFileLimits
{
    /// <summary>The largest manifest entry (1 MiB).</summary>
    public const long MaxManifestBytes = 1L << 20;

    /// <summary>The largest safetensors header in a model file (16 MiB; a full-width ResNet-50 DeepLab needs about 60 KB).</summary>
    public const long MaxHeaderBytes = 16L << 20;

    /// <summary>The largest weights entry: the largest network stored as float64, and its header (about 4 GiB).</summary>
    public const long MaxWeightsBytes = 8 * ArchitectureLimits.MaxStateElements + MaxHeaderBytes + 8;

    /// <summary>
    /// The most an entry may inflate: declared uncompressed bytes per compressed byte. Deflate reaches about 1032:1 on
    /// constant data; float32 weights hardly compress (about 1:1 for the catalog's networks, 2:1 for a tiny U-Net), and
    /// the sparsest real network, an untrained FCN with 256 classes at a narrow width (its bilinear upsampling kernels
    /// are mostly zeros), about 87:1.
    /// </summary>
    public const long MaxCompressionRatio = 200;

    /// <summary>Bytes an entry may declare beyond <see cref="MaxCompressionRatio"/> times its compressed size (tiny entries).</summary>
    public const long CompressionSlackBytes = 64 << 10;
}
