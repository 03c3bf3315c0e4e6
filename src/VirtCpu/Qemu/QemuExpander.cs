using VirtCpu.Catalog;

namespace VirtCpu.Qemu;

/// <summary>
/// Builds the CPU QEMU would build for a table model, in QEMU's order
/// (<c>docs/design.md#62-building-a-cpu</c>): load the definition (with <c>hypervisor</c> and the
/// cumulative version props), accelerator defaults, machine compat properties, user <c>+f</c>/<c>-f</c>, dependency pruning
/// in table order, the KVM paravirt word only under KVM, then filtering by a host offer.
/// </summary>
/// <remarks>
/// Not modelled: the <c>max</c>/<c>host</c> models; topology-driven bits (10.0 sets <c>ht</c>
/// and <c>cmp-legacy</c> when threads per package &gt; 1; the default topology has one);
/// XSAVE component words and automatic level raising; the AMD mirror bits of 0x80000001.EDX
/// (unnamed); <c>kvm=off</c>.
/// </remarks>
public static class QemuExpander
{
    private static readonly (string Name, bool On)[] TcgDefaults = [("vme", false)];

    private static readonly (string Name, bool On)[] KvmDefaults =
    [
        ("kvmclock", true),
        ("kvm-nopiodelay", true),
        ("kvm-asyncpf", true),
        ("kvm-steal-time", true),
        ("kvm-pv-eoi", true),
        ("kvmclock-stable-bit", true),
        ("x2apic", true),
        ("kvm-msi-ext-dest-id", false),
        ("acpi", false),
        ("monitor", false),
        ("svm", false),
    ];

