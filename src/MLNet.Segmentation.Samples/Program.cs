using MLNet.Segmentation.Samples;

return await CommandLine.RunAsync(args, Console.Out, Console.Error);
