namespace VirtCpu.Qemu.Qmp;

/// <summary>
/// How a QEMU started only to answer QMP is configured: the accelerator and machine type, and for
/// probes of a realized vCPU the <c>-cpu</c> and <c>-smp</c> options. QEMU always starts paused
/// (<c>-S</c>), without default devices or a display.
/// </summary>
/// <param name="Accelerator">The <c>-accel</c> value: <c>tcg</c>, <c>kvm</c> or <c>qtest</c> (no accelerator defaults at all).</param>
/// <param name="Machine">The <c>-machine</c> value (<c>none</c> creates no vCPU).</param>
public sealed record QemuLaunch(string Accelerator = "tcg", string Machine = "none")
{
    /// <summary>The <c>-cpu</c> value (model and properties), or null for the machine's default.</summary>
    public string? Cpu { get; init; }

    /// <summary>The <c>-smp</c> value (<c>2,cores=2,threads=1</c>), or null for one vCPU.</summary>
    public string? Smp { get; init; }

    /// <summary>The launch for an accelerator of the QEMU model (<c>-machine none</c>).</summary>
    /// <param name="accelerator">The accelerator.</param>
    /// <returns>The launch.</returns>
    public static QemuLaunch For(QemuAccelerator accelerator) => new(accelerator == QemuAccelerator.Kvm ? "kvm" : "tcg");

    /// <summary>The command-line arguments, with the QMP socket.</summary>
    /// <param name="socket">The QMP UNIX socket path.</param>
    /// <returns>The arguments, in order.</returns>
    public IReadOnlyList<string> Arguments(string socket)
    {
        var args = new List<string> { "-machine", Machine, "-accel", Accelerator };
        if (Cpu is not null)
        {
            args.AddRange(["-cpu", Cpu]);
        }

        if (Smp is not null)
        {
            args.AddRange(["-smp", Smp]);
        }

        args.AddRange(["-nodefaults", "-S", "-display", "none", "-qmp", $"unix:{socket},server=on,wait=off"]);
        return args;
    }

    /// <inheritdoc/>
    public override string ToString() => $"-machine {Machine} -accel {Accelerator}{(Cpu is null ? "" : $" -cpu {(Cpu.Length > 60 ? Cpu[..60] + "..." : Cpu)}")}{(Smp is null ? "" : " -smp " + Smp)}";
}
