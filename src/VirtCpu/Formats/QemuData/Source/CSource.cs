using System.Globalization;
using System.Text;
using VirtCpu.Formats.Input;

namespace VirtCpu.Formats.QemuData.Source;

/// <summary>The kind of a C token.</summary>
internal enum CTokenKind
{
    /// <summary>An identifier or keyword.</summary>
    Identifier,

    /// <summary>A number literal (suffixes kept).</summary>
    Number,

    /// <summary>A string literal (its decoded text).</summary>
    String,

    /// <summary>A punctuator.</summary>
    Punctuator,
}

/// <summary>One C token.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Text">The text (decoded for strings).</param>
/// <param name="Line">The 1-based source line.</param>
internal readonly record struct CToken(CTokenKind Kind, string Text, int Line)
{
    /// <summary>Whether the token is the punctuator <paramref name="p"/>.</summary>
    /// <param name="p">The punctuator.</param>
    /// <returns>True when it is.</returns>
    public bool Is(string p) => Kind == CTokenKind.Punctuator && Text == p;
}

/// <summary>
/// Just enough of a C front end to read QEMU's data tables: comments removed, conditional
/// compilation resolved for a given set of defined symbols, object-like macros collected, the rest
/// tokenized. Function-like macros are not expanded (the tables do not need them).
/// </summary>
internal sealed class CSource
{
    private CSource(string file, List<CToken> tokens)
    {
        File = file;
        Tokens = tokens;
    }

    /// <summary>The file name, for messages.</summary>
    public string File { get; }

    /// <summary>The tokens of the code that survives preprocessing.</summary>
    public List<CToken> Tokens { get; }

    /// <summary>Reads and preprocesses a file.</summary>
    /// <param name="file">The file.</param>
    /// <param name="macros">The object-like macros seen so far; this file's are added.</param>
    /// <param name="defined">Symbols defined on the compiler's command line.</param>
    /// <returns>The preprocessed source.</returns>
    /// <exception cref="InputException">When the file is missing or its conditionals do not balance.</exception>
    public static CSource Read(string file, CMacros macros, IReadOnlySet<string> defined)
    {
        ArgumentNullException.ThrowIfNull(macros);
        ArgumentNullException.ThrowIfNull(defined);
        if (!System.IO.File.Exists(file))
        {
            throw new InputException(file, "no such file (is this a QEMU source tree?)");
        }

        return Parse(file, InputFile.ReadAllText(file), macros, defined);
    }

    /// <summary>Preprocesses source text.</summary>
    /// <param name="file">The file name, for messages.</param>
    /// <param name="text">The text.</param>
    /// <param name="macros">The object-like macros seen so far; this text's are added.</param>
    /// <param name="defined">Symbols defined on the compiler's command line.</param>
    /// <returns>The preprocessed source.</returns>
    public static CSource Parse(string file, string text, CMacros macros, IReadOnlySet<string> defined)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(macros);
        var lines = StripComments(text).Split('\n');
        var code = new StringBuilder();

