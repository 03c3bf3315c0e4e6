using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Qemu;

namespace VirtCpu.Migration;

/// <summary>The step of a guest start (<c>docs/design.md#11-starting-a-guest</c>) that refused it.</summary>
public enum StartStep
{
    /// <summary>No step refused: the guest started.</summary>
    None = 0,

    /// <summary>Step 1-2: the management catalog does not know a model or feature name (or host-model decoding failed).</summary>
    Parse,

    /// <summary>Step 3: check=partial and the host lacks required features (or offers a forbidden one).</summary>
    Compare,

    /// <summary>Step 4: the hypervisor lacks the model, the machine type or a feature.</summary>
    Hypervisor,

    /// <summary>Step 5: the live check (check=full) found the built CPU differs from the definition.</summary>
    LiveCheck,
}

/// <summary>The outcome of starting a guest on a node.</summary>
public sealed record GuestStart
{
    /// <summary>The node.</summary>
    public required Node Node { get; init; }

    /// <summary>The machine type used.</summary>
    public required string Machine { get; init; }

    /// <summary>The step that refused, or <see cref="StartStep.None"/>.</summary>
    public required StartStep Step { get; init; }

    /// <summary>Whether the guest started.</summary>
    public bool Succeeded => Step == StartStep.None;

    /// <summary>One plain sentence: why it failed (empty on success).</summary>
    public string Reason { get; init; } = "";

    /// <summary>Missing features (compare or live check), canonical names.</summary>
    public ImmutableArray<string> Missing { get; init; } = [];

    /// <summary>Extra features (live check), canonical names.</summary>
    public ImmutableArray<string> Extra { get; init; } = [];

    /// <summary>Names the node does not know (parse or hypervisor step).</summary>
    public ImmutableArray<string> Unknown { get; init; } = [];

    /// <summary>Alias names accepted on input, as "alias → canonical".</summary>
    public ImmutableArray<string> Resolved { get; init; } = [];

    /// <summary>The definition as given to the hypervisor (after host-model expansion and name canonicalization), when known.</summary>
    public CpuDefinition? Definition { get; init; }

    /// <summary>The live definition D_live (check=full), on success.</summary>
    public CpuDefinition? LiveDefinition { get; init; }

    /// <summary>The CPU the hypervisor built, when step 4 ran.</summary>
    public QemuCpu? Cpu { get; init; }

    /// <summary>The CPU of a host-passthrough or maximum guest (no model: the host's CPU as KVM gives it).</summary>
    public PassthroughCpu? Passthrough { get; init; }

    /// <summary>The enabled features E (hypervisor vocabulary): the vCPU's feature words, as libvirt sees them.</summary>
    public FeatureSet Enabled => Cpu?.Enabled ?? Passthrough?.Enabled ?? FeatureSet.Empty;

    /// <summary>
    /// Features the guest sees although they are not in the vCPU's feature words: bits the QEMU
    /// release computes from the topology only while answering CPUID (release behaviour
    /// <c>cpuid-multi-cpu-package</c>, docs/design.md section 3). libvirt never sees them.
    /// </summary>
    public FeatureSet CpuidOnly { get; init; } = FeatureSet.Empty;

    /// <summary>What the guest sees: <see cref="Enabled"/> and <see cref="CpuidOnly"/>. Migrations compare this.</summary>
    public FeatureSet GuestVisible => Enabled | CpuidOnly;

    /// <summary>The enabled feature names (QEMU spelling, ordinal order).</summary>
    public IEnumerable<string> EnabledNames => Cpu?.EnabledNames
        ?? (Passthrough is { } p ? Node.Hypervisor.NamesOf(p.Enabled).Order(StringComparer.Ordinal) : []);

    /// <summary>The vendor string the guest sees.</summary>
    public string? Vendor => Cpu?.Vendor ?? Passthrough?.Vendor;

    /// <summary>The signature the guest sees.</summary>
    public CpuSignature? Signature => Cpu is { } c ? new CpuSignature((uint)c.Family, (uint)c.Model, (uint)c.Stepping) : Passthrough?.Signature;

    /// <summary>The step name as used in output: <c>parse</c>, <c>compare</c>, <c>hypervisor</c>, <c>live-check</c>.</summary>
    /// <param name="step">The step.</param>
    /// <returns>The name (empty for none).</returns>
    public static string StepName(StartStep step) => step switch
    {
        StartStep.Parse => "parse",
        StartStep.Compare => "compare",
        StartStep.Hypervisor => "hypervisor",
        StartStep.LiveCheck => "live-check",
        _ => "",
    };
}

/// <summary>
/// The CPU QEMU gives a host-passthrough (<c>-cpu host</c>) or maximum (<c>-cpu max</c>) guest under
/// KVM: every feature KVM offers on the host (less the unmigratable ones unless
/// <c>migratable='off'</c>), with the host's vendor and signature.
/// </summary>
/// <param name="Mode">The libvirt mode: <c>host-passthrough</c> or <c>maximum</c>.</param>
/// <param name="Enabled">The enabled features (hypervisor vocabulary).</param>
/// <param name="Vendor">The host's vendor string.</param>
/// <param name="Signature">The host's signature.</param>
public sealed record PassthroughCpu(string Mode, FeatureSet Enabled, string? Vendor, CpuSignature Signature);
