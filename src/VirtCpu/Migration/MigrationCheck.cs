using System.Collections.Immutable;
using System.Globalization;
using VirtCpu.Cpu;

namespace VirtCpu.Migration;

/// <summary>
/// Predicts a live migration's verdict (<c>docs/design.md#12-migrating</c>): start on S,
/// send D_live less added features, start steps 3-7 (parse onward) on T with the guest's
/// machine type, then compare the guest ABI.
/// </summary>
public static class MigrationCheck
{
    /// <summary>Checks a migration.</summary>
    /// <param name="guest">The guest definition as written by the user.</param>
    /// <param name="source">The source node S.</param>
    /// <param name="target">The destination node T.</param>
    /// <param name="advise">Whether to add a reverse-translation advice to a BLOCKED-at-parse verdict.</param>
    /// <returns>The verdict.</returns>
    /// <param name="machine">The guest's machine type, or null for the source node's.</param>
    public static MigrationVerdict Check(CpuDefinition guest, Node source, Node target, bool advise = true, string? machine = null)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var sourceStart = GuestStarter.Start(guest, source, machine);
        if (!sourceStart.Succeeded)
        {
            return SourceFailed(sourceStart);
        }

        var migrated = MigratableDefinition(sourceStart, guest);
        var targetStart = GuestStarter.Start(migrated, target, sourceStart.Machine);
        var verdict = Judge(sourceStart, migrated, targetStart);
        if (advise && verdict.Verdict == Verdict.Blocked && verdict.Step == StartStep.Parse)
        {
            var translation = ReverseTranslator.Translate(migrated, target, sourceStart.Machine);
            MigrationVerdict? then = null;
            if (translation.Succeeded)
            {
                var translatedStart = GuestStarter.Start(translation.Definition!, target, sourceStart.Machine);
                then = Judge(sourceStart, translation.Definition!, translatedStart);
            }

            verdict = verdict with { Advice = new TranslationAdvice(translation, then) };
        }

