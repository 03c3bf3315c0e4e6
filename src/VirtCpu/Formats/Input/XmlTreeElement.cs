namespace VirtCpu.Formats.Input;

/// <summary>
/// An element of a read-only tree that <see cref="SafeXml.LoadTree"/> builds in the same single pass
/// of the safe reader that checks the limits: names, attributes, child elements and the line of the
/// start tag, nothing else (no text, no comments, no <c>XDocument</c>). For files that are read whole
/// and only looked up by name, such as the many small files of a libvirt <c>cpu_map</c> folder.
/// Look-ups by name follow LINQ to XML's: names without a namespace.
/// </summary>
public sealed class XmlTreeElement
{
    private readonly (string LocalName, string NamespaceUri, string Value)[] _attributes;
    private readonly List<XmlTreeElement> _children = [];

    internal XmlTreeElement(string localName, string namespaceUri, int line, (string LocalName, string NamespaceUri, string Value)[] attributes)
    {
        LocalName = localName;
        NamespaceUri = namespaceUri;
        Line = line;
        _attributes = attributes;
    }

    /// <summary>The element's name without prefix.</summary>
    public string LocalName { get; }

    /// <summary>The element's namespace (empty for none).</summary>
    public string NamespaceUri { get; }

    /// <summary>The line of the start tag (1-based).</summary>
    public int Line { get; }

    /// <summary>The value of the attribute <paramref name="name"/> (in no namespace), or null when absent.</summary>
    /// <param name="name">The attribute name.</param>
    /// <returns>The value, or null.</returns>
    public string? Attribute(string name)
    {
        foreach (var a in _attributes)
        {
            if (a.NamespaceUri.Length == 0 && string.Equals(a.LocalName, name, StringComparison.Ordinal))
            {
                return a.Value;
            }
        }

        return null;
    }

    /// <summary>The child elements, in document order.</summary>
    /// <returns>The children.</returns>
    public IReadOnlyList<XmlTreeElement> Elements() => _children;

    /// <summary>The child elements called <paramref name="name"/> (in no namespace), in document order.</summary>
    /// <param name="name">The element name.</param>
    /// <returns>The children of that name.</returns>
    public IEnumerable<XmlTreeElement> Elements(string name) => _children.Where(c => c.Is(name));

    /// <summary>The first child element called <paramref name="name"/> (in no namespace), or null.</summary>
    /// <param name="name">The element name.</param>
    /// <returns>The child, or null.</returns>
    public XmlTreeElement? Element(string name) => _children.Find(c => c.Is(name));

    internal void Add(XmlTreeElement child) => _children.Add(child);

    private bool Is(string name) => NamespaceUri.Length == 0 && string.Equals(LocalName, name, StringComparison.Ordinal);
}
