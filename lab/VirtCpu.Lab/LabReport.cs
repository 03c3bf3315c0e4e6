using System.Globalization;
using System.Text;

namespace VirtCpu.Lab;

/// <summary>Writes <c>docs/live-validation.md</c>: every case, real outcome beside the prediction.</summary>
internal static class LabReport
{
    /// <summary>Writes the report.</summary>
    /// <param name="judged">The judged cases.</param>
    /// <param name="versions">The nodes and their releases.</param>
    /// <param name="elapsed">Wall time of the run.</param>
    /// <param name="core">Whether this was the core subset.</param>
    /// <returns>Markdown.</returns>
    public static string Write(List<(LabCase Case, CaseReality Real, List<Judgement> Judgements)> judged, string versions, TimeSpan elapsed, bool core)
    {
        var sb = new StringBuilder();
        var all = judged.SelectMany(j => j.Judgements).ToList();
        var inv = CultureInfo.InvariantCulture;
        Intro(sb, core);
        sb.AppendLine("## Nodes");
        sb.AppendLine();
        foreach (var line in versions.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            sb.AppendLine("- " + line);
        }

        sb.AppendLine();
        sb.AppendLine("## Totals");
        sb.AppendLine();
        var starts = all.Where(j => j.Step == "start").ToList();
        var hops = all.Where(j => j.Step != "start").ToList();
        sb.AppendLine(inv, $"- cases: {judged.Count}; real starts: {starts.Count} ({judged.Count(j => j.Real.Start.Ok)} started, {judged.Count(j => !j.Real.Start.Ok)} refused); real migration hops: {judged.Sum(j => j.Real.Hops.Count)}");
        sb.AppendLine(inv, $"- agreement: starts {starts.Count(j => j.Agrees)}/{starts.Count}, hops {hops.Count(j => j.Agrees)}/{hops.Count}");
        var realHops = judged.SelectMany(j => j.Real.Hops).ToList();
        sb.AppendLine(inv, $"- real hop outcomes: {realHops.Count(h => h.Ok && h.Changes.Count == 0)} migrated unchanged (SAFE), {realHops.Count(h => !h.Ok)} refused (BLOCKED), {realHops.Count(h => h.Ok && h.Changes.Count > 0)} migrated with a changed vCPU (UNSAFE)");
        sb.AppendLine(inv, $"- wall time: {elapsed.TotalMinutes:0.0} min");
        sb.AppendLine();
        var unsafeHops = judged.SelectMany(j => j.Real.Hops.Where(h => h.Ok && h.Changes.Count > 0).Select(h => (j.Case, Hop: h))).ToList();
        sb.AppendLine("## A real UNSAFE migration?");
        sb.AppendLine();
        if (unsafeHops.Count > 0)
        {
            foreach (var (c, h) in unsafeHops)
            {
                sb.AppendLine(inv, $"- {c.Id} ({c.Guest.Name}, {c.Topology.Label} vCPUs) to {h.To}: {Cell(string.Join("; ", h.Changes))}");
            }
        }
        else
        {
            sb.AppendLine("None in this run, and none is predicted for these stacks under TCG: VirtCpu's batch check of every");
            sb.AppendLine("libvirt 9.0 model (`check='none'`) between a 9.0/7.2 and an 11.3/10.0 node finds no UNSAFE pair");
            sb.AppendLine("either. The reason is structural. A migrated guest arrives with its live definition, whose check is");
            sb.AppendLine("`full`, so the destination libvirt compares every feature it knows with what its QEMU built and");
            sb.AppendLine("refuses any difference (the BLOCKED rows above); under TCG the vendor and signature come from the");
            sb.AppendLine("model, not from the host, so they cannot change; and every feature in which the two releases' TCG");
            sb.AppendLine("CPUs differ (`pcommit`, `ht`, `cmp_legacy`, the AMD SVM and misc bits) has a name both libvirt");
            sb.AppendLine("releases know. An UNSAFE needs a change libvirt cannot see: a feature outside the destination");
            sb.AppendLine("libvirt's vocabulary, or one its model marks `added` and the migration XML drops (worked example E:");
            sb.AppendLine("`vmx-*` controls, which need KVM's VMX, absent under TCG), or a host-dependent vendor (KVM).");
        }

        sb.AppendLine();
        var wordOnly = judged.SelectMany(j => j.Real.Hops.Where(h => h.Ok && h.Changes.Count == 0 && h.WordChanges.Count > 0).Select(h => (j.Case, Hop: h))).ToList();
        sb.AppendLine("## Feature words that differ while the guest sees no change");
        sb.AppendLine();
        sb.AppendLine("The lab compares vCPUs as the guest sees them: QEMU's feature words plus the bits a release computes");
        sb.AppendLine("from the topology only while answering CPUID (QEMU 5.2 and 7.2: HTT, and CmpLegacy unless Intel; later");
        sb.AppendLine("releases keep both in the feature words; release behaviour `cpuid-multi-cpu-package`, from each");
        sb.AppendLine(inv, $"release's `target/i386/cpu.c`). Hops whose raw feature words differ but whose guest view does not: {wordOnly.Count}.");
        foreach (var (c, h) in wordOnly)
        {
            sb.AppendLine(inv, $"- {c.Id} to {h.To}: {Cell(string.Join("; ", h.WordChanges))}");
        }

        sb.AppendLine();
        foreach (var group in judged.GroupBy(j => (Pair: $"{j.Case.Source.Label} → {j.Case.Hops[0].Label}", j.Case.Topology.Label)))
        {
            sb.AppendLine(inv, $"## {group.Key.Pair}, {group.Key.Label} vCPU{(group.Key.Label == "1" ? "" : "s")}");
            sb.AppendLine();
            sb.AppendLine("| case | guest | route | step | real | predicted | agrees |");
            sb.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var (c, _, js) in group)
            {
                var route = $"{c.Source.Name}→{string.Join("→", c.Hops.Select(h => h.Name))}";
                foreach (var j in js)
                {
                    sb.AppendLine(inv, $"| {c.Id} | {c.Guest.Name} | {route} | {j.Step} | {Cell(j.Real)} | {Cell(j.Predicted)} | {(j.Agrees ? "yes" : "**NO**: " + Cell(j.Note))} |");
                }
            }

            sb.AppendLine();
        }

