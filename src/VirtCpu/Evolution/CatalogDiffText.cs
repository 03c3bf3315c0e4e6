using System.Globalization;
using System.Text;
using System.Text.Json;
using VirtCpu.Formats.Input;

namespace VirtCpu.Evolution;

/// <summary>Writes a <see cref="CatalogDiffReport"/> as text (for people and for docs/) or JSON.</summary>
public static class CatalogDiffText
{
    private static readonly ChangeImpact[] Classes = [ChangeImpact.Safe, ChangeImpact.StartRegression, ChangeImpact.MigrationRegression, ChangeImpact.SilentChange];

    /// <summary>The text report. It holds no timings, so it is reproducible.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The text; lines end with <c>\n</c>.</returns>
    public static string Write(CatalogDiffReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        Line(sb, $"catalog diff {report.Old} → {report.New} (hypervisor {report.Hypervisor}, machine {report.Machine}, KVM)");
        Line(sb, "Guest ABI compared: vendor, signature, enabled features (cache and topology leaves are out of scope).");
        Line(sb, string.Empty);
        Names(sb, "Features added", report.AddedFeatures);
        Names(sb, "Features removed", report.RemovedFeatures);
        Names(sb, "Features changed (bits or migratability)", report.ChangedFeatures);
        Names(sb, "Models added", report.AddedModels);
        Names(sb, "Models removed", report.RemovedModels);
        Names(sb, "Models changed", report.ChangedModels.Select(m => m.Name));
        Line(sb, string.Empty);

        Line(sb, "Changed models:");
        foreach (var m in report.ChangedModels)
        {
            Line(sb, $"  {m.Name}{(m.IsVersioned ? " (versioned)" : "")}");
            foreach (var d in m.Differences)
            {
                Line(sb, $"    {d}");
            }

            foreach (var group in m.Features.GroupBy(f => f.Kind))
            {
                Line(sb, $"    {group.First().Description}: {string.Join(" ", group.Select(f => f.Feature))}");
            }
        }

        Line(sb, string.Empty);
        WriteStudies(sb, report);
        Line(sb, string.Empty);
        Line(sb, "Versioned models (X-vN never change):");
        if (report.VersionedViolations.IsEmpty)
        {
            Line(sb, "  none changed or removed");
        }

        foreach (var v in report.VersionedViolations)
        {
            Line(sb, $"  {v.Model}: {(v.Change == CatalogLockChange.Removed ? "removed" : "changed")}: forbidden, add a new version instead");
        }

        Line(sb, string.Empty);
        Line(sb, $"Summary: {report.Studies.Length} studies, {report.Runs} runs: " + string.Join(", ", Classes.Select(c => $"{CatalogDiffReport.Name(c)} {report.Count(c)}")) +
            $"; versioned models changed {report.VersionedViolations.Length}.");
        Line(sb, report.IsRejected ? "Verdict: REJECTED (exit 1)" : "Verdict: accepted (exit 0)");
        return sb.ToString();
    }

    /// <summary>The studies grouped by model, impact and kind of change, each with its notes, unchanged runs and findings.</summary>
    private static void WriteStudies(StringBuilder sb, CatalogDiffReport report)
    {
        Line(sb, "Studies (each changed feature of each changed model; runs = start comparisons + cross-version migrations):");
        foreach (var group in report.Studies.GroupBy(s => (s.Model, s.Impact, Kind: s.Change?.Kind)))
        {
            var first = group.First();
            var what = first.Change is null ? "the model as a whole" : $"{first.Change.Description}: {string.Join(" ", group.Select(s => s.Change!.Feature))}";
            Line(sb, $"  {first.Model}: {what}: {CatalogDiffReport.Name(first.Impact)} ({group.Sum(s => s.Runs)} runs)");
            foreach (var note in group.SelectMany(s => s.Notes).Distinct(StringComparer.Ordinal))
            {
                Line(sb, $"    note: {note}");
            }

            var unchanged = group.Sum(s => s.Unchanged);
            if (unchanged > 0)
            {
                Line(sb, string.Create(CultureInfo.InvariantCulture, $"    unchanged: {unchanged} cross-version run(s) BLOCKED or UNSAFE exactly as within one version (not caused by the change; no marker prevents them), e.g."));
                Line(sb, $"      {group.First(s => s.UnchangedExample is not null).UnchangedExample}");
            }

            foreach (var s in group)
            {
                foreach (var f in s.Findings)
                {
                    var hosts = f.SourceHost is null ? "" : f.TargetHost is null
                        ? $", host {(f.SourceHost.Value ? "with" : "without")} {s.Change!.Feature}"
                        : $", source host {(f.SourceHost.Value ? "with" : "without")} {s.Change!.Feature}, destination host {(f.TargetHost.Value ? "with" : "without")}";
                    Line(sb, $"    {CatalogDiffReport.Name(f.Impact)}: {f.Direction}{hosts}, guest {f.Guest}");
                    Line(sb, $"      {f.Result}");
                    Line(sb, $"      within one version: {string.Join("; ", f.Within)}");
                }
            }
        }
    }

