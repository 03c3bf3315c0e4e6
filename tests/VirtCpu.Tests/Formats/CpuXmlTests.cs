using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Tests.Formats;

public sealed class CpuXmlTests
{
    [Fact]
    public void Auto_type_is_host_with_arch_and_guest_without()
    {
        var host = CpuXml.Parse("""
            <cpu>
              <arch>x86_64</arch>
              <model>Skylake-Client</model>
              <vendor>Intel</vendor>
              <microcode version='240'/>
              <signature family='6' model='94' stepping='3'/>
              <counter name='tsc' frequency='3400000000' scaling='no'/>
              <topology sockets='1' cores='4' threads='2'/>
              <feature policy='disable' name='vmx'/>
              <pages unit='KiB' size='4'/>
            </cpu>
            """, "host.xml");
        Assert.Equal(CpuType.Host, host.Type);
        Assert.Null(host.Mode);
        Assert.Equal("x86_64", host.Arch);
        Assert.Equal(240ul, host.Microcode);
        Assert.Equal(new CpuSignature(6, 94, 3), host.Signature);
        Assert.Equal(new TscCounter(3400000000, false), host.Tsc);
        Assert.Equal(new CpuTopology(1, 1, 1, 4, 2), host.Topology);
        Assert.Equal([new CpuFeature("vmx", null)], host.Features);

        // libvirt prints no model for a parsed host CPU (mode none) ...
        Assert.Equal("""
            <cpu>
              <arch>x86_64</arch>
              <microcode version='240'/>
              <signature family='6' model='94' stepping='3'/>
              <counter name='tsc' frequency='3400000000' scaling='no'/>
              <topology sockets='1' dies='1' clusters='1' cores='4' threads='2'/>
              <feature name='vmx'/>
            </cpu>

            """.ReplaceLineEndings("\n"), CpuXml.Format(host));

        // ... unless the host is treated as decode output.
        Assert.Contains("  <model>Skylake-Client</model>\n  <vendor>Intel</vendor>\n", CpuXml.Format(host with { Mode = CpuMode.Custom }), StringComparison.Ordinal);

        var guest = CpuXml.Parse("<cpu><model>Penryn</model><feature name='vmx'/><feature name='sse' policy='forbid'/></cpu>", "guest.xml");
        Assert.Equal(CpuType.Guest, guest.Type);
        Assert.Equal(CpuMode.Custom, guest.Mode);
        Assert.Equal(CpuMatch.Exact, guest.Match);
        Assert.Equal(CpuFallback.Allow, guest.Fallback);
        Assert.Equal([new CpuFeature("vmx", FeaturePolicy.Require), new CpuFeature("sse", FeaturePolicy.Forbid)], guest.Features);
        Assert.Equal("""
            <cpu mode='custom' match='exact'>
              <model fallback='allow'>Penryn</model>
              <feature policy='require' name='vmx'/>
              <feature policy='forbid' name='sse'/>
            </cpu>

            """.ReplaceLineEndings("\n"), CpuXml.Format(guest));
    }

    [Fact]
    public void Explicit_type_overrides_auto()
    {
        var host = CpuXml.Parse("<cpu><arch>x86_64</arch><model>Penryn</model><feature policy='forbid' name='vmx'/></cpu>", "h.xml", CpuType.Host, CpuXmlParseOptions.HostModelAsCustom);
        Assert.Equal(CpuMode.Custom, host.Mode);
        Assert.Null(host.Features[0].Policy);
        Assert.Equal("<cpu>\n  <arch>x86_64</arch>\n  <model>Penryn</model>\n  <feature name='vmx'/>\n</cpu>\n", CpuXml.Format(host));

        var guest = CpuXml.Parse("<cpu match='minimum'><arch>x86_64</arch><model>Penryn</model></cpu>", "g.xml", CpuType.Guest);
        Assert.Equal(CpuType.Guest, guest.Type);
        Assert.Null(guest.Arch);
        Assert.Equal(CpuMatch.Minimum, guest.Match);
    }

