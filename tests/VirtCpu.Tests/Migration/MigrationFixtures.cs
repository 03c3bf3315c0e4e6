using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Migration;
using VirtCpu.Qemu;

namespace VirtCpu.Tests.Migration;

/// <summary>Catalogs, hosts and guests for the migration tests, built in memory.</summary>
internal static class MigrationFixtures
{
    public const string Q35 = "pc-q35-9.2";

    public static CpuCatalog Libvirt113 => BuiltInCatalogs.Get("libvirt-11.3");

    public static CpuCatalog Libvirt90 => BuiltInCatalogs.Get("libvirt-9.0");

    public static QemuHypervisorCatalog Qemu10 => BuiltInHypervisors.Get("qemu-10.0");

    /// <summary>A copy of a catalog with one model changed.</summary>
    public static CpuCatalog WithModel(CpuCatalog catalog, string model, Func<CpuModel, CpuModel> change, string? name = null) =>
        CpuCatalog.Create(name ?? catalog.Name + "+" + model, catalog.Vendors, catalog.Features,
            catalog.Models.Select(m => string.Equals(m.Name, model, StringComparison.Ordinal) ? change(m) : m));

    /// <summary>A copy of a catalog where a model gains (or loses) a feature.</summary>
    public static CpuCatalog WithFeature(CpuCatalog catalog, string model, string feature, bool present, string? name = null)
    {
        var index = catalog.FindFeature(feature)!.Index;
        return WithModel(catalog, model, m => m with { Features = present ? m.Features.With(index) : m.Features.Without(index) }, name);
    }

    /// <summary>The QEMU feature names of a model version's table definition.</summary>
    public static List<string> QemuModelFeatures(string model, QemuHypervisorCatalog? q = null)
    {
        q ??= Qemu10;
        var resolution = QemuModelResolution.Resolve(q, model, QemuMachineTypes.Find(q, Q35));
        return [.. q.NamesOf(resolution.Definition.Features)];
    }

    /// <summary>An inline host offering a QEMU model's features plus/minus some names.</summary>
    public static InlineHost Host(string vendor, uint family, uint model, uint stepping, string qemuModel, IEnumerable<string>? plus = null, IEnumerable<string>? minus = null)
    {
        var names = QemuModelFeatures(qemuModel);
        names.AddRange(plus ?? []);
        var drop = new HashSet<string>(minus ?? [], StringComparer.Ordinal);
        return new InlineHost(vendor, family, model, stepping, [.. names.Where(n => !drop.Contains(n)).Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>An AMD host with every feature of QEMU's EPYC-v4 plus svm, x2apic, hypervisor; optionally without npt.</summary>
    public static InlineHost AmdHost(bool npt) =>
        Host("AMD", 23, 1, 2, "EPYC-v4", ["svm", "x2apic", "hypervisor", "npt"], npt ? [] : ["npt"]);

    public static Node Node(string name, CpuCatalog catalog, InlineHost host, string machine = Q35, QemuHypervisorCatalog? q = null, QemuAccelerator accel = QemuAccelerator.Kvm) =>
        VirtCpu.Migration.Node.Create(name, catalog, q ?? Qemu10, machine, accel, host);

    public static CpuDefinition Guest(string xml) => CpuXml.Parse(xml, "guest.xml", CpuType.Guest);
}
