using System.Globalization;
using System.Text.Json;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Migration;

/// <summary>Renders starts, verdicts and translations as text and JSON (the shapes of issue 5).</summary>
public static class MigrationReport
{
    /// <summary>The scope note printed with every ABI statement.</summary>
    public const string ScopeNote = "ABI compared: vendor, family/model/stepping and enabled features; cache and topology leaves are out of scope.";

    /// <summary>Writes a start as text.</summary>
    /// <param name="start">The start.</param>
    /// <param name="output">The writer.</param>
    public static void WriteStart(GuestStart start, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var r in start.Resolved)
        {
            output.WriteLine($"alias: {r}");
        }

        if (!start.Succeeded)
        {
            output.WriteLine($"FAILED at {GuestStart.StepName(start.Step)}: {start.Reason}");
            return;
        }

        output.WriteLine(start.Passthrough is { } p
            ? $"STARTED on {start.Node.Name} ({start.Node.Catalog.Name}, {start.Node.Hypervisor.Name}, {start.Machine}): {p.Mode}: the host's CPU as KVM gives it"
            : $"STARTED on {start.Node.Name} ({start.Node.Catalog.Name}, {start.Node.Hypervisor.Name}, {start.Machine}): model {start.Cpu!.Resolution.Given} resolves to {start.Cpu.Resolution.Resolved}");
        output.WriteLine($"vendor {start.Vendor}, {Sig(start.Signature)}");
        output.Write(CpuXml.Format(start.LiveDefinition!));
        output.WriteLine($"enabled ({start.Enabled.Count}): {string.Join(' ', start.EnabledNames)}");
    }

    /// <summary>Writes a start as JSON.</summary>
    /// <param name="start">The start.</param>
    /// <param name="w">The writer.</param>
    public static void WriteStart(GuestStart start, Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteBoolean("started", start.Succeeded);
        if (!start.Succeeded)
        {
            w.WriteString("step", GuestStart.StepName(start.Step));
        }

        w.WriteString("reason", start.Succeeded ? "The guest starts." : start.Reason);
        WriteStartBody(start, w);
        w.WriteEndObject();
    }

    /// <summary>Writes the verdicts of a route (one per hop tried) as text.</summary>
    /// <param name="verdicts">The verdicts, in hop order.</param>
    /// <param name="output">The writer.</param>
    public static void WriteRoute(IReadOnlyList<MigrationVerdict> verdicts, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        ArgumentNullException.ThrowIfNull(output);
        for (var i = 0; i < verdicts.Count; i++)
        {
            var v = verdicts[i];
            output.WriteLine($"hop {i + 1}: {v.Source.Node.Name} -> {v.Destination?.Node.Name ?? "(not reached)"}");
            WriteVerdict(v, output);
            output.WriteLine();
        }
    }

    /// <summary>Writes the verdicts of a route as JSON: <c>{"hops": [verdict, ...]}</c>.</summary>
    /// <param name="verdicts">The verdicts, in hop order.</param>
    /// <param name="w">The writer.</param>
    public static void WriteRoute(IReadOnlyList<MigrationVerdict> verdicts, Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteStartArray("hops");
        foreach (var v in verdicts)
        {
            WriteVerdict(v, w);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Writes a verdict as text.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <param name="output">The writer.</param>
    public static void WriteVerdict(MigrationVerdict verdict, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(output);
        WriteHead(verdict, output);
        if (verdict.Names.Length > 0)
        {
            output.WriteLine($"  names: {string.Join(", ", verdict.Names)}");
        }

        foreach (var cause in VerdictCauses.Explain(verdict))
        {
            output.WriteLine($"  cause: {cause}");
        }

        if (verdict.Lost.Length > 0)
        {
            output.WriteLine($"  lost: {string.Join(", ", verdict.Lost)}");
        }

        if (verdict.Gained.Length > 0)
        {
            output.WriteLine($"  gained: {string.Join(", ", verdict.Gained)}");
        }

        if (verdict.VendorChange is { } v)
        {
            output.WriteLine($"  vendor: {v.From} -> {v.To}");
        }

        if (verdict.SignatureChange is { } s)
        {
            output.WriteLine($"  signature: {Sig(s.From)} -> {Sig(s.To)}");
        }

        if (verdict.Verdict != Verdict.SourceFails)
        {
            output.WriteLine($"  {ScopeNote}");
        }

        if (verdict.Migrated is { } migrated)
        {
            output.WriteLine("migration definition sent by the source:");
            output.Write(CpuXml.Format(migrated));
        }

        if (verdict.Advice is { } advice)
        {
            output.WriteLine($"advice: {advice.Translation.Reason}");
            foreach (var n in advice.Translation.Notes)
            {
                output.WriteLine($"  note: {n}");
            }

            if (advice.Translation.Definition is { } d)
            {
                output.Write(CpuXml.Format(d));
            }

            if (advice.Verdict is { } then)
            {
                var step = then.Verdict == Verdict.Blocked ? $" at {GuestStart.StepName(then.Step)}" : "";
                output.WriteLine($"with this definition the migration would be {MigrationVerdict.Name(then.Verdict)}{step}: {then.Reason}");
            }
        }
    }

    /// <summary>Writes the aliases resolved, the verdict line (<c>BLOCKED at STEP: reason</c>) and the operator's step.</summary>
    private static void WriteHead(MigrationVerdict verdict, TextWriter output)
    {
        foreach (var r in verdict.Source.Resolved)
        {
            output.WriteLine($"alias: {r}");
        }

        var head = MigrationVerdict.Name(verdict.Verdict);
        if (verdict.Verdict is Verdict.Blocked or Verdict.SourceFails)
        {
            head += $" at {GuestStart.StepName(verdict.Step)}";
        }

        output.WriteLine($"{head}: {verdict.Reason}");
        if (VerdictCauses.Step(verdict) is { Length: > 0 } operatorStep)
        {
            output.WriteLine($"  step: {operatorStep}");
        }
    }

    /// <summary>Writes a verdict as JSON (issue 5 item 3, plus <c>names</c>, <c>vendor</c>, <c>signature</c>, <c>advice</c> when present).</summary>
    /// <param name="verdict">The verdict.</param>
    /// <param name="w">The writer.</param>
    public static void WriteVerdict(MigrationVerdict verdict, Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("verdict", MigrationVerdict.Name(verdict.Verdict));
        if (verdict.Verdict is Verdict.Blocked or Verdict.SourceFails)
        {
            w.WriteString("step", GuestStart.StepName(verdict.Step));
        }

        if (VerdictCauses.Step(verdict) is { Length: > 0 } operatorStep)
        {
            w.WriteString("operator-step", operatorStep);
        }

        w.WriteString("reason", verdict.Reason);
        w.WriteStringArray("lost", verdict.Lost);
        w.WriteStringArray("gained", verdict.Gained);
        if (verdict.Names.Length > 0)
        {
            w.WriteStringArray("names", verdict.Names);
        }

        if (VerdictCauses.Explain(verdict) is { IsEmpty: false } causes)
        {
            w.WriteStringArray("causes", causes);
        }

        if (verdict.VendorChange is { } v)
        {
            w.WriteStartObject("vendor");
            w.WriteString("from", v.From);
            w.WriteString("to", v.To);
            w.WriteEndObject();
        }

        if (verdict.SignatureChange is { } s)
        {
            w.WriteStartObject("signature");
            w.WriteString("from", Sig(s.From));
            w.WriteString("to", Sig(s.To));
            w.WriteEndObject();
        }

        w.WriteStartObject("source");
        WriteStartBody(verdict.Source, w);
        w.WriteEndObject();
        if (verdict.Destination is { } d)
        {
            w.WriteStartObject("destination");
            WriteStartBody(d, w);
            w.WriteEndObject();
        }

        if (verdict.Migrated is { } migrated)
        {
            w.WriteString("migrated", CpuXml.Format(migrated));
        }

        if (verdict.Advice is { } advice)
        {
            w.WritePropertyName("advice");
            WriteTranslation(advice.Translation, w, advice.Verdict);
        }

        w.WriteEndObject();
    }

    /// <summary>Writes a translation as text.</summary>
    /// <param name="translation">The translation.</param>
    /// <param name="output">The writer.</param>
    public static void WriteTranslation(Translation translation, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(translation);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(translation.Reason);
        foreach (var n in translation.Notes)
        {
            output.WriteLine($"note: {n}");
        }

        if (translation.Definition is { } d)
        {
            output.Write(CpuXml.Format(d));
        }
    }

    /// <summary>Writes a translation as JSON.</summary>
    /// <param name="translation">The translation.</param>
    /// <param name="w">The writer.</param>
    /// <param name="verdict">The verdict the translated definition gets, if known.</param>
    public static void WriteTranslation(Translation translation, Utf8JsonWriter w, MigrationVerdict? verdict = null)
    {
        ArgumentNullException.ThrowIfNull(translation);
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteBoolean("translated", translation.Succeeded);
        w.WriteString("reason", translation.Reason);
        w.WriteStringArray("notes", translation.Notes);
        if (translation.Definition is { } d)
        {
            w.WriteString("definition", CpuXml.Format(d));
        }

        if (verdict is not null)
        {
            w.WriteString("verdict", MigrationVerdict.Name(verdict.Verdict));
            if (verdict.Verdict == Verdict.Blocked)
            {
                w.WriteString("step", GuestStart.StepName(verdict.Step));
            }

            w.WriteString("verdictReason", verdict.Reason);
        }

        w.WriteEndObject();
    }

    private static void WriteStartBody(GuestStart start, Utf8JsonWriter w)
    {
        w.WriteString("node", start.Node.Name);
        w.WriteString("machine", start.Machine);
        if (start.LiveDefinition is { } live)
        {
            w.WriteString("live", CpuXml.Format(live));
        }
        else
        {
            w.WriteNull("live");
        }

        w.WriteStringArray("enabled", start.Succeeded ? start.EnabledNames : []);
        if (start.Succeeded)
        {
            w.WriteString("vendor", start.Vendor);
            w.WriteString("signature", Sig(start.Signature));
        }

        if (start.Missing.Length > 0)
        {
            w.WriteStringArray("missing", start.Missing);
        }

        if (start.Extra.Length > 0)
        {
            w.WriteStringArray("extra", start.Extra);
        }

        if (start.Unknown.Length > 0)
        {
            w.WriteStringArray("unknown", start.Unknown);
        }

        if (start.Resolved.Length > 0)
        {
            w.WriteStringArray("aliases", start.Resolved);
        }
    }

    private static string Sig(CpuSignature? s) => s is { } v ? string.Create(CultureInfo.InvariantCulture, $"family {v.Family} model {v.Model} stepping {v.Stepping}") : "(none)";
}
