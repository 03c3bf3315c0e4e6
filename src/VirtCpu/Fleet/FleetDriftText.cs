using System.Text;
using System.Text.Json;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.Input;

namespace VirtCpu.Fleet;

/// <summary>The text and JSON forms of a <see cref="FleetDrift"/>.</summary>
public static class FleetDriftText
{
    /// <summary>Formats the drift as text.</summary>
    /// <param name="drift">The drift.</param>
    /// <param name="skipped">Files skipped while reading.</param>
    /// <returns>The text.</returns>
    public static string Format(FleetDrift drift, IEnumerable<SkippedCapture> skipped)
    {
        ArgumentNullException.ThrowIfNull(drift);
        ArgumentNullException.ThrowIfNull(skipped);
        var sb = new StringBuilder();
        List<string[]> rows = [["HOST", "LOST", "GAINED", "NOW UNUSABLE", "NOW USABLE"]];
        foreach (var h in drift.Hosts.Where(h => !h.IsEmpty))
        {
            rows.Add([h.Name, J(h.Lost), J(h.Gained), J(h.NowUnusable), J(h.NowUsable)]);
        }

        if (rows.Count == 1)
        {
            sb.Append("no host changed\n");
        }
        else
        {
            FleetText.Table(sb, rows);
        }

        foreach (var r in drift.Removed)
        {
            sb.Append("host removed: ").Append(r).Append('\n');
        }

        foreach (var a in drift.Added)
        {
            sb.Append("host added: ").Append(a).Append('\n');
        }

        foreach (var s in drift.NoLongerStart)
        {
            sb.Append("guest ").Append(s.Guest).Append(" no longer starts on ").Append(s.Host).Append(": ").Append(s.Reason).Append('\n');
        }

        foreach (var m in drift.NoLongerMigrate)
        {
            sb.Append("guest ").Append(m.Guest).Append(" can no longer migrate ").Append(m.Source).Append(" -> ").Append(m.Target).Append(": ").Append(m.Verdict).Append(", ").Append(m.Reason).Append('\n');
        }

        foreach (var s in skipped)
        {
            sb.Append("skipped ").Append(s.File).Append(": ").Append(s.Reason).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Writes the drift as JSON: <c>{"hosts": [{"name", "lost", "gained", "nowUnusable", "nowUsable"}], "removed", "added", "noLongerStart": [{"guest", "host", "reason"}], "noLongerMigrate": [{"guest", "source", "target", "verdict", "reason"}], "skipped"}</c>.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="drift">The drift.</param>
    /// <param name="skipped">Files skipped while reading.</param>
    public static void WriteJson(Utf8JsonWriter w, FleetDrift drift, IEnumerable<SkippedCapture> skipped)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(drift);
        ArgumentNullException.ThrowIfNull(skipped);
        w.WriteStartObject();
        w.WriteStartArray("hosts");
        foreach (var h in drift.Hosts)
        {
            w.WriteStartObject();
            w.WriteString("name", h.Name);
            w.WriteStringArray("lost", h.Lost);
            w.WriteStringArray("gained", h.Gained);
            w.WriteStringArray("nowUnusable", h.NowUnusable);
            w.WriteStringArray("nowUsable", h.NowUsable);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStringArray("removed", drift.Removed);
        w.WriteStringArray("added", drift.Added);
        w.WriteStartArray("noLongerStart");
        foreach (var s in drift.NoLongerStart)
        {
            w.WriteStartObject();
            w.WriteString("guest", s.Guest);
            w.WriteString("host", s.Host);
            w.WriteString("reason", s.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("noLongerMigrate");
        foreach (var m in drift.NoLongerMigrate)
        {
            w.WriteStartObject();
            w.WriteString("guest", m.Guest);
            w.WriteString("source", m.Source);
            w.WriteString("target", m.Target);
            w.WriteString("verdict", m.Verdict);
            w.WriteString("reason", m.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        FleetJson.WriteSkipped(w, skipped);
        w.WriteEndObject();
    }

    private static string J(IEnumerable<string> names) => string.Join(' ', names) is { Length: > 0 } s ? s : "-";
}
