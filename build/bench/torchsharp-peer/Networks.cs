using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchSharpPeer;

// The benchmark networks in plain TorchSharp (nn.Conv2d, nn.BatchNorm2d, nn.Sequential, functional ops), with the same
// layers, widths and forward passes as MLNet.Segmentation's U-Net, SegNet, FCN-8s and DeepLab v3+ (ResNet-50, OS 16).

internal static class Blocks
{
    internal static Sequential ConvBnRelu(long cin, long cout, long k = 3, long padding = 1, long dilation = 1) =>
        nn.Sequential(nn.Conv2d(cin, cout, k, padding: padding, dilation: dilation, bias: false), nn.BatchNorm2d(cout), nn.ReLU(inplace: true));

    internal static Sequential DoubleConv(long cin, long cout) => nn.Sequential(ConvBnRelu(cin, cout), ConvBnRelu(cout, cout));

    // VGG-16 "features": 13 convolutions (optionally with BatchNorm), 5 max-poolings.
    internal static List<nn.Module<Tensor, Tensor>> Vgg16(bool batchNorm)
    {
        int[][] stages = [[2, 64], [2, 128], [3, 256], [3, 512], [3, 512]];
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long c = 3;
        foreach (var s in stages)
        {
            for (int i = 0; i < s[0]; i++)
            {
                layers.Add(nn.Conv2d(c, s[1], 3, padding: 1));
                if (batchNorm) layers.Add(nn.BatchNorm2d(s[1]));
                layers.Add(nn.ReLU(inplace: true));
                c = s[1];
            }
            layers.Add(nn.MaxPool2d(2, stride: 2));
        }
        return layers;
    }
}

internal sealed class UNet : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Sequential> encoder = new();
    private readonly ModuleList<ConvTranspose2d> ups = new();
    private readonly ModuleList<Sequential> decoder = new();
    private readonly Conv2d classifier;

    public UNet(long classes, long baseWidth = 64, int depth = 4) : base(nameof(UNet))
    {
        long c = 3;
        for (int level = 0; level <= depth; level++) { encoder.Add(Blocks.DoubleConv(c, baseWidth << level)); c = baseWidth << level; }
        for (int i = 0; i < depth; i++) { ups.Add(nn.ConvTranspose2d(c, c / 2, 2, stride: 2)); decoder.Add(Blocks.DoubleConv(c, c / 2)); c /= 2; }
        classifier = nn.Conv2d(c, classes, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var skips = new List<Tensor>();
        for (int level = 0; level < encoder.Count; level++)
        {
            x = encoder[level].call(level == 0 ? x : nn.functional.max_pool2d(x, 2));
            skips.Add(x);
        }
        for (int i = 0; i < ups.Count; i++)
            x = decoder[i].call(cat([skips[skips.Count - 2 - i], ups[i].call(x)], 1));
        return classifier.call(x).MoveToOuterDisposeScope();
    }
}

internal sealed class SegNet : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> encoder = new();
    private readonly ModuleList<Sequential> decoder = new();
    private readonly Conv2d classifier;

    public SegNet(long classes) : base(nameof(SegNet))
    {
        foreach (var layer in Blocks.Vgg16(batchNorm: true)) encoder.Add(layer);
        int[][] stages = [[3, 512, 512], [3, 512, 256], [3, 256, 128], [2, 128, 64], [2, 64, 64]];
        foreach (var s in stages)
        {
            var block = nn.Sequential();
            for (int i = 0; i < s[0]; i++) block.append(Blocks.ConvBnRelu(s[1], i == s[0] - 1 ? s[2] : s[1]));
            decoder.Add(block);
        }
        classifier = nn.Conv2d(64, classes, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var pooled = new List<(Tensor Indices, long[] Size)>();
        foreach (var layer in encoder)
        {
            if (layer is MaxPool2d pool)
            {
                var size = x.shape;
                var (values, indices) = pool.forward_with_indices(x);
                pooled.Add((indices, size));
                x = values;
            }
            else x = layer.call(x);
        }
        for (int i = 0; i < decoder.Count; i++)
        {
            var (indices, size) = pooled[pooled.Count - 1 - i];
            x = decoder[i].call(nn.functional.max_unpool2d(x, indices, [2, 2], [2, 2], [0, 0], size));
        }
        return classifier.call(x).MoveToOuterDisposeScope();
    }
}

