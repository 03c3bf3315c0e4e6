using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Cpu;

namespace VirtCpu.Migration;

/// <summary>The verdict on a live migration (<c>docs/design.md#13-verdicts</c>).</summary>
public enum Verdict
{
    /// <summary>The destination starts and the guest ABI is unchanged.</summary>
    Safe = 0,

    /// <summary>The destination refuses; the guest keeps running on the source.</summary>
    Blocked,

    /// <summary>The destination starts and the guest ABI differs.</summary>
    Unsafe,

    /// <summary>Not a migration verdict: the guest does not start on the source at all.</summary>
    SourceFails,
}

/// <summary>The verdict on migrating one guest from node S to node T, with the reason and the names involved.</summary>
public sealed record MigrationVerdict
{
    /// <summary>The verdict.</summary>
    public required Verdict Verdict { get; init; }

    /// <summary>The refusing step (BLOCKED; for SOURCE-FAILS the source's step).</summary>
    public StartStep Step { get; init; }

    /// <summary>One plain sentence of why.</summary>
    public required string Reason { get; init; }

    /// <summary>Features the guest loses (QEMU spelling).</summary>
    public ImmutableArray<string> Lost { get; init; } = [];

    /// <summary>Features the guest gains (QEMU spelling).</summary>
    public ImmutableArray<string> Gained { get; init; } = [];

    /// <summary>Names the destination refuses: missing, extra or unknown features or models.</summary>
    public ImmutableArray<string> Names { get; init; } = [];

    /// <summary>The vendor change (source, destination), or null.</summary>
    public (string? From, string? To)? VendorChange { get; init; }

    /// <summary>The signature change (source, destination), or null.</summary>
    public (CpuSignature? From, CpuSignature? To)? SignatureChange { get; init; }

    /// <summary>The start on the source.</summary>
    public required GuestStart Source { get; init; }

    /// <summary>The definition sent to the destination (D_live less added features the user did not name).</summary>
    public CpuDefinition? Migrated { get; init; }

    /// <summary>The start on the destination (null when the source start failed).</summary>
    public GuestStart? Destination { get; init; }

    /// <summary>Advice: a reverse translation and the verdict it would get, when the plain verdict is BLOCKED at parse.</summary>
    public TranslationAdvice? Advice { get; init; }

    /// <summary>The verdict as printed: <c>SAFE</c>, <c>BLOCKED</c>, <c>UNSAFE</c>, <c>SOURCE-FAILS</c>.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>The text.</returns>
    public static string Name(Verdict verdict) => verdict switch
    {
        Verdict.Safe => "SAFE",
        Verdict.Blocked => "BLOCKED",
        Verdict.Unsafe => "UNSAFE",
        _ => "SOURCE-FAILS",
    };
}

/// <summary>migrate-check's advice after a BLOCKED-at-parse verdict: the translated definition and its verdict.</summary>
/// <param name="Translation">The reverse translation.</param>
/// <param name="Verdict">The verdict the translated definition gets (null when the translation is impossible).</param>
public sealed record TranslationAdvice(Translation Translation, MigrationVerdict? Verdict);
