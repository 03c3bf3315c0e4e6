using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Qemu;

namespace VirtCpu.Tests.Qemu;

/// <summary>QEMU 10.0 expansions worked out by hand from the rules of <c>docs/design.md#62-building-a-cpu</c> (no 10.0 binary exists here).</summary>
public sealed class QemuExpansionTests
{
    private static readonly QemuHypervisorCatalog Q10 = BuiltInHypervisors.Get("10.0");
    private static readonly QemuHypervisorCatalog Q72 = BuiltInHypervisors.Get("7.2");

    private static QemuCpu Expand(string model, string machine = "none", QemuAccelerator accel = QemuAccelerator.Tcg, QemuHypervisorCatalog? catalog = null, params string[] features) =>
        QemuExpander.Expand(catalog ?? Q10, new QemuCpuConfig(model) { Machine = machine, Accelerator = accel, Features = [.. features.Select(QemuFeatureSwitch.Parse)] });

    private static bool Has(QemuCpu cpu, string feature) => cpu.Enabled.Contains(cpu.Catalog.Feature(feature)!.Index);

    [Fact]
    public void EpycV4UnderKvmHasNoSvmNorItsLeaf()
    {
        var cpu = Expand("EPYC-v4", "pc-q35-9.2", QemuAccelerator.Kvm);
        Assert.Equal("EPYC-v4", cpu.Resolution.Resolved);
        Assert.False(Has(cpu, "svm"));
        Assert.False(Has(cpu, "npt"));
        Assert.False(Has(cpu, "nrip-save"));
        Assert.False(Has(cpu, "monitor"));
        Assert.True(Has(cpu, "x2apic"));
        Assert.True(Has(cpu, "kvmclock"));
        Assert.True(Has(cpu, "kvm-pv-eoi"));
        Assert.True(Has(cpu, "hypervisor"));
        Assert.True(Has(cpu, "vme"));
        Assert.Equal("AMD EPYC-v4 Processor", cpu.ModelId);
        Assert.Equal((23, 1, 2), (cpu.Family, cpu.Model, cpu.Stepping));

        // The same version under TCG keeps svm and its leaf, loses vme and the KVM word.
        var tcg = Expand("EPYC-v4");
        Assert.True(Has(tcg, "svm") && Has(tcg, "npt") && Has(tcg, "nrip-save"));
        Assert.False(Has(tcg, "vme") || Has(tcg, "kvmclock"));
    }

    [Fact]
    public void KvmTakesTheHostVendor()
    {
        var cpu = QemuExpander.Expand(Q10, new QemuCpuConfig("EPYC-v4") { HostVendor = "GenuineIntel" });
        Assert.Equal("GenuineIntel", cpu.Vendor);
        Assert.Equal("AuthenticAMD", QemuExpander.Expand(Q10, new QemuCpuConfig("EPYC-v4") { Accelerator = QemuAccelerator.Tcg, HostVendor = "GenuineIntel" }).Vendor);
    }

    [Fact]
    public void IcelakeServerV7HasTsxAgain()
    {
        var v7 = Expand("Icelake-Server-v7");
        Assert.True(Has(v7, "hle") && Has(v7, "rtm") && Has(v7, "taa-no"));
        var v6 = Expand("Icelake-Server-v6");
        Assert.False(Has(v6, "hle") || Has(v6, "rtm"));
        Assert.Equal(106, v7.Model);
        Assert.Throws<InputException>(() => Expand("Icelake-Server-v7", catalog: Q72));
    }

    [Fact]
    public void EpycUnderPcI440fx31IsLegacyWithoutNptWhileEpycV1KeepsIt()
    {
        var epyc = Expand("EPYC", "pc-i440fx-3.1");
        Assert.Equal("legacy", epyc.Resolution.Resolved);
        Assert.Null(epyc.Resolution.AliasOf);
        Assert.False(Has(epyc, "npt"));
        Assert.False(Has(epyc, "nrip-save"));
        Assert.True(Has(epyc, "svm"));
        var v1 = Expand("EPYC-v1", "pc-i440fx-3.1");
        Assert.True(Has(v1, "npt") && Has(v1, "nrip-save"));

        // EPYC-IBPB is an alias class: the per-model entries reach it too, and it stays on v2.
        var ibpb = Expand("EPYC-IBPB", "pc-i440fx-3.1");
        Assert.Equal("EPYC-v2", ibpb.Resolution.Resolved);
        Assert.False(Has(ibpb, "npt"));
    }

    [Fact]
    public void SkylakeServerUnderPcI440fx211GetsItsOldFeatures()
    {
        var old = Expand("Skylake-Server", "pc-i440fx-2.11");
        Assert.False(Has(old, "clflushopt"));
        Assert.False(Has(old, "pku"));
        Assert.True(Has(old, "mpx"));
        var v1 = Expand("Skylake-Server-v1", "pc-i440fx-2.11");
        Assert.True(Has(v1, "clflushopt") && Has(v1, "pku"));
        Assert.False(Has(v1, "mpx"));

        // The 2.12 global topoext=off reaches every class, versioned ones included.
        Assert.True(Has(Expand("EPYC-v1"), "topoext"));
        Assert.False(Has(Expand("EPYC-v1", "pc-i440fx-2.12"), "topoext"));
    }

