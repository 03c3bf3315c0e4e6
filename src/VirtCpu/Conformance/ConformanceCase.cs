using System.Collections.Immutable;

namespace VirtCpu.Conformance;

/// <summary>The test kinds of libvirt's <c>tests/cputest.c</c> (<c>docs/design.md#511-libvirts-own-tests</c>).</summary>
public enum ConformanceKind
{
    /// <summary>Compare a CPU against a host (<c>cpuTestCompare</c>).</summary>
    Compare,

    /// <summary>Update a guest CPU for a migratable host copy (<c>cpuTestUpdate</c>).</summary>
    Update,

    /// <summary>Baseline of host CPUs (<c>cpuTestBaseline</c>).</summary>
    Baseline,

    /// <summary>Does a host provide a feature (<c>cpuTestHasFeature</c>).</summary>
    HasFeature,

    /// <summary>Compare, update and translate a guest CPU (<c>cpuTestGuestCPU</c>).</summary>
    Guest,

    /// <summary>Host decode of raw CPUID data (<c>cpuTestHostCPUID</c>).</summary>
    CpuidHost,

    /// <summary>Guest decode of raw CPUID data (<c>cpuTestGuestCPUID</c>).</summary>
    CpuidGuest,

    /// <summary>Signature text of raw CPUID data (<c>cpuTestCPUIDSignature</c>).</summary>
    CpuidSignature,

    /// <summary>Guest decode of QEMU-reported data (<c>cpuTestJSONCPUID</c>).</summary>
    JsonCpuid,

    /// <summary>Signature text of QEMU-reported data (<c>cpuTestJSONSignature</c>).</summary>
    JsonSignature,

    /// <summary>Live update from enabled/disabled data (<c>cpuTestUpdateLive</c>).</summary>
    UpdateLive,

    /// <summary>Baseline of two QEMU-derived guest CPUs (<c>cpuTestCPUIDBaseline</c>).</summary>
    CpuidBaseline,

    /// <summary>An x86_64 call of a <c>DO_TEST_...</c> macro this runner does not know: it fails, never passes.</summary>
    Unsupported,
}

/// <summary>How a CPUID host's QEMU data is used (cputest's <c>JSON_*</c> flags).</summary>
public enum JsonInput
{
    /// <summary>No QEMU data: only raw CPUID kinds run.</summary>
    None,

    /// <summary>Only the model expansion is used.</summary>
    Host,

    /// <summary>Expansion and model list (the list does not change the result).</summary>
    Models,

    /// <summary>Expansion and model list with blockers, which change the result.</summary>
    ModelsRequired,
}

/// <summary>The expected answer of a compare case.</summary>
public enum ExpectedCompare
{
    /// <summary>libvirt's ERROR (unknown model or feature).</summary>
    Error,

    /// <summary>INCOMPATIBLE.</summary>
    Incompatible,

    /// <summary>IDENTICAL.</summary>
    Identical,

    /// <summary>SUPERSET.</summary>
    Superset,
}

