namespace VirtCpu.Migration;

/// <summary>What libvirt's QEMU driver does between a definition and QEMU's command line, in one place.</summary>
public static class LibvirtQemuGlue
{
    private static readonly HashSet<string> NeverPassed = new(StringComparer.Ordinal)
    {
        "cmt", "mbm_total", "mbm_local", "osxsave", "ospke", "vmx-ept-uc", "vmx-ept-wb", "vmx-invvpid-single-context",
    };

    /// <summary>
    /// Whether libvirt never passes a feature to QEMU (it leaves these out of <c>-cpu</c> whatever
    /// their policy: QEMU computes or lacks them).
    /// </summary>
    /// <param name="libvirtName">The feature's libvirt name.</param>
    /// <returns>True for <c>cmt</c>, <c>mbm_total</c>, <c>mbm_local</c>, <c>osxsave</c>, <c>ospke</c> and three VMX capability bits.</returns>
    public static bool NeverPassedToQemu(string libvirtName) => NeverPassed.Contains(libvirtName);
}