    [Fact]
    public void Qemu64UnderPcI440fx60IsTheOldSignatureButQemu64V1IsNot()
    {
        var old = Expand("qemu64", "pc-i440fx-6.0");
        Assert.Equal((6, 6, 3), (old.Family, old.Model, old.Stepping));
        Assert.Equal("qemu64-v1", old.Resolution.AliasOf);
        var v1 = Expand("qemu64-v1", "pc-i440fx-6.0");
        Assert.Equal((15, 107, 1), (v1.Family, v1.Model, v1.Stepping));
        Assert.Equal((15, 107, 1), (Expand("qemu64", "pc-i440fx-6.1").Family, Expand("qemu64", "pc-i440fx-6.1").Model, 1));
        Assert.Equal("QEMU Virtual CPU version 2.4.0", Expand("qemu64", "pc-i440fx-2.4").ModelId);
        Assert.Equal("QEMU Virtual CPU version 2.5+", Expand("qemu64", "pc-i440fx-2.5").ModelId);
    }

    [Theory]
    [InlineData("10.0", "Haswell", "Haswell-v4")]
    [InlineData("10.0", "EPYC", "EPYC-v4")]
    [InlineData("7.2", "EPYC", "EPYC-v3")]
    [InlineData("7.2", "Skylake-Server", "Skylake-Server-v5")]
    [InlineData("7.2", "Icelake-Server", "Icelake-Server-v6")]
    public void MicrovmResolvesToTheLatestVersion(string qemu, string model, string expected) =>
        Assert.Equal(expected, Expand(model, "microvm", catalog: BuiltInHypervisors.Get(qemu)).Resolution.Resolved);

    [Theory]
    [InlineData("pc", "Haswell-v1", "Haswell-v1")]
    [InlineData("q35", "Haswell-v1", "Haswell-v1")]
    [InlineData("pc-q35-4.1", "Haswell-v1", "Haswell-v1")]
    [InlineData("pc-i440fx-4.0", "legacy", null)]
    [InlineData("pc-q35-4.0.1", "legacy", null)]
    [InlineData("isapc", "legacy", null)]
    [InlineData("none", "Haswell-v1", "Haswell-v1")]
    [InlineData("microvm", "Haswell-v4", "Haswell-v4")]
    [InlineData("xenfv-3.1", "legacy", null)]
    public void UnversionedNamesResolveByMachineType(string machine, string resolved, string? aliasOf)
    {
        var r = QemuModelResolution.Resolve(Q10, "Haswell", QemuMachineTypes.Find(Q10, machine));
        Assert.Equal(resolved, r.Resolved);
        Assert.Equal(aliasOf, r.AliasOf);
        Assert.Equal("Haswell", r.Given);
    }

    [Fact]
    public void AliasesAndVersionedNamesIgnoreTheMachineType()
    {
        var legacy = QemuMachineTypes.Find(Q10, "pc-i440fx-2.4");
        Assert.Equal("Haswell-v2", QemuModelResolution.Resolve(Q10, "Haswell-noTSX", legacy).Resolved);
        Assert.Null(QemuModelResolution.Resolve(Q10, "Haswell-noTSX", legacy).AliasOf);
        Assert.Equal("Haswell-v3", QemuModelResolution.Resolve(Q10, "Haswell-v3", legacy).Resolved);
        Assert.Throws<InputException>(() => QemuModelResolution.Resolve(Q10, "Haswell-v9", legacy));
        Assert.Throws<InputException>(() => QemuModelResolution.Resolve(Q10, "NoSuchCPU", legacy));
        Assert.Throws<InputException>(() => QemuModelResolution.Resolve(Q10, "host", legacy));
    }

    [Fact]
    public void MachineTypesDependOnTheRelease()
    {
        Assert.Throws<InputException>(() => QemuMachineTypes.Find(Q10, "pc-i440fx-2.3"));
        Assert.Throws<InputException>(() => QemuMachineTypes.Find(Q72, "pc-i440fx-8.0"));
        Assert.Throws<InputException>(() => QemuMachineTypes.Find(Q72, "pc-q35-2.3"));
        Assert.Equal(QemuDefaultVersion.Legacy, QemuMachineTypes.Find(Q72, "pc-i440fx-1.4").DefaultVersion);
        Assert.Equal("pc-i440fx-10.0", QemuMachineTypes.Find(Q10, "pc").CanonicalName);
        Assert.Equal("pc-q35-7.2", QemuMachineTypes.Find(Q72, "q35").CanonicalName);

        // A catalog without machine data (a table import) resolves no PC type: no rule stands in.
        var bare = Q72.WithMachineData([], []);
        Assert.Equal("none", QemuMachineTypes.Find(bare, "none").CanonicalName);
        var e = Assert.Throws<InputException>(() => QemuMachineTypes.Find(bare, "pc"));
        Assert.Equal("qemu-7.2 holds no pc-i440fx or pc-q35 machine types, so it cannot resolve 'pc' (a table import: import QEMU 7.2 with import-qemu --source or --binary)", e.Message);
    }

