using System.Collections.Immutable;
using VirtCpu.Catalog;

namespace VirtCpu.Qemu;

/// <summary>A <c>+feat</c> or <c>-feat</c> option of <c>-cpu</c>.</summary>
/// <param name="Name">The feature name or a registered alias.</param>
/// <param name="Enabled">True for <c>+feat</c> (or <c>feat=on</c>), false for <c>-feat</c> (<c>feat=off</c>).</param>
public readonly record struct QemuFeatureSwitch(string Name, bool Enabled)
{
    /// <summary>Parses <c>+f</c>, <c>-f</c>, <c>f=on</c> or <c>f=off</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The switch.</returns>
    /// <exception cref="InputException">When the text is neither form.</exception>
    public static QemuFeatureSwitch Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 1 && text[0] is '+' or '-')
        {
            return new QemuFeatureSwitch(text[1..], text[0] == '+');
        }

        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0 && QemuPropValues.ParseSwitch(text[(eq + 1)..]) is { } on)
        {
            return new QemuFeatureSwitch(text[..eq], on);
        }

        throw new InputException(null, $"feature option '{text}' is not +feature, -feature, feature=on or feature=off");
    }

    /// <inheritdoc/>
    public override string ToString() => (Enabled ? "+" : "-") + Name;
}

/// <summary>What to build: a model under a machine type and accelerator, with user feature options and optionally a host offer.</summary>
/// <param name="Model">The model name (<c>X-vN</c>, alias or unversioned).</param>
public sealed record QemuCpuConfig(string Model)
{
    /// <summary>The machine type (default <c>pc</c>, QEMU's default x86 machine).</summary>
    public string Machine { get; init; } = "pc";

    /// <summary>The accelerator (default KVM).</summary>
    public QemuAccelerator Accelerator { get; init; } = QemuAccelerator.Kvm;

    /// <summary>User <c>+f</c>/<c>-f</c> options, in order (QEMU applies every <c>+</c> first, then every <c>-</c>).</summary>
    public ImmutableArray<QemuFeatureSwitch> Features { get; init; } = [];

    /// <summary>What the host can give guests; null for no filtering (QEMU's expansion before realize).</summary>
    public FeatureSet? HostOffer { get; init; }

    /// <summary>The host's vendor string; under KVM it replaces the model's vendor. Null when unknown.</summary>
    public string? HostVendor { get; init; }
}
