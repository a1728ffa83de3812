using MLNet.Segmentation.Models;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Weights;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Models;

/// <summary>
/// Every architecture against PyTorch: Fixtures/Models/make_parity_fixtures.py builds the same networks in PyTorch,
/// and these tests load its weights strictly, run the same input and compare outputs (and gradients).
/// </summary>
[TestClass]
public sealed class ParityTests
{
    private const double Tolerance = 1e-4;

    public TestContext TestContext { get; set; } = null!;

    internal static string FixturePath(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Models", file);

    internal static nn.Module<Tensor, Tensor> Build(string name) => name switch
    {
        "fcn32s" => new Fcn(2, new FcnOptions { Variant = FcnVariant.Fcn32s, WidthDivisor = 32, FullyConvolutionalWidth = 16 }),
        "fcn16s" => new Fcn(3, new FcnOptions { Variant = FcnVariant.Fcn16s, WidthDivisor = 32, FullyConvolutionalWidth = 16 }),
        "fcn8s" => new Fcn(3, new FcnOptions { Variant = FcnVariant.Fcn8s, WidthDivisor = 32, FullyConvolutionalWidth = 16 }),
        "segnet" => new SegNet(5, new SegNetOptions { WidthDivisor = 32 }),
        "deconvnet" => new DeconvNet(5, new DeconvNetOptions { WidthDivisor = 32, FullyConvolutionalWidth = 16 }),
        "unet" => new UNet(5, new UNetOptions { Depth = 3, BaseWidth = 4 }),
        "unet_train" => new UNet(3, new UNetOptions { Depth = 2, BaseWidth = 4 }),
        "unet_valid_bilinear" => new UNet(4, new UNetOptions
        {
            Depth = 2, BaseWidth = 4, Padding = UNetPadding.Valid, Upsampling = UNetUpsampling.Bilinear,
        }),
        "deeplabv3_resnet18" => new DeepLabV3(5, new DeepLabV3Options
        {
            Backbone = ResNetDepth.ResNet18, BackboneWidth = 2, OutputStride = 16, AsppChannels = 8,
        }),
        "deeplabv3_resnet50_os8" => new DeepLabV3(5, new DeepLabV3Options
        {
            Backbone = ResNetDepth.ResNet50, BackboneWidth = 2, OutputStride = 8, AsppChannels = 8,
        }),
        "deeplabv3plus_resnet50" => new DeepLabV3Plus(5, new DeepLabV3PlusOptions
        {
            Backbone = ResNetDepth.ResNet50, BackboneWidth = 2, OutputStride = 16, AsppChannels = 8, LowLevelChannels = 4, DecoderChannels = 8,
        }),
        "deeplabv3plus_resnet34_os8" => new DeepLabV3Plus(5, new DeepLabV3PlusOptions
        {
            Backbone = ResNetDepth.ResNet34, BackboneWidth = 2, OutputStride = 8, AsppChannels = 8, AsppRates = [2, 4],
            ImagePooling = false, LowLevelChannels = 4, DecoderChannels = 8,
        }),
        "autoencoder" => new ConvAutoencoder(new ConvAutoencoderOptions { Depth = 2, BaseWidth = 4 }),
        _ => throw new ArgumentException(name),
    };

    private static double RelativeError(Tensor actual, Tensor expected) => TensorAssert.RelativeError(actual, expected);

    [TestMethod]
    [DataRow("fcn32s")]
    [DataRow("fcn16s")]
    [DataRow("fcn8s")]
    [DataRow("segnet")]
    [DataRow("deconvnet")]
    [DataRow("unet")]
    [DataRow("unet_train")]
    [DataRow("unet_valid_bilinear")]
    [DataRow("deeplabv3_resnet18")]
    [DataRow("deeplabv3_resnet50_os8")]
    [DataRow("deeplabv3plus_resnet50")]
    [DataRow("deeplabv3plus_resnet34_os8")]
    [DataRow("autoencoder")]
    public void OutputMatchesPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Build(name);
        using (var weights = SafeTensors.Load(FixturePath($"{name}.weights.safetensors")))
            Assert.IsTrue(model.Load(weights, strict: true).IsExactMatch);
        using var io = SafeTensors.Load(FixturePath($"{name}.io.safetensors"));
        bool train = name.EndsWith("_train", StringComparison.Ordinal);
        model.train(train);
        bool gradients = io.ContainsKey("input_grad");
        var input = io["input"].detach().requires_grad_(gradients);

        var output = model.call(input);
        double error = RelativeError(output, io["output"]);
        TestContext.WriteLine($"{name}: output {TensorData.ShapeOf(output)}, max relative error {error:E2}");
        Assert.IsTrue(error < Tolerance, $"{name}: output differs from PyTorch by {error:E2} (relative)");

        if (gradients)
        {
            (output * io["output_weight"]).sum().backward();
            double inputError = RelativeError(input.grad!, io["input_grad"]);
            double worst = 0;
            string worstName = "";
            foreach (var (pname, parameter) in model.named_parameters())
            {
                double e = RelativeError(parameter.grad!, io["grad." + pname]);
                if (e > worst) (worst, worstName) = (e, pname);
            }
            TestContext.WriteLine($"{name}: input gradient error {inputError:E2}, worst parameter gradient error {worst:E2} ({worstName})");
            Assert.IsTrue(inputError < Tolerance, $"{name}: input gradient differs by {inputError:E2}");
            Assert.IsTrue(worst < Tolerance, $"{name}: gradient of {worstName} differs by {worst:E2}");
        }

        if (train)
        {
            foreach (var (bname, buffer) in model.named_buffers())
            {
                var expected = io["after." + bname];
                if (buffer.dtype == ScalarType.Int64) Assert.IsTrue(buffer.cpu().to_type(ScalarType.Int64).data<long>().ToArray().SequenceEqual(expected.data<long>().ToArray()), bname);
                else Assert.IsTrue(RelativeError(buffer, expected) < Tolerance, $"{name}: running statistic {bname} differs");
            }
        }
    }

    [TestMethod]
    public void APerturbedWeightIsDetected()
    {
        using var scope = NewDisposeScope();
        using var model = Build("unet");
        using (var weights = SafeTensors.Load(FixturePath("unet.weights.safetensors")))
        {
            using (no_grad()) weights["encoder.0.0.weight"].add_(0.01);
            model.Load(weights);
        }
        using var io = SafeTensors.Load(FixturePath("unet.io.safetensors"));
        model.eval();
        double error = RelativeError(model.call(io["input"]), io["output"]);
        Assert.IsTrue(error > 1e-3, $"a changed first-layer weight must change the output (error {error:E2})");
    }
}