    [Fact]
    public void Qemu72OldMachineTypesApplyTheirCompatArrays()
    {
        // pc_compat_2_2: Haswell vme/f16c/rdrand off; pc_compat_2_3: arat off (global).
        var haswell = Expand("Haswell", "pc-i440fx-2.2", QemuAccelerator.Kvm, Q72);
        Assert.False(Has(haswell, "vme") || Has(haswell, "f16c") || Has(haswell, "rdrand") || Has(haswell, "arat") || Has(haswell, "abm"));
        Assert.Equal(1, haswell.Stepping);
        Assert.Equal("QEMU Virtual CPU version 1.4.0", Expand("qemu64", "pc-i440fx-1.4", catalog: Q72).ModelId);
    }

    [Fact]
    public void VmxControlsNeedVmx()
    {
        var plain = Expand("Skylake-Server-v4");
        Assert.DoesNotContain(plain.EnabledNames, n => n.StartsWith("vmx-", StringComparison.Ordinal));
        var nested = Expand("Skylake-Server-v4", features: "+vmx");
        Assert.True(Has(nested, "vmx-ept") && Has(nested, "vmx-eptp-switching") && Has(nested, "vmx-invept-single-context"));

        // A user-requested feature whose prerequisite is missing is filtered, not enabled.
        var lonely = Expand("Skylake-Server-v4", features: "+vmx-ept");
        Assert.False(Has(lonely, "vmx-ept"));
        Assert.Contains("vmx-ept", lonely.FilteredNames);
    }

    [Fact]
    public void UserOptionsAcceptAliasesAndMinusWins()
    {
        var cpu = Expand("Haswell-v1", features: ["-sse4_1", "+avx512f", "-avx512f", "+pclmuldq"]);
        Assert.False(Has(cpu, "sse4.1"));
        Assert.False(Has(cpu, "avx512f"));
        Assert.True(Has(cpu, "pclmulqdq"));
        Assert.Throws<InputException>(() => Expand("Haswell-v1", features: "+avx512_bf16"));
    }

    [Fact]
    public void HostOfferFiltersWhatTheHostLacks()
    {
        var full = Expand("Haswell-v4", "pc", QemuAccelerator.Kvm);
        var offer = full.Enabled.Without(Q10.Feature("avx2")!.Index).Without(Q10.Feature("pcid")!.Index);
        var cpu = QemuExpander.Expand(Q10, new QemuCpuConfig("Haswell-v4") { HostOffer = offer });
        Assert.Equal(["avx2", "pcid"], cpu.FilteredNames);
        Assert.Equal(offer, cpu.Enabled);
    }

    [Fact]
    public void NewModelsOf10()
    {
        var gnr = Expand("GraniteRapids-v2");
        Assert.True(Has(gnr, "avx10") && Has(gnr, "avx10-128") && Has(gnr, "avx10-256") && Has(gnr, "avx10-512"));
        Assert.Equal(1, gnr.Stepping);
        var yongfeng = Expand("YongFeng-v2");
        Assert.Equal((7, 91, 3), (yongfeng.Family, yongfeng.Model, yongfeng.Stepping));
        Assert.Equal("CentaurHauls", yongfeng.Vendor);
        Assert.DoesNotContain(yongfeng.EnabledNames, n => n.StartsWith("vmx-", StringComparison.Ordinal));

        // The unnamed bits survive in the words only while their prerequisite holds.
        var word = Q10.Word("FEAT_VMX_EXIT_CTLS")!;
        Assert.Equal(0UL, yongfeng.Words[word.Number]);
        Assert.NotEqual(0UL, Expand("YongFeng-v2", features: "+vmx").Words[word.Number] & (1UL << 9));
    }
}

/// <summary>How long expanding every model name takes (reported in the test output).</summary>
public sealed class QemuExpansionTimingTests
{
    [Theory]
    [InlineData("7.2")]
    [InlineData("10.0")]
    public void ExpandAllExpandsEveryNameWithinTheHangBound(string qemu)
    {
        var catalog = BuiltInHypervisors.Get(qemu);
        var none = QemuMachineTypes.Find(catalog, "none");
        var config = new QemuCpuConfig("") { Accelerator = QemuAccelerator.Tcg };
        _ = catalog.ModelNames.Select(n => QemuExpander.Expand(catalog, QemuModelResolution.Resolve(catalog, n, none), config)).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var all = catalog.ModelNames.Select(n => QemuExpander.Expand(catalog, QemuModelResolution.Resolve(catalog, n, none), config)).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"expand --all {catalog.Name}: {all.Count} names in {clock.Elapsed.TotalMilliseconds:0.0} ms");
        HangBound.Check(clock, $"expand --all {catalog.Name}");
        Assert.Equal(catalog.ModelNames.Count(), all.Count);
    }
}
