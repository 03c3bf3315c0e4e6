using System.Globalization;
using System.Security;
using System.Text;
using VirtCpu.Catalog;
using VirtCpu.Formats.Input;

namespace VirtCpu.Formats.LibvirtXml;

/// <summary>
/// Writes a <see cref="CpuCatalog"/> as a libvirt <c>cpu_map</c> directory in libvirt's own style:
/// <c>index.xml</c> (x86 arch; vendors, features, then one include per model in catalog order,
/// grouped by vendor), <c>x86_vendors.xml</c>, <c>x86_features.xml</c> (one comment per CPUID leaf
/// register or MSR) and one <c>x86_&lt;Model&gt;.xml</c> per model (two-space indentation, single
/// quotes, features sorted by name). <see cref="LibvirtMapReader"/> reads the result back into the same
/// catalog. Every file is written atomically.
/// </summary>
public static class LibvirtMapWriter
{
    /// <summary>Writes the directory (created when missing; files of the same names are replaced).</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="directory">The directory.</param>
    /// <returns>The number of files written.</returns>
    /// <exception cref="InputException">A file cannot be written.</exception>
    public static int Write(CpuCatalog catalog, string directory)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(directory);
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(directory, "cannot create the directory: " + e.Message, e);
        }

        var files = Files(catalog);
        foreach (var (name, text) in files)
        {
            AtomicFile.WriteAllText(Path.Combine(directory, name), text);
        }

        return files.Count;
    }

    /// <summary>The files of the directory, in the order they should be written (index last).</summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>File name and contents pairs.</returns>
    public static IReadOnlyList<(string Name, string Text)> Files(CpuCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var files = new List<(string, string)>
        {
            ("x86_vendors.xml", Vendors(catalog)),
            ("x86_features.xml", Features(catalog)),
        };
        foreach (var m in catalog.Models)
        {
            files.Add((ModelFileName(m.Name), Model(catalog, m)));
        }

        files.Add((LibvirtMapReader.IndexFileName, Index(catalog)));
        return files;
    }

    /// <summary>The file name libvirt uses for a model (<c>x86_EPYC-v4.xml</c>).</summary>
    /// <param name="model">The model name.</param>
    /// <returns>The file name.</returns>
    public static string ModelFileName(string model) => $"x86_{model}.xml";

    /// <summary>The text of one model file.</summary>
    /// <param name="catalog">The catalog the model belongs to (for feature and vendor names).</param>
    /// <param name="model">The model.</param>
    /// <returns>The file text.</returns>
    public static string Model(CpuCatalog catalog, CpuModel model)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        var sb = new StringBuilder();
        Line(sb, "<cpus>");
        Line(sb, $"  <model name='{Attr(model.Name)}'>");
        if (model.CompatCheck)
        {
            Line(sb, "    <check partial='compat'/>");
        }

        Line(sb, $"    <decode host='{OnOff(model.DecodeHost)}' guest='{OnOff(model.DecodeGuest)}'/>");
        if (model.Ancestor is { } ancestor)
        {
            Line(sb, $"    <model name='{Attr(ancestor)}'/>");
        }

        if (!model.IsAlias)
        {
            var inherited = model.Ancestor is { } a ? catalog.FindModel(a) : null;
            if (inherited is null || !inherited.Signatures.SequenceEqual(model.Signatures))
            {
                foreach (var s in model.Signatures)
                {
                    var stepping = s.SteppingText() is { } st ? $" stepping='{st}'" : string.Empty;
                    Line(sb, string.Create(CultureInfo.InvariantCulture, $"    <signature family='{s.Family}' model='{s.Model}'{stepping}/>"));
                }
            }

            if (model.Vendor is { } vendor && (inherited is null || !ReferenceEquals(inherited.Vendor, vendor)))
            {
                Line(sb, $"    <vendor name='{Attr(vendor.Name)}'/>");
            }

            foreach (var (name, marker) in ModelFeatures(catalog, model))
            {
                Line(sb, $"    <feature name='{Attr(name)}'{marker}/>");
            }
        }

        Line(sb, "  </model>");
        Line(sb, "</cpus>");
        return sb.ToString();
    }

    private static List<(string Name, string Marker)> ModelFeatures(CpuCatalog catalog, CpuModel model)
    {
        var data = catalog.NamesOf(model.Features).Select(n => (n, string.Empty)).ToList();
        var removed = model.RemovedFeatures.Select(i => (catalog.Features[i].Name, " removed='yes'")).ToList();
        var added = model.AddedFeatures.Select(i => (catalog.Features[i].Name, " added='yes'")).ToList();
        data.Sort((x, y) => string.CompareOrdinal(x.Item1, y.Item1));
        if (IsSorted(removed) && IsSorted(added))
        {
            // libvirt's style: one list sorted by name; the markers keep their order within it.
            var all = data.Concat(removed).Concat(added).ToList();
            all.Sort((x, y) => string.CompareOrdinal(x.Item1, y.Item1));
            return all;
        }

        return [.. data, .. removed, .. added];
    }

    private static bool IsSorted(List<(string Name, string)> list)
    {
        for (var i = 1; i < list.Count; i++)
        {
            if (string.CompareOrdinal(list[i - 1].Name, list[i].Name) > 0)
            {
                return false;
            }
        }

        return true;
    }

    private static string Vendors(CpuCatalog catalog)
    {
        var sb = new StringBuilder();
        Line(sb, "<cpus>");
        foreach (var v in catalog.Vendors)
        {
            Line(sb, $"  <vendor name='{Attr(v.Name)}' string='{Attr(v.CpuidString)}'/>");
        }

        Line(sb, "</cpus>");
        return sb.ToString();
    }

    private static string Features(CpuCatalog catalog)
    {
        var sb = new StringBuilder();
        Line(sb, "<!--");
        Line(sb, $"  Written by virtcpu catalog export-libvirt from the catalog {Comment(catalog.Name)}.");
        Line(sb, "-->");
        Line(sb, string.Empty);
        Line(sb, "<cpus>");
        string? section = null;
        foreach (var f in catalog.Features)
        {
            var first = f.Bits[0];
            var title = first.Key.Kind == CpuDataKind.Msr
                ? string.Create(CultureInfo.InvariantCulture, $"msr 0x{first.Key.Index:x8}")
                : first.Key.Subleaf != 0 || HasSubleaves(first.Key.Index)
                    ? string.Create(CultureInfo.InvariantCulture, $"cpuid level 0x{first.Key.Index:x8}, 0x{first.Key.Subleaf:x4} ({Register(first.Register)})")
                    : string.Create(CultureInfo.InvariantCulture, $"cpuid level 0x{first.Key.Index:x8} ({Register(first.Register)})");
            if (!string.Equals(title, section, StringComparison.Ordinal))
            {
                Line(sb, string.Empty);
                Line(sb, $"  <!-- {title} -->");
                section = title;
            }

            Line(sb, $"  <feature name='{Attr(f.Name)}'{(f.Migratable ? "" : " migratable='no'")}>");
            foreach (var alias in f.Aliases)
            {
                Line(sb, $"    <alias name='{Attr(alias.Name)}' source='{Attr(alias.Source)}'/>");
            }

            foreach (var group in f.Bits.GroupBy(b => b.Key))
            {
                var key = group.Key;
                if (key.Kind == CpuDataKind.Msr)
                {
                    var eax = group.Where(b => b.Register == CpuRegister.Eax).Aggregate(0u, (m, b) => m | b.Mask);
                    var edx = group.Where(b => b.Register == CpuRegister.Edx).Aggregate(0u, (m, b) => m | b.Mask);
                    Line(sb, string.Create(CultureInfo.InvariantCulture, $"    <msr index='0x{key.Index:x8}' edx='0x{edx:x8}' eax='0x{eax:x8}'/>"));
                    continue;
                }

                var line = new StringBuilder();
                line.Append(CultureInfo.InvariantCulture, $"    <cpuid eax_in='0x{key.Index:x8}'");
                if (key.Subleaf != 0 || HasSubleaves(key.Index))
                {
                    line.Append(CultureInfo.InvariantCulture, $" ecx_in='0x{key.Subleaf:x8}'");
                }

                foreach (var register in new[] { CpuRegister.Eax, CpuRegister.Ebx, CpuRegister.Ecx, CpuRegister.Edx })
                {
                    var mask = group.Where(b => b.Register == register).Aggregate(0u, (m, b) => m | b.Mask);
                    if (mask != 0)
                    {
                        line.Append(CultureInfo.InvariantCulture, $" {Register(register)}='0x{mask:x8}'");
                    }
                }

                line.Append("/>");
                Line(sb, line.ToString());
            }

            Line(sb, "  </feature>");
        }

        Line(sb, "</cpus>");
        return sb.ToString();
    }

    private static string Index(CpuCatalog catalog)
    {
        var sb = new StringBuilder();
        Line(sb, "<cpus>");
        Line(sb, "  <arch name='x86'>");
        Line(sb, "    <include filename='x86_vendors.xml'/>");
        Line(sb, "    <include filename='x86_features.xml'/>");
        string? group = null;
        foreach (var m in catalog.Models)
        {
            var g = GroupName(m);
            if (!string.Equals(g, group, StringComparison.Ordinal))
            {
                if (group is not null)
                {
                    Line(sb, "    </group>");
                }

                Line(sb, string.Empty);
                Line(sb, $"    <group name='{Attr(g)}'>");
                group = g;
            }

            Line(sb, $"      <include filename='{Attr(ModelFileName(m.Name))}'/>");
        }

        if (group is not null)
        {
            Line(sb, "    </group>");
        }

        Line(sb, "  </arch>");
        Line(sb, "</cpus>");
        return sb.ToString();
    }

    private static string GroupName(CpuModel m) => m.Vendor is { } v ? $"{v.Name} CPU models" : "Generic QEMU CPU models";

    private static bool HasSubleaves(uint leaf) => leaf is 0x7 or 0xD or 0xF or 0x12 or 0x14 or 0x24;

    private static string Register(CpuRegister register) => register switch
    {
        CpuRegister.Eax => "eax",
        CpuRegister.Ebx => "ebx",
        CpuRegister.Ecx => "ecx",
        _ => "edx",
    };

    private static string OnOff(bool value) => value ? "on" : "off";

    private static string Attr(string text) => SecurityElement.Escape(text);

    private static string Comment(string text) => text.Replace("--", "- -", StringComparison.Ordinal);

    private static void Line(StringBuilder sb, string text) => sb.Append(text).Append('\n');
}
