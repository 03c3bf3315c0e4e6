// Floor 4 (beside Migration): the conformance runner reads libvirt's test files through Formats
// (floor 3) and runs the Engine (floor 3) on them. Nothing below floor 4 may use it.
using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;
using VirtCpu.Qemu;

namespace VirtCpu.Conformance;

/// <summary>
/// Runs libvirt's CPU test cases (read from a <c>cputest.c</c> by <see cref="CputestReader"/>, <c>docs/design.md#511-libvirts-own-tests</c>)
/// against a catalog: every case whose files exist in a <c>cputestdata</c> directory is executed
/// exactly as <c>tests/cputest.c</c> executes it, and the output is compared byte for byte with the
/// expected file. Cases with absent files are skipped and name those files.
/// </summary>
public sealed class ConformanceSuite
{
    private const string Arch = "x86_64";

    private readonly CpuCatalog _catalog;
    private readonly CpuXmlStyle _style;
    private readonly CpuComparer _comparer;
    private readonly CpuDecoder _decoder;
    private readonly GuestCpuUpdater _updater;
    private readonly CpuTranslator _translator;
    private readonly CpuBaseline _baseline;
    private readonly LiveCpuUpdater _live;
    private readonly FeatureSpelling _spelling;

    /// <summary>Creates a suite for a catalog.</summary>
    /// <param name="catalog">The catalog (the map the expected files were made with).</param>
    /// <param name="style">The libvirt version whose XML formatting the expected files use.</param>
    /// <param name="libvirt">The libvirt release whose tests these are (its spelling of QEMU's feature names); null for the default release.</param>
    public ConformanceSuite(CpuCatalog catalog, CpuXmlStyle style = CpuXmlStyle.Libvirt11, ReleaseBehaviour? libvirt = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _style = style;
        _spelling = (libvirt ?? BehaviourFile.DefaultLibvirt).Spelling;
        _comparer = new CpuComparer(catalog);
        _decoder = new CpuDecoder(catalog);
        _updater = new GuestCpuUpdater(catalog);
        _translator = new CpuTranslator(catalog);
        _baseline = new CpuBaseline(catalog);
        _live = new LiveCpuUpdater(catalog);
    }

