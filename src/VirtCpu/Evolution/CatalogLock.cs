using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using VirtCpu.Catalog;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Qemu;

namespace VirtCpu.Evolution;

/// <summary>The canonical text of one model of one catalog, the input of its fingerprint.</summary>
/// <param name="Catalog">The catalog name (<c>libvirt-11.3</c>).</param>
/// <param name="Model">The model name.</param>
/// <param name="CanonicalText">The canonical text form of the model's resolved data.</param>
public sealed record CatalogLockSource(string Catalog, string Model, string CanonicalText);

/// <summary>One line of the lock: a model of a catalog and its fingerprint.</summary>
/// <param name="Catalog">The catalog name.</param>
/// <param name="Model">The model name.</param>
/// <param name="Fingerprint">The fingerprint, <c>sha256:</c> followed by 64 lower-case hex digits.</param>
public sealed record CatalogLockEntry(string Catalog, string Model, string Fingerprint)
{
    /// <summary>True for a versioned model (<c>X-vN</c>), whose fingerprint may never change.</summary>
    public bool IsVersioned => CpuModel.VersionOf(Model) is not null;
}

/// <summary>How a model differs between the lock and the current catalogs.</summary>
public enum CatalogLockChange
{
    /// <summary>The model is new: in the current catalogs, not in the lock.</summary>
    Added = 0,

    /// <summary>The model is gone: in the lock, not in the current catalogs.</summary>
    Removed = 1,

    /// <summary>The model's fingerprint changed.</summary>
    Changed = 2,
}

/// <summary>One difference between the lock and the current catalogs.</summary>
/// <param name="Catalog">The catalog.</param>
/// <param name="Model">The model.</param>
/// <param name="Change">What happened.</param>
/// <param name="Locked">The locked fingerprint, or null for an added model.</param>
/// <param name="Current">The current fingerprint, or null for a removed model.</param>
public sealed record CatalogLockDifference(string Catalog, string Model, CatalogLockChange Change, string? Locked, string? Current)
{
    /// <summary>True for a versioned model (<c>X-vN</c>).</summary>
    public bool IsVersioned => CpuModel.VersionOf(Model) is not null;

    /// <summary>True when the difference breaks the rule that a versioned model never changes (or disappears).</summary>
    public bool IsForbidden => IsVersioned && Change != CatalogLockChange.Added;

    /// <inheritdoc/>
    public override string ToString()
    {
        var what = Change switch
        {
            CatalogLockChange.Added => "added",
            CatalogLockChange.Removed => "removed",
            _ => "changed",
        };
        return IsForbidden
            ? $"{Catalog} {Model}: {what} (versioned model: forbidden, add a new version instead)"
            : $"{Catalog} {Model}: {what}";
    }
}

/// <summary>
/// The catalog lock (<c>catalogs/catalogs.lock</c>): a SHA-256 fingerprint over a canonical text
/// form of every model of every built-in catalog. Versioned models (<c>X-vN</c>) may never change;
/// other models may, with the lock updated in the same commit and a sentence saying why.
/// </summary>
public static class CatalogLock
{
    /// <summary>The file name of the lock.</summary>
    public const string FileName = "catalogs.lock";

    private const string FingerprintPrefix = "sha256:";
    private const string ChangePrefix = "# change: ";

    /// <summary>The canonical text of a model of a management catalog: its resolved data, one fact per line.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="model">The model, from <paramref name="catalog"/>.</param>
    /// <returns>The text (lines end with <c>\n</c>).</returns>
    public static string CanonicalText(CpuCatalog catalog, CpuModel model)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        var sb = new StringBuilder();
        sb.Append("model ").Append(model.Name).Append('\n');
        sb.Append("vendor ").Append(model.Vendor?.CpuidString ?? "-").Append('\n');
        foreach (var s in model.Signatures)
        {
            sb.Append(CultureInfo.InvariantCulture, $"signature {s.Family} {s.Model} {s.SteppingText() ?? "*"}\n");
        }