        // Each open conditional: (this branch active, some branch already taken, parent active).
        var stack = new Stack<(bool Active, bool Taken, bool Parent)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var first = i;
            var line = lines[i];
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1] + " " + lines[++i];
                code.Append('\n');
            }

            var trimmed = line.TrimStart();
            if (!trimmed.StartsWith('#'))
            {
                code.Append(IsActive(stack) ? line : "").Append('\n');
                continue;
            }

            code.Append('\n');
            Directive(trimmed[1..].TrimStart(), stack, file, first, macros, defined);
        }

        if (stack.Count != 0)
        {
            throw new InputException(file, "unterminated #if");
        }

        return new CSource(file, Tokenize(file, code.ToString()));
    }

    private static bool IsActive(Stack<(bool Active, bool Taken, bool Parent)> stack) => stack.Count == 0 || stack.Peek().Active;

    /// <summary>Carries out one directive (the text after <c>#</c>): conditionals, <c>#define</c> and <c>#undef</c>; others are ignored.</summary>
    private static void Directive(string directive, Stack<(bool Active, bool Taken, bool Parent)> stack, string file, int first, CMacros macros, IReadOnlySet<string> defined)
    {
        var word = new string([.. directive.TakeWhile(char.IsAsciiLetter)]);
        var rest = directive[word.Length..].Trim();
        switch (word)
        {
            case "ifdef":
            case "ifndef":
                {
                    var on = IsActive(stack) && (defined.Contains(rest) || macros.IsDefined(rest)) == (word == "ifdef");
                    stack.Push((on, on, IsActive(stack)));
                    break;
                }

            case "if":
                {
                    var on = IsActive(stack) && Condition(rest, macros, defined);
                    stack.Push((on, on, IsActive(stack)));
                    break;
                }

            case "elif":
                {
                    var (_, taken, parent) = Pop(stack, file, first);
                    var on = parent && !taken && Condition(rest, macros, defined);
                    stack.Push((on, taken || on, parent));
                    break;
                }

            case "else":
                {
                    var (_, taken, parent) = Pop(stack, file, first);
                    stack.Push((parent && !taken, true, parent));
                    break;
                }

            case "endif":
                Pop(stack, file, first);
                break;
            case "define" when IsActive(stack):
                macros.Define(rest);
                break;
            case "undef" when IsActive(stack):
                macros.Undefine(rest);
                break;
            default:
                break;
        }
    }

    private static (bool, bool, bool) Pop(Stack<(bool, bool, bool)> stack, string file, int line) =>
        stack.Count > 0 ? stack.Pop() : throw new InputException(file, $"line {line + 1}: #else/#elif/#endif without #if");

    /// <summary>Evaluates a <c>#if</c> condition: <c>defined</c>, <c>!</c>, <c>&amp;&amp;</c>, <c>||</c>, comparisons and integer macros; unknown names are 0.</summary>
    private static bool Condition(string text, CMacros macros, IReadOnlySet<string> defined)
    {
        var tokens = Tokenize("#if", text);
        var list = new List<CToken>();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind == CTokenKind.Identifier && tokens[i].Text == "defined")
            {
                var paren = i + 1 < tokens.Count && tokens[i + 1].Is("(");
                var nameAt = paren ? i + 2 : i + 1;
                var name = nameAt < tokens.Count ? tokens[nameAt].Text : "";
                var on = defined.Contains(name) || macros.IsDefined(name);
                list.Add(new CToken(CTokenKind.Number, on ? "1" : "0", 0));
                i = paren ? nameAt + 1 : nameAt;
            }
            else
            {
                list.Add(tokens[i]);
            }
        }

        try
        {
            return new CExpression(list, macros, unknownIsZero: true).Evaluate() != 0;
        }
        catch (InputException)
        {
            return false;
        }
    }

    /// <summary>Replaces comments with spaces (line breaks kept), leaving string and character literals alone.</summary>
    private static string StripComments(string text)
    {
        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + 2;
                sb.Append(' ');
                sb.Append('\n', text.AsSpan(i, end - i).Count('\n'));
                i = end;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is '"' or '\'')
            {
                var start = i++;
                while (i < text.Length && text[i] != c && text[i] != '\n')
                {
                    i += text[i] == '\\' ? 2 : 1;
                }

                i = Math.Min(i + 1, text.Length);
                sb.Append(text, start, i - start);
            }
            else
            {
                sb.Append(c);
                i++;
            }
        }

        return sb.ToString();
    }

    /// <summary>Splits comment-free code into tokens.</summary>
    /// <param name="file">The file, for messages.</param>
    /// <param name="text">The code.</param>
    /// <returns>The tokens.</returns>
    public static List<CToken> Tokenize(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<CToken>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new CToken(CTokenKind.Identifier, text[start..i], line));
            }
            else if (char.IsAsciiDigit(c))
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_' || text[i] == '.'))
                {
                    i++;
                }

                tokens.Add(new CToken(CTokenKind.Number, text[start..i], line));
            }
            else if (c == '"')
            {
                tokens.Add(new CToken(CTokenKind.String, ReadString(file, text, ref i, line), line));
            }
            else if (c == '\'')
            {
                SkipCharacterConstant(text, ref i);
                tokens.Add(new CToken(CTokenKind.Number, "0", line));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                if (two is "<<" or ">>" or "&&" or "||" or "==" or "!=" or "<=" or ">=" or "->")
                {
                    tokens.Add(new CToken(CTokenKind.Punctuator, two, line));
                    i += 2;
                }
                else
                {
                    tokens.Add(new CToken(CTokenKind.Punctuator, c.ToString(), line));
                    i++;
                }
            }
        }

        return tokens;
    }

    /// <summary>Reads a string literal starting at its opening quote (<c>\n</c>, <c>\t</c> and <c>\X</c> escapes), leaving <paramref name="i"/> past its closing quote.</summary>
    private static string ReadString(string file, string text, ref int i, int line)
    {
        var sb = new StringBuilder();
        i++;
        while (i < text.Length && text[i] != '"')
        {
            if (text[i] == '\n')
            {
                throw new InputException(file, $"line {line}: unterminated string literal");
            }

            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
                sb.Append(text[i] switch { 'n' => '\n', 't' => '\t', _ => text[i] });
            }
            else
            {
                sb.Append(text[i]);
            }

            i++;
        }

        i++;
        return sb.ToString();
    }

    /// <summary>Skips a character constant (read as the number 0: no table the importer reads uses one's value).</summary>
    private static void SkipCharacterConstant(string text, ref int i)
    {
        i++;
        while (i < text.Length && text[i] != '\'' && text[i] != '\n')
        {
            i += text[i] == '\\' ? 2 : 1;
        }

        i++;
    }

    /// <summary>
    /// Expands the function-like macros used between two tokens (<c>PC_CPU_MODEL_IDS("2.4.0")</c>
    /// inside a compat array), once: simple parameter substitution, no <c>#</c> or <c>##</c>.
    /// </summary>
    /// <param name="from">The first token.</param>
    /// <param name="to">One past the last token.</param>
    /// <param name="macros">The macros.</param>
    /// <returns>The number of tokens the range gained.</returns>
    public int ExpandFunctionMacros(int from, int to, CMacros macros)
    {
        ArgumentNullException.ThrowIfNull(macros);
        var grown = 0;
        for (var i = from; i < to + grown; i++)
        {
            if (Tokens[i].Kind != CTokenKind.Identifier || macros.Function(Tokens[i].Text) is not { } f || i + 1 >= Tokens.Count || !Tokens[i + 1].Is("("))
            {
                continue;
            }

            var args = new List<List<CToken>> { new() };
            var j = i + 2;
            for (var depth = 0; j < Tokens.Count && !(depth == 0 && Tokens[j].Is(")")); j++)
            {
                depth += Tokens[j].Is("(") ? 1 : Tokens[j].Is(")") ? -1 : 0;
                if (depth == 0 && Tokens[j].Is(","))
                {
                    args.Add([]);
                }
                else
                {
                    args[^1].Add(Tokens[j]);
                }
            }

            var line = Tokens[i].Line;
            var body = new List<CToken>();
            foreach (var t in Tokenize(File, f.Body))
            {
                var p = t.Kind == CTokenKind.Identifier ? Array.IndexOf(f.Parameters, t.Text) : -1;
                if (p >= 0 && p < args.Count)
                {
                    body.AddRange(args[p]);
                }
                else
                {
                    body.Add(t with { Line = line });
                }
            }

            var removed = j + 1 - i;
            Tokens.RemoveRange(i, removed);
            Tokens.InsertRange(i, body);
            grown += body.Count - removed;
            i += body.Count - 1;
        }

        return grown;
    }

    /// <summary>Finds the tokens of the initializer of a named array (<c>NAME[...] = { ... }</c>).</summary>
    /// <param name="name">The array's name.</param>
    /// <returns>The index of the initializer's opening brace.</returns>
    /// <exception cref="InputException">When the array is not there.</exception>
    public int FindInitializer(string name)
    {
        for (var i = 0; i + 1 < Tokens.Count; i++)
        {
            if (Tokens[i].Kind == CTokenKind.Identifier && Tokens[i].Text == name && Tokens[i + 1].Is("["))
            {
                var j = i + 2;
                while (j < Tokens.Count && !Tokens[j].Is("]"))
                {
                    j++;
                }

                if (j + 2 < Tokens.Count && Tokens[j + 1].Is("=") && Tokens[j + 2].Is("{"))
                {
                    return j + 2;
                }
            }
        }

        throw new InputException(File, $"no initialized array {name}[] found");
    }

    /// <summary>Parses the brace initializer that starts at a token.</summary>
    /// <param name="at">The index of the opening brace.</param>
    /// <returns>The initializer list.</returns>
    public CInit ParseInitializer(int at)
    {
        var i = at;
        return ParseList(ref i);
    }

    private CInit ParseList(ref int i)
    {
        var line = Tokens[i].Line;
        Expect(ref i, "{");
        var items = new List<CItem>();
        while (true)
        {
            if (i >= Tokens.Count)
            {
                throw new InputException(File, $"line {line}: initializer not closed");
            }

            if (Tokens[i].Is("}"))
            {
                i++;
                return new CInit(items, line);
            }

            var designator = ReadDesignator(ref i);
            if (designator.Length > 0)
            {
                Expect(ref i, "=");
            }

            var itemLine = Tokens[i].Line;

            SkipCompoundLiteralType(ref i);
            CItem item;
            if (Tokens[i].Is("{"))
            {
                item = new CItem(designator.Length == 0 ? null : designator.ToString(), ParseList(ref i), [], itemLine);
            }
            else
            {
                var expr = ReadExpression(ref i);
                item = new CItem(designator.Length == 0 ? null : designator.ToString(), null, expr, itemLine);
            }

            items.Add(item);
            if (i < Tokens.Count && Tokens[i].Is(","))
            {
                i++;
            }
        }
    }

    /// <summary>Reads the designators before an item (<c>.name</c>, <c>[INDEX]</c>, chained), as one text; empty when there are none.</summary>
    private StringBuilder ReadDesignator(ref int i)
    {
        var designator = new StringBuilder();
        while (Tokens[i].Is(".") || Tokens[i].Is("["))
        {
            if (Tokens[i].Is("."))
            {
                designator.Append(Tokens[i + 1].Text);
                i += 2;
            }
            else
            {
                designator.Append('[');
                i++;
                while (!Tokens[i].Is("]"))
                {
                    designator.Append(Tokens[i++].Text);
                }

                designator.Append(']');
                i++;
            }
        }

        return designator;
    }

    /// <summary>Skips the type of a compound literal, <c>(TYPE[]) { ... }</c>, so that its list is read as the item.</summary>
    private void SkipCompoundLiteralType(ref int i)
    {
        if (Tokens[i].Is("(") && i + 1 < Tokens.Count && Tokens[i + 1].Kind == CTokenKind.Identifier)
        {
            var j = i + 1;
            while (j < Tokens.Count && !Tokens[j].Is(")") && !Tokens[j].Is(",") && !Tokens[j].Is("}"))
            {
                j++;
            }

            if (j + 1 < Tokens.Count && Tokens[j].Is(")") && Tokens[j + 1].Is("{") && Tokens[j - 1].Is("]"))
            {
                i = j + 1;
            }
        }
    }

    /// <summary>Reads an item's expression: the tokens up to a <c>,</c> or <c>}</c> outside parentheses.</summary>
    private List<CToken> ReadExpression(ref int i)
    {
        var expr = new List<CToken>();
        var depth = 0;
        while (i < Tokens.Count && !(depth == 0 && (Tokens[i].Is(",") || Tokens[i].Is("}"))))
        {
            depth += Tokens[i].Is("(") ? 1 : Tokens[i].Is(")") ? -1 : 0;
            expr.Add(Tokens[i++]);
        }

        return expr;
    }

    private void Expect(ref int i, string p)
    {
        if (i >= Tokens.Count || !Tokens[i].Is(p))
        {
            var line = i < Tokens.Count ? Tokens[i].Line : Tokens.Count > 0 ? Tokens[^1].Line : 0;
            throw new InputException(File, $"line {line}: expected '{p}'");
        }

        i++;
    }
}

