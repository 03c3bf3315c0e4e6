namespace VirtCpu.Qemu;

/// <summary>The comparison of VirtCpu's expansion of one model name with QEMU's own.</summary>
/// <param name="Name">The model name.</param>
/// <param name="Differences">What differs, in words; empty when the expansions match.</param>
public sealed record QemuProbeMismatch(string Name, IReadOnlyList<string> Differences)
{
    /// <summary>True when everything compared is equal.</summary>
    public bool Matches => Differences.Count == 0;
}

/// <summary>
/// Checks VirtCpu's expansion against the expansions a probe recorded from a real QEMU
/// (<c>docs/design.md#64-checking-the-tables</c>): the enabled canonical features,
/// family/model/stepping, model-id and (unless told not to, as under KVM where it is the host's) the vendor.
/// </summary>
public static class QemuProbeCheck
{
    /// <summary>Compares every table model name of a probe.</summary>
    /// <param name="catalog">The hypervisor catalog of the probed QEMU release.</param>
    /// <param name="probe">The probe.</param>
    /// <param name="accelerator">The accelerator the probe ran with.</param>
    /// <param name="machine">The machine type the probe ran with (<c>none</c> for <c>-machine none</c>).</param>
    /// <param name="compareVendor">False to ignore the vendor (KVM reports the host's).</param>
    /// <returns>One result per probed name the catalog knows (host, max and base are skipped).</returns>
    public static IReadOnlyList<QemuProbeMismatch> Compare(QemuHypervisorCatalog catalog, QemuProbe probe, QemuAccelerator accelerator, string machine = "none", bool compareVendor = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(probe);
        var machineType = QemuMachineTypes.Find(catalog, machine);
        var known = catalog.ModelNames.ToHashSet(StringComparer.Ordinal);
        var results = new List<QemuProbeMismatch>();
        foreach (var (name, expansion) in probe.Expansions)
        {
            if (!known.Contains(name))
            {
                continue;
            }

            var cpu = QemuExpander.Expand(catalog, QemuModelResolution.Resolve(catalog, name, machineType), new QemuCpuConfig(name) { Accelerator = accelerator });
            results.Add(new QemuProbeMismatch(name, Differences(catalog, cpu, expansion, compareVendor)));
        }

        return results;
    }

    /// <summary>Lists the differences between an expansion and QEMU's.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="cpu">VirtCpu's expansion.</param>
    /// <param name="expansion">QEMU's full expansion.</param>
    /// <param name="compareVendor">Whether to compare the vendor.</param>
    /// <returns>The differences, in words.</returns>
    public static IReadOnlyList<string> Differences(QemuHypervisorCatalog catalog, QemuCpu cpu, QemuModelExpansion expansion, bool compareVendor)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(cpu);
        ArgumentNullException.ThrowIfNull(expansion);
        var diffs = new List<string>();
        var theirs = QemuProbe.EnabledFeatures(catalog, expansion).ToHashSet(StringComparer.Ordinal);
        var ours = cpu.EnabledNames.ToHashSet(StringComparer.Ordinal);
        var missing = theirs.Except(ours).Order(StringComparer.Ordinal).ToList();
        var extra = ours.Except(theirs).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            diffs.Add("QEMU enables, VirtCpu does not: " + string.Join(' ', missing));
        }

        if (extra.Count > 0)
        {
            diffs.Add("VirtCpu enables, QEMU does not: " + string.Join(' ', extra));
        }

        void Check<T>(string what, T? qemu, T mine)
        {
            if (!EqualityComparer<T?>.Default.Equals(qemu, mine))
            {
                diffs.Add($"{what}: QEMU {qemu}, VirtCpu {mine}");
            }
        }

        Check("family", QemuProbe.Number(expansion, "family"), (long?)cpu.Family);
        Check("model", QemuProbe.Number(expansion, "model"), (long?)cpu.Model);
        Check("stepping", QemuProbe.Number(expansion, "stepping"), (long?)cpu.Stepping);
        Check("model-id", QemuProbe.Text(expansion, "model-id"), cpu.ModelId);
        if (compareVendor)
        {
            Check("vendor", QemuProbe.Text(expansion, "vendor"), cpu.Vendor);
        }

        return diffs;
    }
}
