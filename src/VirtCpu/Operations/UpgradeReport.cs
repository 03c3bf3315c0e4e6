using System.Text.Json;
using VirtCpu.Formats.Input;

namespace VirtCpu.Operations;

/// <summary>Writes an <see cref="UpgradePlan"/> as text or JSON.</summary>
public static class UpgradeReport
{
    /// <summary>The outcome as printed: <c>returns</c>, <c>stays</c>, <c>cold-restart</c>.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The word.</returns>
    public static string Name(UpgradeOutcome outcome) => outcome switch
    {
        UpgradeOutcome.Returns => "returns",
        UpgradeOutcome.Stays => "stays",
        _ => "cold-restart",
    };

    /// <summary>Writes the plan as text: the order, then per step each guest with where it goes and whether it comes back, with causes.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="output">The writer.</param>
    public static void Write(UpgradePlan plan, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(output);
        var cold = plan.Guests.Where(g => g.Outcome == UpgradeOutcome.ColdRestart).ToList();
        output.WriteLine($"upgrade to {plan.Target}: order {string.Join(" → ", plan.Order)} ({plan.OrdersTried} order(s) tried)");
        output.WriteLine(cold.Count == 0
            ? "every running guest keeps running with the same vCPU"
            : $"{cold.Count} guest(s) need a cold restart: {string.Join(", ", cold.Select(g => g.Domain.Name))}");
        foreach (var step in plan.Steps)
        {
            output.WriteLine();
            output.WriteLine($"{step.Node}: {step.Guests.Length} running guest(s)");
            foreach (var g in step.Guests)
            {
                var line = g.Outcome switch
                {
                    UpgradeOutcome.Returns => $"leaves to {g.Target} SAFE, comes back SAFE; vCPU unchanged",
                    UpgradeOutcome.Stays => $"leaves to {g.Target} SAFE, cannot come back ({Verdict(g.Back!)}); stays on {g.Target}",
                    _ when g.Leave.IsSafe => "every node that takes it SAFE is full: cold restart",
                    _ => $"cannot leave with the same vCPU ({Verdict(g.Leave)}): cold restart",
                };
                output.WriteLine($"  {g.Domain.Name} ({g.Domain.Vcpus} vCPU{(g.Domain.Vcpus == 1 ? "" : "s")}): {line}");
                foreach (var n in g.Notes)
                {
                    output.WriteLine($"    {n}");
                }
            }
        }
    }

    /// <summary>Writes the plan as JSON.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="w">The writer.</param>
    public static void WriteJson(UpgradePlan plan, Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("target", plan.Target);
        w.WriteStringArray("order", plan.Order);
        w.WriteBoolean("keeps-every-guest-running", plan.KeepsEveryGuestRunning);
        w.WriteStringArray("cold-restart", plan.Guests.Where(g => g.Outcome == UpgradeOutcome.ColdRestart).Select(g => g.Domain.Name));
        w.WriteStartArray("steps");
        foreach (var step in plan.Steps)
        {
            w.WriteStartObject();
            w.WriteString("node", step.Node);
            w.WriteStartArray("guests");
            foreach (var g in step.Guests)
            {
                w.WriteStartObject();
                w.WriteString("name", g.Domain.Name);
                w.WriteString("outcome", Name(g.Outcome));
                w.WriteStringOrNull("target", g.Target);
                w.WritePropertyName("leave");
                EvacuationReport.WriteMove(w, g.Leave);
                w.WriteEndObject();
                if (g.Back is { } back)
                {
                    w.WritePropertyName("back");
                    EvacuationReport.WriteMove(w, back);
                    w.WriteEndObject();
                }

                w.WriteBoolean("vcpu-unchanged", g.Outcome == UpgradeOutcome.Returns);
                w.WriteStringArray("notes", g.Notes);
                EvacuationReport.WriteColdRestarts(w, g.ColdRestarts);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Verdict(GuestMove move) => $"{Migration.MigrationVerdict.Name(move.Verdict)}{(move.Step.Length > 0 ? " at " + move.Step : "")}";
}
