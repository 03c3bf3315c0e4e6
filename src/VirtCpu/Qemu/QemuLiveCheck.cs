using System.Collections.Immutable;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Qemu;

/// <summary>The comparison of a catalog with its binary under one machine type.</summary>
/// <param name="Machine">The machine type.</param>
/// <param name="Results">One result per model name both know.</param>
/// <param name="OnlyInBinary">Model names the binary has and the catalog lacks.</param>
/// <param name="OnlyInCatalog">Model names the catalog has and the binary lacks.</param>
public sealed record QemuMachineCheck(string Machine, ImmutableArray<QemuProbeMismatch> Results, ImmutableArray<string> OnlyInBinary, ImmutableArray<string> OnlyInCatalog)
{
    /// <summary>The names whose expansions differ.</summary>
    public IEnumerable<QemuProbeMismatch> Differing => Results.Where(r => !r.Matches);

    /// <summary>True when every name matches and both have the same names.</summary>
    public bool Agrees => Results.All(r => r.Matches) && OnlyInBinary.IsEmpty && OnlyInCatalog.IsEmpty;
}

/// <summary>
/// Checks a hypervisor catalog against the QEMU binary of its release (issue 14, point 6): for each
/// machine type, QEMU is started with it under TCG and every model name it lists (unversioned names,
/// aliases and versions) is fully expanded; VirtCpu's expansion of the same name on the same machine
/// type must give the same enabled features, family/model/stepping, model-id and vendor
/// (<see cref="QemuProbeCheck"/>). Every QEMU started is stopped by its PID before the next starts.
/// </summary>
public static class QemuLiveCheck
{
    /// <summary>
    /// The machine types to check when none are given: the oldest, a middle and the newest
    /// <c>pc-i440fx</c> type and the newest <c>pc-q35</c> type of the catalog.
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The machine types.</returns>
    public static ImmutableArray<string> DefaultMachines(QemuHypervisorCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var pc = catalog.MachineTypes.Where(m => m.StartsWith("pc-i440fx-", StringComparison.Ordinal)).ToList();
        var q35 = catalog.MachineTypes.Where(m => m.StartsWith("pc-q35-", StringComparison.Ordinal)).ToList();
        if (pc.Count == 0 || q35.Count == 0)
        {
            throw new InputException(null, $"{catalog.Name} lists no pc-i440fx or pc-q35 machine types: give them with --machine");
        }

        return [.. new[] { pc[0], pc[pc.Count / 2], pc[^1], q35[^1] }.Distinct()];
    }

    /// <summary>Checks one machine type.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="binary">The QEMU binary of the catalog's release.</param>
    /// <param name="machine">The machine type.</param>
    /// <param name="timeout">The bound on the start and each reply.</param>
    /// <param name="cancellationToken">Cancels the check (QEMU is stopped).</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="QmpException">When QEMU cannot be started or does not answer.</exception>
    public static async Task<QemuMachineCheck> CheckAsync(QemuHypervisorCatalog catalog, string binary, string machine, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var probe = (await QemuProber.ProbeBinaryAsync(binary, new QemuLaunch("tcg", machine), timeout, cancellationToken).ConfigureAwait(false)).Probe;
        var results = QemuProbeCheck.Compare(catalog, probe, QemuAccelerator.Tcg, machine);
        var known = catalog.ModelNames.ToHashSet(StringComparer.Ordinal);
        var listed = probe.Definitions.Select(d => d.Name).Where(n => n is not ("max" or "host" or "base")).ToHashSet(StringComparer.Ordinal);
        return new QemuMachineCheck(
            machine,
            [.. results],
            [.. listed.Except(known).Order(StringComparer.Ordinal)],
            [.. known.Except(listed).Order(StringComparer.Ordinal)]);
    }
}