    /// <summary>Runs cases against the files of a directory.</summary>
    /// <param name="directory">A libvirt <c>cputestdata</c> directory.</param>
    /// <param name="cases">The cases (<see cref="CputestReader"/>, <see cref="LibvirtTestTree"/>).</param>
    /// <returns>One result per case, in the given order.</returns>
    public IEnumerable<ConformanceResult> Run(string directory, IEnumerable<ConformanceCase> cases)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(cases);
        foreach (var c in cases)
        {
            yield return Run(directory, c);
        }
    }

    /// <summary>Runs one case: skipped when one of its <see cref="ConformanceCase.Files"/> is absent.</summary>
    /// <param name="directory">The <c>cputestdata</c> directory.</param>
    /// <param name="testCase">The case.</param>
    /// <returns>The result.</returns>
    public ConformanceResult Run(string directory, ConformanceCase testCase)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(testCase);
        var missing = testCase.Files.Where(f => !File.Exists(System.IO.Path.Combine(directory, f))).ToImmutableArray();
        if (!missing.IsEmpty)
        {
            return new ConformanceResult(testCase, ConformanceOutcome.Skip, "missing " + string.Join(", ", missing)) { MissingFiles = missing };
        }

        var files = new Files(directory);
        try
        {
            var failure = testCase.Kind switch
            {
                ConformanceKind.Compare => RunCompare(files, testCase),
                ConformanceKind.Update => RunUpdate(files, testCase),
                ConformanceKind.Baseline => RunBaseline(files, testCase),
                ConformanceKind.HasFeature => RunHasFeature(files, testCase),
                ConformanceKind.Guest => RunGuest(files, testCase),
                ConformanceKind.CpuidHost => RunCpuidDecode(files, testCase, host: true),
                ConformanceKind.CpuidGuest => RunCpuidDecode(files, testCase, host: false),
                ConformanceKind.CpuidSignature => Expect(files, $"cpuid-{testCase.Host}.sig", SignatureText.Format(files.Cpuid($"cpuid-{testCase.Host}.xml"))),
                ConformanceKind.JsonCpuid => RunJsonCpuid(files, testCase),
                ConformanceKind.JsonSignature => Expect(files, $"cpuid-{testCase.Host}.sig", SignatureText.Format(JsonData(files, testCase.Host).Leaf1Eax)),
                ConformanceKind.UpdateLive => RunUpdateLive(files, testCase),
                ConformanceKind.CpuidBaseline => RunCpuidBaseline(files, testCase),
                _ => "not modelled: this runner does not know the test macro",
            };
            return new ConformanceResult(testCase, failure is null ? ConformanceOutcome.Pass : ConformanceOutcome.Fail, failure);
        }
        catch (Exception e) when (e is CpuEngineException or InputException or CatalogException)
        {
            return new ConformanceResult(testCase, ConformanceOutcome.Fail, "unexpected error: " + e.Message);
        }
    }

    private string? RunCompare(Files files, ConformanceCase c)
    {
        var host = files.Cpu($"{c.Host}.xml");
        var cpu = files.Cpu($"{c.Cpu}.xml");
        ExpectedCompare actual;
        try
        {
            actual = _comparer.Compare(host, cpu).Result switch
            {
                CpuCompareResult.Identical => ExpectedCompare.Identical,
                CpuCompareResult.Superset => ExpectedCompare.Superset,
                _ => ExpectedCompare.Incompatible,
            };
        }
        catch (CpuEngineException)
        {
            actual = ExpectedCompare.Error;
        }

        return actual == c.Compare ? null : $"expected {Upper(c.Compare)}, got {Upper(actual)}";
    }

    private string? RunUpdate(Files files, ConformanceCase c)
    {
        var host = files.Cpu($"{c.Host}.xml");
        var cpu = files.Cpu($"{c.Cpu}.xml");
        var migHost = MigratableCopy.Create(_catalog, host);
        var updated = _updater.Update(cpu, migHost, FeaturePolicy.Disable);
        return Expect(files, $"{c.Host}+{c.Cpu}.xml", Format(updated));
    }

    private string? RunBaseline(Files files, ConformanceCase c)
    {
        var cpus = files.Cpus($"baseline-{c.Host}.xml");
        var expectedFile = $"baseline-{c.Host}-{c.BaselineSuffix}.xml";

        CpuDefinition result;
        try
        {
            result = _baseline.Compute(cpus, null, null, c.Migratable);
            if (c.Expand)
            {
                result = FeatureExpander.Expand(_catalog, result);
            }
        }
        catch (CpuEngineException e) when (c.ExpectFailure)
        {
            _ = e;
            return null;
        }

        if (c.ExpectFailure)
        {
            return "expected an error, baseline succeeded";
        }

        return Expect(files, expectedFile, Format(result)) ?? CheckInputsRun(cpus, result);
    }

    private string? RunHasFeature(Files files, ConformanceCase c)
    {
        var host = files.Cpu($"{c.Host}.xml");
        int Check(FeaturePolicy? policy)
        {
            try
            {
                return HasFeature.Check(_catalog, host, c.Cpu!, policy) ? 1 : 0;
            }
            catch (CpuEngineException)
            {
                return -1;
            }
        }

        var expected = c.ExpectFailure ? -1 : c.ExpectTrue ? 1 : 0;
        var result = Check(null);
        if (result == expected)
        {
            result = Check(FeaturePolicy.Require);
        }

        return result == expected ? null : $"expected {expected}, got {result}";
    }

    private string? RunGuest(Files files, ConformanceCase c)
    {
        var host = files.Cpu($"{c.Host}.xml");
        var cpu = files.Cpu($"{c.Cpu}.xml");
        var expectedFile = c.GuestResultFile;
        var models = c.Label is null ? null : HypervisorModels.FromNames(c.Models);
        string? error = null;
        try
        {
            var cmp = _comparer.Compare(host, cpu);
            if (cmp.Result == CpuCompareResult.Incompatible)
            {
                error = "incompatible: " + cmp.Message;
            }
            else
            {
                cpu = _updater.Update(cpu, host, FeaturePolicy.Disable);
                cpu = _translator.Translate(cpu, models);
            }
        }
        catch (CpuEngineException e)
        {
            error = e.Message;
        }

        if (c.ExpectFailure)
        {
            return error is not null ? null : "expected a failure, the guest CPU was updated and translated";
        }

        return error is not null ? "unexpected error: " + error : Expect(files, expectedFile, Format(cpu));
    }

    private string? RunCpuidDecode(Files files, ConformanceCase c, bool host)
    {
        var raw = files.Cpuid($"cpuid-{c.Host}.xml");
        var expectedFile = host ? $"cpuid-{c.Host}-host.xml" : $"cpuid-{c.Host}-guest.xml";
        var data = CpuData.FromRaw(raw, _catalog);
        CpuDefinition cpu;
        if (host)
        {
            cpu = _decoder.DecodeHost(data);
        }
        else
        {
            var models = c.Json is JsonInput.Models or JsonInput.ModelsRequired ? JsonModels(files, c.Host) : null;
            cpu = _decoder.DecodeGuest(data, models);
        }

        return Expect(files, expectedFile, Format(cpu));
    }

    private string? RunJsonCpuid(Files files, ConformanceCase c)
    {
        var data = JsonData(files, c.Host);
        var expectedFile = $"cpuid-{c.Host}-json.xml";
        var models = c.Json is JsonInput.Models or JsonInput.ModelsRequired ? JsonModels(files, c.Host) : null;
        var cpu = _decoder.DecodeGuest(data, models) with { Fallback = CpuFallback.Forbid };
        return Expect(files, expectedFile, Format(cpu));
    }

    private string? RunUpdateLive(Files files, ConformanceCase c)
    {
        var cpu = files.Cpu($"cpuid-{c.Host}-guest.xml");
        var enabled = CpuData.FromRaw(files.Cpuid($"cpuid-{c.Host}-enabled.xml"), _catalog).Features;
        var disabled = CpuData.FromRaw(files.Cpuid($"cpuid-{c.Host}-disabled.xml"), _catalog).Features;
        var expected = files.Cpu($"cpuid-{c.Host}-json.xml");
        if (!string.Equals(cpu.Model, expected.Model, StringComparison.Ordinal) && expected.Model is not null)
        {
            HypervisorModels models;
            if (c.Json is JsonInput.Models or JsonInput.ModelsRequired && JsonModels(files, c.Host) is { } all && all.TryGet(expected.Model, out var hv))
            {
                models = HypervisorModels.Create([hv]);
            }
            else
            {
                models = HypervisorModels.FromNames(expected.Model);
            }

            cpu = cpu with { Fallback = CpuFallback.Allow };
            try
            {
                cpu = _translator.Translate(cpu, models);
            }
            catch (CpuEngineException)
            {
                // cputest ignores translation errors here.
            }

            cpu = cpu with { Fallback = CpuFallback.Forbid };
        }

        if (LiveCpuUpdater.Applies(cpu))
        {
            cpu = _live.Update(cpu, enabled, disabled);
        }

        return SemanticCompare(cpu, expected);
    }

    private string? RunCpuidBaseline(Files files, ConformanceCase c)
    {
        var a = files.Cpu($"cpuid-{c.Host}-json.xml");
        var b = files.Cpu($"cpuid-{c.Cpu}-json.xml");
        var expectedFile = $"cpuid-baseline-{c.Label}.xml";
        CpuDefinition[] cpus = [a, b];
        var result = _baseline.Compute(cpus);
        return Expect(files, expectedFile, Format(result)) ?? CheckInputsRun(cpus, result);
    }

    /// <summary>cputest's <c>cpuTestUpdateLiveCompare</c> (<c>docs/design.md#511-libvirts-own-tests</c>): expanded feature lists must agree.</summary>
    private string? SemanticCompare(CpuDefinition actual, CpuDefinition expected)
    {
        if (!string.Equals(actual.Model, expected.Model, StringComparison.Ordinal))
        {
            return $"model {actual.Model} differs from expected {expected.Model}";
        }

        var a = FeatureExpander.Expand(_catalog, actual).Features;
        var e = FeatureExpander.Expand(_catalog, expected).Features;
        var problems = new List<string>();
        int i = 0, j = 0;
        while (i < a.Length || j < e.Length)
        {
            var cmp = i >= a.Length ? 1 : j >= e.Length ? -1 : string.CompareOrdinal(a[i].Name, e[j].Name);
            if (cmp == 0)
            {
                if (a[i].Policy == FeaturePolicy.Disable && e[j].Policy == FeaturePolicy.Require)
                {
                    problems.Add($"lacks {a[i].Name}");
                }
                else if (a[i].Policy == FeaturePolicy.Require && e[j].Policy == FeaturePolicy.Disable)
                {
                    problems.Add($"extra {a[i].Name}");
                }

                i++;
                j++;
            }
            else if (cmp < 0)
            {
                if (a[i].Policy == FeaturePolicy.Require)
                {
                    problems.Add($"extra {a[i].Name}");
                }

                i++;
            }
            else
            {
                problems.Add(e[j].Policy == FeaturePolicy.Require ? $"lacks {e[j].Name}" : $"extra {e[j].Name} (not listed as disabled)");
                j++;
            }
        }

        return problems.Count == 0 ? null : "updated CPU " + string.Join(", ", problems);
    }

    private string? CheckInputsRun(IReadOnlyList<CpuDefinition> cpus, CpuDefinition result)
    {
        for (var k = 0; k < cpus.Count; k++)
        {
            var r = _comparer.Compare(cpus[k], result);
            if (r.Result == CpuCompareResult.Incompatible)
            {
                return $"input CPU {k} is incompatible with the baseline: {r.Message}";
            }
        }

        return null;
    }

    private CpuData JsonData(Files files, string host) => QemuHostData.FromExpansion(_catalog, files.Qemu($"cpuid-{host}.json").Expansion, _spelling);

    private HypervisorModels? JsonModels(Files files, string host) =>
        files.Qemu($"cpuid-{host}.json").Definitions is { } defs ? QemuHostData.Models(defs, _spelling) : null;

    private string Format(CpuDefinition cpu) => CpuXml.Format(cpu, _style);

    private static string? Expect(Files files, string expectedFile, string actual) => FirstDifference(files.Text(expectedFile), actual);

    /// <summary>The first line where two texts differ, or null when they are equal.</summary>
    /// <param name="expected">The expected text.</param>
    /// <param name="actual">The actual text.</param>
    /// <returns>A one-line description, or null.</returns>
    internal static string? FirstDifference(string expected, string actual)
    {
        if (string.Equals(expected, actual, StringComparison.Ordinal))
        {
            return null;
        }

        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : null;
            var al = i < a.Length ? a[i] : null;
            if (!string.Equals(el, al, StringComparison.Ordinal))
            {
                return $"line {i + 1}: expected {Quote(el)}, got {Quote(al)}";
            }
        }

        return "texts differ";
    }

    private static string Quote(string? line) => line is null ? "end of text" : $"'{line.Trim()}'";

    private static string Upper(ExpectedCompare r) => r.ToString().ToUpperInvariant();

    /// <summary>Reads test files by cputest name (<c>x86_64-NAME</c>).</summary>
    private sealed class Files(string directory)
    {
        public string Path(string name) => System.IO.Path.Combine(directory, $"{Arch}-{name}");

        public string Text(string name) => InputFile.ReadAllText(Path(name));

        public CpuDefinition Cpu(string name) => CpuXml.Parse(Text(name), Path(name));

        public ImmutableArray<CpuDefinition> Cpus(string name) => CpuXml.ParseAll(Text(name), Path(name), CpuType.Host);

        public CpuidData Cpuid(string name) => CpuidXml.Parse(Text(name), Path(name));

        public Qemu.QemuReplyFile Qemu(string name) => QemuReplyReader.Parse(Text(name), Path(name));
    }
}
