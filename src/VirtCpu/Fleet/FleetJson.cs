using System.Text.Json;
using VirtCpu.Formats;

namespace VirtCpu.Fleet;

/// <summary>
/// The JSON form of a fleet report (issue 7 item 6): <c>{"catalog", "hypervisor", "hosts": [{"name",
/// "file", "vendor", "model", "level", "usable": [...], "blockers": {model: [features]}, "error"?,
/// "labels"?}], "vendors": [...], "pools": [{"vendor", "hosts", "model", "level", "baseline",
/// "heldBackBy", "gain"}], "skipped": [{"file", "reason"}]}</c>. Blockers are listed for every
/// unusable model of the host's vendor (and vendor-less models).
/// </summary>
public static class FleetJson
{
    /// <summary>Writes the report.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="report">The report.</param>
    /// <param name="labels">True to add each host's labels.</param>
    /// <param name="style">The XML style for baselines.</param>
    public static void Write(Utf8JsonWriter w, FleetReport report, bool labels = false, CpuXmlStyle style = CpuXmlStyle.Libvirt11)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(report);
        var catalog = report.Catalog;
        var models = report.Matrix.Models;
        w.WriteStartObject();
        w.WriteString("catalog", catalog.Name);
        w.WriteString("hypervisor", report.Hypervisor.Name);
        w.WriteStartArray("hosts");

        // Millions of cells: model and feature names are escaped once, not once per cell.
        var modelNames = models.Select(m => JsonEncodedText.Encode(m.Name)).ToArray();
        var featureNames = catalog.Features.Select(f => QuotedUtf8(f.Name)).ToArray();
        var cell = new byte[2 + featureNames.Sum(f => f.Length + 1)];
        var candidates = new Dictionary<string, int[]>(StringComparer.Ordinal);
        for (var i = 0; i < report.Hosts.Length; i++)
        {
            var h = report.Hosts[i];
            w.WriteStartObject();
            w.WriteString("name", h.Name);
            w.WriteString("file", h.File);
            w.WriteStringOrNull("vendor", h.Vendor);
            w.WriteStringOrNull("model", h.HostCpu?.Model);
            w.WriteString("level", Qemu.X86Level.Name(report.Levels[i]));
            w.WriteStartArray("usable");
            for (var m = 0; m < models.Length; m++)
            {
                if (report.Matrix.IsUsable(i, m))
                {
                    w.WriteStringValue(modelNames[m]);
                }
            }

            w.WriteEndArray();
            w.WriteStartObject("blockers");
            if (h.HostCpu is not null)
            {
                var vendor = h.Vendor ?? "unknown";
                if (!candidates.TryGetValue(vendor, out var cand))
                {
                    cand = FleetReport.Candidates(catalog, vendor);
                    candidates.Add(vendor, cand);
                }

                foreach (var m in cand)
                {
                    if (!report.Matrix.IsUsable(i, m))
                    {
                        // The blocker list is built as raw JSON (a copy of pre-escaped names per
                        // feature): several times faster than one writer call per name.
                        var length = 0;
                        cell[length++] = (byte)'[';
                        foreach (var f in report.Matrix.Blockers(i, m))
                        {
                            if (length > 1)
                            {
                                cell[length++] = (byte)',';
                            }

                            featureNames[f].CopyTo(cell, length);
                            length += featureNames[f].Length;
                        }

                        cell[length++] = (byte)']';
                        w.WritePropertyName(modelNames[m]);
                        w.WriteRawValue(cell.AsSpan(0, length), skipInputValidation: true);
                    }
                }
            }

            w.WriteEndObject();
            if (h.Error is not null)
            {
                w.WriteString("error", h.Error);
            }

            if (labels)
            {
                w.WriteStartObject("labels");
                foreach (var l in FleetLabels.Of(report, i))
                {
                    w.WriteString(l, "true");
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
            if (w.BytesPending > (1 << 20))
            {
                // Large fleets: hand the buffered output to the stream as we go.
                w.Flush();
            }
        }

        w.WriteEndArray();
        w.WriteStartArray("vendors");
        foreach (var v in report.Vendors)
        {
            w.WriteStartObject();
            w.WriteString("vendor", v.Vendor);
            w.WriteNumber("hostCount", v.Hosts.Length);
            w.WriteStartArray("commonModels");
            foreach (var m in v.CommonModels)
            {
                w.WriteStringValue(m.Name);
            }

            w.WriteEndArray();
            w.WriteString("level", Qemu.X86Level.Name(v.Level));
            w.WriteStringOrNull("baseline", v.Baseline is { } b ? CpuXml.Format(b, style) : null);
            if (v.BaselineError is not null)
            {
                w.WriteString("baselineError", v.BaselineError);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("pools");
        foreach (var p in report.Pools)
        {
            w.WriteStartObject();
            w.WriteString("vendor", p.Vendor);
            Names(w, "hosts", report, p.Hosts);
            w.WriteStringOrNull("model", p.Model?.Name);
            w.WriteString("level", Qemu.X86Level.Name(p.Level));
            w.WriteStringOrNull("baseline", p.Baseline is { } b ? CpuXml.Format(b, style) : null);
            if (p.BaselineError is not null)
            {
                w.WriteString("baselineError", p.BaselineError);
            }

            Names(w, "heldBackBy", report, p.HeldBackBy);
            w.WriteStringOrNull("gain", p.Gain?.Name);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("skipped");
        foreach (var s in report.Skipped)
        {
            w.WriteStartObject();
            w.WriteString("file", s.File);
            w.WriteString("reason", s.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    // "name" as escaped UTF-8 JSON.
    private static byte[] QuotedUtf8(string name) => [(byte)'"', .. JsonEncodedText.Encode(name).EncodedUtf8Bytes, (byte)'"'];

    private static void Names(Utf8JsonWriter w, string name, FleetReport report, IEnumerable<int> hosts)
    {
        w.WriteStartArray(name);
        foreach (var i in hosts)
        {
            w.WriteStringValue(report.Hosts[i].Name);
        }

        w.WriteEndArray();
    }
}
