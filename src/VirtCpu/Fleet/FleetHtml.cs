using System.Globalization;
using System.Net;
using System.Text;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Qemu;

namespace VirtCpu.Fleet;

/// <summary>
/// The HTML form of a fleet report (issue 7 item 4): one self-contained page (inline CSS and plain
/// JavaScript, no network fetch): a heat map of hosts by models (green usable, red not, blockers in
/// each cell's title), sortable by clicking a column header and filterable by host name or vendor,
/// then the vendors' common models and baselines, the pools and the skipped files.
/// </summary>
public static class FleetHtml
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:1em;color:#222}
        h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}
        table{border-collapse:collapse;font-size:12px}
        th,td{border:1px solid #ccc;padding:2px 4px;white-space:nowrap}
        thead th{position:sticky;top:0;background:#eee;cursor:pointer}
        th.m{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal}
        td.y{background:#3a3;color:#fff;text-align:center}td.n{background:#d44;color:#fff;text-align:center}
        td.u{background:#999}pre{background:#f6f6f6;padding:.5em;font-size:12px}
        #filter{margin:.5em 0;padding:3px;width:20em}
        """;

    private const string Script = """
        function filterRows(){var q=document.getElementById('filter').value.toLowerCase();
        var rows=document.querySelectorAll('#matrix tbody tr');
        for(var i=0;i<rows.length;i++){var t=rows[i].getAttribute('data-key');rows[i].style.display=t.indexOf(q)>=0?'':'none';}}
        function sortBy(col){var tb=document.querySelector('#matrix tbody');var rows=Array.prototype.slice.call(tb.rows);
        var dir=tb.getAttribute('data-col')==String(col)&&tb.getAttribute('data-dir')=='1'?-1:1;
        rows.sort(function(a,b){var x=a.cells[col].getAttribute('data-v')||a.cells[col].textContent,y=b.cells[col].getAttribute('data-v')||b.cells[col].textContent;
        var nx=parseFloat(x),ny=parseFloat(y);if(!isNaN(nx)&&!isNaN(ny))return (nx-ny)*dir;return x<y?-dir:x>y?dir:0;});
        for(var i=0;i<rows.length;i++)tb.appendChild(rows[i]);tb.setAttribute('data-col',col);tb.setAttribute('data-dir',dir==1?'1':'-1');}
        """;

    /// <summary>Renders the report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="style">The XML style for baselines.</param>
    /// <returns>The HTML text.</returns>
    public static string Render(FleetReport report, CpuXmlStyle style = CpuXmlStyle.Libvirt11)
    {
        ArgumentNullException.ThrowIfNull(report);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var models = report.Matrix.Models;
        var vendors = report.Hosts.Select(h => h.Vendor).ToHashSet(StringComparer.Ordinal);
        var columns = Enumerable.Range(0, models.Length).Where(m => models[m].Vendor is not { } v || vendors.Contains(v.Name)).ToList();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>VirtCpu fleet report</title><style>").Append(Style).Append("</style><script>").Append(Script).Append("</script></head><body>\n");
        sb.Append(inv, $"<h1>Fleet: {report.Hosts.Length} hosts, {columns.Count} models ({E(report.Catalog.Name)})</h1>\n");
        sb.Append("<p>A cell is green when <code>virtcpu compare</code> of the model (custom, match exact) against the host CPU says identical or superset; hover a red cell for the features the host lacks. Click a header to sort.</p>\n");
        sb.Append("<input id=\"filter\" placeholder=\"filter hosts (name, vendor, model)\" oninput=\"filterRows()\">\n");
        sb.Append("<table id=\"matrix\"><thead><tr><th onclick=\"sortBy(0)\">host</th><th onclick=\"sortBy(1)\">vendor</th><th onclick=\"sortBy(2)\">host CPU</th><th onclick=\"sortBy(3)\">level</th><th onclick=\"sortBy(4)\">usable</th>");
        for (var c = 0; c < columns.Count; c++)
        {
            sb.Append(inv, $"<th class=\"m\" onclick=\"sortBy({c + 5})\">{E(models[columns[c]].Name)}</th>");
        }

        sb.Append("</tr></thead><tbody>\n");
        for (var i = 0; i < report.Hosts.Length; i++)
        {
            var h = report.Hosts[i];
            var key = $"{h.Name} {h.Vendor} {h.HostCpu?.Model}".ToLowerInvariant();
            sb.Append(inv, $"<tr data-key=\"{E(key)}\"><td class=\"host\">{E(h.Name)}</td><td>{E(h.Vendor ?? "?")}</td><td>{E(h.HostCpu?.Model ?? "unknown")}</td><td>{X86Level.Name(report.Levels[i])}</td><td>{report.Matrix.UsableModels(i).Count()}</td>");
            foreach (var m in columns)
            {
                if (models[m].Vendor is { } v && !string.Equals(v.Name, h.Vendor, StringComparison.Ordinal))
                {
                    sb.Append("<td class=\"u\" data-v=\"-1\" title=\"other vendor\"></td>");
                }
                else if (report.Matrix.IsUsable(i, m))
                {
                    sb.Append(inv, $"<td class=\"y\" data-v=\"1\" title=\"{E(models[m].Name)} usable on {E(h.Name)}\">&#10003;</td>");
                }
                else
                {
                    var blockers = h.HostCpu is null ? "unknown host CPU" : "missing: " + string.Join(' ', report.Matrix.BlockerNames(i, m));
                    sb.Append(inv, $"<td class=\"n\" data-v=\"0\" title=\"{E(blockers)}\">&#10007;</td>");
                }
            }

            sb.Append("</tr>\n");
        }

        sb.Append("</tbody></table>\n");
        foreach (var v in report.Vendors)
        {
            sb.Append(inv, $"<h2>{E(v.Vendor)}: {v.Hosts.Length} hosts, level {X86Level.Name(v.Level)}</h2>\n<p>Newest models usable on every host: {E(v.CommonModels.IsEmpty ? "none" : string.Join(", ", v.CommonModels.Take(5).Select(m => m.Name)))}</p>\n");
            sb.Append("<p>Baseline (<code>--migratable</code>):</p><pre>").Append(E(v.Baseline is { } b ? CpuXml.Format(b, style) : "none: " + v.BaselineError)).Append("</pre>\n");
        }

        sb.Append("<h2>Compatibility pools</h2>\n<table id=\"pools\"><thead><tr><th>pool</th><th>vendor</th><th>hosts</th><th>model</th><th>level</th><th>held back by</th><th>would gain</th></tr></thead><tbody>\n");
        for (var p = 0; p < report.Pools.Length; p++)
        {
            var pool = report.Pools[p];
            sb.Append(inv, $"<tr><td>{p + 1}</td><td>{E(pool.Vendor)}</td><td>{E(Names(report, pool.Hosts))}</td><td>{E(pool.Model?.Name ?? "-")}</td><td>{X86Level.Name(pool.Level)}</td><td>{E(pool.HeldBackBy.IsEmpty ? "-" : Names(report, pool.HeldBackBy))}</td><td>{E(pool.Gain?.Name ?? "-")}</td></tr>\n");
        }

        sb.Append("</tbody></table>\n");
        for (var p = 0; p < report.Pools.Length; p++)
        {
            var pool = report.Pools[p];
            sb.Append(inv, $"<p>Pool {p + 1} baseline:</p><pre>").Append(E(pool.Baseline is { } b ? CpuXml.Format(b, style) : "none: " + pool.BaselineError)).Append("</pre>\n");
        }

        if (!report.Skipped.IsEmpty)
        {
            sb.Append("<h2>Skipped files</h2><ul>\n");
            foreach (var s in report.Skipped)
            {
                sb.Append("<li>").Append(E(s.File)).Append(": ").Append(E(s.Reason)).Append("</li>\n");
            }

            sb.Append("</ul>\n");
        }

        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Names(FleetReport report, IEnumerable<int> hosts) => string.Join(' ', hosts.Select(i => report.Hosts[i].Name));
}