/// <summary>A brace initializer list.</summary>
/// <param name="Items">The items, in order.</param>
/// <param name="Line">The line of the opening brace.</param>
internal sealed record CInit(List<CItem> Items, int Line)
{
    /// <summary>The item with a designator (<c>name</c>, <c>features[FEAT_1_EDX]</c>), or null.</summary>
    /// <param name="designator">The designator.</param>
    /// <returns>The item, or null.</returns>
    public CItem? this[string designator] => Items.FirstOrDefault(i => i.Designator == designator);
}

/// <summary>One item of an initializer list: an optional designator and a list or an expression.</summary>
/// <param name="Designator">The designator without dots (<c>name</c>, <c>[FEAT_1_EDX]</c>), or null.</param>
/// <param name="List">The nested list, or null.</param>
/// <param name="Expression">The expression tokens (empty for a list).</param>
/// <param name="Line">The line.</param>
internal sealed record CItem(string? Designator, CInit? List, List<CToken> Expression, int Line);

/// <summary>The object-like macros of a set of files.</summary>
internal sealed class CMacros
{
    private readonly Dictionary<string, string> _bodies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string[] Parameters, string Body)> _functionLike = new(StringComparer.Ordinal);

    /// <summary>Whether a macro of either kind is defined.</summary>
    /// <param name="name">The name.</param>
    /// <returns>True when it is.</returns>
    public bool IsDefined(string name) => _bodies.ContainsKey(name) || _functionLike.ContainsKey(name);

    /// <summary>A function-like macro's parameters and body, or null.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The macro.</returns>
    public (string[] Parameters, string Body)? Function(string name) => _functionLike.TryGetValue(name, out var f) ? f : null;

    /// <summary>The body of an object-like macro, or null.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The body.</returns>
    public string? Body(string name) => _bodies.GetValueOrDefault(name);

    /// <summary>Records a <c>#define</c> (the text after the directive).</summary>
    /// <param name="text">The text.</param>
    public void Define(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var n = 0;
        while (n < text.Length && (char.IsAsciiLetterOrDigit(text[n]) || text[n] == '_'))
        {
            n++;
        }

        var name = text[..n];
        if (name.Length == 0)
        {
            return;
        }

        if (n < text.Length && text[n] == '(')
        {
            var close = text.IndexOf(')', n);
            if (close > n)
            {
                var parameters = text[(n + 1)..close].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                _functionLike[name] = (parameters, text[(close + 1)..].Trim());
            }

            _bodies.Remove(name);
        }
        else
        {
            _bodies[name] = text[n..].Trim();
            _functionLike.Remove(name);
        }
    }

    /// <summary>Records an <c>#undef</c>.</summary>
    /// <param name="name">The name.</param>
    public void Undefine(string name)
    {
        _bodies.Remove(name.Trim());
        _functionLike.Remove(name.Trim());
    }
}

