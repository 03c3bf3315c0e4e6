using System.Collections.Immutable;
using System.Text;
using BenchmarkDotNet.Attributes;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Fleet;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Migration;
using VirtCpu.Qemu;

namespace VirtCpu.Bench;

/// <summary>Loading the built-in catalogs from their embedded text (what every process start pays once).</summary>
[MemoryDiagnoser]
public class CatalogLoadBench
{
    [Benchmark]
    public CpuCatalog LoadLibvirt113()
    {
        using var reader = Open("libvirt-11.3.vcat");
        return CatalogFile.Read(reader, "libvirt-11.3");
    }

    [Benchmark]
    public QemuHypervisorCatalog LoadQemu100()
    {
        using var reader = Open("qemu-10.0.qcat");
        return QcatReader.Read(reader.ReadToEnd(), "qemu-10.0");
    }

    private static StreamReader Open(string name) =>
        new(typeof(BuiltInCatalogs).Assembly.GetManifestResourceStream("VirtCpu.Catalogs." + name)!, Encoding.UTF8);
}

/// <summary>Decode and compare of one host (the Turin fixture), with the libvirt 11.3 catalog.</summary>
[MemoryDiagnoser]
public class DecodeBench
{
    private readonly CpuCatalog _catalog = BuiltInCatalogs.Get("libvirt-11.3");
    private CpuDecoder _decoder = null!;
    private CpuComparer _comparer = null!;
    private CpuData _data;
    private CpuDefinition _host = null!;
    private CpuDefinition _guest = null!;

    [GlobalSetup]
    public void Setup()
    {
        _decoder = new CpuDecoder(_catalog);
        _comparer = new CpuComparer(_catalog);
        _data = Data.Turin(_catalog);
        _host = _decoder.DecodeHost(_data);
        _guest = CpuXml.Parse("<cpu mode='custom' match='exact'><model>EPYC-Rome</model><feature policy='require' name='ibpb'/></cpu>", "guest.xml", CpuType.Guest);
    }

    [Benchmark]
    public CpuDefinition HostDecode() => _decoder.DecodeHost(_data);

    [Benchmark]
    public CpuDefinition GuestDecode() => _decoder.DecodeGuest(_data);

    [Benchmark]
    public CpuComparison Compare() => _comparer.Compare(_host, _guest);
}

/// <summary>libvirt's baseline of generated Intel hosts (in memory), and parsing them from concatenated XML.</summary>
[MemoryDiagnoser]
public class BaselineBench
{
    private readonly CpuCatalog _catalog = BuiltInCatalogs.Get("libvirt-11.3");
    private CpuBaseline _baseline = null!;
    private ImmutableArray<CpuDefinition> _hosts;
    private string _xml = null!;
    private byte[] _utf8 = null!;

    [Params(2, 1000, 10000)]
    public int Hosts { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _baseline = new CpuBaseline(_catalog);
        _hosts = Data.Hosts(_catalog, Hosts);
        _xml = Data.Concatenated(_hosts);
        _utf8 = System.Text.Encoding.UTF8.GetBytes(_xml);
    }

    [Benchmark]
    public CpuDefinition Baseline() => _baseline.Compute(_hosts);

    [Benchmark]
    public ImmutableArray<CpuDefinition> ParseHosts() => CpuXml.ParseAll(_xml, "hosts.xml", CpuType.Host);

    [Benchmark]
    public ImmutableArray<CpuDefinition> ParseHostsUtf8() => CpuXml.ParseAll(_utf8, "hosts.xml", CpuType.Host);
}

/// <summary>QEMU 10.0: expanding every model name (KVM, machine pc) and the usability of every model on a host.</summary>
[MemoryDiagnoser]
public class QemuBench
{
    private readonly QemuHypervisorCatalog _qemu = BuiltInHypervisors.Get("qemu-10.0");
    private string[] _names = null!;
    private QemuMachineType _machine = null!;

    [GlobalSetup]
    public void Setup()
    {
        _names = [.. _qemu.ModelNames];
        _machine = QemuMachineTypes.Find(_qemu, "pc");
    }

    [Benchmark]
    public int ExpandAllModels()
    {
        var n = 0;
        var config = new QemuCpuConfig("");
        foreach (var name in _names)
        {
            n += QemuExpander.Expand(_qemu, QemuModelResolution.Resolve(_qemu, name, _machine), config).FilteredNames.Count();
        }

        return n;
    }
}

/// <summary>Migration check of one guest between two nodes (libvirt 11.3 to 9.0, QEMU 10.0, KVM).</summary>
[MemoryDiagnoser]
public class MigrationBench
{
    private CpuDefinition _guest = null!;
    private Node _source = null!;
    private Node _target = null!;

    [GlobalSetup]
    public void Setup()
    {
        var qemu = BuiltInHypervisors.Get("qemu-10.0");
        var machine = QemuMachineTypes.Find(qemu, "pc-q35-9.2");
        var names = qemu.NamesOf(QemuModelResolution.Resolve(qemu, "Skylake-Server-v1", machine).Definition.Features)
            .Concat(["x2apic", "hypervisor"]).Distinct(StringComparer.Ordinal).ToImmutableArray();
        var host = new InlineHost("Intel", 6, 85, 4, names);
        _source = Node.Create("S", BuiltInCatalogs.Get("libvirt-11.3"), qemu, "pc-q35-9.2", QemuAccelerator.Kvm, host);
        _target = Node.Create("T", BuiltInCatalogs.Get("libvirt-9.0"), qemu, "pc-q35-9.2", QemuAccelerator.Kvm, host);
        _guest = CpuXml.Parse("<cpu mode='custom' match='exact' check='partial'><model>Skylake-Server</model></cpu>", "guest.xml", CpuType.Guest);
    }

    [Benchmark]
    public MigrationVerdict MigrateCheck() => MigrationCheck.Check(_guest, _source, _target);
}

/// <summary>The fleet usability matrix (issue 7): 100,000 hosts by every libvirt-11.3 model.</summary>
[MemoryDiagnoser]
public class FleetBench
{
    private readonly CpuCatalog _catalog = BuiltInCatalogs.Get("libvirt-11.3");
    private FeatureSet?[] _hosts = null!;

    [GlobalSetup]
    public void Setup() => _hosts = [.. Data.HostFeatures(_catalog, 100_000).Select(f => (FeatureSet?)f)];

    [Benchmark]
    public int Matrix100k() => UsabilityMatrix.Compute(_catalog, _hosts).DistinctHosts;
}
