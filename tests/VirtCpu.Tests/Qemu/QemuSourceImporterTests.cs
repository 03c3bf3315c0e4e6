using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData.Source;

namespace VirtCpu.Tests.Qemu;

/// <summary>
/// <see cref="QemuSourceImporter"/> on a small synthetic QEMU tree written by the test (the shape of
/// <c>target/i386/cpu.c</c>, none of its text), and on the real trees when
/// <c>VIRTCPU_QEMU_SOURCES</c> names a folder holding them.
/// </summary>
public sealed class QemuSourceImporterTests
{
    /// <summary>Writes a tiny QEMU tree: two words, aliases, a dependency, two models (one versioned), user-mode-only TCG bits.</summary>
    /// <param name="root">The directory.</param>
    /// <param name="version">The VERSION file's text.</param>
    internal static void WriteTree(string root, string version = "42.1.0")
    {
        var i386 = Path.Combine(root, "target", "i386");
        Directory.CreateDirectory(i386);
        WriteMachines(Path.Combine(root, "hw", "i386"));
        Directory.CreateDirectory(Path.Combine(root, "include", "qemu"));
        File.WriteAllText(Path.Combine(root, "VERSION"), version + "\n");
        File.WriteAllText(Path.Combine(root, "include", "qemu", "hw-version.h"), "#define QEMU_HW_VERSION \"9.9+\"\n");
        File.WriteAllText(Path.Combine(i386, "cpu.h"), """
            #ifndef TOY_CPU_H
            #define TOY_CPU_H
            #define CPUID_VENDOR_INTEL "GenuineIntel"
            #define CPUID_FP87 (1U << 0)
            #define CPUID_VME (1U << 1)
            #define CPUID_DE  (1U << 2)
            #define CPUID_EXT_SSE3 (1U << 0)
            #define CPUID_EXT_VMX (1U << 5)
            #define CPUID_EXT_PCID (1U << 17)
            #define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
            #define VMX_SECONDARY_EXEC_RDTSCP (1ULL << 3)
            #define VMX_SECONDARY_EXEC_X (1ULL << 40)
            #endif
            """);
        File.WriteAllText(Path.Combine(i386, "cpu.c"), """
            /* a toy table */
            #include "cpu.h"
            #if defined CONFIG_USER_ONLY
            #define KERNEL_BITS CPUID_EXT_PCID
            #else
            #define KERNEL_BITS 0
            #endif
            #define TCG_FEATURES (CPUID_FP87 | CPUID_DE)
            #define TCG_EXT_FEATURES (CPUID_EXT_SSE3 | KERNEL_BITS)
            FeatureWordInfo feature_word_info[FEATURE_WORDS] = {
                [FEAT_1_EDX] = {
                    .type = CPUID_FEATURE_WORD,
                    .feat_names = { "fpu", "vme", "de" /* debug */, },
                    .cpuid = { .eax = 1, .reg = R_EDX, },
                    .tcg_features = TCG_FEATURES,
                    .unmigratable_flags = CPUID_VME,
                },
                [FEAT_1_ECX] = {
                    .type = CPUID_FEATURE_WORD,
                    .feat_names = { "pni", [5] = "vmx", [17] = "pcid", },
                    .cpuid = { .eax = 1, .needs_ecx = true, .ecx = 0, .reg = R_ECX, },
                    .tcg_features = TCG_EXT_FEATURES,
                    .no_autoenable_flags = CPUID_EXT_VMX,
                },
                [FEAT_VMX_SECONDARY_CTLS] = {
                    .type = MSR_FEATURE_WORD,
                    .feat_names = { [3] = "vmx-rdtscp-exit", [40] = "vmx-x", [41] = "vmx-x" },
                    .msr = { .index = MSR_IA32_VMX_PROCBASED_CTLS2, },
                },
                [FEAT_EMPTY] = {
                    .type = CPUID_FEATURE_WORD,
                    .cpuid = { .eax = 0x80000099, .reg = R_EAX, },
                },
            };
            static FeatureDep feature_dependencies[] = {
                {
                    .from = { FEAT_1_ECX, CPUID_EXT_VMX },
                    .to = { FEAT_VMX_SECONDARY_CTLS, ~0ull },
                },
                {
                    .from = { FEAT_1_ECX, CPUID_EXT_VMX },
                    .to = { FEAT_EMPTY, ~0ull },
                },
            };
            static const X86CPUDefinition builtin_x86_defs[] = {
                {
                    .name = "toy64",
                    .level = 0xd,
                    .vendor = CPUID_VENDOR_INTEL,
                    .family = 6, .model = 2, .stepping = 3,
                    .features[FEAT_1_EDX] = CPUID_FP87 | CPUID_DE | (1U << 7),
                    .features[FEAT_1_ECX] = CPUID_EXT_SSE3,
                    .xlevel = 0x80000008,
                    .model_id = "Toy CPU version " QEMU_HW_VERSION,
                },
                {
                    .name = "Toy",
                    .level = 0xd,
                    .vendor = CPUID_VENDOR_INTEL,
                    .family = 6, .model = 94, .stepping = 3,
                    .features[FEAT_1_EDX] = CPUID_FP87 | CPUID_VME,
                    .features[FEAT_1_ECX] = CPUID_EXT_SSE3 | CPUID_EXT_VMX,
                    .features[FEAT_VMX_SECONDARY_CTLS] = VMX_SECONDARY_EXEC_RDTSCP,
                    .xlevel = 0x80000008,
                    .model_id = "Toy Processor",
                    .cache_info = &toy_cache_info,
                    .versions = (X86CPUVersionDefinition[]) {
                        { .version = 1 },
                        {
                            .version = 2,
                            .alias = "Toy-IBRS",
                            .note = "no VME",
                            .props = (PropValue[]) {
                                { "vme", "off" },
                                { "model-id",
                                  "Toy Processor (v2)" },
                                { /* end of list */ }
                            },
                            .cache_info = &toy_v2_cache_info,
                        },
                        { /* end of list */ }
                    }
                },
            };
            static void x86_cpu_initfn(Object *obj)
            {
                object_property_add_alias(obj, "sse3", obj, "pni");
                object_property_add_alias(obj, "hv-x", obj, "hv-y");
            }
            """);
    }

