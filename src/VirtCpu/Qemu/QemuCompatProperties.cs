using System.Collections.Immutable;

namespace VirtCpu.Qemu;

/// <summary>
/// One CPU compat property of a machine type (<c>hw/i386/pc.c</c> <c>pc_compat_X_Y[]</c>): a global
/// property for every x86 CPU class (<see cref="Model"/> null) or for exactly one class (the
/// unversioned or alias name; never an <c>X-vN</c> class).
/// </summary>
/// <param name="Release">The array's release: the entry applies to machine types of this release or older.</param>
/// <param name="Model">The exact model class name, or null for <c>TYPE_X86_CPU</c> (every CPU).</param>
/// <param name="Property">The property (a feature name, <c>family</c>, <c>model</c>, <c>stepping</c>, <c>model-id</c>, <c>min-level</c>, <c>min-xlevel</c>, <c>xlevel</c>).</param>
/// <param name="Value">The value.</param>
public sealed record QemuCompatProperty(Version Release, string? Model, string Property, string Value);

/// <summary>
/// The CPU compat properties of the PC machine types (shared by i440fx and q35), restricted to
/// what changes the guest-visible CPU model: features, family/model/stepping, model-id and CPUID
/// levels. Entries that do not touch those (<c>check</c>, <c>legacy-cache</c>, <c>l3-cache</c>,
/// <c>cpuid-0xb</c>, <c>full-cpuid-auto-level</c>, <c>x-*</c> knobs, <c>hv-*</c>, <c>pmu</c>,
/// <c>kvm-no-smi-migration</c>, <c>guest-phys-bits</c>, <c>legacy-multi-node</c>, <c>host-cache-info</c>) are
/// left out.
/// </summary>
/// <remarks>
/// Arrays 2.4 and later follow spec qemu-cpu-models.md 5.2 (identical in 7.2 and 10.0; 9.0 is
/// 10.0-only and holds nothing modelled here). The arrays 1.4 to 2.3 exist only in 7.2 (10.0 has no
/// such machine types); they are written from QEMU 7.2's <c>hw/i386/pc.c</c> as recalled and were
/// not verified against a running QEMU.
/// </remarks>
public static class QemuCompatProperties
{
    private static readonly string[] Q64 = ["qemu32", "qemu64", "athlon"];

    /// <summary>Every entry, newest array first, each array in source order.</summary>
    public static ImmutableArray<QemuCompatProperty> All { get; } = Build();

    /// <summary>
    /// The entries that reach a CPU class under a machine type, in the order QEMU applies them
    /// (newest array first, so older arrays win).
    /// </summary>
    /// <param name="qemu">The QEMU release (arrays newer than it do not exist).</param>
    /// <param name="machine">The machine type.</param>
    /// <param name="className">The model name as given (the QOM class); per-model entries match it exactly.</param>
    /// <returns>The entries.</returns>
    public static IEnumerable<QemuCompatProperty> For(Version qemu, QemuMachineType machine, string className)
    {
        ArgumentNullException.ThrowIfNull(qemu);
        ArgumentNullException.ThrowIfNull(machine);
        if (machine.CompatVersion is not { } m)
        {
            return [];
        }

        var release = new Version(qemu.Major, qemu.Minor);
        return All.Where(e => e.Release >= m && e.Release <= release && (e.Model is null || e.Model == className));
    }

