using System.Diagnostics;

namespace VirtCpu.Tests;

/// <summary>
/// The one wall-clock bound unit tests use: long enough that a machine loaded by other builds and
/// tests never misses it (what takes milliseconds here may take a hundred times longer on a busy
/// shared machine), short enough to catch what it is there for: a hang, an entity expansion, a
/// quadratic or exponential path on hostile input. Speed itself is measured in <c>bench/</c> and
/// recorded in <c>docs/performance.md</c>, never asserted in a unit test.
/// </summary>
internal static class HangBound
{
    /// <summary>The bound: 60 s.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Fails when a run took longer than the bound.</summary>
    /// <param name="watch">The watch started before the run.</param>
    /// <param name="what">What ran, for the message.</param>
    public static void Check(Stopwatch watch, string what)
    {
        ArgumentNullException.ThrowIfNull(watch);
        Assert.True(watch.Elapsed < Limit, $"{what}: took {watch.ElapsedMilliseconds} ms, more than the {Limit.TotalSeconds} s hang bound");
    }
}
