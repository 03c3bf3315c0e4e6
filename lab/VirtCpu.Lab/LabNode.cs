namespace VirtCpu.Lab;

/// <summary>A libvirt daemon the lab runs (lab/stacks.sh): its name, stack and optional edited CPU map.</summary>
/// <param name="Name">The node name (also its state folder).</param>
/// <param name="Stack">The stack: bookworm, trixie or forky.</param>
/// <param name="MapEdit">The CPU map edit it runs with, or null for the stack's own map.</param>
internal sealed record LabNode(string Name, string Stack, MapEdit? MapEdit = null)
{
    /// <summary>The node's libvirt URI.</summary>
    public string Uri => $"qemu+unix:///system?socket={Stacks.NodeDirectory(Name)}/run/libvirt-sock";

    /// <summary>The folder holding the QEMU logs of the node's guests.</summary>
    public string QemuLogDirectory => Path.Combine(Stacks.NodeDirectory(Name), "log", "qemu");

    /// <summary>A short label: stack and map.</summary>
    public string Label => MapEdit is null ? Stacks.Release(Stack) : $"{Stacks.Release(Stack)}+{MapEdit.Name}";
}

/// <summary>An edit of a libvirt CPU map: one feature added to or removed from one model file.</summary>
/// <param name="Name">A short name for reports.</param>
/// <param name="Model">The model (file <c>x86_MODEL.xml</c>).</param>
/// <param name="Feature">The feature.</param>
/// <param name="Add">True to add the feature, false to remove it.</param>
internal sealed record MapEdit(string Name, string Model, string Feature, bool Add)
{
    /// <summary>Writes the stack's map with this edit into a folder.</summary>
    /// <param name="source">The stack's map folder.</param>
    /// <param name="target">The folder to write.</param>
    public void Apply(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var f in Directory.GetFiles(source))
        {
            File.Copy(f, Path.Combine(target, Path.GetFileName(f)), overwrite: true);
        }

        var file = Path.Combine(target, $"x86_{Model}.xml");
        var lines = File.ReadAllLines(file).ToList();
        var mine = $"<feature name='{Feature}'/>";
        if (Add)
        {
            var at = lines.FindLastIndex(l => l.TrimStart().StartsWith("<feature name=", StringComparison.Ordinal));
            var indent = at >= 0 ? lines[at][..(lines[at].Length - lines[at].TrimStart().Length)] : "    ";
            lines.Insert(at + 1, indent + mine);
        }
        else if (lines.RemoveAll(l => l.Trim() == mine) != 1)
        {
            throw new InvalidOperationException($"{file}: no feature {Feature} to remove");
        }

        File.WriteAllLines(file, lines);
    }
}