    /// <summary>Expands a configuration.</summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="config">What to build.</param>
    /// <returns>The CPU.</returns>
    /// <exception cref="InputException">For an unknown model, machine type or feature name.</exception>
    public static QemuCpu Expand(QemuHypervisorCatalog catalog, QemuCpuConfig config)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(config);
        var machine = QemuMachineTypes.Find(catalog, config.Machine);
        return Expand(catalog, QemuModelResolution.Resolve(catalog, config.Model, machine), config);
    }

    /// <summary>Expands an already resolved model.</summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="resolution">The resolved model name.</param>
    /// <param name="config">The accelerator, user options and host offer (its model and machine are not used).</param>
    /// <returns>The CPU.</returns>
    /// <exception cref="InputException">For an unknown feature name.</exception>
    public static QemuCpu Expand(QemuHypervisorCatalog catalog, QemuModelResolution resolution, QemuCpuConfig config)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(resolution);
        ArgumentNullException.ThrowIfNull(config);
        var state = new State(catalog, resolution.Definition);

        // 1. Load: definition, hypervisor (version props are in the resolved definition).
        state.Set("hypervisor", true, user: false);

        // 2. Accelerator defaults, applied to table models as properties (they count as user-set).
        var kvm = config.Accelerator == QemuAccelerator.Kvm;
        foreach (var (name, on) in kvm ? KvmDefaults : TcgDefaults)
        {
            state.Set(name, on, user: true);
        }

        if (kvm && config.HostVendor is { Length: 12 } hostVendor)
        {
            state.Vendor = hostVendor;
        }

        // 3. Machine compat properties (global and per-class), newest array first.
        foreach (var p in QemuCompatProperties.For(catalog, resolution.Machine, resolution.Given))
        {
            state.Property(p.Property, p.Value);
        }

        // 4. User options: every +f, then every -f (so -f wins).
        foreach (var s in config.Features.Where(s => s.Enabled).Concat(config.Features.Where(s => !s.Enabled)))
        {
            var f = catalog.Feature(s.Name) ?? throw new InputException(null, $"Property '{resolution.Given}-x86_64-cpu.{s.Name}' not found ({catalog.Name} has no CPU feature '{s.Name}')");
            state.Set(f, s.Enabled, user: true);
        }

        // 5. feature_dependencies[] in table order.
        PruneDependencies(catalog, state);

        // 6. The KVM paravirt word exists only under KVM.
        if (!kvm && catalog.KvmWord is { } kvmWord)
        {
            state.Words[kvmWord.Number] = 0;
        }

        // 7. Filtering by what the host can give.
        var enabled = config.HostOffer is { } offer ? FilterByHost(catalog, state, offer) : state.EnabledSet();

        return new QemuCpu
        {
            Catalog = catalog,
            Resolution = resolution,
            Accelerator = config.Accelerator,
            Vendor = state.Vendor,
            Family = state.Family,
            Model = state.Model,
            Stepping = state.Stepping,
            ModelId = state.ModelId,
            MinLevel = state.Level,
            MinXLevel = state.XLevel,
            Enabled = enabled,
            Filtered = state.Filtered,
            Words = [.. state.Words],
        };
    }

    /// <summary>QEMU's <c>feature_dependencies[]</c>, in table order: a feature whose prerequisite is off is cleared (and counted as filtered when the user asked for it).</summary>
    private static void PruneDependencies(QemuHypervisorCatalog catalog, State state)
    {
        foreach (var d in catalog.Dependencies)
        {
            if ((state.Words[d.From.Number] & d.FromMask) == 0)
            {
                var cleared = state.Words[d.To.Number] & d.ToMask;
                state.FilterBits(d.To, cleared & state.User[d.To.Number]);
                state.Words[d.To.Number] &= ~cleared;
            }
        }
    }

    /// <summary>Clears and records as filtered every enabled feature the host offer lacks; returns what stays enabled.</summary>
    private static FeatureSet FilterByHost(QemuHypervisorCatalog catalog, State state, FeatureSet offer)
    {
        foreach (var i in state.EnabledSet() - offer)
        {
            var f = catalog.Features[i];
            state.Words[f.Word.Number] &= ~f.Mask;
            state.Filtered = state.Filtered.With(i);
        }

        return state.EnabledSet();
    }

    private sealed class State
    {
        private readonly QemuHypervisorCatalog _catalog;

        public State(QemuHypervisorCatalog catalog, QemuModelDefinition def)
        {
            _catalog = catalog;
            Words = new ulong[catalog.Words.Length];
            User = new ulong[catalog.Words.Length];
            foreach (var i in def.Features)
            {
                var f = catalog.Features[i];
                Words[f.Word.Number] |= f.Mask;
            }

            foreach (var b in def.UnnamedBits)
            {
                Words[catalog.Word(b.Word)!.Number] |= 1UL << b.Bit;
            }

            Vendor = def.Vendor;
            Family = def.Family;
            Model = def.Model;
            Stepping = def.Stepping;
            ModelId = def.ModelId;
            Level = def.Level;
            XLevel = def.XLevel;
        }

        public ulong[] Words { get; }

        public ulong[] User { get; }

        public FeatureSet Filtered { get; set; }

        public string Vendor { get; set; }

        public int Family { get; private set; }

        public int Model { get; private set; }

        public int Stepping { get; private set; }

        public string ModelId { get; private set; }

        public uint Level { get; private set; }

        public uint XLevel { get; private set; }

        public void Set(string name, bool on, bool user)
        {
            if (_catalog.Feature(name) is { } f)
            {
                Set(f, on, user);
            }
        }

        public void Set(QemuFeature f, bool on, bool user)
        {
            var n = f.Word.Number;
            Words[n] = on ? Words[n] | f.Mask : Words[n] & ~f.Mask;
            if (user)
            {
                User[n] |= f.Mask;
            }
        }

        public void Property(string name, string value)
        {
            if (_catalog.Feature(name) is { } f)
            {
                if (QemuPropValues.ParseSwitch(value) is { } on)
                {
                    Set(f, on, user: true);
                }

                return;
            }

            var number = QemuPropValues.ParseNumber(value);
            switch (name)
            {
                case "model-id":
                    ModelId = value;
                    break;
                case "family" when number is { } v:
                    Family = (int)v;
                    break;
                case "model" when number is { } v:
                    Model = (int)v;
                    break;
                case "stepping" when number is { } v:
                    Stepping = (int)v;
                    break;
                case "min-level" or "level" when number is { } v:
                    Level = (uint)v;
                    break;
                case "min-xlevel" or "xlevel" when number is { } v:
                    XLevel = (uint)v;
                    break;
            }
        }

        public void FilterBits(QemuFeatureWord word, ulong bits)
        {
            if (bits == 0)
            {
                return;
            }

            foreach (var f in _catalog.Features)
            {
                if (f.Word == word && (f.Mask & bits) != 0)
                {
                    Filtered = Filtered.With(f.Index);
                }
            }
        }

        public FeatureSet EnabledSet()
        {
            var set = FeatureSet.Empty;
            foreach (var f in _catalog.Features)
            {
                if ((Words[f.Word.Number] & f.Mask) == f.Mask)
                {
                    set = set.With(f.Index);
                }
            }

            return set;
        }
    }
}
