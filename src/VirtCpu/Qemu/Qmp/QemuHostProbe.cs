using System.Text.Json;

namespace VirtCpu.Qemu.Qmp;

/// <summary>The <c>host</c> model as a running QEMU/KVM expands it: the hypervisor's own view of what this host offers guests.</summary>
/// <param name="Expansion">The full expansion of the <c>host</c> model.</param>
/// <param name="QemuVersion">QEMU's version from the QMP greeting (<c>7.2</c>), or null.</param>
public sealed record QemuHostView(QemuModelExpansion Expansion, string? QemuVersion);

/// <summary>Asks a QEMU binary under KVM how it expands the <c>host</c> CPU model.</summary>
public static class QemuHostProbe
{
    /// <summary>The default QEMU binary name, looked up on PATH.</summary>
    public const string DefaultBinary = "qemu-system-x86_64";

    /// <summary>True when a QEMU/KVM view of this host can be had: the binary is on PATH (or given) and <c>/dev/kvm</c> opens.</summary>
    /// <param name="binary">The binary name or path.</param>
    /// <returns>Whether <see cref="ExpandHostAsync"/> can work.</returns>
    public static bool IsAvailable(string binary = DefaultBinary) => FindBinary(binary) is not null && KvmOpens();

    /// <summary>Starts QEMU under KVM, expands <c>host</c> (full), and shuts QEMU down.</summary>
    /// <param name="binary">The binary name or path.</param>
    /// <param name="timeout">The bound on each wait.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>The host view.</returns>
    public static async Task<QemuHostView> ExpandHostAsync(string binary, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var path = FindBinary(binary) ?? throw new QmpException($"QEMU binary '{binary}' not found");
        using var session = await QmpSession.StartAsync(path, QemuLaunch.For(QemuAccelerator.Kvm), timeout, cancellationToken).ConfigureAwait(false);
        var expansion = await session.Client.QueryCpuModelExpansionAsync("full", "host", null, cancellationToken).ConfigureAwait(false);
        var version = VersionOf(session.Client.GreetingJson);
        await session.StopAsync(timeout, cancellationToken).ConfigureAwait(false);
        return new QemuHostView(expansion, version);
    }

    /// <summary>Reads <c>major.minor</c> from a QMP greeting.</summary>
    /// <param name="greetingJson">The greeting object.</param>
    /// <returns>The version, or null.</returns>
    public static string? VersionOf(string greetingJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(greetingJson);
            var q = doc.RootElement.GetProperty("QMP").GetProperty("version").GetProperty("qemu");
            return $"{q.GetProperty("major").GetInt32()}.{q.GetProperty("minor").GetInt32()}";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static string? FindBinary(string binary)
    {
        if (binary.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(binary) ? binary : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, binary);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool KvmOpens()
    {
        try
        {
            using var kvm = new FileStream("/dev/kvm", FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }
}
