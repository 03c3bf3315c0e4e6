using System.Collections.Immutable;
using VirtCpu.Catalog;

namespace VirtCpu.Cpu;

/// <summary>Whether a definition describes a host CPU or a guest CPU.</summary>
public enum CpuType
{
    /// <summary>A host CPU (capabilities); features carry no policy.</summary>
    Host = 0,

    /// <summary>A guest CPU (domain XML).</summary>
    Guest = 1,
}

/// <summary>The <c>mode</c> of a guest CPU.</summary>
public enum CpuMode
{
    /// <summary>A named model plus features.</summary>
    Custom = 0,

    /// <summary>The closest model to the host, expanded at start.</summary>
    HostModel = 1,

    /// <summary>The host CPU as it is.</summary>
    HostPassthrough = 2,

    /// <summary>Everything the hypervisor can offer.</summary>
    Maximum = 3,
}

/// <summary>The <c>match</c> attribute of a custom guest CPU.</summary>
public enum CpuMatch
{
    /// <summary>The default.</summary>
    Exact = 0,

    /// <summary>At least the model; more host features may be added.</summary>
    Minimum = 1,

    /// <summary>The host must not have extra features.</summary>
    Strict = 2,
}

/// <summary>The <c>check</c> attribute of a guest CPU.</summary>
public enum CpuCheck
{
    /// <summary>Not given: the hypervisor driver picks.</summary>
    Default = 0,

    /// <summary>No check.</summary>
    None = 1,

    /// <summary>Check against the host before start.</summary>
    Partial = 2,

    /// <summary>Check the CPU the hypervisor built against the definition.</summary>
    Full = 3,
}

/// <summary>The <c>fallback</c> attribute of a guest model.</summary>
public enum CpuFallback
{
    /// <summary>Another model may be used when the hypervisor lacks this one.</summary>
    Allow = 0,

    /// <summary>Only this model.</summary>
    Forbid = 1,
}

/// <summary>A guest feature policy.</summary>
public enum FeaturePolicy
{
    /// <summary>Enabled even if the host lacks it.</summary>
    Force = 0,

    /// <summary>Enabled; the host must have it.</summary>
    Require = 1,

    /// <summary>Enabled when the host has it.</summary>
    Optional = 2,

    /// <summary>Not enabled.</summary>
    Disable = 3,

    /// <summary>The host must not have it.</summary>
    Forbid = 4,
}

/// <summary>A feature named in a CPU definition, with its policy (null for host CPUs).</summary>
/// <param name="Name">The feature name as written.</param>
/// <param name="Policy">The policy, or null for a host CPU feature.</param>
public readonly record struct CpuFeature(string Name, FeaturePolicy? Policy);

/// <summary>A CPU topology.</summary>
/// <param name="Sockets">Sockets.</param>
/// <param name="Dies">Dies per socket.</param>
/// <param name="Clusters">Clusters per die.</param>
/// <param name="Cores">Cores per cluster.</param>
/// <param name="Threads">Threads per core.</param>
public readonly record struct CpuTopology(uint Sockets, uint Dies, uint Clusters, uint Cores, uint Threads);

/// <summary>A TSC counter element of a host CPU.</summary>
/// <param name="Frequency">The frequency in Hz.</param>
/// <param name="Scaling">The scaling attribute, when given.</param>
public readonly record struct TscCounter(ulong Frequency, bool? Scaling);

/// <summary>
/// A libvirt <c>&lt;cpu&gt;</c> definition as a value: type, mode, match, check, model, vendor and
/// features with policies, plus the elements libvirt keeps (topology, signature, ...).
/// </summary>
public sealed record CpuDefinition
{
    /// <summary>Host or guest.</summary>
    public CpuType Type { get; init; } = CpuType.Host;

    /// <summary>The mode, or null for host CPUs read from XML (which print no model).</summary>
    public CpuMode? Mode { get; init; } = CpuMode.Custom;

    /// <summary>The match mode (guest, custom).</summary>
    public CpuMatch Match { get; init; } = CpuMatch.Exact;

    /// <summary>The check mode (guest).</summary>
    public CpuCheck Check { get; init; } = CpuCheck.Default;

    /// <summary>The model fallback (guest).</summary>
    public CpuFallback Fallback { get; init; } = CpuFallback.Allow;

    /// <summary>The architecture (host CPUs: <c>x86_64</c>), or null.</summary>
    public string? Arch { get; init; }

    /// <summary>The model name, or null.</summary>
    public string? Model { get; init; }

    /// <summary>The vendor short name, or null.</summary>
    public string? Vendor { get; init; }

    /// <summary>The guest-visible vendor string override (<c>vendor_id</c>), or null.</summary>
    public string? VendorId { get; init; }

    /// <summary>The features in definition order.</summary>
    public ImmutableArray<CpuFeature> Features { get; init; } = [];

    /// <summary>The topology, or null.</summary>
    public CpuTopology? Topology { get; init; }

    /// <summary>The signature (host CPUs), or null.</summary>
    public CpuSignature? Signature { get; init; }

    /// <summary>The microcode version (host CPUs), or 0.</summary>
    public ulong Microcode { get; init; }

    /// <summary>The TSC counter (host CPUs), or null.</summary>
    public TscCounter? Tsc { get; init; }

    /// <summary>The <c>migratable</c> attribute (host-passthrough, maximum), or null.</summary>
    public bool? Migratable { get; init; }

    /// <summary>The <c>deprecated_features</c> attribute, or null.</summary>
    public bool? DeprecatedFeatures { get; init; }

    /// <summary>Finds a feature entry by name.</summary>
    /// <param name="name">The feature name.</param>
    /// <returns>The entry, or null.</returns>
    public CpuFeature? FindFeature(string name)
    {
        foreach (var f in Features)
        {
            if (string.Equals(f.Name, name, StringComparison.Ordinal))
            {
                return f;
            }
        }

        return null;
    }
}