    /// <summary>The JSON report.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The JSON text.</returns>
    public static string WriteJson(CatalogDiffReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("old", report.Old);
            w.WriteString("new", report.New);
            w.WriteString("hypervisor", report.Hypervisor);
            w.WriteString("machine", report.Machine);
            w.WriteStringArray("addedFeatures", report.AddedFeatures);
            w.WriteStringArray("removedFeatures", report.RemovedFeatures);
            w.WriteStringArray("changedFeatures", report.ChangedFeatures);
            w.WriteStringArray("addedModels", report.AddedModels);
            w.WriteStringArray("removedModels", report.RemovedModels);
            WriteChangedModels(w, report);
            WriteStudies(w, report);
            w.WriteStringArray("versionedChanged", report.VersionedViolations.Select(v => v.Model));
            w.WriteStartObject("counts");
            foreach (var c in Classes)
            {
                w.WriteNumber(CatalogDiffReport.Name(c), report.Count(c));
            }

            w.WriteEndObject();
            w.WriteNumber("runs", report.Runs);
            w.WriteBoolean("rejected", report.IsRejected);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteChangedModels(Utf8JsonWriter w, CatalogDiffReport report)
    {
        w.WriteStartArray("changedModels");
        foreach (var m in report.ChangedModels)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            w.WriteBoolean("versioned", m.IsVersioned);
            w.WriteStringArray("differences", m.Differences);
            w.WriteStartArray("features");
            foreach (var f in m.Features)
            {
                w.WriteStartObject();
                w.WriteString("feature", f.Feature);
                w.WriteString("change", f.Description);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>Each change's study: its impact class, run counts, notes, and the findings that set the class.</summary>
    private static void WriteStudies(Utf8JsonWriter w, CatalogDiffReport report)
    {
        w.WriteStartArray("studies");
        foreach (var s in report.Studies)
        {
            w.WriteStartObject();
            w.WriteString("model", s.Model);
            if (s.Change is { } c)
            {
                w.WriteString("feature", c.Feature);
                w.WriteString("change", c.Description);
            }

            w.WriteString("class", CatalogDiffReport.Name(s.Impact));
            w.WriteNumber("runs", s.Runs);
            w.WriteNumber("unchanged", s.Unchanged);
            w.WriteStringArray("notes", s.Notes);
            w.WriteStartArray("findings");
            foreach (var f in s.Findings)
            {
                w.WriteStartObject();
                w.WriteString("class", CatalogDiffReport.Name(f.Impact));
                w.WriteString("direction", f.Direction);
                w.WriteString("guest", f.Guest);
                if (f.SourceHost is { } sh)
                {
                    w.WriteBoolean(f.TargetHost is null ? "hostHasFeature" : "sourceHostHasFeature", sh);
                }

                if (f.TargetHost is { } th)
                {
                    w.WriteBoolean("targetHostHasFeature", th);
                }

                w.WriteString("result", f.Result);
                w.WriteStringArray("within", f.Within);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void Names(StringBuilder sb, string title, IEnumerable<string> names)
    {
        var list = names.ToList();
        Line(sb, string.Create(CultureInfo.InvariantCulture, $"{title} ({list.Count}){(list.Count == 0 ? "" : ": " + string.Join(" ", list))}"));
    }

    private static void Line(StringBuilder sb, string text) => sb.Append(text).Append('\n');
}
