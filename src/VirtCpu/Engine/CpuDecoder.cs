using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;

namespace VirtCpu.Engine;

/// <summary>
/// libvirt's decode (<c>x86Decode</c>, <c>docs/design.md#55-decode</c>): chooses the catalog model that best describes CPU
/// data and lists the features that differ, for a host CPU (no disabled features allowed) or a
/// guest CPU (disabled features penalised, removed features appended).
/// </summary>
public sealed class CpuDecoder
{
    private readonly CpuCatalog _catalog;
    private readonly CatalogTables _tables;

    /// <summary>Creates a decoder for a catalog.</summary>
    /// <param name="catalog">The catalog.</param>
    public CpuDecoder(CpuCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _tables = CatalogTables.For(catalog);
    }

    /// <summary>The stub libvirt decodes host CPUs into: type host, arch x86_64.</summary>
    public static CpuDefinition HostStub { get; } = new() { Type = CpuType.Host, Arch = "x86_64" };

    /// <summary>The stub libvirt decodes guest CPUs into: type guest, match exact, fallback forbid.</summary>
    public static CpuDefinition GuestStub { get; } = new() { Type = CpuType.Guest, Match = CpuMatch.Exact, Fallback = CpuFallback.Forbid };

    /// <summary>Decodes data as a host CPU (capabilities view).</summary>
    /// <param name="data">The CPU data.</param>
    /// <returns>The host CPU definition.</returns>
    public CpuDefinition DecodeHost(CpuData data) => Decode(HostStub, data);

    /// <summary>Decodes data as a guest CPU, optionally restricted to the hypervisor's models.</summary>
    /// <param name="data">The CPU data.</param>
    /// <param name="models">The hypervisor's models (with blockers), or null for no restriction.</param>
    /// <returns>The guest CPU definition.</returns>
    public CpuDefinition DecodeGuest(CpuData data, HypervisorModels? models = null) => Decode(GuestStub, data, models);

    /// <summary>Decodes data into a stub definition (<c>docs/design.md#55-decode</c>).</summary>
    /// <param name="stub">The definition to fill: its type and fallback matter; mode must be custom.</param>
    /// <param name="data">The CPU data.</param>
    /// <param name="models">The hypervisor's models, or null for no restriction.</param>
    /// <param name="preferred">Preferred model names, or null.</param>
    /// <param name="migratable">True to drop migration blockers from the feature list.</param>
    /// <returns>The stub with vendor, model, features and signature filled in.</returns>
    /// <exception cref="CpuEngineException">No model fits, or the single preferred model is not offered and fallback is forbidden.</exception>
    public CpuDefinition Decode(CpuDefinition stub, CpuData data, HypervisorModels? models = null, IReadOnlyList<string>? preferred = null, bool migratable = false)
    {
        ArgumentNullException.ThrowIfNull(stub);
        if (stub.Mode != CpuMode.Custom)
        {
            throw new CpuEngineException("invalid CPU definition stub");
        }

        var host = stub.Type == CpuType.Host;
        var vendor = data.VendorString is { } vs ? _catalog.FindVendorByCpuidString(vs) : null;
        var sig = data.Signature;
        var signature = CpuSignature.FromEax(sig);
        var d = data.Features;
        if (IsTsxErratum(vendor, signature))
        {
            d -= _tables.TsxFeatures;
        }

        if (preferred is { Count: 0 })
        {
            preferred = null;
        }

        CpuModel? best = null;
        var bestExtra = FeatureSet.Empty;
        var bestMissing = FeatureSet.Empty;
        var bestScore = (Total: 0, Disabled: 0);

        foreach (var cand in _tables.ModelsNewestFirst)
        {
            if (!IsCandidate(cand, stub, vendor, models, preferred, out var hv))
            {
                continue;
            }

            var (extra, missing) = Describe(cand, d, hv);
            if (host && !missing.IsEmpty)
            {
                continue;
            }

            var isPreferred = preferred is not null && Contains(preferred, cand.Name);
            var score = host ? (extra.Count, 0) : GuestScore(cand, extra, missing);
            var use = UseCandidate(best, cand, score, bestScore, isPreferred, preferred?.Count ?? 0, sig, signature);
            if (use != CandidateUse.Keep)
            {
                best = cand;
                bestExtra = extra;
                bestMissing = missing;
                bestScore = score;
            }

            if (use == CandidateUse.TakeAndStop)
            {
                break;
            }
        }

        if (best is null)
        {
            throw new CpuEngineException("Cannot find suitable CPU model for given data");
        }

        var features = BuildFeatures(best, bestExtra, bestMissing, host, migratable);
        return stub with
        {
            Vendor = vendor?.Name ?? stub.Vendor,
            Model = best.Name,
            Features = features,
            Signature = signature.Family != 0 ? signature : null,
        };
    }

