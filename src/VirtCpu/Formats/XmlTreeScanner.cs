namespace VirtCpu.Formats;

/// <summary>
/// The fast path of <see cref="SafeXml.LoadTree"/>: a scanner for the plain XML that libvirt's
/// <c>cpu_map</c> files are written in (ASCII, elements with quoted attributes, white space
/// between them, comments), which builds the same <see cref="XmlTreeElement"/> tree the safe
/// reader would, without an <c>XmlReader</c> per file. It accepts only what it can read exactly:
/// anything else (a declaration or processing instruction, DTD, CDATA, entity or character
/// reference, text that is not white space, a namespace, a carriage return, a tab or new line
/// inside an attribute value, a character outside printable ASCII, a name with other characters,
/// a document longer than one value's limit or nested too deeply, any error) makes it return null, and the safe reader reads the file instead, so
/// results and error messages cannot differ.
/// </summary>
internal static class XmlTreeScanner
{
    /// <summary>Scans a document, or returns null when the safe reader must read it.</summary>
    /// <param name="xml">The text (size already checked).</param>
    /// <returns>The root element, or null.</returns>
    public static XmlTreeElement? TryScan(string xml)
    {
        // Within one value's limit, no white space run, value or element count can reach a limit.
        return xml.Length > SafeXml.MaxValueLength ? null : new Scan(xml).Document();
    }

    private sealed class Scan(string xml)
    {
        private readonly Stack<XmlTreeElement> _open = new();
        private readonly Stack<string> _names = new();
        private int _at;
        private int _line = 1;
        private int _elements;

        public XmlTreeElement? Document()
        {
            XmlTreeElement? root = null;
            while (true)
            {
                if (!SkipWhiteSpace())
                {
                    return null;
                }

                if (_at == xml.Length)
                {
                    return _open.Count == 0 ? root : null;
                }

                if (xml[_at] != '<' || _at + 1 == xml.Length)
                {
                    return null;
                }

                var next = xml[_at + 1];
                bool ok;
                if (next == '!')
                {
                    ok = Comment();
                }
                else if (next == '/')
                {
                    ok = EndTag();
                }
                else if (_open.Count == 0 && root is not null)
                {
                    return null; // a second root
                }
                else
                {
                    var element = StartTag(out var empty);
                    ok = element is not null;
                    if (ok)
                    {
                        root ??= element;
                        if (!empty)
                        {
                            _open.Push(element!);
                        }
                    }
                }

                if (!ok)
                {
                    return null;
                }
            }
        }

        private bool SkipWhiteSpace()
        {
            var start = _at;
            while (_at < xml.Length && xml[_at] is ' ' or '\n' or '\t' or '\r')
            {
                if (xml[_at] == '\r')
                {
                    return false;
                }

                _line += xml[_at] == '\n' ? 1 : 0;
                _at++;
            }

            return _at - start <= SafeXml.MaxValueLength;
        }

        private bool Comment()
        {
            if (string.CompareOrdinal(xml, _at, "<!--", 0, 4) != 0)
            {
                return false;
            }

            var end = xml.IndexOf("--", _at + 4, StringComparison.Ordinal);
            if (end < 0 || end + 2 >= xml.Length || xml[end + 2] != '>')
            {
                return false;
            }

            for (var i = _at + 4; i < end; i++)
            {
                var c = xml[i];
                if (c == '\n')
                {
                    _line++;
                }
                else if (c is < ' ' and not '\t' or > '~')
                {
                    return false;
                }
            }

            _at = end + 3;
            return true;
        }

        private XmlTreeElement? StartTag(out bool empty)
        {
            empty = false;
            var line = _line;
            _at++;
            var name = Name();
            if (name is null || _open.Count >= SafeXml.MaxDepth || ++_elements > SafeXml.MaxElements)
            {
                return null;
            }

            var attributes = new List<(string LocalName, string NamespaceUri, string Value)>();
            while (true)
            {
                var spaced = _at < xml.Length && xml[_at] is ' ' or '\n' or '\t';
                if (!SkipWhiteSpace() || _at >= xml.Length)
                {
                    return null;
                }

                if (xml[_at] == '>' || (xml[_at] == '/' && _at + 1 < xml.Length && xml[_at + 1] == '>'))
                {
                    empty = xml[_at] == '/';
                    _at += empty ? 2 : 1;
                    break;
                }

                if (!spaced || Attribute() is not { } attribute || attributes.Exists(a => a.LocalName == attribute.LocalName))
                {
                    return null;
                }

                attributes.Add(attribute);
            }

            var element = new XmlTreeElement(name, "", line, [.. attributes]);
            if (_open.TryPeek(out var parent))
            {
                parent.Add(element);
            }

            _names.Push(name);
            if (empty)
            {
                _names.Pop();
            }

            return element;
        }

        private (string LocalName, string NamespaceUri, string Value)? Attribute()
        {
            var name = Name();
            if (name is null || !SkipWhiteSpace() || _at >= xml.Length || xml[_at] != '=')
            {
                return null;
            }

            _at++;
            if (!SkipWhiteSpace() || _at >= xml.Length || xml[_at] is not ('\'' or '"'))
            {
                return null;
            }

            var quote = xml[_at++];
            var end = xml.IndexOf(quote, _at);
            if (end < 0 || end - _at > SafeXml.MaxValueLength)
            {
                return null;
            }

            for (var i = _at; i < end; i++)
            {
                if (xml[i] is < ' ' or > '~' or '<' or '&')
                {
                    return null;
                }
            }

            var value = xml[_at..end];
            _at = end + 1;
            return (name, "", value);
        }

        private bool EndTag()
        {
            _at += 2;
            var name = Name();
            if (name is null || !_names.TryPop(out var open) || !string.Equals(open, name, StringComparison.Ordinal) || !SkipWhiteSpace() || _at >= xml.Length || xml[_at] != '>')
            {
                return false;
            }

            _at++;
            _open.Pop();
            return true;
        }

        // Names of letters, digits, '_', '-' and '.', starting with a letter or '_', not starting with "xml".
        private string? Name()
        {
            var start = _at;
            while (_at < xml.Length && (char.IsAsciiLetterOrDigit(xml[_at]) || xml[_at] is '_' or '-' or '.'))
            {
                _at++;
            }

            if (_at == start || !(char.IsAsciiLetter(xml[start]) || xml[start] == '_') || string.Compare(xml, start, "xml", 0, 3, StringComparison.OrdinalIgnoreCase) == 0)
            {
                return null;
            }

            return xml[start.._at];
        }
    }
}
