using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Qemu;
using VirtCpu.Qemu.BinaryImport;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Tests.Qemu;

/// <summary>
/// The pure parts of <c>import-qemu --binary</c> on inputs shaped like a real QEMU's: its warning
/// lines (three spellings), <c>-cpu help</c>, the decoding of binary-coded bit runs (against a
/// small model of how QEMU realizes a vCPU: dependencies, TCG filtering, derived XSAVE bits, a
/// silently cleared word), the reveal plan, compat properties from <c>query-machines</c>, and
/// dependencies read from which runs dropped a feature.
/// </summary>
public sealed class QemuBinaryImportTests
{
    [Theory]
    [InlineData("qemu-system-x86_64: warning: TCG doesn't support requested feature: CPUID[eax=07h,ecx=00h].EBX.avx512f [bit 16]", QemuDropReason.NotSupported, CpuDataKind.Cpuid, 7u, 0u, true, "avx512f", 16)]
    [InlineData("qemu-system-x86_64: warning: TCG doesn't support requested feature: CPUID.01H:ECX.sse4.1 [bit 19]", QemuDropReason.NotSupported, CpuDataKind.Cpuid, 1u, null, false, "sse4.1", 19)]
    [InlineData("qemu-system-x86_64: warning: This feature depends on other features that were not requested: MSR(48EH).vmx-hlt-exit [bit 7]", QemuDropReason.Dependency, CpuDataKind.Msr, 0x48eu, null, true, "vmx-hlt-exit", 7)]
    [InlineData("qemu-system-x86_64: warning: this feature conflicts with APX: CPUID[eax=07h,ecx=00h].EBX.mpx [bit 14]", QemuDropReason.Other, CpuDataKind.Cpuid, 7u, 0u, true, "mpx", 14)]
    [InlineData("qemu-system-x86_64: warning: TCG doesn't support requested feature: MSR(10Ah).its-no [bit 62]", QemuDropReason.NotSupported, CpuDataKind.Msr, 0x10au, null, true, "its-no", 62)]
    public void ReadsQemusFeatureWarnings(string line, QemuDropReason reason, CpuDataKind kind, uint index, uint? subleaf, bool subleafKnown, string name, int bit)
    {
        var w = QemuFeatureWarning.Parse(line)!;
        Assert.Equal((reason, kind, index, subleaf, subleafKnown, name, bit), (w.Reason, w.Word.Kind, w.Word.Index, w.Word.Subleaf, w.SubleafKnown, w.Name, w.Bit));
        Assert.Null(QemuFeatureWarning.Parse("qemu-system-x86_64: warning: host doesn't support requested feature"));
        Assert.Equal(2, QemuFeatureWarning.ParseAll(line + "\nsomething else\n" + line + "\n").Count);
    }

    [Fact]
    public void ReadsCpuHelp()
    {
        var help = QemuCpuHelp.Parse("""
            Available CPUs:
              Cascadelake-Server    (alias configured by machine type)
              Cascadelake-Server-v2  Intel Xeon Processor (Cascadelake) [ARCH_CAPABILITIES]
              Cascadelake-Server-v1  Intel Xeon Processor (Cascadelake)
              486-v1                
              Old-v2                Old CPU [with [brackets]] (deprecated)

            Recognized CPUID flags:
              3dnow kvmclock kvmclock sse4.1
              vmx-invept-single-context

            """);
        Assert.Equal(["3dnow", "kvmclock", "sse4.1", "vmx-invept-single-context"], help.FeatureNames);
        Assert.Equal("ARCH_CAPABILITIES", help.Note("Cascadelake-Server-v2", "Intel Xeon Processor (Cascadelake)"));
        Assert.Null(help.Note("Cascadelake-Server-v1", "Intel Xeon Processor (Cascadelake)"));
        Assert.Null(help.Note("486-v1", ""));
        Assert.Equal("with [brackets]", help.Note("Old-v2", "Old CPU"));
        Assert.Throws<FormatException>(() => QemuCpuHelp.Parse("Available CPUs:\n  arm926\n"));
    }

