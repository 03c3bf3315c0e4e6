using System.Diagnostics;
using SharpFuzz;
using VirtCpu.Fuzz;

// Usage:
//   VirtCpu.Fuzz TARGET                      run under afl-fuzz (SharpFuzz out-of-process loop)
//   VirtCpu.Fuzz TARGET --replay FILE...     run inputs once each, print the outcome (exit 1 on a crash)
//   VirtCpu.Fuzz TARGET --mutate SECONDS DIR fallback without AFL: seeded random mutation in process
//   VirtCpu.Fuzz --list                      the target names
if (args.Length == 0 || args[0] == "--list")
{
    Console.WriteLine(string.Join('\n', FuzzTargets.All.Keys.Order(StringComparer.Ordinal)));
    return args.Length == 0 ? 2 : 0;
}

if (!FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"unknown target '{args[0]}'; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}

if (args.Length == 1)
{
    // Under AFL every execution must finish within the timeout, but the first one pays for JIT and for
    // loading the built-in catalog. So run the seeds once before the fork server starts, with the
    // instrumentation writing into a scratch map (SharpFuzz points it at AFL's shared memory in Run).
    if (Environment.GetEnvironmentVariable("VIRTCPU_FUZZ_WARMUP") is { Length: > 0 } warmup && Directory.Exists(warmup))
    {
        WarmUp.Run(target, warmup);
    }

    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        FuzzTargets.Run(target, buffer.ToArray());
    });
    return 0;
}

if (args[1] == "--replay")
{
    var crashes = 0;
    foreach (var file in args.Skip(2))
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var accepted = FuzzTargets.Run(target, File.ReadAllBytes(file));
            Console.WriteLine($"{file}: {(accepted ? "accepted" : "input error")} ({watch.ElapsedMilliseconds} ms)");
        }
#pragma warning disable CA1031 // Replay reports every crash and goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            crashes++;
            Console.WriteLine($"{file}: CRASH {e}");
        }
    }

    return crashes == 0 ? 0 : 1;
}

if (args[1] == "--mutate" && args.Length == 4)
{
    return Mutator.Run(args[0], target, TimeSpan.FromSeconds(double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)), args[3]);
}

Console.Error.WriteLine("usage: VirtCpu.Fuzz TARGET [--replay FILE... | --mutate SECONDS SEEDDIR]");
return 2;
