using VirtCpu.Qemu;

namespace VirtCpu.Formats.QemuData;

/// <summary>
/// QEMU's <c>feature_dependencies[]</c> (<c>target/i386/cpu.c</c>) in source order, written with
/// feature and word names. Pruning walks the table once, in order, so the order matters for
/// chains (<c>vmx</c> clears <c>vmx-secondary-ctls</c>, which clears the secondary-controls word,
/// whose <c>vmx-ept</c> clears the EPT capabilities).
/// </summary>
/// <remarks>
/// Entries 1-24 are in 7.2 and 10.0; the rest are new in 10.0. The importer keeps an entry when the
/// table's notes mention it and checks that every "cleared at expansion unless X is set" note is
/// covered, so the result is specific to the imported release.
/// </remarks>
internal static class QemuDependencyTable
{
    private const ulong All = ulong.MaxValue;

    /// <summary>The entries: prerequisite spec (<c>a|b</c>: any of), target word, and target feature names (null: the mask).</summary>
    private static readonly (string From, string Word, string[]? Features, ulong Mask)[] Source =
    [
        ("arch-capabilities", "FEAT_ARCH_CAPABILITIES", null, All),
        ("core-capability", "FEAT_CORE_CAPABILITY", null, All),
        ("pdcm", "FEAT_PERF_CAPABILITIES", null, All),
        ("vmx", "FEAT_VMX_PROCBASED_CTLS", null, All),
        ("vmx", "FEAT_VMX_PINBASED_CTLS", null, All),
        ("vmx", "FEAT_VMX_EXIT_CTLS", null, All),
        ("vmx", "FEAT_VMX_ENTRY_CTLS", null, All),
        ("vmx", "FEAT_VMX_MISC", null, All),
        ("vmx", "FEAT_VMX_BASIC", null, All),
        ("lm", "FEAT_VMX_ENTRY_CTLS", ["vmx-entry-ia32e-mode"], 0),
        ("vmx-secondary-ctls", "FEAT_VMX_SECONDARY_CTLS", null, All),
        ("xsaves", "FEAT_VMX_SECONDARY_CTLS", ["vmx-xsaves"], 0),
        ("rdrand", "FEAT_VMX_SECONDARY_CTLS", ["vmx-rdrand-exit"], 0),
        ("invpcid", "FEAT_VMX_SECONDARY_CTLS", ["vmx-invpcid-exit"], 0),
        ("mpx", "FEAT_VMX_EXIT_CTLS", ["vmx-exit-clear-bndcfgs"], 0),
        ("mpx", "FEAT_VMX_ENTRY_CTLS", ["vmx-entry-load-bndcfgs"], 0),
        ("rdseed", "FEAT_VMX_SECONDARY_CTLS", ["vmx-rdseed-exit"], 0),
        ("intel-pt", "FEAT_14_0_ECX", null, All),
        ("rdtscp", "FEAT_VMX_SECONDARY_CTLS", ["vmx-rdtscp-exit"], 0),
        ("vmx-ept", "FEAT_VMX_EPT_VPID_CAPS", null, 0xFFFF_FFFFUL),
        ("vmx-ept", "FEAT_VMX_SECONDARY_CTLS", ["vmx-unrestricted-guest"], 0),
        ("vmx-vpid", "FEAT_VMX_EPT_VPID_CAPS", null, 0xFFFF_FFFFUL << 32),
        ("vmx-vmfunc", "FEAT_VMX_VMFUNC", null, All),
        ("svm", "FEAT_SVM", null, All),
        ("waitpkg", "FEAT_VMX_SECONDARY_CTLS", ["vmx-enable-user-wait-pause"], 0),
        ("lm", "FEAT_7_1_EAX", ["fred"], 0),
        ("lkgs", "FEAT_7_1_EAX", ["fred"], 0),
        ("sgx", "FEAT_7_0_ECX", ["sgxlc"], 0),
        ("sgx", "FEAT_SGX_12_0_EAX", null, All),
        ("sgx", "FEAT_SGX_12_0_EBX", null, All),
        ("sgx", "FEAT_SGX_12_1_EAX", null, All),
        ("avx10-128", "FEAT_24_0_EBX", ["avx10-256"], 0),
        ("avx10-256", "FEAT_24_0_EBX", ["avx10-512"], 0),
        ("avx10-128|avx10-256|avx10-512", "FEAT_7_1_EDX", ["avx10"], 0),
        ("avx10", "FEAT_24_0_EBX", null, All),
    ];

    private const string NotePrefix = "cleared at expansion unless ";
    private const string NoteSuffix = " is set";

    /// <summary>Selects the entries the imported table's notes show, in source order.</summary>
    /// <param name="file">The features file, for messages.</param>
    /// <param name="words">The words.</param>
    /// <param name="features">The features.</param>
    /// <param name="notes">Each feature's note parts.</param>
    /// <returns>The dependency table.</returns>
    public static List<QemuFeatureDependency> Select(string file, IReadOnlyList<QemuFeatureWord> words, IReadOnlyList<QemuFeature> features, IReadOnlyDictionary<string, List<string>> notes)
    {
        var wordByName = words.ToDictionary(w => w.Name, StringComparer.Ordinal);
        var byName = features.ToDictionary(f => f.Name, StringComparer.Ordinal);

        // (feature, prerequisite spec) pairs the notes claim.
        var claimed = new HashSet<(string Feature, string From)>();
        foreach (var (feature, parts) in notes)
        {
            foreach (var p in parts)
            {
                if (p.StartsWith(NotePrefix, StringComparison.Ordinal) && p.EndsWith(NoteSuffix, StringComparison.Ordinal))
                {
                    claimed.Add((feature, p[NotePrefix.Length..^NoteSuffix.Length]));
                }
            }
        }

        var covered = new HashSet<(string Feature, string From)>();
        var result = new List<QemuFeatureDependency>();
        foreach (var (from, wordName, targetNames, mask) in Source)
        {
            var fromNames = from.Split('|');
            if (!wordByName.TryGetValue(wordName, out var to) || fromNames.Any(n => !byName.ContainsKey(n)) || (targetNames is not null && targetNames.Any(n => !byName.ContainsKey(n))))
            {
                continue;
            }

            var fromFeatures = fromNames.Select(n => byName[n]).ToList();
            if (fromFeatures.Any(f => f.Word != fromFeatures[0].Word))
            {
                continue;
            }

            var toMask = targetNames is null ? mask : targetNames.Aggregate(0UL, (m, n) => m | byName[n].Mask);
            var targets = features.Where(f => f.Word == to && (f.Mask & toMask) != 0).Select(f => f.Name).ToList();
            if (!targets.Any(t => claimed.Contains((t, from))))
            {
                continue;
            }

            foreach (var t in targets)
            {
                if (!claimed.Contains((t, from)))
                {
                    throw new InputException(file, $"QEMU's feature_dependencies[] clears {t} unless {from} is set, but its note does not say so");
                }

                covered.Add((t, from));
            }

            result.Add(new QemuFeatureDependency(fromFeatures[0].Word, fromFeatures.Aggregate(0UL, (m, f) => m | f.Mask), to, toMask));
        }

        var uncovered = claimed.Except(covered).Order().FirstOrDefault();
        if (uncovered != default)
        {
            throw new InputException(file, $"the note of {uncovered.Feature} says it depends on {uncovered.From}, which no entry of QEMU's feature_dependencies[] known to VirtCpu covers");
        }

        return result;
    }
}