    /// <summary>
    /// Whether a model may describe the data: offered by the hypervisor (when a list is given; the
    /// single preferred model not offered is an error unless fallback is allowed), of the data's
    /// vendor, and allowed for host or guest decode.
    /// </summary>
    private static bool IsCandidate(CpuModel candidate, CpuDefinition stub, Vendor? vendor, HypervisorModels? models, IReadOnlyList<string>? preferred, out HypervisorModel? hypervisorModel)
    {
        hypervisorModel = null;
        if (models is not null && !models.TryGet(candidate.Name, out hypervisorModel))
        {
            if (preferred is { Count: 1 } && string.Equals(preferred[0], candidate.Name, StringComparison.Ordinal) && stub.Fallback != CpuFallback.Allow)
            {
                throw CpuEngineException.NotSupportedByHypervisor(candidate.Name);
            }

            return false;
        }

        if (vendor is not null && candidate.Vendor is not null && !string.Equals(vendor.Name, candidate.Vendor.Name, StringComparison.Ordinal))
        {
            return false;
        }

        return stub.Type == CpuType.Host ? candidate.DecodeHost : candidate.DecodeGuest;
    }

    /// <summary>
    /// The data described relative to a candidate (<c>x86DataToCPU</c>): the bits the data has beyond the
    /// model (extra) and the model's bits it lacks (missing), with the hypervisor's blockers for the
    /// model counted as missing unless the data has them as extras.
    /// </summary>
    private (FeatureSet Extra, FeatureSet Missing) Describe(CpuModel candidate, FeatureSet data, HypervisorModel? hypervisorModel)
    {
        var extra = data - candidate.Features;
        var missing = candidate.Features - data;
        if (hypervisorModel is not null)
        {
            foreach (var blocker in hypervisorModel.Blockers)
            {
                if (_catalog.FindFeature(blocker) is { } feature && !extra.Contains(feature.Index))
                {
                    missing = missing.With(feature.Index);
                }
            }
        }

        return (extra, missing);
    }

    /// <summary>What <c>x86DecodeUseCandidate</c> answers: keep the current best, take the candidate, or take it and stop.</summary>
    private enum CandidateUse
    {
        Keep,
        Take,
        TakeAndStop,
    }

    /// <summary>
    /// libvirt's ranking (<c>x86DecodeUseCandidate</c>): the single preferred model wins outright; then a
    /// matching signature; then the smaller score (ties keep the current best, which the newest-first
    /// order makes the later map entry), a preferred candidate also winning on fewer disabled features.
    /// </summary>
    private static CandidateUse UseCandidate(CpuModel? best, CpuModel candidate, (int Total, int Disabled) score, (int Total, int Disabled) bestScore, bool isPreferred, int preferredCount, uint sig, CpuSignature signature)
    {
        if (isPreferred && preferredCount == 1)
        {
            return CandidateUse.TakeAndStop;
        }

        if (best is null)
        {
            return CandidateUse.Take;
        }

        if (sig != 0 && best.MatchesSignature(signature) != candidate.MatchesSignature(signature))
        {
            return candidate.MatchesSignature(signature) ? CandidateUse.Take : CandidateUse.Keep;
        }

        return score.Total < bestScore.Total
            || (score.Total == bestScore.Total && score.Disabled < bestScore.Disabled)
            || (isPreferred && score.Disabled < bestScore.Disabled)
            ? CandidateUse.Take
            : CandidateUse.Keep;
    }

