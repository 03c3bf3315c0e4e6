namespace VirtCpu.Engine;

/// <summary>
/// An error libvirt's CPU driver reports (<c>docs/design.md#510-errors</c>): an unknown model or feature, no suitable
/// model, incompatible CPUs, vendor conflicts. These are user errors: the command line prints the
/// message and exits with code 2.
/// </summary>
public sealed class CpuEngineException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CpuEngineException()
    {
    }

    /// <summary>Creates the exception with libvirt's message.</summary>
    /// <param name="message">The message, as libvirt words it.</param>
    public CpuEngineException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CpuEngineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The features the live check found enabled but not expected (<c>extra features</c>), canonical names.</summary>
    public System.Collections.Immutable.ImmutableArray<string> Extra { get; private init; } = [];

    /// <summary>The features the live check expected but did not find enabled (<c>missing features</c>), canonical names.</summary>
    public System.Collections.Immutable.ImmutableArray<string> Missing { get; private init; } = [];

    /// <summary>libvirt's live-check refusal, with its extra and missing features as values.</summary>
    /// <param name="extra">Extra features.</param>
    /// <param name="missing">Missing features.</param>
    /// <returns>The exception.</returns>
    internal static CpuEngineException Mismatch(IReadOnlyList<string> extra, IReadOnlyList<string> missing)
    {
        var parts = new List<string>(2);
        if (extra.Count > 0)
        {
            parts.Add("extra features: " + string.Join(',', extra));
        }

        if (missing.Count > 0)
        {
            parts.Add("missing features: " + string.Join(',', missing));
        }

        var message = parts.Count == 0 ? "guest CPU doesn't match specification" : "guest CPU doesn't match specification: " + string.Join(", ", parts);
        return new(message) { Extra = [.. extra], Missing = [.. missing] };
    }

    internal static CpuEngineException UnknownModel(string? name) => new($"Unknown CPU model {name ?? "(null)"}");

    internal static CpuEngineException UnknownFeature(string name) => new($"Unknown CPU feature {name}");

    internal static CpuEngineException UnknownFeatureLower(string name) => new($"unknown CPU feature {name}");

    internal static CpuEngineException NotSupportedByHypervisor(string? model) => new($"CPU model {model ?? "(null)"} is not supported by hypervisor");
}
