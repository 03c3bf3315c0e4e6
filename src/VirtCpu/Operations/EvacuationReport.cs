using System.Globalization;
using System.Text.Json;
using VirtCpu.Formats.Input;
using VirtCpu.Migration;

namespace VirtCpu.Operations;

/// <summary>Writes an <see cref="EvacuationPlan"/> as a readable table, as JSON, or as the plan's commands alone.</summary>
public static class EvacuationReport
{
    /// <summary>Writes the plan as text: a table of guests, then the guests without a place with every refusal and cause, then the commands.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="output">The writer.</param>
    public static void Write(EvacuationPlan plan, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(output);
        var ci = CultureInfo.InvariantCulture;
        var placed = plan.Guests.Count(g => g.PlacedOn is not null);
        output.WriteLine(string.Create(ci, $"evacuate {plan.Host.Name} ({plan.Host.Releases}): {plan.Guests.Length} running guest{(plan.Guests.Length == 1 ? "" : "s")}, {placed} placed, {plan.Guests.Length - placed} without a place"));
        if (plan.Guests.IsEmpty)
        {
            return;
        }

        output.WriteLine();
        var rows = plan.Guests.Select(g => new[]
        {
            g.Domain.Name,
            g.Domain.Vcpus.ToString(ci),
            g.Domain.MemoryMiB.ToString(ci),
            g.ValidTargets.IsEmpty ? "-" : Short(g.ValidTargets),
            g.PlacedOn ?? "NONE",
        }).Prepend(["guest", "vCPUs", "MiB", "valid targets (SAFE)", "placed on"]).ToList();
        var widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var r in rows)
        {
            output.WriteLine(string.Join("  ", r.Select((cell, c) => c == 4 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        }

        foreach (var g in plan.Guests)
        {
            if (g.Refused.IsEmpty && g.PlacedOn is not null)
            {
                continue;
            }

            output.WriteLine();
            output.WriteLine($"{g.Domain.Name}: {(g.PlacedOn is null ? "no place" : "placed on " + g.PlacedOn)}; refused by {g.Refused.Sum(r => r.Nodes.Length)} node(s)");
            foreach (var r in g.Refused)
            {
                output.WriteLine($"  {MigrationVerdict.Name(r.Move.Verdict)} at {r.Move.Step} on {Short(r.Nodes)}: {r.Move.Reason}");
                foreach (var c in r.Move.Causes)
                {
                    output.WriteLine($"    cause: {c}");
                }
            }

            foreach (var u in g.Unblock)
            {
                output.WriteLine($"  to unblock: {u}");
            }
        }

        output.WriteLine();
        output.WriteLine(plan.Commands.IsEmpty ? "plan: nothing to migrate" : "plan:");
        WriteCommands(plan, output);
    }

    /// <summary>Writes the plan's <c>virsh migrate</c> commands, one a line.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="output">The writer.</param>
    public static void WriteCommands(EvacuationPlan plan, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var c in plan.Commands)
        {
            output.WriteLine(c);
        }
    }

    /// <summary>Writes the plan as JSON.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="w">The writer.</param>
    public static void WriteJson(EvacuationPlan plan, Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("host", plan.Host.Name);
        w.WriteString("releases", plan.Host.Releases);
        w.WriteBoolean("complete", plan.Complete);
        w.WriteStartArray("guests");
        foreach (var g in plan.Guests)
        {
            w.WriteStartObject();
            w.WriteString("name", g.Domain.Name);
            w.WriteNumber("vcpus", g.Domain.Vcpus);
            w.WriteNumber("memory-mib", g.Domain.MemoryMiB);
            w.WriteStringArray("valid-targets", g.ValidTargets);
            w.WriteStringOrNull("placed-on", g.PlacedOn);
            w.WriteStartArray("refused");
            foreach (var r in g.Refused)
            {
                WriteMove(w, r.Move);
                w.WriteStringArray("nodes", r.Nodes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStringArray("unblock", g.Unblock);
            WriteColdRestarts(w, g.ColdRestarts);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStringArray("commands", plan.Commands);
        w.WriteEndObject();
    }

    /// <summary>Writes a move's verdict, step, reason and causes as the start of a JSON object (the caller ends it).</summary>
    /// <param name="w">The writer.</param>
    /// <param name="move">The move.</param>
    public static void WriteMove(Utf8JsonWriter w, GuestMove move)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(move);
        w.WriteStartObject();
        w.WriteString("verdict", MigrationVerdict.Name(move.Verdict));
        w.WriteString("step", move.Step);
        w.WriteString("reason", move.Reason);
        w.WriteStringArray("causes", move.Causes);
    }

    /// <summary>Writes cold restart outcomes as a <c>cold-restart</c> array: nodes, starts, from-inactive, step, detail, sentence.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="outcomes">The outcomes.</param>
    public static void WriteColdRestarts(Utf8JsonWriter w, IEnumerable<ColdRestartOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(outcomes);
        w.WriteStartArray("cold-restart");
        foreach (var o in outcomes)
        {
            w.WriteStartObject();
            w.WriteStringArray("nodes", o.Nodes);
            w.WriteBoolean("starts", o.Starts);
            w.WriteBoolean("from-inactive", o.FromInactive);
            w.WriteString("step", o.Step);
            w.WriteString("detail", o.Detail.Trim().TrimStart('(').TrimEnd(')'));
            w.WriteString("sentence", o.Sentence);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static string Short(IReadOnlyCollection<string> names) =>
        names.Count <= 6 ? string.Join(", ", names) : string.Join(", ", names.Take(6)) + string.Create(CultureInfo.InvariantCulture, $" (+{names.Count - 6} more)");
}