/// <summary>Evaluates a C integer constant expression or string concatenation, expanding object-like macros.</summary>
internal sealed class CExpression
{
    private readonly List<CToken> _tokens;
    private readonly CMacros _macros;
    private readonly bool _unknownIsZero;
    private readonly int _depth;
    private int _at;

    /// <summary>Creates an evaluator.</summary>
    /// <param name="tokens">The expression's tokens.</param>
    /// <param name="macros">The macros.</param>
    /// <param name="unknownIsZero">Whether an unknown identifier is 0 (as in <c>#if</c>) rather than an error.</param>
    /// <param name="depth">The macro expansion depth.</param>
    public CExpression(List<CToken> tokens, CMacros macros, bool unknownIsZero = false, int depth = 0)
    {
        _tokens = tokens;
        _macros = macros;
        _unknownIsZero = unknownIsZero;
        _depth = depth;
    }

    /// <summary>Evaluates the whole expression as a 64-bit unsigned integer.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="InputException">When the expression is not a constant this evaluator understands.</exception>
    public ulong Evaluate()
    {
        if (_depth > 32)
        {
            throw Error("macros nest too deeply");
        }

        var v = Or();
        if (_at != _tokens.Count)
        {
            throw Error($"unexpected '{_tokens[_at].Text}'");
        }

        return v;
    }

