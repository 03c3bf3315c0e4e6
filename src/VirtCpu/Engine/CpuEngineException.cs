namespace VirtCpu.Engine;

/// <summary>
/// An error libvirt's CPU driver reports (spec 10.18): an unknown model or feature, no suitable
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

    internal static CpuEngineException UnknownModel(string? name) => new($"Unknown CPU model {name ?? "(null)"}");

    internal static CpuEngineException UnknownFeature(string name) => new($"Unknown CPU feature {name}");

    internal static CpuEngineException UnknownFeatureLower(string name) => new($"unknown CPU feature {name}");

    internal static CpuEngineException NotSupportedByHypervisor(string? model) => new($"CPU model {model ?? "(null)"} is not supported by hypervisor");
}