    /// <summary>The PC machine files: two i440fx types and one q35 type, and a compat array for 42.0 with one CPU entry and one device entry.</summary>
    private static void WriteMachines(string hw)
    {
        Directory.CreateDirectory(hw);
        File.WriteAllText(Path.Combine(hw, "pc.c"), """
            GlobalProperty pc_compat_42_0[] = {
                { "toy64-x86_64-cpu", "vme", "off" },
                { "some-device", "x-flag", "on" },
            };
            """);
        File.WriteAllText(Path.Combine(hw, "pc_piix.c"), """
            DEFINE_I440FX_MACHINE(42, 1);
            DEFINE_I440FX_MACHINE(42, 0);
            """);
        File.WriteAllText(Path.Combine(hw, "pc_q35.c"), """
            DEFINE_Q35_MACHINE(42, 1);
            """);
    }

    [Fact]
    public void ReadsWordsFeaturesAliasesDependenciesAndModels()
    {
        var root = Directory.CreateTempSubdirectory("virtcpu-qsrc-").FullName;
        try
        {
            WriteTree(root);
            var catalog = QemuSourceImporter.ImportDirectory(root);
            Assert.Equal("qemu-42.1", catalog.Name);
            Assert.Equal(new Version(42, 1), catalog.QemuVersion);
            Assert.Equal(["FEAT_1_EDX", "FEAT_1_ECX", "FEAT_VMX_SECONDARY_CTLS"], catalog.Words.Select(w => w.Name));
            Assert.Equal(["fpu", "vme", "de", "pni", "vmx", "pcid", "vmx-rdtscp-exit", "vmx-x"], catalog.Features.Select(f => f.Name));
            Assert.Equal([40, 41], catalog.Feature("vmx-x")!.Bits);
            Assert.Equal(["fpu", "de", "pni"], catalog.Features.Where(f => f.Tcg).Select(f => f.Name));
            Assert.False(catalog.Feature("vme")!.Migratable);
            Assert.False(catalog.Feature("vmx")!.AutoEnable);
            Assert.Equal(["sse3"], catalog.Feature("pni")!.Aliases);
            Assert.Single(catalog.Dependencies);
            var toy = catalog.Model("Toy")!;
            Assert.Equal("toy_cache_info", toy.Definition.CacheInfo);
            Assert.Equal("Toy-IBRS", toy.Version(2)!.Alias);
            Assert.Equal("Toy Processor (v2)", toy.Version(2)!.Definition.ModelId);
            Assert.Equal("toy_v2_cache_info", toy.Version(2)!.Definition.CacheInfo);
            Assert.False(toy.Version(2)!.Definition.Features.Contains(catalog.Feature("vme")!.Index));
            Assert.True(toy.Definition.Features.Contains(catalog.Feature("vme")!.Index));
            var toy64 = catalog.Model("toy64")!;
            Assert.Equal("Toy CPU version 9.9+", toy64.Definition.ModelId);
            Assert.Single(toy64.Versions);
            Assert.Equal([new VirtCpu.Qemu.QemuWordBit("FEAT_1_EDX", 7)], toy64.Definition.UnnamedBits);
            Assert.Equal(["pc-i440fx-42.0", "pc-i440fx-42.1", "pc-q35-42.1"], catalog.MachineTypes);
            Assert.Equal([new VirtCpu.Qemu.QemuCompatProperty(new Version(42, 0), "toy64", "vme", "off")], catalog.CompatProperties);
            Assert.Equal("pc-i440fx-42.1", VirtCpu.Qemu.QemuMachineTypes.Find(catalog, "pc").CanonicalName);

            // The catalog survives the project's own format.
            var text = QcatWriter.Write(catalog);
            Assert.Equal(text, QcatWriter.Write(QcatReader.Read(text, "toy.qcat")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void ABrokenTreeIsAnInputErrorNamingTheFile()
    {
        var root = Directory.CreateTempSubdirectory("virtcpu-qsrc-").FullName;
        try
        {
            var e = Assert.Throws<InputException>(() => QemuSourceImporter.ImportDirectory(root));
            Assert.EndsWith("VERSION", e.File, StringComparison.Ordinal);
            WriteTree(root);
            var cpuC = Path.Combine(root, "target", "i386", "cpu.c");
            File.WriteAllText(cpuC, File.ReadAllText(cpuC).Replace("CPUID_FP87 | CPUID_DE | (1U << 7)", "CPUID_NOSUCH", StringComparison.Ordinal));
            e = Assert.Throws<InputException>(() => QemuSourceImporter.ImportDirectory(root));
            Assert.Equal(cpuC, e.File);
            Assert.Contains("CPUID_NOSUCH", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("qemu-5.2")]
    [InlineData("qemu-7.2")]
    [InlineData("qemu-10.0")]
    [InlineData("qemu-10.2")]
    public void RealSourceTreesGiveTheBuiltInCatalogs(string name)
    {
        var sources = Environment.GetEnvironmentVariable("VIRTCPU_QEMU_SOURCES");
        var tree = sources is null || !Directory.Exists(sources) ? null
            : Directory.EnumerateDirectories(sources, name + "*").FirstOrDefault(d => File.Exists(Path.Combine(d, "target", "i386", "cpu.c")));
        Assert.SkipWhen(tree is null, $"set VIRTCPU_QEMU_SOURCES to a folder holding the {name} source tree (apt-get source qemu)");
        var text = QcatWriter.Write(QemuSourceImporter.ImportDirectory(tree!));
        Assert.Equal(File.ReadAllText(Path.Combine(SharedData.RepoRoot, "catalogs", name + ".qcat")), text);
    }
}
