using System.Diagnostics;
using System.Text.RegularExpressions;

namespace VirtCpu.Lab;

/// <summary>Runs a case on the real daemons: start, snapshot, migrate along the hops, snapshot, destroy.</summary>
/// <param name="workDirectory">Where the domain XML files go.</param>
/// <param name="qemuOf">Each node's QEMU release (node name to version), for the guest's view of a vCPU.</param>
internal sealed partial class CaseRunner(string workDirectory, IReadOnlyDictionary<string, Version> qemuOf)
{
    private int _port = 49200;

    /// <summary>Runs one case.</summary>
    /// <param name="c">The case.</param>
    /// <returns>What happened.</returns>
    public CaseReality Run(LabCase c)
    {
        var clock = Stopwatch.StartNew();
        var xml = c.Guest.DomainXml(c.Id, c.Topology, c.Machine);
        var file = Path.Combine(workDirectory, c.Id + ".xml");
        File.WriteAllText(file, xml);
        var node = c.Source;
        var created = Virsh.Run(node.Uri, "create", file);
        if (!created.Ok)
        {
            return new CaseReality { Id = c.Id, DomainXml = xml, Start = new StartReality { Ok = false, Error = created.Message }, Seconds = clock.Elapsed.TotalSeconds };
        }

        var hops = new List<HopReality>();
        StartReality start;
        try
        {
            Virsh.Run(node.Uri, "suspend", c.Id);
            var live = Virsh.Run(node.Uri, "dumpxml", c.Id).Out;
            start = new StartReality
            {
                Ok = true,
                LiveDomain = live,
                LiveCpu = CpuElement(live),
                CpuArgument = CpuArgument(node, c.Id),
                Vcpus = Virsh.ReadVcpus(node.Uri, c.Id),
            };
            var before = start.Vcpus;
            var beforeSeen = GuestView.Of(before, qemuOf[node.Name], c.Topology);
            foreach (var to in c.Hops)
            {
                // The CLI captures a node by its releases; an edited map is not visible through virsh.
                var domainCheck = c.Core && to == c.Hops[0] && node.MapEdit is null && to.MapEdit is null ? DomainCheck(c.Id, node, to) : null;
                var port = NextPort();
                var m = Virsh.Run(node.Uri, "migrate", "--live", c.Id, to.Uri, "--migrateuri", $"tcp://127.0.0.1:{port}");
                if (!m.Ok)
                {
                    hops.Add(new HopReality { To = to.Name, Ok = false, Error = m.Message, DomainCheck = domainCheck });
                    break;
                }

                node = to;
                var after = Virsh.ReadVcpus(node.Uri, c.Id);
                var afterSeen = GuestView.Of(after, qemuOf[node.Name], c.Topology);
                hops.Add(new HopReality
                {
                    To = to.Name,
                    Ok = true,
                    LiveCpu = CpuElement(Virsh.Run(node.Uri, "dumpxml", c.Id).Out),
                    Vcpus = after,
                    Changes = Changes(beforeSeen, afterSeen),
                    WordChanges = Changes(before, after),
                    DomainCheck = domainCheck,
                });
                (before, beforeSeen) = (after, afterSeen);
            }
        }
        finally
        {
            Virsh.Run(node.Uri, "destroy", c.Id);
        }

        return new CaseReality { Id = c.Id, DomainXml = xml, Start = start, Hops = hops, Seconds = clock.Elapsed.TotalSeconds };
    }

    private static List<string> Changes(List<Vcpu> before, List<Vcpu> after)
    {
        var changes = before.Zip(after).SelectMany((p, i) => p.First.Differences(p.Second).Select(d => $"vCPU {i}: {d}")).ToList();
        if (before.Count != after.Count)
        {
            changes.Add($"vCPU count {before.Count} -> {after.Count}");
        }

        return changes;
    }

    // virtcpu migrate-check --domain against the running guest: the CLI reads the domain and
    // captures both nodes itself; its first word is the verdict.
    private static string DomainCheck(string domain, LabNode from, LabNode to)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "VirtCpu.Cli.dll");
        var r = Shell.Run("dotnet", [cli, "migrate-check", "--domain", domain, "--connect", from.Uri, "--to", to.Uri], TimeSpan.FromSeconds(120));
        var word = r.Out.Split(' ', ':', '\n').FirstOrDefault() ?? "";
        return r.ExitCode is 0 or 1 && word is "SAFE" or "BLOCKED" or "UNSAFE" ? word : $"error (exit {r.ExitCode}): {r.Message}";
    }

    private int NextPort() => _port = _port >= 49900 ? 49200 : _port + 1;

    private static string? CpuElement(string domainXml)
    {
        var m = CpuRegex().Match(domainXml);
        return m.Success ? m.Value : null;
    }

    private static string? CpuArgument(LabNode node, string domain)
    {
        var log = Path.Combine(node.QemuLogDirectory, domain + ".log");
        if (!File.Exists(log))
        {
            return null;
        }

        var last = File.ReadAllLines(log).LastOrDefault(l => l.Contains(" -cpu ", StringComparison.Ordinal) || l.Contains("-cpu ", StringComparison.Ordinal));
        if (last is null)
        {
            return null;
        }

        var m = CpuArgRegex().Match(last);
        return m.Success ? m.Groups[1].Value : null;
    }

    [GeneratedRegex(@"<cpu\b[^>]*/>|<cpu\b[^>]*>.*?</cpu>", RegexOptions.Singleline)]
    private static partial Regex CpuRegex();

    [GeneratedRegex(@"(?:^|\s)-cpu\s+(\S+)")]
    private static partial Regex CpuArgRegex();
}
