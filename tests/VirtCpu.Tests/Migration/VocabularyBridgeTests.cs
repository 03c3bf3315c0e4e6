using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Migration;

namespace VirtCpu.Tests.Migration;

/// <summary>The bridge pairs libvirt's and QEMU's features by bit location, and by name only where libvirt 12.8 moved the VMX controls.</summary>
public sealed class VocabularyBridgeTests
{
    [Fact]
    public void Only_libvirt_12_8s_vmx_controls_are_paired_by_name()
    {
        foreach (var libvirt in BuiltInCatalogs.Names)
        {
            var catalog = BuiltInCatalogs.Get(libvirt);
            foreach (var qemu in BuiltInHypervisors.Names)
            {
                var bridge = VocabularyBridge.For(catalog, BuiltInHypervisors.Get(qemu));
                var byName = catalog.Features
                    .Where(f => bridge.QemuOf(f.Index) is var q and >= 0 && !f.Bits.SequenceEqual(bridge.Hypervisor.Features[q].FeatureBits))
                    .ToList();
                if (libvirt != "libvirt-12.8")
                {
                    Assert.Empty(byName);
                    continue;
                }

                // VMX controls only (the 68 whose bits 12.8 moved, and 12.8's new ones QEMU knows), in libvirt's high half and QEMU's low half of the same MSR, under the same name.
                Assert.True(byName.Count >= (qemu == "qemu-11.1" ? 71 : 50), $"{qemu}: {byName.Count}");
                Assert.All(byName, f => Assert.StartsWith("vmx-", f.Name, StringComparison.Ordinal));
                Assert.All(byName, f =>
                {
                    var q = bridge.Hypervisor.Features[bridge.QemuOf(f.Index)];
                    Assert.Equal(f.Name, q.Name);
                    Assert.Equal((f.Bits[0].Key, VirtCpu.Catalog.CpuRegister.Edx), (q.FeatureBits[0].Key, f.Bits[0].Register));
                    Assert.Equal(f.Bits[0].Mask, q.FeatureBits[0].Mask);
                });
            }
        }
    }
}
