namespace VirtCpu.Qemu;

/// <summary>The accelerator QEMU runs a guest with (<c>-accel</c>).</summary>
public enum QemuAccelerator
{
    /// <summary>KVM: table models get the KVM defaults, the KVM paravirt word and the host's vendor.</summary>
    Kvm,

    /// <summary>TCG emulation: table models get <c>vme=off</c>; no KVM paravirt word.</summary>
    Tcg,
}