        return verdict;
    }

    /// <summary>
    /// Checks a route of live migrations, as an evacuation and return does: the guest starts on the
    /// first node, then each hop starts from the live definition the previous node left (with the
    /// machine type the guest started with). The route stops at the first hop that is refused.
    /// </summary>
    /// <param name="guest">The guest definition as written by the user.</param>
    /// <param name="route">The nodes: where it starts, then every destination in order (at least two).</param>
    /// <param name="machine">The guest's machine type, or null for the first node's.</param>
    /// <returns>One verdict per hop tried (a SOURCE-FAILS verdict alone when it does not start).</returns>
    public static IReadOnlyList<MigrationVerdict> CheckRoute(CpuDefinition guest, IReadOnlyList<Node> route, string? machine = null)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(route);
        if (route.Count < 2)
        {
            throw new ArgumentException("a route needs a source and at least one destination", nameof(route));
        }

        var here = GuestStarter.Start(guest, route[0], machine);
        if (!here.Succeeded)
        {
            return [SourceFailed(here)];
        }

        var verdicts = new List<MigrationVerdict>();
        foreach (var next in route.Skip(1))
        {
            var migrated = MigratableDefinition(here, guest);
            var there = GuestStarter.Start(migrated, next, here.Machine);
            var verdict = Judge(here, migrated, there);
            verdicts.Add(verdict);
            if (!there.Succeeded)
            {
                break;
            }

            here = there;
        }

        return verdicts;
    }

    /// <summary>The verdict for a guest that does not start on the source.</summary>
    /// <param name="source">The failed start.</param>
    /// <returns>A <see cref="Verdict.SourceFails"/> verdict.</returns>
    public static MigrationVerdict SourceFailed(GuestStart source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new MigrationVerdict
        {
            Verdict = Verdict.SourceFails,
            Step = source.Step,
            Reason = "The guest does not start on the source node: " + source.Reason,
            Names = Names(source),
            Source = source,
        };
    }

    /// <summary>
    /// The definition the source sends: D_live less every feature its model marks added later,
    /// unless the original definition named it (libvirt's migration XML).
    /// </summary>
    /// <param name="source">The successful start on the source.</param>
    /// <param name="original">The user's original definition.</param>
    /// <returns>The migration definition.</returns>
    public static CpuDefinition MigratableDefinition(GuestStart source, CpuDefinition original)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(original);
        var live = source.LiveDefinition ?? throw new ArgumentException("the source start failed", nameof(source));
        var catalog = source.Node.Catalog;
        var model = live.Model is null ? null : catalog.FindModel(live.Model);
        if (model is null || model.AddedFeatures.IsEmpty)
        {
            return live;
        }

        var added = new HashSet<string>(model.AddedFeatures.Select(i => catalog.Features[i].Name), StringComparer.Ordinal);
        foreach (var f in original.Features)
        {
            added.Remove(CatalogNames.FindFeature(catalog, f.Name)?.Name ?? f.Name);
        }

        return live with { Features = [.. live.Features.Where(f => !added.Contains(f.Name))] };
    }

    /// <summary>Judges a destination start against the source start.</summary>
    /// <param name="source">The successful start on S.</param>
    /// <param name="migrated">The definition sent.</param>
    /// <param name="destination">The start on T.</param>
    /// <returns>The verdict.</returns>
    public static MigrationVerdict Judge(GuestStart source, CpuDefinition migrated, GuestStart destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.Succeeded)
        {
            var names = Names(destination);
            return new MigrationVerdict
            {
                Verdict = Verdict.Blocked,
                Step = destination.Step,
                Reason = $"The destination refuses the guest at {GuestStart.StepName(destination.Step)}: {destination.Reason} The guest keeps running on the source.",
                Names = names,
                Source = source,
                Migrated = migrated,
                Destination = destination,
            };
        }

        var bridge = HypervisorNameBridge.For(source.Node.Hypervisor, destination.Node.Hypervisor);
        var sameFeatures = bridge.AreEqual(source.GuestVisible, destination.GuestVisible);
        var sameVendor = string.Equals(source.Vendor, destination.Vendor, StringComparison.Ordinal);
        var sameSignature = source.Signature == destination.Signature;
        if (sameFeatures && sameVendor && sameSignature)
        {
            return new MigrationVerdict
            {
                Verdict = Verdict.Safe,
                Reason = "The destination starts the guest with the same vendor, signature and enabled features.",
                Source = source,
                Migrated = migrated,
                Destination = destination,
            };
        }

        var (lost, gained) = sameFeatures ? ([], []) : bridge.Compare(source.GuestVisible, destination.GuestVisible);
        var parts = new List<string>();
        if (lost.Count > 0)
        {
            parts.Add($"it loses {string.Join(", ", lost)}");
        }

        if (gained.Count > 0)
        {
            parts.Add($"it gains {string.Join(", ", gained)}");
        }

        if (!sameVendor)
        {
            parts.Add($"the vendor changes from {source.Vendor} to {destination.Vendor}");
        }

        if (!sameSignature)
        {
            parts.Add($"the signature changes from {Sig(source.Signature)} to {Sig(destination.Signature)}");
        }

        return new MigrationVerdict
        {
            Verdict = Verdict.Unsafe,
            Reason = $"The destination starts the guest but its CPU changes: {string.Join("; ", parts)}.",
            Lost = [.. lost],
            Gained = [.. gained],
            VendorChange = sameVendor ? null : (source.Vendor, destination.Vendor),
            SignatureChange = sameSignature ? null : (source.Signature, destination.Signature),
            Source = source,
            Migrated = migrated,
            Destination = destination,
        };
    }

    private static string Sig(Catalog.CpuSignature? s) => s is { } v ? string.Create(CultureInfo.InvariantCulture, $"family {v.Family} model {v.Model} stepping {v.Stepping}") : "(none)";

    private static ImmutableArray<string> Names(GuestStart start) => [.. start.Unknown, .. start.Extra, .. start.Missing];
}