    [Fact]
    public void Formats_guest_attributes_and_modes()
    {
        Assert.Equal("<cpu mode='host-passthrough' check='none' migratable='on'/>\n", CpuXml.Format(CpuXml.Parse("<cpu mode='host-passthrough' check='none' migratable='on'/>", "p.xml")));
        Assert.Equal("<cpu mode='maximum' migratable='off'/>\n", CpuXml.Format(CpuXml.Parse("<cpu mode='maximum' migratable='off'/>", "m.xml")));
        Assert.Equal("<cpu mode='host-model'>\n  <model fallback='forbid'/>\n</cpu>\n", CpuXml.Format(CpuXml.Parse("<cpu mode='host-model'><model fallback='forbid'/></cpu>", "hm.xml")));
        Assert.Equal(
            "<cpu mode='custom' match='strict' check='partial' deprecated_features='off'>\n  <model fallback='forbid' vendor_id='GenuineIntel'>Haswell</model>\n  <vendor>Intel</vendor>\n</cpu>\n",
            CpuXml.Format(CpuXml.Parse("<cpu match='strict' check='partial' deprecated_features='off'><model fallback='forbid' vendor_id='GenuineIntel'>Haswell</model><vendor>Intel</vendor></cpu>", "c.xml")));

        // A guest CPU with only a topology prints no attributes; nothing at all prints nothing.
        Assert.Equal(
            "<cpu>\n  <topology sockets='2' dies='1' clusters='1' cores='1' threads='1'/>\n</cpu>\n",
            CpuXml.Format(CpuXml.Parse("<cpu><topology sockets='2' cores='1' threads='1'/></cpu>", "t.xml")));
        Assert.Equal(string.Empty, CpuXml.Format(CpuXml.Parse("<cpu/>", "e.xml")));
    }

    [Fact]
    public void Libvirt9_style_omits_clusters()
    {
        var cpu = CpuXml.Parse("<cpu><model>Penryn</model><topology sockets='2' dies='1' clusters='3' cores='4' threads='1'/></cpu>", "t.xml");
        Assert.Equal(new CpuTopology(2, 1, 3, 4, 1), cpu.Topology);
        Assert.Contains("<topology sockets='2' dies='1' cores='4' threads='1'/>", CpuXml.Format(cpu, CpuXmlStyle.Libvirt9), StringComparison.Ordinal);
        Assert.Contains("<topology sockets='2' dies='1' clusters='3' cores='4' threads='1'/>", CpuXml.Format(cpu), StringComparison.Ordinal);
    }

    [Fact]
    public void Escapes_text_and_attributes()
    {
        var cpu = new CpuDefinition { Type = CpuType.Guest, Model = "a<b&'c\"", Features = [new CpuFeature("x'y", FeaturePolicy.Require)] };
        var text = CpuXml.Format(cpu);
        Assert.Contains("<model fallback='allow'>a&lt;b&amp;&apos;c&quot;</model>", text, StringComparison.Ordinal);
        Assert.Equal(cpu.Model, CpuXml.Parse(text, "esc.xml").Model);
        Assert.Equal("x'y", CpuXml.Parse(text, "esc.xml").Features[0].Name);
    }

