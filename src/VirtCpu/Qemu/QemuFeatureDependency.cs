namespace VirtCpu.Qemu;

/// <summary>
/// One entry of QEMU's <c>feature_dependencies[]</c>: when none of the <see cref="FromMask"/>
/// bits of <see cref="From"/> is set, the <see cref="ToMask"/> bits of <see cref="To"/> are cleared
/// at expansion (and, if the user asked for them, reported as filtered).
/// </summary>
/// <param name="From">The word holding the prerequisite bits.</param>
/// <param name="FromMask">The prerequisite bits (any one of them keeps the target).</param>
/// <param name="To">The word holding the dependent bits.</param>
/// <param name="ToMask">The dependent bits (<c>~0</c> for a whole word).</param>
public sealed record QemuFeatureDependency(QemuFeatureWord From, ulong FromMask, QemuFeatureWord To, ulong ToMask)
{
    /// <summary>The mask covering the whole of <see cref="To"/>.</summary>
    public bool IsWholeWord => ToMask == (To.Width == 64 ? ulong.MaxValue : 0xFFFF_FFFFUL) || ToMask == ulong.MaxValue;

    /// <inheritdoc/>
    public override string ToString() => $"{From.Name}/0x{FromMask:x} -> {To.Name}/0x{ToMask:x}";
}
