using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VirtCpu.Lab;

/// <summary>What one vCPU of a running guest has, read from QEMU over libvirt's monitor passthrough.</summary>
/// <param name="Path">The vCPU's QOM path.</param>
/// <param name="Vendor">Its CPUID vendor string.</param>
/// <param name="Family">Its family.</param>
/// <param name="Model">Its model.</param>
/// <param name="Stepping">Its stepping.</param>
/// <param name="Words">Its feature words: <c>LEAF.SUBLEAF.REG</c> (hex) to the bits set.</param>
internal sealed record Vcpu(string Path, string Vendor, int Family, int Model, int Stepping, SortedDictionary<string, ulong> Words)
{
    /// <summary>The differences from another vCPU, in words (empty when equal; words absent on one side count as 0).</summary>
    /// <param name="other">The vCPU after a migration.</param>
    /// <returns>The differences.</returns>
    public List<string> Differences(Vcpu other)
    {
        var d = new List<string>();
        if (Vendor != other.Vendor)
        {
            d.Add($"vendor {Vendor} -> {other.Vendor}");
        }

        if ((Family, Model, Stepping) != (other.Family, other.Model, other.Stepping))
        {
            d.Add($"signature {Family}/{Model}/{Stepping} -> {other.Family}/{other.Model}/{other.Stepping}");
        }

        foreach (var key in Words.Keys.Union(other.Words.Keys).Order(StringComparer.Ordinal))
        {
            var a = Words.GetValueOrDefault(key);
            var b = other.Words.GetValueOrDefault(key);
            if (a != b)
            {
                d.Add(string.Create(CultureInfo.InvariantCulture, $"{key}: lost 0x{a & ~b:x}, gained 0x{b & ~a:x}"));
            }
        }

        return d;
    }
}

/// <summary>virsh, pointed at a node.</summary>
internal static class Virsh
{
    /// <summary>Runs virsh against a URI.</summary>
    /// <param name="uri">The URI.</param>
    /// <param name="args">The command.</param>
    /// <returns>The result.</returns>
    public static ProcessResult Run(string uri, params string[] args) => Shell.Run("virsh", ["-q", "-c", uri, .. args], TimeSpan.FromSeconds(120));

    /// <summary>Reads every vCPU of a running guest (one virsh call for all of their properties).</summary>
    /// <param name="uri">The node's URI.</param>
    /// <param name="domain">The domain.</param>
    /// <returns>The vCPUs in index order.</returns>
    public static List<Vcpu> ReadVcpus(string uri, string domain)
    {
        var cpus = Monitor(uri, domain, """{"execute":"query-cpus-fast"}""").AsArray();
        var paths = cpus.OrderBy(c => (int)c!["cpu-index"]!).Select(c => (string)c!["qom-path"]!).ToList();
        string[] properties = ["feature-words", "vendor", "family", "model", "stepping"];
        var commands = paths.SelectMany(p => properties.Select(property =>
            $"qemu-monitor-command {domain} '{{\"execute\":\"qom-get\",\"arguments\":{{\"path\":\"{p}\",\"property\":\"{property}\"}}}}'"));
        var r = Run(uri, string.Join(" ; ", commands));
        if (!r.Ok)
        {
            throw new LabException($"reading the vCPUs of {domain}: {r.Message}");
        }

        var replies = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => JsonNode.Parse(l)!["return"]!).ToList();
        if (replies.Count != paths.Count * properties.Length)
        {
            throw new LabException($"reading the vCPUs of {domain}: {replies.Count} replies for {paths.Count * properties.Length} questions");
        }

        var list = new List<Vcpu>();
        for (var i = 0; i < paths.Count; i++)
        {
            var at = i * properties.Length;
            var words = new SortedDictionary<string, ulong>(StringComparer.Ordinal);
            foreach (var w in replies[at].AsArray())
            {
                var leaf = (long)w!["cpuid-input-eax"]!;
                var sub = w["cpuid-input-ecx"] is { } ecx ? ((long)ecx).ToString("x", CultureInfo.InvariantCulture) : "-";
                var key = string.Create(CultureInfo.InvariantCulture, $"{leaf:x}.{sub}.{((string)w["cpuid-register"]!).ToLowerInvariant()}");
                words[key] = (ulong)(long)w["features"]!;
            }

            list.Add(new Vcpu(paths[i], (string)replies[at + 1]!, (int)replies[at + 2], (int)replies[at + 3], (int)replies[at + 4], words));
        }

        return list;
    }

    private static JsonNode Monitor(string uri, string domain, string command)
    {
        var r = Run(uri, "qemu-monitor-command", domain, command);
        if (!r.Ok)
        {
            throw new LabException($"qemu-monitor-command {domain} {command}: {r.Message}");
        }

        return JsonNode.Parse(r.Out)!["return"]!;
    }
}
