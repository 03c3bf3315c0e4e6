using VirtCpu.Formats;

namespace VirtCpu.Tests.Formats;

/// <summary>
/// The cpu_map fast path (<see cref="XmlTreeScanner"/>) against the safe reader it stands in for
/// (<see cref="SafeXml.ReadTree"/>): whatever it accepts, it must read into the same tree, and it
/// must refuse every document the reader refuses, so that results and messages cannot differ.
/// </summary>
public class XmlTreeScannerTests
{
    [Theory]
    [InlineData("<cpus>\n  <model name='a'>\n    <feature name=\"x\"/> <!-- c -->\n  </model >\n</cpus>\n")]
    [InlineData("<!-- head -->\n<a b = 'c'><d/><e f='g'/></a>")]
    [InlineData("<a><b x='1' y='2'/></a>\n<!-- tail -->\n")]
    [InlineData("<a x='>'/>")]
    [InlineData("<a>\t<b/>\n\n</a>")]
    public void Plain_documents_are_scanned_into_the_readers_tree(string xml)
    {
        Assert.True(AssertSameAsReader(xml), "the scanner left a plain document to the reader");
    }

    [Theory]
    [InlineData("<?xml version='1.0'?><a/>")]
    [InlineData("<!DOCTYPE a><a/>")]
    [InlineData("<a>text</a>")]
    [InlineData("<a x='&amp;'/>")]
    [InlineData("<a x='1\n2'/>")]
    [InlineData("<a>\r\n</a>")]
    [InlineData("<a xmlns='urn:x'/>")]
    [InlineData("<p:a xmlns:p='urn:x'/>")]
    [InlineData("<a><![CDATA[x]]></a>")]
    [InlineData("<a x='1' x='2'/>")]
    [InlineData("<a></b>")]
    [InlineData("<a/><b/>")]
    [InlineData("<a>")]
    [InlineData("<!-- only a comment -->")]
    [InlineData("<a><!-- a -- b --></a>")]
    [InlineData("<a x='é'/>")]
    [InlineData("<a x=1/>")]
    [InlineData("<ax='1'/>")]
    public void Anything_else_is_left_to_the_reader(string xml)
    {
        Assert.Null(XmlTreeScanner.TryScan(xml));
    }

    [Fact]
    public void Deep_nesting_is_left_to_the_reader()
    {
        var deep = string.Concat(Enumerable.Repeat("<a>", SafeXml.MaxDepth + 1)) + string.Concat(Enumerable.Repeat("</a>", SafeXml.MaxDepth + 1));
        Assert.Null(XmlTreeScanner.TryScan(deep));
        var fits = string.Concat(Enumerable.Repeat("<a>", SafeXml.MaxDepth)) + string.Concat(Enumerable.Repeat("</a>", SafeXml.MaxDepth));
        AssertSameAsReader(fits);
    }

    [Fact]
    public void Installed_cpu_map_files_and_their_mutations_agree_with_the_reader()
    {
        // Every file of the installed map is scanned (none falls back), and 3,000 single-character
        // mutations of them either fall back or give the reader's tree; none is accepted that the
        // reader refuses.
        const string Map = "/usr/share/libvirt/cpu_map";
        Assert.SkipUnless(Directory.Exists(Map), $"{Map} is absent (Debian's libvirt-daemon; .ci/run installs it)");
        var files = Directory.GetFiles(Map, "*.xml").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
        Assert.NotEmpty(files);
        foreach (var text in files)
        {
            Assert.NotNull(XmlTreeScanner.TryScan(text));
            AssertSameAsReader(text);
        }

        var random = new Random(20261202);
        const string Alphabet = "<>/!-='\" \n\tax&?\r:é";
        int scanned = 0, fellBack = 0;
        for (var i = 0; i < 3000; i++)
        {
            var text = files[random.Next(files.Length)];
            var at = random.Next(text.Length);
            var mutated = random.Next(3) switch
            {
                0 => text.Remove(at, 1),
                1 => text.Insert(at, Alphabet[random.Next(Alphabet.Length)].ToString()),
                _ => text.Remove(at, 1).Insert(at, Alphabet[random.Next(Alphabet.Length)].ToString()),
            };
            if (AssertSameAsReader(mutated))
            {
                scanned++;
            }
            else
            {
                fellBack++;
            }
        }

        Assert.Equal(3000, scanned + fellBack);
        Assert.True(scanned > 0 && fellBack > 0, $"{scanned} mutations scanned, {fellBack} left to the reader: the mutations should exercise both");
    }

    // True when the scanner accepted the text (and gave the reader's tree).
    private static bool AssertSameAsReader(string xml)
    {
        var scanned = XmlTreeScanner.TryScan(xml);
        XmlTreeElement? read = null;
        try
        {
            read = SafeXml.ReadTree(xml, "test.xml");
        }
        catch (InputException e)
        {
            Assert.True(scanned is null, $"the scanner accepted what the reader refuses ({e.Message}):\n{xml}");
        }

        if (scanned is null)
        {
            return false;
        }

        Assert.Equal(Describe(read!), Describe(scanned));
        return true;
    }

    private static string Describe(XmlTreeElement e) =>
        $"{e.NamespaceUri}:{e.LocalName}@{e.Line}[{string.Join(',', e.AttributesForTests.Select(a => $"{a.NamespaceUri}:{a.LocalName}={a.Value}"))}]({string.Join(' ', e.Elements().Select(Describe))})";
}
