using VirtCpu.Catalog;
using VirtCpu.Cpu;

namespace VirtCpu.Engine;

/// <summary>The answer of a CPU compare (libvirt's INCOMPATIBLE, IDENTICAL, SUPERSET; ERROR is a <see cref="CpuEngineException"/>).</summary>
public enum CpuCompareResult
{
    /// <summary>The host cannot run the CPU.</summary>
    Incompatible = 0,

    /// <summary>The host is exactly the CPU.</summary>
    Identical = 1,

    /// <summary>The host has everything the CPU needs, and more.</summary>
    Superset = 2,
}

/// <summary>A compare result with libvirt's explanation when incompatible.</summary>
/// <param name="Result">The result.</param>
/// <param name="Message">Why the CPUs are incompatible, or null.</param>
public readonly record struct CpuComparison(CpuCompareResult Result, string? Message)
{
    /// <summary>True unless incompatible.</summary>
    public bool IsCompatible => Result != CpuCompareResult.Incompatible;
}

/// <summary>libvirt's CPU compare (<c>virCPUx86Compare</c>, <c>docs/design.md#54-compare</c>): can a host run a CPU definition.</summary>
public sealed class CpuComparer
{
    private readonly CpuCatalog _catalog;

    /// <summary>Creates a comparer for a catalog.</summary>
    /// <param name="catalog">The catalog.</param>
    public CpuComparer(CpuCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
    }

    /// <summary>Compares <paramref name="cpu"/> against <paramref name="host"/> (libvirt with failIncompatible = false).</summary>
    /// <param name="host">The host CPU, or null when unknown.</param>
    /// <param name="cpu">The CPU to check (guest, or host for host-to-host).</param>
    /// <returns>The result and, when incompatible, the message.</returns>
    /// <exception cref="CpuEngineException">Unknown model or feature (libvirt's ERROR).</exception>
    public CpuComparison Compare(CpuDefinition? host, CpuDefinition cpu)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        if (host?.Model is null)
        {
            return new(CpuCompareResult.Incompatible, "unknown host CPU");
        }

        if (cpu.Arch is not null && cpu.Arch is not ("i686" or "x86_64"))
        {
            return new(CpuCompareResult.Incompatible, $"CPU arch {cpu.Arch} does not match host arch");
        }

        if (cpu.Vendor is not null && (host.Vendor is null || !string.Equals(host.Vendor, cpu.Vendor, StringComparison.Ordinal)))
        {
            return new(CpuCompareResult.Incompatible, $"host CPU vendor does not match required CPU vendor {cpu.Vendor}");
        }

        var hostData = ModelData.FromCpu(_catalog, host, null).Data;
        var force = ModelData.FromCpu(_catalog, cpu, FeaturePolicy.Force).Data;
        var require = ModelData.FromCpu(_catalog, cpu, FeaturePolicy.Require).Data;
        var optional = ModelData.FromCpu(_catalog, cpu, FeaturePolicy.Optional).Data;
        var disable = ModelData.FromCpu(_catalog, cpu, FeaturePolicy.Disable).Data;
        var forbid = ModelData.FromCpu(_catalog, cpu, FeaturePolicy.Forbid).Data;

        forbid &= hostData;
        if (!forbid.IsEmpty)
        {
            return new(CpuCompareResult.Incompatible, "Host CPU provides forbidden features: " + Names(forbid));
        }

        require = require - force - optional - disable;
        if (ModelComparison.Compare(_catalog, hostData, require) is ModelRelation.Subset or ModelRelation.Unrelated)
        {
            return new(CpuCompareResult.Incompatible, "Host CPU does not provide required features: " + Names(require - hostData));
        }

        var diff = hostData - optional - require - disable - force;
        if (diff.IsEmpty)
        {
            return new(CpuCompareResult.Identical, null);
        }

        if (cpu.Type == CpuType.Guest && cpu.Match == CpuMatch.Strict)
        {
            return new(CpuCompareResult.Incompatible, "Host CPU does not strictly match guest CPU: Extra features: " + Names(diff));
        }

        return new(CpuCompareResult.Superset, null);
    }

    private string Names(FeatureSet set) => string.Join(", ", _catalog.NamesOf(set));
}
