using System.Diagnostics;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

// usage: conv-probe taps
//        conv-probe single-image-onednn
//        conv-probe channels-last-1x1 CIN COUT SIZE STRIDE BATCH   (libtorch alone; may die with SIGFPE, exit 136)
TorchRuntime.EnsureInitialized();
var script = torch.jit.compile(
    "def last(x: Tensor):\n    return x.contiguous(memory_format=2)\n\n" +
    "def onednn(x: Tensor, w: Tensor, b: Tensor, ph: int, pw: int, sh: int, sw: int, dh: int, dw: int, groups: int):\n" +
    "    return torch.mkldnn_convolution(x, w, b, [ph, pw], [sh, sw], [dh, dw], groups)\n");
Tensor ChannelsLast(Tensor x) => (Tensor)script.invoke("last", x);

double MedianMs(Action run, int warmup, int repeats)
{
    for (int i = 0; i < warmup; i++) using (NewDisposeScope()) run();
    var times = new List<double>();
    for (int i = 0; i < repeats; i++)
    {
        using var scope = NewDisposeScope();
        var watch = Stopwatch.StartNew();
        run();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return times[times.Count / 2];
}

switch (args.FirstOrDefault())
{
    case "taps":
        // ASPP-sized atrous branches (2048 -> 256, 3x3, batch 8): libtorch's convolution against ReachableTapConvolution.
        foreach (var (rate, size) in new[] { (6L, 16L), (12L, 16L), (18L, 16L), (6L, 32L), (12L, 32L) })
        {
            using var scope = NewDisposeScope();
            var x = randn(8, 2048, size, size).requires_grad_();
            var w = (randn(256, 2048, 3, 3) * 0.01).requires_grad_();
            var upstream = randn(8, 256, size, size);
            long[] same = [rate, rate];
            Tensor Native(Tensor xi, Tensor wi) => F.conv2d(xi, wi, padding: same, dilation: same);
            Tensor Taps(Tensor xi, Tensor wi) => ReachableTapConvolution.Conv2d(xi, wi, null, same, same);
            double Forward(Func<Tensor, Tensor, Tensor> conv) { using (no_grad()) return MedianMs(() => conv(x, w), 2, 7); }
            double Both(Func<Tensor, Tensor, Tensor> conv) => MedianMs(() => { x.grad = null; w.grad = null; conv(x, w).backward([upstream]); }, 2, 7);
            double share = ReachableTapConvolution.ReachedShare(size, 3, rate, rate);
            Console.WriteLine($"rate {rate} on {size}x{size} (share {share * share:F2}): forward {Forward(Native):F1} / {Forward(Taps):F1} ms, " +
                $"forward+backward {Both(Native):F1} / {Both(Taps):F1} ms (libtorch / tap by tap)");
        }
        break;
    case "single-image-onednn":
        // One image, libtorch alone: its own choice of kernel on a contiguous and on a channels-last input, and
        // aten::mkldnn_convolution (oneDNN whatever the shape) through TorchScript.
        foreach (var (cin, cout, k, size) in new (long, long, long, long)[] { (64, 64, 3, 64), (128, 128, 3, 32), (256, 256, 3, 16), (512, 512, 3, 8), (1024, 1024, 3, 4), (512, 4096, 7, 2) })
        {
            using var scope = NewDisposeScope();
            var x = randn(1, cin, size, size);
            var w = randn(cout, cin, k, k) * 0.01;
            var b = randn(cout);
            long p = k / 2;
            using var noGrad = no_grad();
            var last = ChannelsLast(x);
            double native = MedianMs(() => F.conv2d(x, w, b, padding: [p, p]), 3, 15);
            double channelsLast = MedianMs(() => F.conv2d(last, w, b, padding: [p, p]), 3, 15);
            double onednn = MedianMs(() => script.invoke("onednn", x, w, b, p, p, 1, 1, 1, 1, 1), 3, 15);
            Console.WriteLine($"{cin} -> {cout}, {k}x{k}, {size}x{size}: libtorch {native:F2} ms, channels-last input {channelsLast:F2} ms, mkldnn_convolution {onednn:F2} ms");
        }
        break;
    case "channels-last-1x1":
    {
        long cin = long.Parse(args[1]), cout = long.Parse(args[2]), size = long.Parse(args[3]), stride = long.Parse(args[4]), batch = long.Parse(args[5]);
        var x = ChannelsLast(randn(batch, cin, size, size));
        using var noGrad = no_grad();
        var y = F.conv2d(x, randn(cout, cin, 1, 1), strides: [stride, stride]);
        Console.WriteLine($"{cin} -> {cout}, stride {stride}, {batch}x{size}x{size} channels-last: ok, {string.Join('x', y.shape)}");
        break;
    }
    default:
        Console.Error.WriteLine("usage: conv-probe taps | single-image-onednn | channels-last-1x1 CIN COUT SIZE STRIDE BATCH");
        return 2;
}
return 0;