        AppendNames(sb, "features", catalog.NamesOf(model.Features));
        AppendNames(sb, "removed", model.RemovedFeatures.Select(i => catalog.Features[i].Name));
        AppendNames(sb, "added", model.AddedFeatures.Select(i => catalog.Features[i].Name));
        sb.Append("decode host=").Append(model.DecodeHost ? "on" : "off").Append(" guest=").Append(model.DecodeGuest ? "on" : "off").Append('\n');
        sb.Append("check ").Append(model.CompatCheck ? "compat" : "-").Append('\n');
        sb.Append(model.IsAlias ? "alias-of " : "ancestor ").Append(model.Ancestor ?? "-").Append('\n');
        return sb.ToString();
    }

    /// <summary>The lock sources of every model of a management catalog, in catalog order.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The sources.</returns>
    public static IEnumerable<CatalogLockSource> SourcesOf(CpuCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.Models.Select(m => new CatalogLockSource(catalog.Name, m.Name, CanonicalText(catalog, m)));
    }

    /// <summary>The lock sources of every built-in catalog (the "current" side of a check).</summary>
    /// <returns>The sources, catalog by catalog.</returns>
    public static IEnumerable<CatalogLockSource> BuiltInSources() =>
        BuiltInCatalogs.Names.SelectMany(n => SourcesOf(BuiltInCatalogs.Get(n)))
            .Concat(BuiltInHypervisors.Names.SelectMany(n => SourcesOf(BuiltInHypervisors.Get(n))))
            .Concat(BehaviourFile.BuiltInNames.Select(n => SourceOf(BehaviourFile.Parse(BehaviourFile.BuiltInText(n), n))));

    /// <summary>The lock source of a release behaviour: catalog <c>behaviour</c>, model <c>libvirt-9.0</c>, its entries with their sources.</summary>
    /// <param name="behaviour">The behaviour.</param>
    /// <returns>The source.</returns>
    public static CatalogLockSource SourceOf(VirtCpu.Qemu.ReleaseBehaviour behaviour)
    {
        ArgumentNullException.ThrowIfNull(behaviour);
        var sb = new StringBuilder();
        foreach (var e in behaviour.Entries)
        {
            sb.Append(e.Key).Append(' ').Append(string.Join(' ', e.Values)).Append(" # ").Append(e.Source).Append('\n');
        }

        return new CatalogLockSource("behaviour", behaviour.Name, sb.ToString());
    }

    /// <summary>The lock sources of a hypervisor catalog: one per model version (<c>X-vN</c>), which QEMU never changes once released.</summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <returns>One source per model version.</returns>
    public static IEnumerable<CatalogLockSource> SourcesOf(QemuHypervisorCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.CanonicalModelTexts().Select(t => new CatalogLockSource(catalog.Name, t.Model, t.CanonicalText));
    }

    /// <summary>The fingerprint of a canonical text.</summary>
    /// <param name="canonicalText">The text.</param>
    /// <returns><c>sha256:</c> and the lower-case hex digest of the UTF-8 text.</returns>
    public static string Fingerprint(string canonicalText)
    {
        ArgumentNullException.ThrowIfNull(canonicalText);
        return FingerprintPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalText)));
    }

    /// <summary>Fingerprints sources.</summary>
    /// <param name="sources">The sources.</param>
    /// <returns>The entries, in the same order.</returns>
    public static ImmutableArray<CatalogLockEntry> Compute(IEnumerable<CatalogLockSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return [.. sources.Select(s => new CatalogLockEntry(s.Catalog, s.Model, Fingerprint(s.CanonicalText)))];
    }

    /// <summary>Compares the lock with the current entries.</summary>
    /// <param name="locked">The entries of the lock file.</param>
    /// <param name="current">The entries computed from the current catalogs.</param>
    /// <returns>The differences: changed and removed models in lock order, then added models in current order.</returns>
    public static ImmutableArray<CatalogLockDifference> Check(IEnumerable<CatalogLockEntry> locked, IEnumerable<CatalogLockEntry> current)
    {
        ArgumentNullException.ThrowIfNull(locked);
        ArgumentNullException.ThrowIfNull(current);
        var currentList = current.ToList();
        var currentByKey = new Dictionary<(string, string), CatalogLockEntry>();
        foreach (var e in currentList)
        {
            currentByKey[(e.Catalog, e.Model)] = e;
        }

        var lockedKeys = new HashSet<(string, string)>();
        var result = ImmutableArray.CreateBuilder<CatalogLockDifference>();
        foreach (var l in locked)
        {
            lockedKeys.Add((l.Catalog, l.Model));
            if (!currentByKey.TryGetValue((l.Catalog, l.Model), out var c))
            {
                result.Add(new CatalogLockDifference(l.Catalog, l.Model, CatalogLockChange.Removed, l.Fingerprint, null));
            }
            else if (!string.Equals(l.Fingerprint, c.Fingerprint, StringComparison.Ordinal))
            {
                result.Add(new CatalogLockDifference(l.Catalog, l.Model, CatalogLockChange.Changed, l.Fingerprint, c.Fingerprint));
            }
        }

        foreach (var c in currentList)
        {
            if (!lockedKeys.Contains((c.Catalog, c.Model)))
            {
                result.Add(new CatalogLockDifference(c.Catalog, c.Model, CatalogLockChange.Added, null, c.Fingerprint));
            }
        }

        return result.ToImmutable();
    }

    /// <summary>
    /// The new lock for the current entries, refusing to change or drop a versioned model. A change
    /// to an unversioned model or a removed model needs a reason, recorded in the lock.
    /// </summary>
    /// <param name="locked">The current lock.</param>
    /// <param name="current">The entries computed from the current catalogs.</param>
    /// <param name="reason">Why unversioned models changed (one sentence), or null when none did.</param>
    /// <returns>The new lock.</returns>
    /// <exception cref="InputException">A versioned model changed or disappeared, or a reason is missing.</exception>
    public static CatalogLockFile Update(CatalogLockFile locked, IEnumerable<CatalogLockEntry> current, string? reason)
    {
        ArgumentNullException.ThrowIfNull(locked);
        var currentList = current.ToImmutableArray();
        var differences = Check(locked.Entries, currentList);
        var forbidden = differences.Where(d => d.IsForbidden).ToList();
        if (forbidden.Count > 0)
        {
            throw new InputException(
                $"refusing to update the lock: versioned models never change; add a new version instead: {string.Join(", ", forbidden.Select(d => $"{d.Catalog} {d.Model}"))}");
        }

        var needReason = differences.Where(d => d.Change != CatalogLockChange.Added).ToList();
        var changes = locked.Changes;
        if (needReason.Count > 0)
        {
            if (string.IsNullOrWhiteSpace(reason))
            {
                throw new InputException(
                    $"models changed ({string.Join(", ", needReason.Select(d => $"{d.Catalog} {d.Model}"))}): give a reason (--reason TEXT) saying why");
            }

            changes = changes.Add($"{OneLine(reason)} ({string.Join(", ", needReason.Select(d => $"{d.Catalog} {d.Model}"))})");
        }
        else if (!string.IsNullOrWhiteSpace(reason) && differences.Length > 0)
        {
            changes = changes.Add($"{OneLine(reason)} ({string.Join(", ", differences.Select(d => $"{d.Catalog} {d.Model}"))})");
        }

        return new CatalogLockFile(currentList, changes);
    }

    /// <summary>Reads a lock file.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="sourceName">The file name for errors.</param>
    /// <returns>The lock.</returns>
    /// <exception cref="InputException">A line is malformed or a model is listed twice.</exception>
    public static CatalogLockFile Read(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var entries = ImmutableArray.CreateBuilder<CatalogLockEntry>();
        var changes = ImmutableArray.CreateBuilder<string>();
        var seen = new HashSet<(string, string)>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.StartsWith(ChangePrefix, StringComparison.Ordinal))
            {
                changes.Add(line[ChangePrefix.Length..]);
                continue;
            }

            if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !IsFingerprint(parts[2]))
            {
                throw new InputException(sourceName, string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: expected 'CATALOG MODEL sha256:HEX'"));
            }

            if (!seen.Add((parts[0], parts[1])))
            {
                throw new InputException(sourceName, string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: {parts[0]} {parts[1]} is listed twice"));
            }

            entries.Add(new CatalogLockEntry(parts[0], parts[1], parts[2]));
        }

        return new CatalogLockFile(entries.ToImmutable(), changes.ToImmutable());
    }

    /// <summary>Reads a lock file from disk.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The lock.</returns>
    /// <exception cref="InputException">The file cannot be read or is malformed.</exception>
    public static CatalogLockFile ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StringReader(InputFile.ReadAllText(path));
        return Read(reader, path);
    }

    /// <summary>Writes a lock file.</summary>
    /// <param name="lockFile">The lock.</param>
    /// <param name="writer">Where to write; lines end with <c>\n</c>.</param>
    public static void Write(CatalogLockFile lockFile, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(lockFile);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("# VirtCpu catalog lock: SHA-256 of the canonical form of every model of every built-in catalog.\n");
        writer.Write("# Versioned models (X-vN) never change: add a new version instead. Other changes need\n");
        writer.Write("# `virtcpu catalog lock --update --reason TEXT` in the same commit; the reasons are kept below.\n");
        foreach (var c in lockFile.Changes)
        {
            writer.Write(ChangePrefix);
            writer.Write(c);
            writer.Write('\n');
        }

        foreach (var e in lockFile.Entries)
        {
            writer.Write(e.Catalog);
            writer.Write(' ');
            writer.Write(e.Model);
            writer.Write(' ');
            writer.Write(e.Fingerprint);
            writer.Write('\n');
        }
    }

    /// <summary>Writes a lock file to a string.</summary>
    /// <param name="lockFile">The lock.</param>
    /// <returns>The text.</returns>
    public static string WriteToString(CatalogLockFile lockFile)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(lockFile, writer);
        return writer.ToString();
    }

    private static bool IsFingerprint(string text)
    {
        if (!text.StartsWith(FingerprintPrefix, StringComparison.Ordinal) || text.Length != FingerprintPrefix.Length + 64)
        {
            return false;
        }

        foreach (var c in text.AsSpan(FingerprintPrefix.Length))
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    private static void AppendNames(StringBuilder sb, string key, IEnumerable<string> names)
    {
        var sorted = names.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        sb.Append(key);
        foreach (var n in sorted)
        {
            sb.Append(' ').Append(n);
        }

        sb.Append('\n');
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}

/// <summary>The contents of a lock file: the entries and the recorded reasons for past changes.</summary>
/// <param name="Entries">The entries, in file order.</param>
/// <param name="Changes">One sentence per past change of an unversioned model, oldest first.</param>
public sealed record CatalogLockFile(ImmutableArray<CatalogLockEntry> Entries, ImmutableArray<string> Changes)
{
    /// <summary>A lock with no entries.</summary>
    public static CatalogLockFile Empty { get; } = new([], []);
}