    /// <summary>Evaluates a sequence of string literals and macros that expand to them.</summary>
    /// <param name="tokens">The tokens.</param>
    /// <param name="macros">The macros.</param>
    /// <returns>The concatenated text.</returns>
    public static string EvaluateString(List<CToken> tokens, CMacros macros)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(macros);
        var sb = new StringBuilder();
        foreach (var t in tokens)
        {
            if (t.Kind == CTokenKind.String)
            {
                sb.Append(t.Text);
            }
            else if (t.Kind == CTokenKind.Identifier && macros.Body(t.Text) is { } body)
            {
                sb.Append(EvaluateString(CSource.Tokenize(t.Text, body), macros));
            }
            else if (!(t.Is("(") || t.Is(")")))
            {
                throw new InputException($"'{t.Text}' is not a string");
            }
        }

        return sb.ToString();
    }

    private InputException Error(string problem)
    {
        var line = _tokens.Count > 0 ? _tokens[0].Line : 0;
        return new InputException($"line {line}: cannot evaluate '{string.Join(' ', _tokens.Select(t => t.Text))}': {problem}");
    }

    private bool Next(string p)
    {
        if (_at < _tokens.Count && _tokens[_at].Is(p))
        {
            _at++;
            return true;
        }

        return false;
    }

    private ulong Or()
    {
        var v = LogicalAnd();
        while (Next("||"))
        {
            var r = LogicalAnd();
            v = (v != 0 || r != 0) ? 1UL : 0UL;
        }

        return v;
    }

    private ulong LogicalAnd()
    {
        var v = BitOr();
        while (Next("&&"))
        {
            var r = BitOr();
            v = (v != 0 && r != 0) ? 1UL : 0UL;
        }

        return v;
    }

    private ulong BitOr()
    {
        var v = BitXor();
        while (Next("|"))
        {
            v |= BitXor();
        }

        return v;
    }

    private ulong BitXor()
    {
        var v = BitAnd();
        while (Next("^"))
        {
            v ^= BitAnd();
        }

        return v;
    }

    private ulong BitAnd()
    {
        var v = Equality();
        while (Next("&"))
        {
            v &= Equality();
        }

        return v;
    }

    private ulong Equality()
    {
        var v = Shift();
        while (true)
        {
            if (Next("=="))
            {
                v = v == Shift() ? 1UL : 0UL;
            }
            else if (Next("!="))
            {
                v = v != Shift() ? 1UL : 0UL;
            }
            else
            {
                return v;
            }
        }
    }

    private ulong Shift()
    {
        var v = Additive();
        while (true)
        {
            if (Next("<<"))
            {
                v <<= (int)Additive();
            }
            else if (Next(">>"))
            {
                v >>= (int)Additive();
            }
            else
            {
                return v;
            }
        }
    }

    private ulong Additive()
    {
        var v = Multiplicative();
        while (true)
        {
            if (Next("+"))
            {
                v += Multiplicative();
            }
            else if (Next("-"))
            {
                v -= Multiplicative();
            }
            else
            {
                return v;
            }
        }
    }

    private ulong Multiplicative()
    {
        var v = Unary();
        while (Next("*"))
        {
            v *= Unary();
        }

        return v;
    }

    private ulong Unary()
    {
        if (Next("~"))
        {
            return ~Unary();
        }

        if (Next("!"))
        {
            return Unary() == 0 ? 1UL : 0UL;
        }

        if (Next("-"))
        {
            return 0UL - Unary();
        }

        return Primary();
    }

    private ulong Primary()
    {
        if (_at >= _tokens.Count)
        {
            throw Error("ends too early");
        }

        var t = _tokens[_at++];
        if (t.Is("("))
        {
            // A cast to an integer type is skipped.
            if (_at + 1 < _tokens.Count && _tokens[_at].Kind == CTokenKind.Identifier && _tokens[_at].Text is "uint64_t" or "uint32_t" or "unsigned" or "int" && _tokens[_at + 1].Is(")"))
            {
                _at += 2;
                return Unary();
            }

            var v = Or();
            if (!Next(")"))
            {
                throw Error("')' missing");
            }

            return v;
        }

        if (t.Kind == CTokenKind.Number)
        {
            return ParseNumber(t.Text) ?? throw Error($"'{t.Text}' is not a number");
        }

        if (t.Kind == CTokenKind.Identifier)
        {
            if (t.Text == "true")
            {
                return 1;
            }

            if (t.Text == "false")
            {
                return 0;
            }

            if (t.Text == "MAKE_64BIT_MASK" && Next("("))
            {
                var shift = Or();
                _ = Next(",") ? 0 : throw Error("',' missing");
                var length = Or();
                _ = Next(")") ? 0 : throw Error("')' missing");
                return (length >= 64 ? ulong.MaxValue : ((1UL << (int)length) - 1)) << (int)shift;
            }

            if (_macros.Body(t.Text) is { } body)
            {
                return new CExpression(CSource.Tokenize(t.Text, body), _macros, _unknownIsZero, _depth + 1).Evaluate();
            }

            if (_unknownIsZero)
            {
                return 0;
            }

            throw Error($"'{t.Text}' is not a known constant");
        }

        throw Error($"unexpected '{t.Text}'");
    }

    private static ulong? ParseNumber(string text)
    {
        var digits = text.TrimEnd('u', 'U', 'l', 'L');
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return ulong.TryParse(digits.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) ? h : null;
        }

        if (digits.Length > 1 && digits[0] == '0')
        {
            try
            {
                return Convert.ToUInt64(digits, 8);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : null;
    }
}
