using System.Globalization;
using System.Text;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Qemu;

namespace VirtCpu.Fleet;

/// <summary>The human-readable form of a fleet report: plain text tables.</summary>
public static class FleetText
{
    /// <summary>Formats the report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="labels">True to list each host's labels.</param>
    /// <param name="style">The XML style for baselines.</param>
    /// <returns>The text.</returns>
    public static string Format(FleetReport report, bool labels = false, CpuXmlStyle style = CpuXmlStyle.Libvirt11)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"# fleet: {report.Hosts.Length} hosts ({report.Matrix.DistinctHosts} distinct), {report.Matrix.Models.Length} models of {report.Catalog.Name}, levels by {report.Hypervisor.Name}; usable = virtcpu compare of the model against the host CPU\n\n");
        List<string[]> rows = [["HOST", "VENDOR", "HOST CPU", "LEVEL", "USABLE", "NEWEST USABLE"]];
        for (var i = 0; i < report.Hosts.Length; i++)
        {
            var host = report.Hosts[i];
            rows.Add([host.Name, host.Vendor ?? "?", host.HostCpu?.Model ?? "(" + host.Error + ")", X86Level.Name(report.Levels[i]), report.Matrix.UsableModels(i).Count().ToString(inv), report.NewestUsable(i)?.Name ?? "-"]);
        }

        Table(sb, rows);
        sb.Append('\n');
        Table(sb, ModelRows(report));
        foreach (var v in report.Vendors)
        {
            sb.Append(inv, $"\n## {v.Vendor}: {v.Hosts.Length} hosts, level {X86Level.Name(v.Level)}\n");
            sb.Append("newest models usable on every host: ").Append(v.CommonModels.IsEmpty ? "none" : string.Join(", ", v.CommonModels.Take(5).Select(m => m.Name))).Append('\n');
            sb.Append("baseline (--migratable):\n").Append(v.Baseline is { } b ? CpuXml.Format(b, style) : "none: " + v.BaselineError + "\n");
        }

        AppendPools(sb, report, style);

        if (labels)
        {
            sb.Append("\n## labels\n");
            for (var i = 0; i < report.Hosts.Length; i++)
            {
                foreach (var l in FleetLabels.Of(report, i))
                {
                    sb.Append(report.Hosts[i].Name).Append(' ').Append(l).Append("=true\n");
                }
            }
        }

        if (!report.Skipped.IsEmpty)
        {
            sb.Append("\n## skipped files\n");
            foreach (var s in report.Skipped)
            {
                sb.Append(s.File).Append(": ").Append(s.Reason).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>The model table, newest first: on how many hosts of its vendor each model is usable, and the first blocked hosts with their missing features.</summary>
    private static List<string[]> ModelRows(FleetReport report)
    {
        List<string[]> rows = [["MODEL", "USABLE ON", "BLOCKED HOSTS (missing features)"]];
        var models = report.Matrix.Models;
        for (var model = models.Length - 1; model >= 0; model--)
        {
            var blocked = new List<string>();
            var usable = 0;
            var relevant = 0;
            for (var i = 0; i < report.Hosts.Length; i++)
            {
                var host = report.Hosts[i];
                if (models[model].Vendor is { } v && !string.Equals(v.Name, host.Vendor, StringComparison.Ordinal))
                {
                    continue;
                }

                relevant++;
                if (report.Matrix.IsUsable(i, model))
                {
                    usable++;
                }
                else if (blocked.Count < 3)
                {
                    blocked.Add(host.HostCpu is null ? host.Name : $"{host.Name} ({Short(report.Matrix.BlockerNames(i, model))})");
                }
                else if (blocked.Count == 3)
                {
                    blocked.Add("...");
                }
            }

            if (relevant > 0)
            {
                rows.Add([models[model].Name, $"{usable}/{relevant}", string.Join(", ", blocked)]);
            }
        }

        return rows;
    }

    private static void AppendPools(StringBuilder sb, FleetReport report, CpuXmlStyle style)
    {
        var inv = CultureInfo.InvariantCulture;
        sb.Append("\n## compatibility pools\n");
        List<string[]> rows = [["POOL", "VENDOR", "HOSTS", "MODEL", "LEVEL", "HELD BACK BY", "WOULD GAIN"]];
        for (var p = 0; p < report.Pools.Length; p++)
        {
            var pool = report.Pools[p];
            rows.Add([(p + 1).ToString(inv), pool.Vendor, Names(report, pool.Hosts), pool.Model?.Name ?? "-", X86Level.Name(pool.Level), pool.HeldBackBy.IsEmpty ? "-" : Names(report, pool.HeldBackBy), pool.Gain?.Name ?? "-"]);
        }

        Table(sb, rows);
        for (var p = 0; p < report.Pools.Length; p++)
        {
            var pool = report.Pools[p];
            sb.Append(inv, $"\npool {p + 1} baseline:\n").Append(pool.Baseline is { } b ? CpuXml.Format(b, style) : "none: " + pool.BaselineError + "\n");
        }
    }

    /// <summary>Appends a table with left-aligned, space-padded columns.</summary>
    /// <param name="sb">The output.</param>
    /// <param name="rows">The rows, the first one the header.</param>
    public static void Table(StringBuilder sb, IReadOnlyList<string[]> rows)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(rows);
        var widths = new int[rows.Max(r => r.Length)];
        foreach (var r in rows)
        {
            for (var c = 0; c < r.Length; c++)
            {
                widths[c] = Math.Max(widths[c], r[c].Length);
            }
        }

        foreach (var r in rows)
        {
            var line = new StringBuilder();
            for (var c = 0; c < r.Length; c++)
            {
                line.Append(c == r.Length - 1 ? r[c] : r[c].PadRight(widths[c] + 2));
            }

            sb.Append(line.ToString().TrimEnd()).Append('\n');
        }
    }

    private static string Short(IEnumerable<string> features)
    {
        var list = features.ToList();
        return list.Count <= 4 ? string.Join(' ', list) : string.Join(' ', list.Take(4)) + $" +{list.Count - 4}";
    }

    private static string Names(FleetReport report, IEnumerable<int> hosts)
    {
        var names = hosts.Select(i => report.Hosts[i].Name).ToList();
        return names.Count <= 8 ? string.Join(' ', names) : string.Join(' ', names.Take(8)) + $" (+{names.Count - 8})";
    }
}