/// <summary>
/// One case of libvirt's CPU test matrix, as <see cref="CputestReader"/> derives it from a
/// <c>cputest.c</c>. Which fields matter depends on <see cref="Kind"/>; file names follow
/// cputest's rules (<c>x86_64-NAME.xml</c>, see <see cref="Files"/>).
/// </summary>
/// <param name="Kind">The kind.</param>
/// <param name="Host">The host file stem, CPUID host name, or baseline name (the first CPU for CPUID baselines; the macro name for unsupported calls).</param>
/// <param name="Cpu">The CPU file stem, feature name (has-feature), second CPU (CPUID baselines), or null.</param>
/// <param name="Label">The model list name (guest), the baseline label (CPUID baseline), the source line (unsupported), or null.</param>
/// <param name="Compare">The expected compare answer (compare kind).</param>
/// <param name="ExpectFailure">True when the case must fail (guest −1, baseline −1, has-feature FAIL).</param>
/// <param name="ExpectTrue">The expected has-feature answer.</param>
/// <param name="Expand">Baseline with expanded features.</param>
/// <param name="Migratable">Baseline with migratable output.</param>
/// <param name="Json">The QEMU data flag of CPUID hosts.</param>
public sealed record ConformanceCase(
    ConformanceKind Kind,
    string Host,
    string? Cpu = null,
    string? Label = null,
    ExpectedCompare Compare = ExpectedCompare.Identical,
    bool ExpectFailure = false,
    bool ExpectTrue = false,
    bool Expand = false,
    bool Migratable = false,
    JsonInput Json = JsonInput.None)
{
    private const string Arch = "x86_64";

    /// <summary>The CPU models of the guest case's model list (<see cref="Label"/>), as the <c>cputest.c</c> defines them; empty otherwise.</summary>
    public ImmutableArray<string> Models { get; init; } = [];

    /// <summary>
    /// The files of the <c>cputestdata</c> folder the case reads (<c>x86_64-host.xml</c>, ...): it
    /// runs only when every one exists. A CPUID guest decode with QEMU's model list reads the
    /// <c>.json</c> replies; so does a live update with it, which libvirt reads only when the
    /// decoded model differs from the QEMU one, but which is required here so that whether a case
    /// runs depends on the folder alone.
    /// </summary>
    public ImmutableArray<string> Files => [.. StemFiles().Distinct(StringComparer.Ordinal).Select(f => $"{Arch}-{f}")];

    /// <summary>The kind as printed (<c>compare</c>, <c>cpuid-host</c>, ...).</summary>
    public string KindName => Kind switch
    {
        ConformanceKind.Compare => "compare",
        ConformanceKind.Update => "update",
        ConformanceKind.Baseline => "baseline",
        ConformanceKind.HasFeature => "has-feature",
        ConformanceKind.Guest => "guest",
        ConformanceKind.CpuidHost => "cpuid-host",
        ConformanceKind.CpuidGuest => "cpuid-guest",
        ConformanceKind.CpuidSignature => "cpuid-signature",
        ConformanceKind.JsonCpuid => "json-cpuid",
        ConformanceKind.JsonSignature => "json-signature",
        ConformanceKind.UpdateLive => "update-live",
        ConformanceKind.CpuidBaseline => "cpuid-baseline",
        _ => "unsupported",
    };

    /// <summary>The case name as printed (<c>host/exact-forbid</c>, <c>simple-expanded</c>, <c>EPYC-7601-32-Core</c>).</summary>
    public string Name => Kind switch
    {
        ConformanceKind.Compare or ConformanceKind.HasFeature => $"{Host}/{Cpu}",
        ConformanceKind.Update => $"{Host}+{Cpu}",
        ConformanceKind.Guest => Label is null ? $"{Host}/{Cpu}" : $"{Host}/{Cpu},{Label}",
        ConformanceKind.Baseline => ExpectFailure ? Host : $"{Host}-{BaselineSuffix}",
        ConformanceKind.CpuidBaseline => Label!,
        ConformanceKind.Unsupported => $"{Host} ({Label})",
        _ => Host,
    };

    private bool UsesModelList => Json is JsonInput.Models or JsonInput.ModelsRequired;

    private IEnumerable<string> StemFiles() => Kind switch
    {
        ConformanceKind.Compare => [$"{Host}.xml", $"{Cpu}.xml"],
        ConformanceKind.Update => [$"{Host}.xml", $"{Cpu}.xml", $"{Host}+{Cpu}.xml"],
        ConformanceKind.Baseline => ExpectFailure ? [$"baseline-{Host}.xml"] : [$"baseline-{Host}.xml", $"baseline-{Host}-{BaselineSuffix}.xml"],
        ConformanceKind.HasFeature => [$"{Host}.xml"],
        ConformanceKind.Guest => ExpectFailure ? [$"{Host}.xml", $"{Cpu}.xml"] : [$"{Host}.xml", $"{Cpu}.xml", GuestResultFile],
        ConformanceKind.CpuidHost => [$"cpuid-{Host}.xml", $"cpuid-{Host}-host.xml"],
        ConformanceKind.CpuidGuest => UsesModelList ? [$"cpuid-{Host}.xml", $"cpuid-{Host}.json", $"cpuid-{Host}-guest.xml"] : [$"cpuid-{Host}.xml", $"cpuid-{Host}-guest.xml"],
        ConformanceKind.CpuidSignature => [$"cpuid-{Host}.xml", $"cpuid-{Host}.sig"],
        ConformanceKind.JsonCpuid => [$"cpuid-{Host}.json", $"cpuid-{Host}-json.xml"],
        ConformanceKind.JsonSignature => [$"cpuid-{Host}.json", $"cpuid-{Host}.sig"],
        ConformanceKind.UpdateLive => UsesModelList
            ? [$"cpuid-{Host}-guest.xml", $"cpuid-{Host}-enabled.xml", $"cpuid-{Host}-disabled.xml", $"cpuid-{Host}-json.xml", $"cpuid-{Host}.json"]
            : [$"cpuid-{Host}-guest.xml", $"cpuid-{Host}-enabled.xml", $"cpuid-{Host}-disabled.xml", $"cpuid-{Host}-json.xml"],
        ConformanceKind.CpuidBaseline => [$"cpuid-{Host}-json.xml", $"cpuid-{Cpu}-json.xml", $"cpuid-baseline-{Label}.xml"],
        _ => [],
    };

    /// <summary>The expected file of a guest case: <c>HOST+CPU[,LIST]-result.xml</c>.</summary>
    internal string GuestResultFile => Label is null ? $"{Host}+{Cpu}-result.xml" : $"{Host}+{Cpu},{Label}-result.xml";

    /// <summary>The suffix of a baseline's expected file: <c>expanded</c>, <c>migratable</c> or <c>result</c>.</summary>
    public string BaselineSuffix => Expand ? "expanded" : Migratable ? "migratable" : "result";

    /// <inheritdoc/>
    public override string ToString() => $"{KindName} {Name}";
}

/// <summary>The outcome of a case.</summary>
public enum ConformanceOutcome
{
    /// <summary>The output matched.</summary>
    Pass,

    /// <summary>The output differed or an unexpected error occurred.</summary>
    Fail,

    /// <summary>An input or expected file is absent (see <see cref="ConformanceResult.MissingFiles"/>).</summary>
    Skip,
}

/// <summary>The result of one case.</summary>
/// <param name="Case">The case.</param>
/// <param name="Outcome">Pass, fail or skip.</param>
/// <param name="Reason">Why it failed (first differing line, error) or which files are missing; null on pass.</param>
public sealed record ConformanceResult(ConformanceCase Case, ConformanceOutcome Outcome, string? Reason)
{
    /// <summary>The case's files absent from the folder (<see cref="ConformanceCase.Files"/>): not empty exactly when skipped.</summary>
    public ImmutableArray<string> MissingFiles { get; init; } = [];

    /// <summary>The result as one line: <c>PASS kind name</c>, <c>FAIL kind name: reason</c>, <c>SKIP kind name: missing FILE, FILE</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => Outcome switch
    {
        ConformanceOutcome.Pass => $"PASS {Case}",
        ConformanceOutcome.Fail => $"FAIL {Case}: {Reason}",
        _ => $"SKIP {Case}: {Reason}",
    };
}
