using System.Globalization;
using System.Text;
using CsCheck;
using VirtCpu.Cpu;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Tests.Formats;

/// <summary>
/// The byte-level host-list scanner against the full XML parser on generated host lists: every
/// spelling (white space, quotes, attribute order, an unexpected child, comments, entities,
/// repeated or missing parts, unknown architectures, zero family) gives the same definitions or
/// the same error.
/// </summary>
public class CpuXmlHostListPropertyTests
{
    private static readonly string[] Spaces = ["", " ", "\n  ", "\t", "\r\n", "  \n\n "];
    // Names the scanner reads, then (rarer) spellings it leaves to the full parser or that are errors.
    private static readonly string[] Features =
    [
        .. Enumerable.Range(0, 40).Select(i => (i % 4) switch { 0 => $"vmx-{i}", 1 => $"sse4.{i}", 2 => $"avx512_{i}", _ => $"{i}dnow" }),
        "x&amp;y", "ïbrs", "", "a b",
    ];

    private static readonly string[] Models = ["Haswell", "Skylake-Client-IBRS", "EPYC-v1", "Haswell", "Skylake-Client-IBRS", "EPYC-v1", "a b", "Has&#119;ell", ""];
    private static readonly string[] Arches = ["x86_64", "x86_64", "x86_64", "x86_64", "x86_64", "i686", "sparc99", "x86_64 "];
    private static readonly string[] Extras = ["<!-- note -->", "<cache mode='passthrough'/>", "<feature policy='require' name='vmx'/>", "<model>Again</model>", "<?pi x?>", "<![CDATA[x]]>", "&#32;", "junk"];

    private static readonly Gen<string> Space = Gen.Int[0, Spaces.Length - 1].Select(i => Spaces[i]);

    private static readonly Gen<string> Quote = Gen.Bool.Select(b => b ? "'" : "\"");

    private static readonly Gen<string> Feature =
        Gen.Select(Gen.Int[0, Features.Length - 1], Space, Space, Quote, Space).Select((i, a, b, q, c) => $"<feature{(a.Length == 0 ? " " : a)}name{b}={b}{q}{Features[i]}{q}{c}/>");

    private static readonly Gen<string> Signature =
        Gen.Select(Gen.UInt[0, 300], Gen.UInt[0, 300], Gen.UInt[0, 20], Gen.Int[0, 11], Quote, Space).Select((f, m, s, order, q, sp) =>
        {
            string[] attributes = [$"family={q}{f}{q}", $"model={q}{m}{q}", $"stepping={q}{s}{q}"];
            var ordered = order switch
            {
                0 => attributes,
                1 => [attributes[2], attributes[0], attributes[1]],
                2 => [attributes[1], attributes[2], attributes[0]],
                3 => attributes[..2],
                4 => [attributes[0], attributes[0], attributes[1], attributes[2]],
                _ => [attributes[2], attributes[1], attributes[0]],
            };
            return $"<signature {string.Join(" " + sp, ordered)}{sp}/>";
        });

    private static readonly Gen<string> Host =
        Gen.Select(Gen.Int[0, Arches.Length - 1], Gen.Int[0, Models.Length - 1], Gen.Bool, Signature.Array[0, 1], Feature.Array[0, 5], Gen.Int[0, 6 * Extras.Length], Space.Array[8])
            .Select((arch, model, vendor, signature, features, extra, spaces) =>
            {
                var parts = new List<string> { $"<arch>{Arches[arch]}</arch>", $"<model>{Models[model]}</model>" };
                if (vendor)
                {
                    parts.Add("<vendor>Intel</vendor>");
                }

                parts.AddRange(signature);
                parts.AddRange(features);
                if (extra < Extras.Length)
                {
                    parts.Insert(extra % parts.Count, Extras[extra]);
                }

                var text = new StringBuilder("<cpu>");
                for (var i = 0; i < parts.Count; i++)
                {
                    text.Append(spaces[i % spaces.Length]).Append(parts[i]);
                }

                return text.Append(spaces[^1]).Append(spaces[1].Length == 0 ? "</cpu>" : "</cpu" + spaces[2] + ">").ToString();
            });

    [Fact]
    public void The_scanner_reads_every_generated_list_as_the_full_parser()
    {
        int parsed = 0, scanned = 0;
        Gen.Select(Host.Array[1, 4], Space.Array[5], Gen.Bool).Sample((hosts, spaces, bom) =>
        {
            var text = string.Concat(hosts.Select((h, i) => spaces[i] + h)) + spaces[4];
            var expected = Outcome(() => CpuXml.ParseAllWithTree(text, "hosts.xml", CpuType.Host, CpuXmlParseOptions.None));
            var bytes = Encoding.UTF8.GetBytes(bom ? "\uFEFF" + text : text);
            Assert.Equal(expected, Outcome(() => CpuXml.ParseAll(bytes, "hosts.xml", CpuType.Host)));
            Assert.Equal(expected, Outcome(() => CpuXml.ParseAll(text, "hosts.xml", CpuType.Host)));
            parsed += expected.StartsWith("error: ", StringComparison.Ordinal) ? 0 : 1;
            scanned += CpuXml.TryParseHostList(bytes, CpuType.Host, CpuXmlParseOptions.None) is null ? 0 : 1;
        }, iter: 4000, seed: "0N0XIzNsQ0O2", threads: 1);

        // Both outcomes are well represented, and the scanner itself (not only its fallback) read many lists.
        Assert.InRange(parsed, 400, 3600);
        Assert.InRange(scanned, 200, parsed);
    }

    // The definitions as libvirt writes them (with feature policies), or the error message.
    private static string Outcome(Func<IReadOnlyList<CpuDefinition>> parse)
    {
        try
        {
            return string.Join("|", parse().Select(c => CpuXml.Format(c) + c.Signature?.ToString()));
        }
        catch (InputException e)
        {
            return "error: " + e.Message;
        }
    }
}
