using System.Collections.Immutable;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>
/// What <c>qemu-system-x86_64 -cpu help</c> prints: every CPU model with its description (the
/// model-id, the version's note in brackets, <c>(alias of X-vN)</c>, <c>(deprecated)</c>) and, under
/// <c>Recognized CPUID flags</c>, the canonical name of every named feature bit of every feature
/// word, sorted (a name that owns two bits is printed twice). QMP lists feature properties with their
/// alias spellings mixed in; this list is QEMU's own set of canonical names.
/// </summary>
public sealed class QemuCpuHelp
{
    private const string Deprecated = " (deprecated)";

    private QemuCpuHelp(ImmutableArray<string> featureNames, ImmutableDictionary<string, string> descriptions)
    {
        FeatureNames = featureNames;
        Descriptions = descriptions;
    }

    /// <summary>The canonical feature names, each once, in the printed (sorted) order.</summary>
    public ImmutableArray<string> FeatureNames { get; }

    /// <summary>Model name → its description.</summary>
    public ImmutableDictionary<string, string> Descriptions { get; }

    /// <summary>Reads the output.</summary>
    /// <param name="text">What <c>-cpu help</c> printed.</param>
    /// <returns>The parsed help.</returns>
    /// <exception cref="FormatException">When the output has no <c>Recognized CPUID flags</c> section.</exception>
    public static QemuCpuHelp Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var flagsAt = Array.FindIndex(lines, l => l.StartsWith("Recognized CPUID flags", StringComparison.Ordinal));
        if (flagsAt < 0)
        {
            throw new FormatException("the output of -cpu help has no 'Recognized CPUID flags' section (is this an x86 QEMU?)");
        }

        var descriptions = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var modelsAt = Array.FindIndex(lines, l => l.StartsWith("Available CPUs", StringComparison.Ordinal));
        for (var i = modelsAt + 1; modelsAt >= 0 && i < flagsAt; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            descriptions[space < 0 ? line : line[..space]] = space < 0 ? "" : line[space..].Trim();
        }

        var names = new List<string>();
        for (var i = flagsAt + 1; i < lines.Length && lines[i].Trim().Length > 0; i++)
        {
            names.AddRange(lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        return new QemuCpuHelp([.. names.Distinct(StringComparer.Ordinal)], descriptions.ToImmutable());
    }

    /// <summary>
    /// The note of a model version: what follows its model-id in brackets (<c>Intel Xeon Processor
    /// (Cascadelake) [ARCH_CAPABILITIES]</c>).
    /// </summary>
    /// <param name="model">The versioned model name.</param>
    /// <param name="modelId">Its model-id.</param>
    /// <returns>The note, or null when the version has none.</returns>
    public string? Note(string model, string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        if (!Descriptions.TryGetValue(model, out var desc))
        {
            return null;
        }

        if (desc.EndsWith(Deprecated, StringComparison.Ordinal))
        {
            desc = desc[..^Deprecated.Length];
        }

        var prefix = modelId.Length == 0 ? "[" : modelId.Trim() + " [";
        return desc.StartsWith(prefix, StringComparison.Ordinal) && desc.EndsWith(']') ? desc[prefix.Length..^1] : null;
    }
}