    [Theory]
    [InlineData("<cpu match='exact'><arch>x86_64</arch><model>Penryn</model></cpu>", "'arch' element cannot be used inside 'cpu' element with 'match' attribute")]
    [InlineData("<cpu mode='custom'><arch>x86_64</arch><model>Penryn</model></cpu>", "Attribute mode is only allowed for guest CPU")]
    [InlineData("<cpu mode='weird'/>", "Invalid mode attribute 'weird'")]
    [InlineData("<cpu match='loose'><model>Penryn</model></cpu>", "Invalid match attribute")]
    [InlineData("<cpu check='always'><model>Penryn</model></cpu>", "Invalid check attribute")]
    [InlineData("<cpu migratable='on'><model>Penryn</model></cpu>", "Attribute migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode")]
    [InlineData("<cpu mode='host-passthrough' migratable='yes'/>", "Invalid value in migratable attribute")]
    [InlineData("<cpu deprecated_features='yes'/>", "Invalid value in deprecated_features attribute")]
    [InlineData("<cpu><arch></arch><model>Penryn</model></cpu>", "Missing CPU architecture")]
    [InlineData("<cpu><arch>z80</arch><model>Penryn</model></cpu>", "Unknown architecture z80")]
    [InlineData("<cpu><arch>x86_64</arch></cpu>", "Missing CPU model name")]
    [InlineData("<cpu><arch>x86_64</arch><model/></cpu>", "Missing CPU model name")]
    [InlineData("<cpu><arch>x86_64</arch><model>P</model><signature family='0' model='1' stepping='1'/></cpu>", "Zero is not permitted")]
    [InlineData("<cpu><arch>x86_64</arch><model>P</model><signature family='6' stepping='1'/></cpu>", "Missing required attribute 'model' in element 'signature'")]
    [InlineData("<cpu><arch>x86_64</arch><model>P</model><microcode version='x'/></cpu>", "invalid microcode version")]
    [InlineData("<cpu><arch>x86_64</arch><model>P</model><counter name='tsc'/></cpu>", "Missing required attribute 'frequency'")]
    [InlineData("<cpu><model fallback='maybe'>Penryn</model></cpu>", "Invalid fallback attribute")]
    [InlineData("<cpu><model vendor_id='Intel'>Penryn</model></cpu>", "vendor_id must be exactly 12 characters long")]
    [InlineData("<cpu><model vendor_id='Genuine,ntel'>Penryn</model></cpu>", "vendor id is invalid")]
    [InlineData("<cpu><vendor>Intel</vendor></cpu>", "CPU vendor specified without CPU model")]
    [InlineData("<cpu><feature name='vmx'/></cpu>", "Non-empty feature list specified without CPU model")]
    [InlineData("<cpu><model>Penryn</model><feature policy='maybe' name='vmx'/></cpu>", "Invalid CPU feature policy 'maybe'")]
    [InlineData("<cpu><model>Penryn</model><feature policy='require'/></cpu>", "Invalid CPU feature name")]
    [InlineData("<cpu><model>Penryn</model><feature name=''/></cpu>", "Invalid CPU feature name")]
    [InlineData("<cpu><model>Penryn</model>\n<feature name='vmx'/>\n<feature name='vmx' policy='disable'/></cpu>", "line 3: CPU feature 'vmx' specified more than once")]
    [InlineData("<cpu><topology cores='1' threads='1'/></cpu>", "Missing required attribute 'sockets' in element 'topology'")]
    [InlineData("<cpu><topology sockets='0' cores='1' threads='1'/></cpu>", "Invalid value for attribute 'sockets' in element 'topology': Zero is not permitted")]
    [InlineData("<cpu><topology sockets='1' dies='0' cores='1' threads='1'/></cpu>", "'dies'")]
    [InlineData("<cpu><topology sockets='1' cores='-1' threads='1'/></cpu>", "Invalid value for attribute 'cores'")]
    [InlineData("<cpu><topology sockets='1' cores='1'/></cpu>", "'threads'")]
    [InlineData("<domain><cpu/></domain>", "XML does not contain expected 'cpu' element")]
    [InlineData("<cpu>", "malformed XML")]
    [InlineData("", "empty file")]
    [InlineData("<!DOCTYPE cpu [<!ENTITY a 'x'>]><cpu><model>&a;</model></cpu>", "DTD")]
    public void Rejects_invalid_definitions(string xml, string problem)
    {
        var e = Assert.Throws<InputException>(() => CpuXml.Parse(xml, "bad.xml"));
        Assert.Equal("bad.xml", e.File);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseAll_reads_concatenated_cpus_without_a_root()
    {
        var cpus = CpuXml.ParseAll("""
            <cpu>
              <arch>x86_64</arch>
              <model>Penryn</model>
            </cpu>
            <!-- second -->
            <cpu>
              <arch>x86_64</arch>
              <model>Nehalem</model>
              <vendor>Intel</vendor>
            </cpu>
            """, "two.xml");
        Assert.Equal(["Penryn", "Nehalem"], cpus.Select(c => c.Model));
        Assert.All(cpus, c => Assert.Equal(CpuType.Host, c.Type));
    }

    [Fact]
    public void ParseAll_reads_any_root_with_the_requested_type()
    {
        var cpus = CpuXml.ParseAll("<?xml version='1.0'?>\n<cpuTest><cpu><model>A</model></cpu><cpu><model>B</model></cpu></cpuTest>", "t.xml", CpuType.Guest);
        Assert.Equal(["A", "B"], cpus.Select(c => c.Model));
        Assert.All(cpus, c => Assert.Equal(CpuType.Guest, c.Type));

        var e = Assert.Throws<InputException>(() => CpuXml.ParseAll("<cpuTest><cpu><arch>x86_64</arch><model>A</model></cpu><cpu><arch>x86_64</arch></cpu></cpuTest>", "t.xml", CpuType.Host));
        Assert.Contains("Missing CPU model name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseAll_reads_the_host_cpu_of_capabilities_and_skips_numa_cpus()
    {
        var cpus = CpuXml.ParseAll("""
            <capabilities>
              <host>
                <uuid>00000000-0000-0000-0000-000000000000</uuid>
                <cpu>
                  <arch>x86_64</arch>
                  <model>Skylake-Client-IBRS</model>
                  <vendor>Intel</vendor>
                  <microcode version='226'/>
                  <signature family='6' model='94' stepping='3'/>
                  <counter name='tsc' frequency='2591996000' scaling='yes'/>
                  <topology sockets='1' dies='1' clusters='1' cores='4' threads='2'/>
                  <maxphysaddr mode='emulate' bits='39'/>
                  <feature name='ds'/>
                  <feature name='acpi'/>
                  <pages unit='KiB' size='4'/>
                </cpu>
                <topology>
                  <cells num='1'>
                    <cell id='0'>
                      <cpus num='2'>
                        <cpu id='0' socket_id='0' die_id='0' cluster_id='0' core_id='0' siblings='0,4'/>
                        <cpu id='1' socket_id='0' die_id='0' cluster_id='0' core_id='1' siblings='1,5'/>
                      </cpus>
                    </cell>
                  </cells>
                </topology>
              </host>
              <guest><os_type>hvm</os_type><arch name='x86_64'/></guest>
            </capabilities>
            """, "caps.xml");
        var cpu = Assert.Single(cpus);
        Assert.Equal(CpuType.Host, cpu.Type);
        Assert.Equal("Skylake-Client-IBRS", cpu.Model);
        Assert.Equal(new TscCounter(2591996000, true), cpu.Tsc);
        Assert.Equal(["ds", "acpi"], cpu.Features.Select(f => f.Name));
    }

    [Fact]
    public void ParseAll_turns_the_domain_capabilities_host_model_into_a_custom_guest_cpu()
    {
        var cpus = CpuXml.ParseAll("""
            <domainCapabilities>
              <path>/usr/bin/qemu-system-x86_64</path>
              <arch>x86_64</arch>
              <cpu>
                <mode name='host-passthrough' supported='yes'>
                  <enum name='hostPassthroughMigratable'><value>on</value></enum>
                </mode>
                <mode name='host-model' supported='yes'>
                  <model fallback='forbid'>Skylake-Client-IBRS</model>
                  <vendor>Intel</vendor>
                  <maxphysaddr mode='passthrough' limit='39'/>
                  <feature policy='require' name='ss'/>
                  <feature policy='disable' name='mpx'/>
                </mode>
                <mode name='custom' supported='yes'>
                  <model usable='yes' vendor='Intel' canonical='Haswell-v1'>Haswell</model>
                  <blockers model='Icelake-Server'><feature name='avx512f'/></blockers>
                </mode>
              </cpu>
            </domainCapabilities>
            """, "domcaps.xml", CpuType.Host);
        var cpu = Assert.Single(cpus);
        Assert.Equal(CpuType.Guest, cpu.Type);
        Assert.Equal(CpuMode.Custom, cpu.Mode);
        Assert.Equal(CpuMatch.Exact, cpu.Match);
        Assert.Equal(CpuFallback.Forbid, cpu.Fallback);
        Assert.Equal("""
            <cpu mode='custom' match='exact'>
              <model fallback='forbid'>Skylake-Client-IBRS</model>
              <vendor>Intel</vendor>
              <feature policy='require' name='ss'/>
              <feature policy='disable' name='mpx'/>
            </cpu>

            """.ReplaceLineEndings("\n"), CpuXml.Format(cpu));

        var unsupported = "<domainCapabilities><cpu><mode name='host-model' supported='no'/></cpu></domainCapabilities>";
        Assert.Contains("no CPU definition found", Assert.Throws<InputException>(() => CpuXml.ParseAll(unsupported, "d.xml")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseAll_reads_the_cpu_of_a_domain()
    {
        var cpus = CpuXml.ParseAll("""
            <domain type='kvm'>
              <name>vm</name>
              <vcpu placement='static'>4</vcpu>
              <cpu mode='custom' match='exact' check='partial'>
                <model fallback='allow'>EPYC-Rome</model>
                <topology sockets='1' dies='1' clusters='1' cores='2' threads='2'/>
                <feature policy='require' name='x2apic'/>
                <numa><cell id='0' cpus='0-3' memory='4' unit='GiB'/></numa>
              </cpu>
              <devices/>
            </domain>
            """, "vm.xml");
        var cpu = Assert.Single(cpus);
        Assert.Equal(CpuCheck.Partial, cpu.Check);
        Assert.Equal("EPYC-Rome", cpu.Model);
    }

    [Fact]
    public void Reads_files()
    {
        var dir = Directory.CreateTempSubdirectory("virtcpu-cpuxml-");
        try
        {
            var one = Path.Combine(dir.FullName, "guest.xml");
            File.WriteAllText(one, "\uFEFF<cpu mode='host-model'/>\n");
            Assert.Equal(CpuMode.HostModel, CpuXml.ReadFile(one).Mode);
            Assert.Single(CpuXml.ReadAllFile(one));
            var missing = Path.Combine(dir.FullName, "missing.xml");
            Assert.Equal($"{missing}: no such file", Assert.Throws<InputException>(() => CpuXml.ReadAllFile(missing)).Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void ParseAll_errors_name_the_line()
    {
        var xml = "<cpu>\n  <model>A</model>\n</cpu>\n<cpu>\n  <model>B</model>\n  <feature name='x'/>\n  <feature name='x'/>\n</cpu>\n";
        var e = Assert.Throws<InputException>(() => CpuXml.ParseAll(xml, "two.xml"));
        Assert.Equal("two.xml: line 7: CPU feature 'x' specified more than once", e.Message);
    }

    [Fact]
    public void ParseAll_rejects_documents_without_cpus_and_stray_text()
    {
        Assert.Contains("no CPU definition found", Assert.Throws<InputException>(() => CpuXml.ParseAll("<domain/>", "d.xml")).Message, StringComparison.Ordinal);
        Assert.Contains("text outside of any element", Assert.Throws<InputException>(() => CpuXml.ParseAll("<cpu/>junk", "d.xml")).Message, StringComparison.Ordinal);
        Assert.Contains("DTD", Assert.Throws<InputException>(() => CpuXml.ParseAll("<!DOCTYPE x><cpu/>", "d.xml")).Message, StringComparison.Ordinal);
    }
}
