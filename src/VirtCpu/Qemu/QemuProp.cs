namespace VirtCpu.Qemu;

/// <summary>
/// One QOM property assignment as QEMU's model table writes it in a version's <c>props</c>
/// (<c>hle=off</c>, <c>model-id=Intel Core Processor (Haswell, no TSX)</c>, <c>stepping=1</c>).
/// </summary>
/// <param name="Name">The property name (a feature name or alias, or <c>model-id</c>, <c>family</c>, <c>model</c>, <c>stepping</c>, <c>avx10-version</c>, ...).</param>
/// <param name="Value">The value as QEMU's table spells it (<c>on</c>, <c>off</c>, <c>0x5b</c>, text).</param>
public sealed record QemuProp(string Name, string Value)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Name}={Value}";
}
