namespace VirtCpu.Lab;

/// <summary>What really happened when the guest started on its source node.</summary>
internal sealed record StartReality
{
    /// <summary>Whether <c>virsh create</c> succeeded.</summary>
    public bool Ok { get; init; }

    /// <summary>libvirt's error, when it failed.</summary>
    public string? Error { get; init; }

    /// <summary>The live <c>&lt;cpu&gt;</c> (<c>virsh dumpxml</c>).</summary>
    public string? LiveCpu { get; init; }

    /// <summary>The whole live domain XML.</summary>
    public string? LiveDomain { get; init; }

    /// <summary>The <c>-cpu</c> argument libvirt gave QEMU.</summary>
    public string? CpuArgument { get; init; }

    /// <summary>Every vCPU as QEMU built it.</summary>
    public List<Vcpu> Vcpus { get; init; } = [];
}

/// <summary>What really happened on one migration hop.</summary>
internal sealed record HopReality
{
    /// <summary>The destination node.</summary>
    public required string To { get; init; }

    /// <summary>Whether <c>virsh migrate --live</c> succeeded.</summary>
    public bool Ok { get; init; }

    /// <summary>libvirt's error, when it failed.</summary>
    public string? Error { get; init; }

    /// <summary>The live <c>&lt;cpu&gt;</c> on the destination.</summary>
    public string? LiveCpu { get; init; }

    /// <summary>Every vCPU on the destination.</summary>
    public List<Vcpu> Vcpus { get; init; } = [];

    /// <summary>
    /// What <c>virtcpu migrate-check --domain</c> said of this hop against the running domain just
    /// before it (SAFE, BLOCKED, UNSAFE), or null when it was not asked (core cases ask on hop 1).
    /// </summary>
    public string? DomainCheck { get; init; }

    /// <summary>What changed in the vCPUs as the guest sees them (empty: unchanged; see <see cref="GuestView"/>).</summary>
    public List<string> Changes { get; init; } = [];

    /// <summary>
    /// What changed in the feature words as QEMU reports them (differs from <see cref="Changes"/> only
    /// by bits a release computes while answering CPUID: see <see cref="GuestView"/>).
    /// </summary>
    public List<string> WordChanges { get; init; } = [];
}

/// <summary>One case as it really went.</summary>
internal sealed record CaseReality
{
    /// <summary>The case id.</summary>
    public required string Id { get; init; }

    /// <summary>The domain XML started.</summary>
    public required string DomainXml { get; init; }

    /// <summary>The start.</summary>
    public required StartReality Start { get; init; }

    /// <summary>The hops tried (a refused hop ends the case).</summary>
    public List<HopReality> Hops { get; init; } = [];

    /// <summary>Wall time of the case in seconds.</summary>
    public double Seconds { get; init; }
}