    [Fact]
    public void DecodesCodedRunsIntoWordsAndBits()
    {
        var runs = ToyQemu.Runs();
        var observed = QemuFeatureBitDecoder.Decode(ToyQemu.Names, runs, _ => null);
        var byName = observed.Features.ToDictionary(f => f.Name);
        Assert.Equal((QemuWordLocation.Cpuid(1, null, CpuRegister.Edx), 0, true), (byName["fpu"].Word, byName["fpu"].Bits.Single(), byName["fpu"].Tcg));
        Assert.Equal((QemuWordLocation.Cpuid(1, null, CpuRegister.Ecx), 5, false), (byName["vmx"].Word, byName["vmx"].Bits.Single(), byName["vmx"].Tcg));
        Assert.Equal((QemuWordLocation.Cpuid(1, null, CpuRegister.Ecx), 26), (byName["xsave"].Word, byName["xsave"].Bits.Single()));
        Assert.Equal((QemuWordLocation.Cpuid(7, 0, CpuRegister.Edx), 29, false), (byName["arch"].Word, byName["arch"].Bits.Single(), byName["arch"].Tcg));
        Assert.Equal((QemuWordLocation.Msr(0x48b), 3, false), (byName["vmx-x"].Word, byName["vmx-x"].Bits.Single(), byName["vmx-x"].Tcg));
        Assert.Equal((QemuWordLocation.Msr(0x10a), 0, true), (byName["arch-x"].Word, byName["arch-x"].Bits.Single(), byName["arch-x"].Tcg));
        Assert.Equal([25, 41], byName["vmx-2bit"].Bits);
        Assert.Equal(["kvmclock"], observed.Unobserved);
        Assert.Contains("arch-x", observed.DroppedForDependency);
        Assert.Equal([QemuWordLocation.Cpuid(1, null, CpuRegister.Edx), QemuWordLocation.Cpuid(1, null, CpuRegister.Ecx), QemuWordLocation.Cpuid(7, 0, CpuRegister.Edx), ToyQemu.Xcr0], observed.CpuidWords);
    }