        return sb.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>The title, what a case is, the run kind and the operators' commands with their last run.</summary>
    private static void Intro(StringBuilder sb, bool core)
    {
        sb.AppendLine("# Live validation: VirtCpu's predictions against real libvirt and QEMU");
        sb.AppendLine();
        sb.AppendLine("Generated by `lab/run` (the lab in `lab/`). Every case starts a real TCG guest on a real libvirt");
        sb.AppendLine("daemon, reads every vCPU from QEMU, live-migrates it with `virsh migrate --live` along its hops and");
        sb.AppendLine("reads the vCPUs again; the same case then goes through `node capture` profiles of the same daemons");
        sb.AppendLine("and VirtCpu's start and route check. A start agrees when both start (with the same live definition)");
        sb.AppendLine("or both refuse (naming the same features); a hop agrees when SAFE = migrated with every vCPU");
        sb.AppendLine("unchanged (and the same live definition), BLOCKED = refused (same features named), UNSAFE =");
        sb.AppendLine("migrated with a changed vCPU.");
        sb.AppendLine();
        sb.AppendLine(core ? "Run: **core subset** (CI)." : "Run: **full**.");
        sb.AppendLine();
        sb.AppendLine("## Operators' commands");
        sb.AppendLine();
        sb.AppendLine("`fleet capture`, `evacuate` and `upgrade-check` are held against the same stacks by `lab/run-ops`:");
        sb.AppendLine("an evacuation plan and a Debian 12 to 13 rolling upgrade carried out for real, refusals and cold");
        sb.AppendLine("restarts tried (`docs/operations.md`, every line in `" + OpsCommand.DefaultReport + "`).");
        var ops = File.Exists(OpsCommand.DefaultReport) ? File.ReadLines(OpsCommand.DefaultReport).FirstOrDefault(l => l.StartsWith(OpsCommand.Summary, StringComparison.Ordinal)) : null;
        sb.AppendLine(ops ?? "No full run of `lab/run-ops` is recorded yet.");
        sb.AppendLine();
    }
}