internal sealed class Fcn8s : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> features = new();
    private readonly Sequential conv6, conv7;
    private readonly Conv2d score_fr, score_pool4, score_pool3;
    private readonly ConvTranspose2d upscore2, upscore_pool4, upscore;

    public Fcn8s(long classes, long fc = 4096) : base(nameof(Fcn8s))
    {
        foreach (var layer in Blocks.Vgg16(batchNorm: false)) features.Add(layer);
        conv6 = nn.Sequential(nn.Conv2d(512, fc, 7, padding: 3), nn.ReLU(inplace: true), nn.Dropout(0.5));
        conv7 = nn.Sequential(nn.Conv2d(fc, fc, 1), nn.ReLU(inplace: true), nn.Dropout(0.5));
        score_fr = nn.Conv2d(fc, classes, 1);
        score_pool4 = nn.Conv2d(512, classes, 1);
        score_pool3 = nn.Conv2d(256, classes, 1);
        upscore2 = nn.ConvTranspose2d(classes, classes, 4, stride: 2, padding: 1, bias: false);
        upscore_pool4 = nn.ConvTranspose2d(classes, classes, 4, stride: 2, padding: 1, bias: false);
        upscore = nn.ConvTranspose2d(classes, classes, 16, stride: 8, padding: 4, bias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var pools = new List<Tensor>();
        foreach (var layer in features)
        {
            x = layer.call(x);
            if (layer is MaxPool2d) pools.Add(x);
        }
        var score = score_fr.call(conv7.call(conv6.call(x)));
        score = upscore2.call(score) + score_pool4.call(pools[3]);
        score = upscore_pool4.call(score) + score_pool3.call(pools[2]);
        return upscore.call(score).MoveToOuterDisposeScope();
    }
}

internal sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2, conv3;
    private readonly BatchNorm2d bn1, bn2, bn3;
    private readonly Sequential? downsample;

    public Bottleneck(long inPlanes, long planes, long stride, long dilation, Sequential? downsample) : base(nameof(Bottleneck))
    {
        conv1 = nn.Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        conv3 = nn.Conv2d(planes, planes * 4, 1, bias: false);
        bn3 = nn.BatchNorm2d(planes * 4);
        this.downsample = downsample;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = bn1.call(conv1.call(x)).relu_();
        y = bn2.call(conv2.call(y)).relu_();
        y = bn3.call(conv3.call(y));
        return y.add_(downsample is null ? x : downsample.call(x)).relu_().MoveToOuterDisposeScope();
    }
}

internal sealed class DeepLabV3Plus : nn.Module<Tensor, Tensor>
{
    private readonly Sequential stem, layer1, layer2, layer3, layer4, lowLevel, project, fuse;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> aspp = new();
    private readonly Sequential pooling;
    private readonly Conv2d classifier;
    private long _inPlanes = 64, _dilation = 1;

    public DeepLabV3Plus(long classes) : base(nameof(DeepLabV3Plus))
    {
        stem = nn.Sequential(nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false), nn.BatchNorm2d(64), nn.ReLU(inplace: true), nn.MaxPool2d(3, stride: 2, padding: 1));
        layer1 = Layer(64, 3, 1, false);
        layer2 = Layer(128, 4, 2, false);
        layer3 = Layer(256, 6, 2, false);
        layer4 = Layer(512, 3, 2, true);
        aspp.Add(Blocks.ConvBnRelu(2048, 256, 1, 0));
        foreach (long rate in new long[] { 6, 12, 18 }) aspp.Add(Blocks.ConvBnRelu(2048, 256, 3, rate, rate));
        pooling = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(2048, 256, 1, bias: false), nn.BatchNorm2d(256), nn.ReLU());
        project = nn.Sequential(nn.Conv2d(5 * 256, 256, 1, bias: false), nn.BatchNorm2d(256), nn.ReLU(), nn.Dropout(0.5));
        lowLevel = Blocks.ConvBnRelu(256, 48, 1, 0);
        fuse = nn.Sequential(Blocks.ConvBnRelu(256 + 48, 256), Blocks.ConvBnRelu(256, 256));
        classifier = nn.Conv2d(256, classes, 1);
        RegisterComponents();
    }

    private Sequential Layer(long planes, int blocks, long stride, bool dilate)
    {
        long previousDilation = _dilation;
        if (dilate) { _dilation *= stride; stride = 1; }
        Sequential? downsample = stride != 1 || _inPlanes != planes * 4
            ? nn.Sequential(nn.Conv2d(_inPlanes, planes * 4, 1, stride: stride, bias: false), nn.BatchNorm2d(planes * 4)) : null;
        var layer = nn.Sequential(new Bottleneck(_inPlanes, planes, stride, previousDilation, downsample));
        _inPlanes = planes * 4;
        for (int i = 1; i < blocks; i++) layer.append(new Bottleneck(_inPlanes, planes, 1, _dilation, null));
        return layer;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long h = x.size(2), w = x.size(3);
        var low = layer1.call(stem.call(x));
        var high = layer4.call(layer3.call(layer2.call(low)));
        var branches = aspp.Select(b => b.call(high)).ToList();
        branches.Add(nn.functional.interpolate(pooling.call(high), [high.size(2), high.size(3)], mode: InterpolationMode.Bilinear, align_corners: false));
        var a = project.call(cat(branches, 1));
        var up = nn.functional.interpolate(a, [low.size(2), low.size(3)], mode: InterpolationMode.Bilinear, align_corners: false);
        var logits = classifier.call(fuse.call(cat([up, lowLevel.call(low)], 1)));
        return nn.functional.interpolate(logits, [h, w], mode: InterpolationMode.Bilinear, align_corners: false).MoveToOuterDisposeScope();
    }
}
