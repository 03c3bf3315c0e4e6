using System.Collections.Immutable;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>
/// Finds the word and bit of every named feature of a QEMU binary with few QEMU starts: a
/// <c>base</c> vCPU (no features of its own) with nothing switched on, one with everything, and for
/// each bit of the feature numbers one vCPU with the features whose number has the bit set and one
/// with those whose number has it clear (<see cref="QemuFeatureBitDecoder"/>); about 20 starts for
/// 400 features. Each vCPU is realized under TCG on the default PC machine, paused, and read over
/// QMP (<c>feature-words</c>, <c>filtered-features</c>) and from QEMU's warnings. <c>pmu=on</c>
/// keeps QEMU from clearing <c>pdcm</c>, which it does without a PMU.
/// </summary>
public static class QemuFeatureBitProbe
{
    /// <summary>Runs the probe.</summary>
    /// <param name="binary">The QEMU binary.</param>
    /// <param name="names">The canonical feature names (from <c>-cpu help</c>), in numbering order.</param>
    /// <param name="timeout">The bound on each start and reply.</param>
    /// <param name="progress">Told about each run, or null.</param>
    /// <param name="cancellationToken">Cancels the probe (the running QEMU is stopped).</param>
    /// <returns>The runs, for <see cref="QemuFeatureBitDecoder.Decode"/>.</returns>
    public static async Task<IReadOnlyList<QemuBitRun>> RunAsync(string binary, IReadOnlyList<string> names, TimeSpan timeout, Action<string>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        var plan = new List<(string Label, int? Group, bool Complement, ImmutableHashSet<string> Names)>
        {
            ("baseline", null, false, []),
            ("all", null, false, [.. names]),
        };
        for (var g = 0; g < QemuFeatureBitDecoder.Groups(names.Count); g++)
        {
            plan.Add(($"group {g}", g, false, [.. QemuFeatureBitDecoder.Members(names, g, complement: false)]));
            plan.Add(($"complement {g}", g, true, [.. QemuFeatureBitDecoder.Members(names, g, complement: true)]));
        }

        var runs = new List<QemuBitRun>();
        foreach (var (label, group, complement, set) in plan)
        {
            progress?.Invoke($"bit probe, {label}: {set.Count} features");
            var requested = names.Where(set.Contains).ToList();
            runs.Add(await RunOneAsync(binary, label, group, complement, requested, timeout, cancellationToken).ConfigureAwait(false));
        }

        return runs;
    }

    /// <summary>Realizes one vCPU with the given features switched on and reads what QEMU made of it.</summary>
    /// <param name="binary">The QEMU binary.</param>
    /// <param name="label">The run's label.</param>
    /// <param name="group">The coded group, or null.</param>
    /// <param name="complement">Whether the run is a complement.</param>
    /// <param name="requested">The features to switch on.</param>
    /// <param name="timeout">The bound on each wait.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The run.</returns>
    public static async Task<QemuBitRun> RunOneAsync(string binary, string label, int? group, bool complement, IReadOnlyList<string> requested, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requested);
        var cpu = string.Join(',', requested.Select(n => n + "=on").Prepend("pmu=on").Prepend("base"));
        using var session = await QmpSession.StartAsync(binary, new QemuLaunch("tcg", "pc") { Cpu = cpu }, timeout, cancellationToken).ConfigureAwait(false);
        var paths = await session.Client.QueryCpuPathsAsync(cancellationToken).ConfigureAwait(false);
        if (paths.IsEmpty)
        {
            throw new QmpException($"{binary} {session.Launch}: QEMU reports no vCPU");
        }

        ImmutableArray<QemuWordBits> kept, filtered;
        using (var doc = await session.Client.QomGetAsync(paths[0], "feature-words", cancellationToken).ConfigureAwait(false))
        {
            kept = QemuWordBits.Parse(doc.RootElement);
        }

        using (var doc = await session.Client.QomGetAsync(paths[0], "filtered-features", cancellationToken).ConfigureAwait(false))
        {
            filtered = QemuWordBits.Parse(doc.RootElement);
        }

        var stderr = await session.StopAsync(timeout, cancellationToken).ConfigureAwait(false);
        return new QemuBitRun(label, group, complement, [.. requested], kept, filtered, [.. QemuFeatureWarning.ParseAll(stderr)]);
    }
}
