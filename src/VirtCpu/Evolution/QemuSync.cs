using System.Collections.Immutable;
using System.Text;
using VirtCpu.Catalog;
using VirtCpu.Formats;
using VirtCpu.Migration;
using VirtCpu.Qemu;

namespace VirtCpu.Evolution;

/// <summary>One proposed new versioned model.</summary>
/// <param name="Model">The model, in the catalog's terms.</param>
/// <param name="QemuVersion">The QEMU model version it comes from (<c>EPYC-Genoa-v2</c>).</param>
/// <param name="Skipped">QEMU features of the version the catalog has no feature for (by bit location), in QEMU's names.</param>
/// <param name="Note">Why it is a pointer, or null for a full definition.</param>
public sealed record SyncProposal(CpuModel Model, string QemuVersion, ImmutableArray<string> Skipped, string? Note);

/// <summary>The result of <c>catalog sync-qemu</c>.</summary>
/// <param name="Catalog">The catalog with the proposals appended (existing models untouched).</param>
/// <param name="Proposals">The proposals, in QEMU's model order.</param>
/// <param name="Present">How many QEMU model versions the catalog already has (left as they are).</param>
public sealed record SyncResult(CpuCatalog Catalog, ImmutableArray<SyncProposal> Proposals, int Present);

/// <summary>
/// Proposes, for every QEMU model version a management catalog lacks, a new versioned model in the
/// catalog's terms, with libvirt's conventions (<c>sync_qemu_models_i386.py</c>): <c>decode host='on'
/// guest='off'</c>, no check; a version whose vendor, signature and features equal a model the catalog
/// (or an earlier proposal) already has is a pointer to it (<c>&lt;model name='Base'/&gt;</c>). Existing
/// models are never edited. QEMU features map to catalog features by bit location
/// (<see cref="VocabularyBridge"/>); those the catalog does not know are skipped and reported.
/// </summary>
public static class QemuSync
{
    /// <summary>Computes the proposals.</summary>
    /// <param name="hypervisor">The QEMU catalog to take versions from.</param>
    /// <param name="catalog">The management catalog to extend.</param>
    /// <returns>The proposals and the extended catalog.</returns>
    public static SyncResult Propose(QemuHypervisorCatalog hypervisor, CpuCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(hypervisor);
        ArgumentNullException.ThrowIfNull(catalog);
        var models = catalog.Models.ToList();
        var byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var hasCanonical = new HashSet<string>(models.Where(m => m.IsAlias && m.Ancestor is not null).Select(m => m.Ancestor!), StringComparer.Ordinal);
        var proposals = ImmutableArray.CreateBuilder<SyncProposal>();
        var present = 0;
        foreach (var baseModel in hypervisor.Models)
        {
            foreach (var version in baseModel.Versions)
            {
                if (byName.ContainsKey(version.Name))
                {
                    present++;
                    continue;
                }

                var proposal = ProposeVersion(hypervisor, catalog, baseModel, version, models, byName, hasCanonical);
                models.Add(proposal.Model);
                byName.Add(proposal.Model.Name, proposal.Model);
                proposals.Add(proposal);
            }
        }

        var extended = CpuCatalog.Create(catalog.Name, catalog.Vendors, catalog.Features, models);
        return new SyncResult(extended, proposals.ToImmutable(), present);
    }

    /// <summary>
    /// One QEMU model version the catalog lacks, as libvirt's <c>sync_qemu_models_i386.py</c> would add it:
    /// a pointer to an existing model with the same vendor, signature and features (the alias name
    /// first, then the base name for v1, then every model), or else a new model (never used for guest decode).
    /// </summary>
    private static SyncProposal ProposeVersion(QemuHypervisorCatalog hypervisor, CpuCatalog catalog, QemuBaseModel baseModel, QemuModelVersion version,
        List<CpuModel> models, Dictionary<string, CpuModel> byName, HashSet<string> hasCanonical)
    {
        var bridge = VocabularyBridge.For(catalog, hypervisor);
        var definition = version.Definition;
        var features = FeatureSet.Empty;
        var skipped = ImmutableArray.CreateBuilder<string>();
        foreach (var qemuIndex in definition.Features)
        {
            var managementIndex = bridge.ManagementOf(qemuIndex);
            if (managementIndex >= 0)
            {
                features = features.With(managementIndex);
            }
            else
            {
                skipped.Add(hypervisor.Features[qemuIndex].Name);
            }
        }

        var vendor = catalog.FindVendorByCpuidString(definition.Vendor);
        if (vendor is null)
        {
            skipped.Add($"vendor {definition.Vendor}");
        }

        var signature = new ModelSignature((uint)definition.Family, (uint)definition.Model, null);
        var candidates = new List<string>();
        if (version.Alias is { } alias)
        {
            candidates.Add(alias);
        }

        if (version.Number == 1)
        {
            candidates.Add(baseModel.Name);
        }

        candidates.AddRange(models.Select(m => m.Name));
        var target = candidates
            .Select(n => byName.GetValueOrDefault(n))
            .FirstOrDefault(m => m is not null && !m.IsAlias && !hasCanonical.Contains(m.Name)
                && m.Features == features && ReferenceEquals(m.Vendor, vendor)
                && m.Signatures.Length == 1 && m.Signatures[0].Family == signature.Family && m.Signatures[0].Model == signature.Model);
        if (target is null)
        {
            var model = new CpuModel
            {
                Name = version.Name,
                Vendor = vendor,
                Signatures = [signature],
                Features = features,
                DecodeHost = true,
                DecodeGuest = false,
            };
            return new SyncProposal(model, version.Name, skipped.ToImmutable(), null);
        }

        var pointer = target with
        {
            Name = version.Name,
            Ancestor = target.Name,
            IsAlias = true,
            RemovedFeatures = [],
            AddedFeatures = [],
            DecodeHost = true,
            DecodeGuest = false,
            CompatCheck = false,
        };
        hasCanonical.Add(target.Name);
        return new SyncProposal(pointer, version.Name, skipped.ToImmutable(), $"same vendor, signature and features as {target.Name}: a pointer to it");
    }

    /// <summary>The proposal as text: a summary, then each model file in libvirt's style with its notes.</summary>
    /// <param name="result">The result.</param>
    /// <param name="hypervisorName">The QEMU catalog name.</param>
    /// <returns>The text.</returns>
    public static string Write(SyncResult result, string hypervisorName)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        sb.Append($"catalog sync-qemu --from {hypervisorName} --into {result.Catalog.Name}: {result.Proposals.Length} new versioned model(s) proposed ({result.Proposals.Count(p => p.Note is not null)} pointer(s)); {result.Present} QEMU version(s) already present and left untouched.\n");
        sb.Append("Existing models are never edited. Conventions: decode host='on' guest='off', no check, features mapped by CPUID/MSR bit location.\n");
        foreach (var p in result.Proposals)
        {
            sb.Append('\n').Append("== ").Append(LibvirtMapWriter.ModelFileName(p.Model.Name)).Append(" (from ").Append(p.QemuVersion).Append(")\n");
            if (p.Note is not null)
            {
                sb.Append("   ").Append(p.Note).Append('\n');
            }

            if (!p.Skipped.IsEmpty)
            {
                sb.Append("   skipped (").Append(result.Catalog.Name).Append(" has no such feature): ").Append(string.Join(" ", p.Skipped)).Append('\n');
            }

            sb.Append(LibvirtMapWriter.Model(result.Catalog, result.Catalog.FindModel(p.Model.Name)!));
        }

        return sb.ToString();
    }
}
