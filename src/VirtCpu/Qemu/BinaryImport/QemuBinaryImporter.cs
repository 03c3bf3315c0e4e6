using System.Collections.Immutable;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>What to import from a QEMU binary.</summary>
/// <param name="Binary">The <c>qemu-system-x86_64</c> to run (a path, or a wrapper that runs one in a chroot).</param>
public sealed record QemuBinaryImportOptions(string Binary)
{
    /// <summary>The catalog name (default <c>qemu-MAJOR.MINOR</c> of the binary).</summary>
    public string? Name { get; init; }

    /// <summary>The catalog to take from what a probe cannot see (see <see cref="QemuFeatureTable"/> and <see cref="QemuModelTable"/>), or null.</summary>
    public QemuHypervisorCatalog? Inherit { get; init; }

    /// <summary>The bound on each QEMU start and each reply.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Derive the CPU compat properties from expansions under every machine type even when QEMU
    /// reports <c>compat-props</c> (to check one against the other); they are always derived when it does not.
    /// </summary>
    public bool DeriveCompat { get; init; }

    /// <summary>Told what the import is doing, or null.</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>
/// Builds a hypervisor catalog from a running QEMU (<c>virtcpu catalog import-qemu --binary</c>),
/// for releases whose source is not at hand: the canonical feature names and version notes from
/// <c>-cpu help</c>; the bit of every feature from about 20 realized vCPUs
/// (<see cref="QemuFeatureBitProbe"/>); models, versions, aliases and alias spellings from QMP under
/// <c>-machine none</c> with the <c>qtest</c> accelerator when the binary has it (no accelerator
/// defaults: <c>vme</c> is visible) and TCG otherwise (<see cref="QemuModelProbe"/>); machine types
/// and their CPU compat properties from <c>query-machines</c>. Every QEMU it starts runs paused and
/// is stopped by its PID before the import returns, also on errors and cancellation. What a probe
/// cannot see comes from an inherited catalog, and the catalog's provenance lines say which is which.
/// </summary>
public static class QemuBinaryImporter
{
    /// <summary>Imports a binary.</summary>
    /// <param name="options">What to import.</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="QmpException">When QEMU cannot be started or answers unexpectedly.</exception>
    /// <exception cref="VirtCpu.Catalog.CatalogException">When what QEMU shows does not make a consistent catalog.</exception>
    public static async Task<QemuHypervisorCatalog> ImportAsync(QemuBinaryImportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var binary = options.Binary;
        var inherited = options.Inherit;
        var notes = new List<string>();
        options.Progress?.Invoke($"{binary} -cpu help");
        var help = QemuCpuHelp.Parse(await QemuProcess.RunForOutputAsync(binary, ["-cpu", "help"], options.Timeout, cancellationToken).ConfigureAwait(false));
        var names = help.FeatureNames;
        var runs = await QemuFeatureBitProbe.RunAsync(binary, names, options.Timeout, options.Progress, cancellationToken).ConfigureAwait(false);
        var bits = QemuFeatureBitDecoder.Decode(names, runs, n => inherited?.Feature(n) is { } f && f.Name == n ? QemuWordLocation.Of(f.Word) : null);
        notes.AddRange(bits.Notes);
        var parts = QemuFeatureTable.Build(bits, names, inherited, notes);
        parts = QemuDependencyInference.Infer(parts, runs, notes);
        var unexplained = QemuDependencyInference.Unexplained(parts, runs);
        var draft = QemuHypervisorCatalog.Create("draft", new Version(0, 0), parts.Words, parts.Features, parts.Dependencies, []);
        var plan = QemuRevealPlan.Create(draft);

        var (version, machines, models, accelerator, settled) = await ObserveModelsAsync(options, names, plan, parts, unexplained, notes, cancellationToken).ConfigureAwait(false);
        parts = settled;

        var name = options.Name ?? $"qemu-{version.Major}.{version.Minor}";
        var release = new Version(version.Major, version.Minor);
        parts = QemuFeatureTable.Finish(parts, models.Aliases, QemuModelProbe.Enabled(models.Max, names), inherited, notes);
        var featuresOnly = QemuHypervisorCatalog.Create(name, release, parts.Words, parts.Features, parts.Dependencies, []);
        var hidden = accelerator == "qtest" ? Array.Empty<string>() : ["vme"];
        var baseModels = QemuModelTable.Build(featuresOnly, models, plan, help, inherited, hidden, notes);
        var catalog = QemuHypervisorCatalog.Create(name, release, parts.Words, parts.Features, parts.Dependencies, baseModels);
        var types = QemuMachineData.VersionedTypes(machines);
        var compat = options.DeriveCompat ? null : QemuMachineData.CompatProperties(catalog, machines, notes);
        if (compat is null)
        {
            compat = await DeriveCompatAsync(options, catalog, types, cancellationToken).ConfigureAwait(false);
            notes.Add($"CPU compat properties derived from expansions: every model name under each of {types.Count(t => !IsBugFix(t))} versioned machine types against -machine none (TCG){(options.DeriveCompat ? "" : "; this QEMU's query-machines does not report compat-props (9.1 and later do)")}; properties that change nothing a probe sees cannot be found this way");
        }

        var deprecated = models.Definitions.Where(d => d.Deprecated).Select(d => d.Name).ToList();
        notes.Add(deprecated.Count == 0 ? "deprecated models: none" : $"deprecated models (a .qcat has no place for the mark): {string.Join(' ', deprecated)}");
        if (plan.Hidden.Length > 0)
        {
            notes.Add($"dependents no expansion can show (read as the plain expansion shows them): {string.Join(' ', plan.Hidden)}");
        }

        var provenance = new List<string>
        {
            $"binary import (virtcpu catalog import-qemu --binary) of {binary}: QEMU {version} (query-version)",
            $"read from the binary: feature names (-cpu help), words and bits ({runs.Count} realized base vCPUs under TCG), TCG availability, alias spellings, no-autoenable of TCG features (max), models, versions, aliases and notes, each version's features, vendor, signature, model-id, levels (query-cpu-model-expansion, accelerator {accelerator}, -machine none), machine types and CPU compat properties (query-machines)",
            inherited is null
                ? "inherited: nothing (no dependency table, no unmigratable flags, no cache-info names, no unnamed bits)"
                : $"inherited from {inherited.Name}: the dependency table, unmigratable flags, no-autoenable of features TCG lacks, word names, cache-info names, unnamed bits of models",
        };
        provenance.AddRange(notes.Select(n => n.ReplaceLineEndings(" ")));
        return catalog.WithMachineData(types, compat.Value).WithProvenance(provenance);
    }

    /// <summary>
    /// In one QEMU (the model session): the version, machine types and model table, then the
    /// dependencies the bit runs could not tell apart, settled against the models just read
    /// (<see cref="QemuDependencySettling"/>).
    /// </summary>
    private static async Task<(QemuBinaryVersion Version, ImmutableArray<QemuMachineInfo> Machines, QemuModelObservation Models, string Accelerator, QemuFeatureTableParts Parts)> ObserveModelsAsync(
        QemuBinaryImportOptions options, IReadOnlyCollection<string> names, QemuRevealPlan plan, QemuFeatureTableParts parts, ImmutableArray<string> unexplained, IList<string> notes, CancellationToken cancellationToken)
    {
        var (session, accelerator) = await StartModelSessionAsync(options.Binary, options.Timeout, cancellationToken).ConfigureAwait(false);
        using (session)
        {
            var client = session.Client;
            var version = await client.QueryVersionAsync(cancellationToken).ConfigureAwait(false);
            var machines = await client.QueryMachinesAsync(cancellationToken).ConfigureAwait(false);
            var models = await QemuModelProbe.ObserveAsync(client, names, plan, options.Progress, cancellationToken).ConfigureAwait(false);
            if (!unexplained.IsEmpty)
            {
                options.Progress?.Invoke($"dependencies: settling {string.Join(' ', unexplained)}");
                parts = await QemuDependencySettling.SettleAsync(
                    parts,
                    unexplained,
                    dependent => models.Versions.FirstOrDefault(v => QemuModelProbe.Enabled(v.Value[0], names).Contains(dependent)).Key,
                    async (model, switches, token) => QemuModelProbe.Enabled(await client.QueryCpuModelExpansionAsync("full", model, switches, token).ConfigureAwait(false), names),
                    notes,
                    cancellationToken).ConfigureAwait(false);
            }

            await session.StopAsync(options.Timeout, cancellationToken).ConfigureAwait(false);
            return (version, machines, models, accelerator, parts);
        }
    }

    /// <summary>Probes <c>-machine none</c> and every versioned machine type (bug-fix types like 4.0.1 aside) and derives the compat properties.</summary>
    private static async Task<ImmutableArray<QemuCompatProperty>> DeriveCompatAsync(QemuBinaryImportOptions options, QemuHypervisorCatalog catalog, ImmutableArray<string> types, CancellationToken cancellationToken)
    {
        var (none, flat) = await QemuModelProbe.BaselinesAsync(options.Binary, catalog.Models.SelectMany(m => m.Versions).Select(v => v.Name), options.Timeout, cancellationToken).ConfigureAwait(false);
        var probes = new List<(string, QemuProbe)>();
        foreach (var machine in types.Where(t => !IsBugFix(t)))
        {
            options.Progress?.Invoke($"compat properties: expansions under {machine}");
            probes.Add((machine, (await QemuProber.ProbeBinaryAsync(options.Binary, new QemuLaunch("tcg", machine), options.Timeout, cancellationToken).ConfigureAwait(false)).Probe));
        }

        return QemuCompatDerivation.Derive(catalog, none, flat, probes);
    }

    private static bool IsBugFix(string machine) => Version.TryParse(machine[(machine.LastIndexOf('-') + 1)..], out var v) && v.Build >= 0;

    /// <summary>
    /// Starts QEMU for the model probe: <c>-accel qtest</c> when the binary accepts it, TCG when QEMU
    /// itself says it has no such accelerator (7.2 and 10.0; <c>-accel help</c> does not list qtest
    /// even where it exists, so the start is the test).
    /// </summary>
    private static async Task<(QmpSession Session, string Accelerator)> StartModelSessionAsync(string binary, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return (await QmpSession.StartAsync(binary, new QemuLaunch("qtest"), timeout, cancellationToken).ConfigureAwait(false), "qtest");
        }
        catch (QmpException e) when (e.QemuError?.Contains("invalid accelerator qtest", StringComparison.Ordinal) == true)
        {
            return (await QmpSession.StartAsync(binary, new QemuLaunch("tcg"), timeout, cancellationToken).ConfigureAwait(false), "tcg");
        }
    }
}