    private static ImmutableArray<QemuCompatProperty> Build()
    {
        var b = ImmutableArray.CreateBuilder<QemuCompatProperty>();
        Version? r = null;
        void Array(int major, int minor) => r = new Version(major, minor);
        void Global(string p, string v) => b.Add(new QemuCompatProperty(r!, null, p, v));
        void Per(string model, string p, string v) => b.Add(new QemuCompatProperty(r!, model, p, v));
        void Each(IEnumerable<string> models, string p, string v)
        {
            foreach (var m in models)
            {
                Per(m, p, v);
            }
        }

        void ModelIds(string version) => Each(Q64, "model-id", "QEMU Virtual CPU version " + version);

        Array(6, 0);
        Per("qemu64", "family", "6");
        Per("qemu64", "model", "6");
        Per("qemu64", "stepping", "3");

        Array(5, 1);
        Global("kvm-msi-ext-dest-id", "off");

        Array(3, 1);
        Per("Opteron_G3", "rdtscp", "off");
        Per("Opteron_G4", "rdtscp", "off");
        Per("Opteron_G4", "npt", "off");
        Per("Opteron_G4", "nrip-save", "off");
        Per("Opteron_G5", "rdtscp", "off");
        Per("Opteron_G5", "npt", "off");
        Per("Opteron_G5", "nrip-save", "off");
        Per("EPYC", "npt", "off");
        Per("EPYC", "nrip-save", "off");
        Per("EPYC-IBPB", "npt", "off");
        Per("EPYC-IBPB", "nrip-save", "off");
        Each(["Skylake-Client", "Skylake-Client-IBRS", "Skylake-Server", "Skylake-Server-IBRS", "Cascadelake-Server", "Icelake-Client", "Icelake-Server"], "mpx", "on");
        Per("Cascadelake-Server", "stepping", "5");

        Array(3, 0);
        Per("Skylake-Server", "pku", "off");
        Per("Skylake-Server-IBRS", "pku", "off");

        Array(2, 12);
        Global("topoext", "off");
        Per("EPYC", "xlevel", "0x8000000a");
        Per("EPYC-IBPB", "xlevel", "0x8000000a");

        Array(2, 11);
        Per("Skylake-Server", "clflushopt", "off");

        Array(2, 8);
        Per("Haswell", "stepping", "1");

        Array(2, 7);
        Per("Opteron_G3", "family", "15");
        Per("Opteron_G3", "model", "6");
        Per("Opteron_G3", "stepping", "1");

        Array(2, 4);
        ModelIds("2.4.0");
        Each(["Haswell", "Haswell-noTSX", "Broadwell", "Broadwell-noTSX"], "abm", "off");
        Per("qemu64", "sse4a", "on");
        Per("qemu64", "abm", "on");
        Per("qemu64", "popcnt", "on");
        Per("qemu32", "popcnt", "on");
        Each(["Opteron_G2", "Opteron_G3", "Opteron_G4", "Opteron_G5"], "rdtscp", "on");

        Array(2, 3);
        ModelIds("2.3.0");
        Global("arat", "off");
        Per("qemu64", "min-level", "4");
        Per("kvm64", "min-level", "5");
        Per("pentium3", "min-level", "2");
        Per("n270", "min-level", "5");
        Per("Conroe", "min-level", "4");
        Per("Penryn", "min-level", "4");
        Per("Nehalem", "min-level", "4");
        Each(["n270", "Penryn", "Conroe", "Nehalem", "Westmere", "SandyBridge", "IvyBridge", "Haswell", "Haswell-noTSX", "Broadwell", "Broadwell-noTSX"], "min-xlevel", "0x8000000a");

        Array(2, 2);
        ModelIds("2.2.0");
        Each(["kvm64", "kvm32", "Conroe", "Penryn", "Nehalem", "Westmere", "SandyBridge", "Haswell", "Broadwell", "Opteron_G1", "Opteron_G2", "Opteron_G3", "Opteron_G4", "Opteron_G5"], "vme", "off");
        Per("Haswell", "f16c", "off");
        Per("Haswell", "rdrand", "off");
        Per("Broadwell", "f16c", "off");
        Per("Broadwell", "rdrand", "off");

        Array(2, 1);
        ModelIds("2.1.0");
        Per("coreduo", "vmx", "on");
        Per("core2duo", "vmx", "on");

        Array(2, 0);
        ModelIds("2.0.0");

        Array(1, 7);
        ModelIds("1.7.0");

        Array(1, 6);
        ModelIds("1.6.0");
        Per("qemu64", "model", "2");
        Per("qemu32", "model", "3");

        Array(1, 5);
        ModelIds("1.5.0");
        foreach (var m in new[] { "Conroe", "Penryn", "Nehalem" })
        {
            Per(m, "model", "2");
            Per(m, "min-level", "2");
        }

        Array(1, 4);
        ModelIds("1.4.0");
        Per("486", "model", "0");
        Per("n270", "movbe", "off");
        Per("Westmere", "pclmulqdq", "off");
        return b.ToImmutable();
    }
}