    /// <summary>
    /// The winner's feature list (<c>x86DataToCPU</c>): extras as require, missing model features as
    /// disable, both in catalog order, then (guests) the model's removed features not listed yet, as
    /// disable. Migration blockers are dropped when asked.
    /// </summary>
    private ImmutableArray<CpuFeature> BuildFeatures(CpuModel model, FeatureSet extra, FeatureSet missing, bool host, bool migratable)
    {
        if (migratable)
        {
            extra -= _catalog.NonMigratable;
            missing -= _catalog.NonMigratable;
        }

        var removed = FeatureSet.Empty;
        if (!host)
        {
            var listed = extra | missing;
            foreach (var r in model.RemovedFeatures)
            {
                if (!listed.Contains(r) && !(migratable && _catalog.NonMigratable.Contains(r)))
                {
                    removed = removed.With(r);
                }
            }
        }

        var builder = ImmutableArray.CreateBuilder<CpuFeature>(extra.Count + missing.Count + removed.Count);
        FeaturePolicy? require = host ? null : FeaturePolicy.Require;
        FeaturePolicy? disable = host ? null : FeaturePolicy.Disable;
        foreach (var i in extra)
        {
            builder.Add(new CpuFeature(_catalog.Features[i].Name, require));
        }

        foreach (var i in missing)
        {
            builder.Add(new CpuFeature(_catalog.Features[i].Name, disable));
        }

        if (!removed.IsEmpty)
        {
            // removed features keep the model's XML order
            foreach (var r in model.RemovedFeatures)
            {
                if (removed.Contains(r))
                {
                    builder.Add(new CpuFeature(_catalog.Features[r].Name, disable));
                    removed = removed.Without(r);
                }
            }
        }

        return builder.MoveToImmutable();
    }

    /// <summary>
    /// libvirt's penalty score of a guest candidate's feature list (<c>x86DecodeUseCandidate</c>):
    /// the list is [extras][disabled], and the scan bound shrinks with every disabled entry, so only
    /// the first half of the disabled entries is penalised (2, 3, 4, ...).
    /// </summary>
    /// <param name="enabled">The number of enabled entries (at the front).</param>
    /// <param name="disabled">The number of disabled entries (at the end).</param>
    /// <returns>The score and the disabled part of it.</returns>
    internal static (int Total, int Disabled) Score(int enabled, int disabled)
    {
        var bound = enabled + disabled;
        var disabledScore = 0;
        var penalty = 2;
        for (var i = 0; i < bound; i++)
        {
            if (i >= enabled)
            {
                bound--;
                disabledScore += penalty;
                penalty++;
            }
        }

        return (bound + disabledScore, disabledScore);
    }

    private static (int Total, int Disabled) GuestScore(CpuModel cand, FeatureSet extra, FeatureSet missing)
    {
        var disabled = missing.Count;
        if (!cand.RemovedFeatures.IsEmpty)
        {
            var listed = extra | missing;
            foreach (var r in cand.RemovedFeatures)
            {
                if (!listed.Contains(r))
                {
                    listed = listed.With(r);
                    disabled++;
                }
            }
        }

        return Score(extra.Count, disabled);
    }

    private static bool IsTsxErratum(Vendor? vendor, CpuSignature s) =>
        vendor is not null && string.Equals(vendor.Name, "Intel", StringComparison.Ordinal) && s.Family == 6
        && ((s.Model == 63 && s.Stepping < 4) || s.Model is 60 or 69 or 70);

    private static bool Contains(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
