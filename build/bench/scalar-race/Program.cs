// Adds a tensor to an accumulator with a per-call alpha, on several threads, while one more thread allocates garbage
// so that collections (and finalizers) run during the native calls. "temporary" passes the alpha as TorchSharp's
// implicit conversion makes it (a Scalar nothing keeps alive); "owned" disposes it after the call. Prints the calls
// made and how many failed or gave a wrong sum.
//   dotnet build/bench/scalar-race/bin/Release/net10.0/scalar-race.dll temporary|owned [threads 2] [seconds 40]
using TorchSharp;
using static TorchSharp.torch;

if (args.Length < 1 || args[0] is not ("temporary" or "owned"))
{
    Console.Error.WriteLine("usage: scalar-race temporary|owned [threads] [seconds]");
    return 2;
}
bool owned = args[0] == "owned";
int threads = args.Length > 1 ? int.Parse(args[1]) : 2;
int seconds = args.Length > 2 ? int.Parse(args[2]) : 40;
set_num_threads(1);
bool stop = false;
long calls = 0, failures = 0, wrongSums = 0;

var allocator = new Thread(() => { object? last = null; while (!Volatile.Read(ref stop)) last = new byte[256]; GC.KeepAlive(last); }) { IsBackground = true };
allocator.Start();
var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
{
    using var one = ones(8);
    var random = new Random(t);
    while (!Volatile.Read(ref stop))
    {
        using var scope = NewDisposeScope();
        try
        {
            var sum = zeros(8);
            double expected = 0;
            for (int i = 0; i < 200; i++)
            {
                double alpha = random.Next(1, 4);
                if (owned)
                {
                    using Scalar scalar = alpha.ToScalar();
                    sum = sum.add(one, scalar);
                }
                else sum = sum.add(one, alpha);
                expected += alpha;
            }
            if (Math.Abs(sum[0].item<float>() - expected) > 1e-3) Interlocked.Increment(ref wrongSums);
            Interlocked.Add(ref calls, 200);
        }
        catch (Exception e)
        {
            if (Interlocked.Increment(ref failures) <= 5) Console.WriteLine($"failure: {e.Message.Split('\n')[0]}");
        }
    }
})).ToList();
workers.ForEach(w => w.Start());
Thread.Sleep(TimeSpan.FromSeconds(seconds));
Volatile.Write(ref stop, true);
workers.ForEach(w => w.Join());
Console.WriteLine($"{args[0]} Scalars, {threads} threads, {seconds} s: {calls:N0} adds, {failures} failed, {wrongSums} wrong sums, {GC.CollectionCount(0)} collections");
return 0;
