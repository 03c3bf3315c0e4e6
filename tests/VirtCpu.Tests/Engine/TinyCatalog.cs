using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;

namespace VirtCpu.Tests.Engine;

/// <summary>A hand-built catalog with a dozen features over a few CPUID leaves and an MSR, and six models.</summary>
internal static class TinyCatalog
{
    public static readonly Vendor Intel = new("Intel", "GenuineIntel");
    public static readonly Vendor Amd = new("AMD", "AuthenticAMD");

    public static CpuCatalog Tiny { get; } = Build();

    public static CpuCatalog Build()
    {
        var features = new[]
        {
            F("fpu", CpuDataKey.Cpuid(1), CpuRegister.Edx, 0),
            F("sse", CpuDataKey.Cpuid(1), CpuRegister.Edx, 25),
            F("sse2", CpuDataKey.Cpuid(1), CpuRegister.Edx, 26),
            F("pni", CpuDataKey.Cpuid(1), CpuRegister.Ecx, 0),
            F("monitor", CpuDataKey.Cpuid(1), CpuRegister.Ecx, 3),
            F("vmx", CpuDataKey.Cpuid(1), CpuRegister.Ecx, 5),
            F("avx", CpuDataKey.Cpuid(1), CpuRegister.Ecx, 28),
            F("hle", CpuDataKey.Cpuid(7), CpuRegister.Ebx, 4),
            F("avx2", CpuDataKey.Cpuid(7), CpuRegister.Ebx, 5),
            F("rtm", CpuDataKey.Cpuid(7), CpuRegister.Ebx, 11),
            F("xsaves", CpuDataKey.Cpuid(0xD, 1), CpuRegister.Eax, 3, migratable: false),
            F("svm", CpuDataKey.Cpuid(0x80000001), CpuRegister.Ecx, 2),
            F("invtsc", CpuDataKey.Cpuid(0x80000007), CpuRegister.Edx, 8, migratable: false),
            F("mds-no", CpuDataKey.Msr(0x10a), CpuRegister.Eax, 5),
        };
        var idx = features.Select((f, i) => (f.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        FeatureSet S(params string[] names) => FeatureSet.Of(names.Select(n => idx[n]));
        ImmutableArray<int> L(params string[] names) => [.. names.Select(n => idx[n])];

        var models = new[]
        {
            new CpuModel { Name = "base64", Features = S("fpu", "sse", "sse2"), DecodeHost = true, DecodeGuest = true },
            new CpuModel
            {
                Name = "Old", Vendor = Intel, Signatures = [new ModelSignature(6, 15, null)],
                Features = S("fpu", "sse", "sse2", "pni"), RemovedFeatures = L("monitor"), DecodeHost = true, DecodeGuest = true,
            },
            new CpuModel
            {
                Name = "Mid", Vendor = Intel, Signatures = [new ModelSignature(6, 60, null)],
                Features = S("fpu", "sse", "sse2", "pni", "avx", "hle", "rtm"), DecodeHost = true, DecodeGuest = true, CompatCheck = true,
            },
            new CpuModel
            {
                Name = "Mid-v1", Vendor = Intel, Signatures = [new ModelSignature(6, 60, null)], Ancestor = "Mid", IsAlias = true,
                Features = S("fpu", "sse", "sse2", "pni", "avx", "hle", "rtm"), DecodeHost = true, DecodeGuest = false,
            },
            new CpuModel
            {
                Name = "New", Vendor = Intel, Signatures = [new ModelSignature(6, 85, 0b11111)],
                Features = S("fpu", "sse", "sse2", "pni", "avx", "avx2", "vmx"), AddedFeatures = L("mds-no"), DecodeHost = true, DecodeGuest = true,
            },
            new CpuModel
            {
                Name = "Amd1", Vendor = Amd, Signatures = [new ModelSignature(23, 1, null)],
                Features = S("fpu", "sse", "sse2", "pni", "svm"), RemovedFeatures = L("monitor"), DecodeHost = true, DecodeGuest = true,
            },
        };
        return CpuCatalog.Create("tiny", [Intel, Amd], features, models);
    }

    /// <summary>Data with the named features, an optional vendor and leaf-1 signature.</summary>
    public static CpuData Data(string? vendor, uint family, uint model, uint stepping, params string[] features) =>
        new(Tiny.SetOf(features), vendor, family == 0 ? 0 : new CpuSignature(family, model, stepping).ToEax());

    public static FeatureSet Set(params string[] names) => Tiny.SetOf(names);

    public static CpuDefinition Host(string model, string? vendor, params string[] features) => new()
    {
        Type = CpuType.Host,
        Mode = null,
        Arch = "x86_64",
        Model = model,
        Vendor = vendor,
        Features = [.. features.Select(f => new CpuFeature(f, null))],
    };

    public static CpuDefinition Guest(string? model, params (string Name, FeaturePolicy Policy)[] features) => new()
    {
        Type = CpuType.Guest,
        Model = model,
        Features = [.. features.Select(f => new CpuFeature(f.Name, f.Policy))],
    };

    public static string Text(CpuDefinition cpu) =>
        $"{cpu.Model}|{cpu.Vendor}|" + string.Join(",", cpu.Features.Select(f => f.Policy is { } p ? $"{p.ToString().ToLowerInvariant()}:{f.Name}" : f.Name));

    private static Feature F(string name, CpuDataKey key, CpuRegister reg, int bit, bool migratable = true) =>
        new(name, [new FeatureBits(key, reg, 1u << bit)], migratable);
}
