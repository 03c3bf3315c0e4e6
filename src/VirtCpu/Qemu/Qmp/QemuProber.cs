using System.Collections.Immutable;
using System.Diagnostics;

namespace VirtCpu.Qemu.Qmp;

/// <summary>How long a probe took.</summary>
/// <param name="Probe">The probe.</param>
/// <param name="Elapsed">The wall time, from process start (or connect) to shutdown.</param>
public sealed record QemuProbeResult(QemuProbe Probe, TimeSpan Elapsed);

/// <summary>
/// Probes a QEMU over QMP: <c>query-cpu-definitions</c>, the <c>full</c> expansion of every
/// defined model (models QEMU refuses to expand are left out), and the <c>static</c> expansion of
/// <c>max</c>.
/// </summary>
public static class QemuProber
{
    /// <summary>Starts a QEMU binary, probes it and shuts it down (<c>quit</c>, then a kill if it lingers).</summary>
    /// <param name="binary">The QEMU binary.</param>
    /// <param name="accelerator">The accelerator.</param>
    /// <param name="timeout">The bound on each wait (start, each reply, shutdown).</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>The probe and its wall time.</returns>
    /// <exception cref="QmpException">When QEMU cannot be started or the conversation fails.</exception>
    public static async Task<QemuProbeResult> ProbeBinaryAsync(string binary, QemuAccelerator accelerator, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        using var process = await QemuProcess.StartAsync(binary, accelerator, timeout, cancellationToken).ConfigureAwait(false);
        QemuProbe probe;
        try
        {
            using var client = await process.ConnectAsync(timeout, cancellationToken).ConfigureAwait(false);
            probe = await ProbeAsync(client, cancellationToken).ConfigureAwait(false);
            await client.QuitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (QmpException e) when (e.ErrorClass is null)
        {
            throw process.Explain(e);
        }

        process.WaitForExit(timeout);
        return new QemuProbeResult(probe, clock.Elapsed);
    }

    /// <summary>
    /// The host offer from a live QEMU: starts it under KVM and takes the full expansion of the
    /// <c>host</c> model (see <see cref="HostOffer.FromExpansion"/>).
    /// </summary>
    /// <param name="binary">The QEMU binary.</param>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="timeout">The bound on each wait.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>The offer.</returns>
    /// <exception cref="QmpException">When QEMU or KVM is unavailable.</exception>
    public static async Task<HostOffer> HostOfferAsync(string binary, QemuHypervisorCatalog catalog, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        using var process = await QemuProcess.StartAsync(binary, QemuAccelerator.Kvm, timeout, cancellationToken).ConfigureAwait(false);
        QemuModelExpansion host;
        try
        {
            using var client = await process.ConnectAsync(timeout, cancellationToken).ConfigureAwait(false);
            host = await client.QueryCpuModelExpansionAsync("full", "host", null, cancellationToken).ConfigureAwait(false);
            await client.QuitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (QmpException e) when (e.ErrorClass is null)
        {
            throw process.Explain(e);
        }

        process.WaitForExit(timeout);
        return HostOffer.FromExpansion(catalog, host, $"{binary} -accel kvm: QEMU's host model expansion");
    }

    /// <summary>Attaches to a running QEMU's QMP socket and probes it (QEMU keeps running).</summary>
    /// <param name="socketPath">The socket.</param>
    /// <param name="timeout">The bound on each wait.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>The probe and its wall time.</returns>
    public static async Task<QemuProbeResult> ProbeSocketAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        using var client = await QmpClient.ConnectAsync(socketPath, timeout, cancellationToken).ConfigureAwait(false);
        var probe = await ProbeAsync(client, cancellationToken).ConfigureAwait(false);
        return new QemuProbeResult(probe, clock.Elapsed);
    }

    /// <summary>Runs the probe's queries on a negotiated connection.</summary>
    /// <param name="client">The client.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>The probe.</returns>
    public static async Task<QemuProbe> ProbeAsync(QmpClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var definitions = await client.QueryCpuDefinitionsAsync(cancellationToken).ConfigureAwait(false);
        var expansions = ImmutableSortedDictionary.CreateBuilder<string, QemuModelExpansion>(StringComparer.Ordinal);
        foreach (var d in definitions)
        {
            try
            {
                expansions[d.Name] = await client.QueryCpuModelExpansionAsync("full", d.Name, null, cancellationToken).ConfigureAwait(false);
            }
            catch (QmpException e) when (e.ErrorClass is not null)
            {
                // QEMU refuses this model here (host without KVM): leave it out.
            }
        }

        QemuModelExpansion? staticMax = null;
        try
        {
            staticMax = await client.QueryCpuModelExpansionAsync("static", "max", null, cancellationToken).ConfigureAwait(false);
        }
        catch (QmpException e) when (e.ErrorClass is not null)
        {
            // No max model: leave it out.
        }

        return new QemuProbe(client.GreetingJson, definitions, expansions.ToImmutable(), staticMax);
    }
}