    [Fact]
    public void BuildsTheFeatureTableInheritingOnlyWhatNoRunShows()
    {
        var runs = ToyQemu.Runs();
        var observed = QemuFeatureBitDecoder.Decode(ToyQemu.Names, runs, _ => null);
        var notes = new List<string>();
        var parts = QemuFeatureTable.Build(observed, ToyQemu.Names, ToyQemu.Inherited(), notes);
        Assert.Equal(["FEAT_1_EDX", "FEAT_1_ECX", "FEAT_7_0_EDX", "FEAT_KVM", "FEAT_VMX_PROCBASED_CTLS2", "FEAT_MSR_10A"], parts.Words.Select(w => w.Name));
        Assert.Contains(parts.Features, f => f.Name == "kvmclock" && f.Bits.SequenceEqual([0, 3]));
        Assert.Contains(notes, n => n.Contains("bits inherited for 1 features", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("not in this release (in toy-1.0): gone", StringComparison.Ordinal));
        parts = QemuDependencyInference.Infer(parts, runs, notes);
        Assert.Equal(2, parts.Dependencies.Length);
        var inferred = parts.Dependencies[1];
        Assert.Equal(("FEAT_7_0_EDX", "FEAT_MSR_10A", 1UL), (inferred.From.Name, inferred.To.Name, inferred.ToMask));
        Assert.Contains(notes, n => n.Contains("arch -> arch-x", StringComparison.Ordinal));
    }

    [Fact]
    public void PlansExpansionsThatShowEveryDependent()
    {
        var edx = new QemuFeatureWord("W1", CpuDataKind.Cpuid, 1, null, CpuRegister.Ecx);
        var proc = new QemuFeatureWord("PROC", CpuDataKind.Msr, 0x48e, null, CpuRegister.Eax);
        var sec = new QemuFeatureWord("SEC", CpuDataKind.Msr, 0x48b, null, CpuRegister.Eax);
        var ept = new QemuFeatureWord("EPT", CpuDataKind.Msr, 0x48c, null, CpuRegister.Eax);
        var vmx = new QemuFeature("vmx", edx, [5]);
        var secondary = new QemuFeature("vmx-secondary-ctls", proc, [31]);
        var hlt = new QemuFeature("vmx-hlt-exit", proc, [7]);
        var eptOn = new QemuFeature("vmx-ept", sec, [1]);
        var cap = new QemuFeature("vmx-ept-execonly", ept, [0]);
        var catalog = QemuHypervisorCatalog.Create("toy", new Version(1, 0), [edx, proc, sec, ept], [vmx, secondary, hlt, eptOn, cap],
            [new(edx, vmx.Mask, proc, ulong.MaxValue), new(proc, secondary.Mask, sec, ulong.MaxValue), new(sec, eptOn.Mask, ept, ulong.MaxValue)], []);
        var plan = QemuRevealPlan.Create(catalog);
        Assert.Equal(0, plan.ShownBy("vmx"));
        Assert.Equal(1, plan.ShownBy("vmx-hlt-exit"));
        Assert.Equal(1, plan.ShownBy("vmx-ept-execonly"));
        Assert.DoesNotContain("vmx-secondary-ctls", plan.Sets[plan.ShownBy("vmx-secondary-ctls")]);
        Assert.DoesNotContain("vmx-ept", plan.Sets[plan.ShownBy("vmx-ept")]);
        Assert.True(plan.ShownBy("vmx-secondary-ctls") > 1 && plan.ShownBy("vmx-ept") > 1);
        Assert.Contains("vmx", plan.Sets[plan.ShownBy("vmx-ept")]);
        Assert.Empty(plan.Hidden);
    }

    [Fact]
    public void TakesEachReleasesCompatArrayFromWhatItsListAddsToTheNewerOne()
    {
        var word = new QemuFeatureWord("W", CpuDataKind.Cpuid, 1, null, CpuRegister.Ecx);
        var npt = new QemuFeature("npt", word, [1]);
        var model = new QemuModelDefinition { Vendor = "AuthenticAMD", Family = 1, Model = 1, Stepping = 1, ModelId = "", Level = 1, XLevel = 0, Features = FeatureSet.Empty };
        var catalog = QemuHypervisorCatalog.Create("toy", new Version(9, 2), [word], [npt], [], [new QemuBaseModel("EPYC", model, [new QemuModelVersion(1, null, null, [], null)])]);
        QemuGlobalProperty P(string type, string prop, string value) => new(type, prop, value);
        ImmutableArray<QemuGlobalProperty> newest = [P("ramfb", "x", "1")];
        ImmutableArray<QemuGlobalProperty> mid = [.. newest, P("x86_64-cpu", "x-knob", "off"), P("EPYC-x86_64-cpu", "npt", "off")];
        ImmutableArray<QemuGlobalProperty> old = [.. mid, P("x86_64-cpu", "stepping", "1"), P("Other-x86_64-cpu", "npt", "off")];
        var machines = new List<QemuMachineInfo>
        {
            new("pc-i440fx-9.2", "pc", true, false, newest),
            new("pc-i440fx-9.1", null, false, false, mid),
            new("pc-i440fx-2.6", null, false, true, old),
            new("pc-q35-9.2", "q35", false, false, newest),
            new("pc-q35-4.0.1", null, false, false, old),
            new("none", null, false, false, []),
        };
        var notes = new List<string>();
        var compat = QemuMachineData.CompatProperties(catalog, machines, notes)!.Value;
        Assert.Equal(["9.1 EPYC npt off", "2.6 * stepping 1"], compat.Select(c => $"{c.Release.ToString(2)} {c.Model ?? "*"} {c.Property} {c.Value}"));
        Assert.Empty(notes);
        Assert.Equal(["pc-i440fx-2.6", "pc-i440fx-9.1", "pc-i440fx-9.2", "pc-q35-4.0.1", "pc-q35-9.2"], QemuMachineData.VersionedTypes(machines));
        Assert.Null(QemuMachineData.CompatProperties(catalog, [new("pc-i440fx-7.2", null, false, false, null)], notes));
    }

    [Fact]
    public void MadeUpWordNamesFollowQemusSpelling()
    {
        Assert.Equal("FEAT_1E_1_EAX", QemuWordLocation.Cpuid(0x1e, 1, CpuRegister.Eax).MadeUpName());
        Assert.Equal("FEAT_80000021_ECX", QemuWordLocation.Cpuid(0x80000021, null, CpuRegister.Ecx).MadeUpName());
        Assert.Equal("FEAT_MSR_48E", QemuWordLocation.Msr(0x48e).MadeUpName());
    }

    [Fact]
    public void LaunchArgumentsAreQemus()
    {
        var launch = new QemuLaunch("tcg", "pc") { Cpu = "base,pmu=on", Smp = "2,cores=2" };
        Assert.Equal(["-machine", "pc", "-accel", "tcg", "-cpu", "base,pmu=on", "-smp", "2,cores=2", "-nodefaults", "-S", "-display", "none", "-qmp", "unix:/s,server=on,wait=off"], launch.Arguments("/s"));
        Assert.Equal(["-machine", "none", "-accel", "kvm"], QemuLaunch.For(QemuAccelerator.Kvm).Arguments("/s").Take(4));
    }

    /// <summary>
    /// A toy QEMU realizing <c>base</c> vCPUs: CPUID words 1.EDX, 1.ECX, 7.0.EDX and the XSAVE
    /// components (set whenever xsave is), MSR words 0x48b (needs vmx) and 0x10a (needs arch), a
    /// KVM word cleared without a word; TCG lacks vmx, arch and the 0x48b controls.
    /// </summary>
    private static class ToyQemu
    {
        public static readonly QemuWordLocation Xcr0 = QemuWordLocation.Cpuid(0xd, 0, CpuRegister.Eax);

        private static readonly QemuWordLocation Edx1 = QemuWordLocation.Cpuid(1, null, CpuRegister.Edx);
        private static readonly QemuWordLocation Ecx1 = QemuWordLocation.Cpuid(1, null, CpuRegister.Ecx);
        private static readonly QemuWordLocation Edx7 = QemuWordLocation.Cpuid(7, 0, CpuRegister.Edx);

        private static readonly (string Name, QemuWordLocation Word, int[] Bits, bool Tcg, string? Needs)[] Table =
        [
            ("arch", Edx7, [29], false, null),
            ("arch-x", QemuWordLocation.Msr(0x10a), [0], true, "arch"),
            ("avx", Ecx1, [28], true, null),
            ("fpu", Edx1, [0], true, null),
            ("kvmclock", QemuWordLocation.Cpuid(0x40000001, null, CpuRegister.Eax), [0, 3], false, null),
            ("vmx", Ecx1, [5], false, null),
            ("vmx-2bit", QemuWordLocation.Msr(0x48b), [25, 41], false, "vmx"),
            ("vmx-x", QemuWordLocation.Msr(0x48b), [3], false, "vmx"),
            ("xsave", Ecx1, [26], true, null),
        ];

        public static IReadOnlyList<string> Names { get; } = [.. Table.Select(t => t.Name)];

        public static QemuHypervisorCatalog Inherited()
        {
            var kvm = new QemuFeatureWord("FEAT_KVM", CpuDataKind.Cpuid, 0x40000001, null, CpuRegister.Eax);
            var ecx = new QemuFeatureWord("FEAT_1_ECX", CpuDataKind.Cpuid, 1, null, CpuRegister.Ecx);
            var sec = new QemuFeatureWord("FEAT_VMX_PROCBASED_CTLS2", CpuDataKind.Msr, 0x48b, null, CpuRegister.Eax);
            var edx = new QemuFeatureWord("FEAT_1_EDX", CpuDataKind.Cpuid, 1, null, CpuRegister.Edx);
            var vmx = new QemuFeature("vmx", ecx, [5]);
            return QemuHypervisorCatalog.Create("toy-1.0", new Version(1, 0), [edx, ecx, kvm, sec],
                [new("gone", edx, [1]), vmx, new("kvmclock", kvm, [0, 3], ["kvm_clock"]), new("vmx-x", sec, [3])],
                [new(ecx, vmx.Mask, sec, ulong.MaxValue)], []);
        }

        public static List<QemuBitRun> Runs()
        {
            var runs = new List<QemuBitRun> { Realize("baseline", null, false, []), Realize("all", null, false, [.. Names]) };
            for (var g = 0; g < QemuFeatureBitDecoder.Groups(Names.Count); g++)
            {
                runs.Add(Realize($"group {g}", g, false, [.. QemuFeatureBitDecoder.Members(Names, g, false)]));
                runs.Add(Realize($"complement {g}", g, true, [.. QemuFeatureBitDecoder.Members(Names, g, true)]));
            }

            return runs;
        }

        private static QemuBitRun Realize(string label, int? group, bool complement, ImmutableHashSet<string> requested)
        {
            var kept = new Dictionary<QemuWordLocation, ulong> { [Edx1] = 0, [Ecx1] = 0, [Edx7] = 0, [Xcr0] = 0 };
            var filtered = kept.ToDictionary(k => k.Key, _ => 0UL);
            var lines = new List<string>();
            foreach (var (name, word, bits, tcg, needs) in Table.Where(t => requested.Contains(t.Name)))
            {
                var mask = bits.Aggregate(0UL, (m, b) => m | 1UL << b);
                string Line(string reason) => string.Join('\n', bits.Select(b => $"qemu-system-x86_64: warning: {reason}: {(word.Kind == CpuDataKind.Msr ? $"MSR({word.Index:X}h)" : $"CPUID[eax={word.Index:x2}h{(word.Subleaf is { } s ? $",ecx={s:x2}h" : "")}].{word.Register.ToString().ToUpperInvariant()}")}.{name} [bit {b}]"));
                if (name == "kvmclock")
                {
                    continue;
                }

                if (needs is not null && !requested.Contains(needs))
                {
                    lines.Add(Line("This feature depends on other features that were not requested"));
                    if (word.Kind == CpuDataKind.Cpuid)
                    {
                        filtered[word] |= mask;
                    }

                    continue;
                }

                if (!tcg)
                {
                    lines.Add(Line("TCG doesn't support requested feature"));
                }

                if (word.Kind == CpuDataKind.Cpuid)
                {
                    (tcg ? kept : filtered)[word] |= mask;
                }

                if (name == "xsave")
                {
                    kept[Xcr0] |= 3;
                }
            }

            static ImmutableArray<QemuWordBits> List(Dictionary<QemuWordLocation, ulong> words) => [.. words.Reverse().Select(w => new QemuWordBits(w.Key, w.Value))];
            return new QemuBitRun(label, group, complement, requested, List(kept), List(filtered), [.. QemuFeatureWarning.ParseAll(string.Join('\n', lines))]);
        }
    }
}
