using BenchmarkDotNet.Running;
using VirtCpu.Bench;

// `--breakdown FILE [MAP]`: a Stopwatch breakdown of one whole baseline (read, parse, catalog,
// compute, format), the in-process side of scripts/bench-baseline-vs-virsh.sh. Anything else goes
// to BenchmarkDotNet (e.g. --filter '*' --job short).
if (args.Length >= 2 && args[0] == "--breakdown")
{
    Breakdown.Run(args[1], args.Length > 2 ? args[2] : null);
    return;
}

if (args.Length >= 2 && args[0] == "--evacuate")
{
    FleetData.Breakdown(args[1]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Data).Assembly).Run(args);
