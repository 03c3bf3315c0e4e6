using System.Globalization;
using System.Text.Json;
using VirtCpu.Formats.Input;

namespace VirtCpu.Migration;

/// <summary>Renders a migration matrix: summary counts and the non-SAFE rows.</summary>
public static class MatrixReport
{
    private static readonly string[] Header = ["GUEST", "FROM", "TO", "VERDICT", "STEP", "DETAILS"];

    private static readonly Verdict[] Order = [Verdict.Safe, Verdict.Blocked, Verdict.Unsafe, Verdict.SourceFails];

    /// <summary>Writes the matrix as a table.</summary>
    /// <param name="result">The matrix.</param>
    /// <param name="output">The writer.</param>
    public static void Write(MatrixResult result, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Total} verdicts: {result.Guests} guests x {result.Nodes} nodes ({result.Nodes * (result.Nodes - 1)} ordered pairs; {result.NodeGroups} distinct nodes)"));
        foreach (var v in Order)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {MigrationVerdict.Name(v),-13}{result.Counts[v]}"));
        }

        output.WriteLine($"  {MigrationReport.ScopeNote}");
        output.WriteLine("  Rows stand for groups of identical nodes: node(+N) is that node and N identical ones; TO '*' is every other node.");
        if (result.Rows.IsEmpty)
        {
            return;
        }

        var rows = new List<string[]> { Header };
        foreach (var r in result.Rows)
        {
            rows.Add([r.Guest, Group(r.From, r.FromNodes), r.To == "*" ? "*" : Group(r.To, r.ToNodes), MigrationVerdict.Name(r.Verdict.Verdict), GuestStart.StepName(r.Verdict.Step) is { Length: > 0 } s ? s : "-", Details(r.Verdict)]);
        }

        var widths = new int[5];
        foreach (var row in rows)
        {
            for (var i = 0; i < 5; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var sb = new System.Text.StringBuilder();
        foreach (var row in rows)
        {
            sb.Clear();
            for (var i = 0; i < 5; i++)
            {
                sb.Append(row[i].PadRight(widths[i] + 2));
            }

            sb.Append(row[5]);
            output.WriteLine(sb.ToString().TrimEnd());
        }
    }

    /// <summary>Writes the matrix as JSON: counts and the non-SAFE rows.</summary>
    /// <param name="result">The matrix.</param>
    /// <param name="w">The writer.</param>
    public static void Write(MatrixResult result, Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteNumber("guests", result.Guests);
        w.WriteNumber("nodes", result.Nodes);
        w.WriteNumber("distinctNodes", result.NodeGroups);
        w.WriteNumber("verdicts", result.Total);
        w.WriteStartObject("counts");
        foreach (var v in Order)
        {
            w.WriteNumber(MigrationVerdict.Name(v), result.Counts[v]);
        }

        w.WriteEndObject();
        w.WriteStartArray("rows");
        foreach (var r in result.Rows)
        {
            w.WriteStartObject();
            w.WriteString("guest", r.Guest);
            w.WriteString("from", r.From);
            w.WriteString("to", r.To);
            w.WriteStringArray("fromNodes", r.FromNodes);
            w.WriteStringArray("toNodes", r.ToNodes);
            w.WriteNumber("pairs", r.Pairs);
            w.WriteString("verdict", MigrationVerdict.Name(r.Verdict.Verdict));
            if (r.Verdict.Verdict is Verdict.Blocked or Verdict.SourceFails)
            {
                w.WriteString("step", GuestStart.StepName(r.Verdict.Step));
            }

            w.WriteString("reason", r.Verdict.Reason);
            w.WriteStringArray("lost", r.Verdict.Lost);
            w.WriteStringArray("gained", r.Verdict.Gained);
            w.WriteStringArray("names", r.Verdict.Names);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Group(string first, System.Collections.Immutable.ImmutableArray<string> all) =>
        all.Length > 1 ? string.Create(CultureInfo.InvariantCulture, $"{first}(+{all.Length - 1})") : first;

    private static string Details(MigrationVerdict v)
    {
        var parts = new List<string>();
        if (v.Names.Length > 0)
        {
            parts.Add(string.Join(",", v.Names));
        }

        if (v.Lost.Length > 0)
        {
            parts.Add("lost " + string.Join(",", v.Lost));
        }

        if (v.Gained.Length > 0)
        {
            parts.Add("gained " + string.Join(",", v.Gained));
        }

        if (v.VendorChange is { } vc)
        {
            parts.Add($"vendor {vc.From}->{vc.To}");
        }

        if (v.SignatureChange is not null)
        {
            parts.Add("signature changes");
        }

        return string.Join("; ", parts);
    }
}
