using System.Text.Json;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;

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
        w.WriteStartObject();
        w.WriteString("catalog", report.Catalog.Name);
        w.WriteString("hypervisor", report.Hypervisor.Name);
        WriteHosts(w, report, labels);
        WriteVendors(w, report, style);
        WritePools(w, report, style);
        WriteSkipped(w, report.Skipped);
        w.WriteEndObject();
    }

    /// <summary>Writes <c>"skipped": [{"file", "reason"}]</c>: the files a fleet read left out, and why.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="skipped">The skipped files.</param>
    internal static void WriteSkipped(Utf8JsonWriter w, IEnumerable<SkippedCapture> skipped)
    {
        w.WriteStartArray("skipped");
        foreach (var file in skipped)
        {
            w.WriteStartObject();
            w.WriteString("file", file.File);
            w.WriteString("reason", file.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>Names escaped once for a whole report, a scratch buffer for one blocker list, and each vendor's candidate models.</summary>
    private sealed class HostCells
    {
        public HostCells(FleetReport report)
        {
            // Millions of cells: model and feature names are escaped once, not once per cell.
            ModelNames = report.Matrix.Models.Select(model => JsonEncodedText.Encode(model.Name)).ToArray();
            FeatureNames = report.Catalog.Features.Select(f => QuotedUtf8(f.Name)).ToArray();
            Cell = new byte[2 + FeatureNames.Sum(f => f.Length + 1)];
        }

        public JsonEncodedText[] ModelNames { get; }

        public byte[][] FeatureNames { get; }

        public byte[] Cell { get; }

        public Dictionary<string, int[]> Candidates { get; } = new(StringComparer.Ordinal);
    }

    private static void WriteHosts(Utf8JsonWriter w, FleetReport report, bool labels)
    {
        var cells = new HostCells(report);
        w.WriteStartArray("hosts");
        for (var i = 0; i < report.Hosts.Length; i++)
        {
            var host = report.Hosts[i];
            w.WriteStartObject();
            w.WriteString("name", host.Name);
            w.WriteString("file", host.File);
            w.WriteStringOrNull("vendor", host.Vendor);
            w.WriteStringOrNull("model", host.HostCpu?.Model);
            w.WriteString("level", Qemu.X86Level.Name(report.Levels[i]));
            w.WriteStartArray("usable");
            for (var model = 0; model < report.Matrix.Models.Length; model++)
            {
                if (report.Matrix.IsUsable(i, model))
                {
                    w.WriteStringValue(cells.ModelNames[model]);
                }
            }

            w.WriteEndArray();
            w.WriteStartObject("blockers");
            if (host.HostCpu is not null)
            {
                WriteBlockers(w, report, i, host.Vendor ?? "unknown", cells);
            }

            w.WriteEndObject();
            if (host.Error is not null)
            {
                w.WriteString("error", host.Error);
            }

            if (labels)
            {
                w.WriteStartObject("labels");
                foreach (var label in FleetLabels.Of(report, i))
                {
                    w.WriteString(label, "true");
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
    }

    /// <summary>The blocking features of every unusable candidate model of the host's vendor.</summary>
    private static void WriteBlockers(Utf8JsonWriter w, FleetReport report, int host, string vendor, HostCells cells)
    {
        if (!cells.Candidates.TryGetValue(vendor, out var candidates))
        {
            candidates = FleetReport.Candidates(report.Catalog, vendor);
            cells.Candidates.Add(vendor, candidates);
        }

        var cell = cells.Cell;
        foreach (var model in candidates)
        {
            if (report.Matrix.IsUsable(host, model))
            {
                continue;
            }

            // The blocker list is built as raw JSON (a copy of pre-escaped names per
            // feature): several times faster than one writer call per name.
            var length = 0;
            cell[length++] = (byte)'[';
            foreach (var f in report.Matrix.Blockers(host, model))
            {
                if (length > 1)
                {
                    cell[length++] = (byte)',';
                }

                cells.FeatureNames[f].CopyTo(cell, length);
                length += cells.FeatureNames[f].Length;
            }

            cell[length++] = (byte)']';
            w.WritePropertyName(cells.ModelNames[model]);
            w.WriteRawValue(cell.AsSpan(0, length), skipInputValidation: true);
        }
    }

    private static void WriteVendors(Utf8JsonWriter w, FleetReport report, CpuXmlStyle style)
    {
        w.WriteStartArray("vendors");
        foreach (var vendor in report.Vendors)
        {
            w.WriteStartObject();
            w.WriteString("vendor", vendor.Vendor);
            w.WriteNumber("hostCount", vendor.Hosts.Length);
            w.WriteStartArray("commonModels");
            foreach (var model in vendor.CommonModels)
            {
                w.WriteStringValue(model.Name);
            }

            w.WriteEndArray();
            w.WriteString("level", Qemu.X86Level.Name(vendor.Level));
            w.WriteStringOrNull("baseline", vendor.Baseline is { } baseline ? CpuXml.Format(baseline, style) : null);
            if (vendor.BaselineError is not null)
            {
                w.WriteString("baselineError", vendor.BaselineError);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WritePools(Utf8JsonWriter w, FleetReport report, CpuXmlStyle style)
    {
        w.WriteStartArray("pools");
        foreach (var pool in report.Pools)
        {
            w.WriteStartObject();
            w.WriteString("vendor", pool.Vendor);
            Names(w, "hosts", report, pool.Hosts);
            w.WriteStringOrNull("model", pool.Model?.Name);
            w.WriteString("level", Qemu.X86Level.Name(pool.Level));
            w.WriteStringOrNull("baseline", pool.Baseline is { } baseline ? CpuXml.Format(baseline, style) : null);
            if (pool.BaselineError is not null)
            {
                w.WriteString("baselineError", pool.BaselineError);
            }

            Names(w, "heldBackBy", report, pool.HeldBackBy);
            w.WriteStringOrNull("gain", pool.Gain?.Name);
            w.WriteEndObject();
        }

        w.WriteEndArray();
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
