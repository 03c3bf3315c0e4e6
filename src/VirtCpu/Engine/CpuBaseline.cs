using System.Globalization;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;

namespace VirtCpu.Engine;

/// <summary>
/// libvirt's baseline (<c>virCPUBaseline</c> + <c>virCPUx86Baseline</c>, <c>docs/design.md#58-baseline</c>): the guest CPU
/// that every given CPU can run — the intersection of their data decoded as a guest, preferring the
/// input model names.
/// </summary>
public sealed class CpuBaseline
{
    private readonly CpuCatalog _catalog;
    private readonly CpuDecoder _decoder;

    /// <summary>Creates a baseline calculator for a catalog.</summary>
    /// <param name="catalog">The catalog.</param>
    public CpuBaseline(CpuCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _decoder = new CpuDecoder(catalog);
    }

    /// <summary>Computes the baseline of CPUs.</summary>
    /// <param name="cpus">The CPUs (host CPUs, or guest definitions whose policies count).</param>
    /// <param name="models">The hypervisor's models, or null for no restriction.</param>
    /// <param name="features">Restrict the result to these feature names (unknown names ignored), or null.</param>
    /// <param name="migratable">True to drop migration blockers from the result.</param>
    /// <returns>The baseline guest CPU.</returns>
    /// <exception cref="CpuEngineException">No CPUs, a CPU without model, vendor conflicts, or incompatible CPUs.</exception>
    public CpuDefinition Compute(IReadOnlyList<CpuDefinition> cpus, HypervisorModels? models = null, IEnumerable<string>? features = null, bool migratable = false)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        if (cpus.Count == 0)
        {
            throw new CpuEngineException("no CPUs given");
        }

        for (var i = 0; i < cpus.Count; i++)
        {
            if (cpus[i]?.Model is null)
            {
                throw new CpuEngineException(string.Create(CultureInfo.InvariantCulture, $"no CPU model specified at index {i}"));
            }
        }

        var first = cpus[0];
        var data = ModelData.FromCpu(_catalog, first, null).Data;
        var outputVendor = first.Vendor is not null;
        Vendor? vendor = first.Vendor is null ? null : FindVendor(first.Vendor);
        var names = new List<string> { first.Model! };

        for (var k = 1; k < cpus.Count; k++)
        {
            var c = cpus[k];
            if (!names.Contains(c.Model!, StringComparer.Ordinal))
            {
                names.Add(c.Model!);
            }

            var modelData = ModelData.FromCpu(_catalog, c, null);
            vendor = CombineVendor(vendor, c, modelData);
            outputVendor &= c.Vendor is not null;
            data &= modelData.Data;
        }

        if (features is not null)
        {
            data &= _catalog.SetOf(features);
        }

        if (data.IsEmpty)
        {
            throw new CpuEngineException("CPUs are incompatible");
        }

        var stub = new CpuDefinition { Type = CpuType.Guest, Match = CpuMatch.Exact };
        var result = _decoder.Decode(stub, new CpuData(data, vendor?.CpuidString), models, names, migratable);
        if (names.Count == 1 && string.Equals(result.Model, names[0], StringComparison.Ordinal))
        {
            result = result with { Fallback = CpuFallback.Forbid };
        }

        if (!outputVendor)
        {
            result = result with { Vendor = null };
        }

        return result;
    }

    /// <summary>
    /// The vendor after one more CPU (not the first): its explicit vendor, which must agree with its
    /// model's, else its model's; every vendor seen must be the same.
    /// </summary>
    private Vendor? CombineVendor(Vendor? vendor, CpuDefinition cpu, ModelData modelData)
    {
        if (cpu.Vendor is not null && modelData.Vendor is not null && !string.Equals(cpu.Vendor, modelData.Vendor.Name, StringComparison.Ordinal))
        {
            throw new CpuEngineException($"CPU vendor {cpu.Vendor} of model {cpu.Model} differs from vendor {modelData.Vendor.Name}");
        }

        var vendorName = cpu.Vendor ?? modelData.Vendor?.Name;
        if (vendorName is null)
        {
            return vendor;
        }

        if (vendor is null)
        {
            return FindVendor(vendorName);
        }

        return string.Equals(vendor.Name, vendorName, StringComparison.Ordinal) ? vendor : throw new CpuEngineException("CPU vendors do not match");
    }

    private Vendor FindVendor(string name) => _catalog.FindVendor(name) ?? throw new CpuEngineException($"Unknown CPU vendor {name}");
}
