#!/usr/bin/env bash
# Regenerates docs/catalog-history-9.0-to-11.3.txt: `virtcpu catalog diff libvirt-9.0 libvirt-11.3`,
# then the same diff against a copy of libvirt 11.3's map with every mpx removed='yes' marker deleted.
# Also regenerates docs/catalog-sync-qemu-10.0-into-libvirt-11.3.txt (catalog sync-qemu's proposal).
# Usage: scripts/catalog-history.sh   (from anywhere; exits non-zero if the real history is rejected)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=docs/catalog-history-9.0-to-11.3.txt
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
virtcpu() { dotnet run --project src/VirtCpu.Cli --no-launch-profile -- "$@"; }

dotnet build src/VirtCpu.Cli -v quiet -nologo >/dev/null

{
  cat <<'TEXT'
The libvirt 9.0 → 11.3 CPU map history, as VirtCpu's migration model sees it
============================================================================

Regenerate with scripts/catalog-history.sh. Every changed model and every feature added to or
removed from it (markers included) is studied: guests <model>X</model> with check none, partial
and full (those whose feature QEMU only keeps for nested guests also require svm/vmx), on KVM hosts
offering the model's features with and without the feature, started under each catalog and
migrated old→new and new→old, each run set beside the same run within one catalog version.

What the markers protect, and what they do not:
- removed='yes' (mpx in Skylake-*, Cascadelake-Server*, Icelake-Server*): a guest started under 11.3
  records 'disable mpx' in its live definition, so a 9.0 destination, whose model still holds mpx,
  does not expect it; without the marker the same migration is BLOCKED at the live check (second
  part below: exit 1).
- added='yes' (the vmx-* features of 35 models): the features stay out of the model data, the live
  check tolerates them and the migration XML drops them, so no cross-version migration is worse than
  within one version. They do not protect a nested guest from losing a VMX control silently when the
  destination host lacks it: that is UNSAFE within 11.3 too ("unchanged" lines below, worked example E).
- Versioned models (X-vN) are all new in 11.3 (listed under "Models added"); none changed.
- Not studied here: features only added to the feature map (the 9.10 vmx-* incident without markers),
  cache/topology leaves.

TEXT
  virtcpu catalog diff libvirt-9.0 libvirt-11.3 --time 2>"$tmp/time.txt"
} > "$tmp/history.txt"
cat "$tmp/time.txt" >&2

virtcpu catalog export-libvirt libvirt-11.3 "$tmp/libvirt-11.3-nomarker" >/dev/null
sed -i "/<feature name='mpx' removed='yes'\/>/d" "$tmp/libvirt-11.3-nomarker"/x86_*.xml
set +e
virtcpu catalog diff libvirt-9.0 "$tmp/libvirt-11.3-nomarker" > "$tmp/nomarker.txt"
rc=$?
set -e
{
  cat "$tmp/history.txt"
  echo
  echo "The same history with every mpx removed='yes' marker deleted from 11.3 (exit $rc):"
  echo "----------------------------------------------------------------------------------"
  grep -E "^  [^ ].*without removed='yes': mpx" "$tmp/nomarker.txt"
  echo "Skylake-Server in detail:"
  awk '/^  Skylake-Server: removed from the model.s data, without/ {p=1; print; next} p && /^  [^ ]/ {p=0} p' "$tmp/nomarker.txt"
  grep -E '^(Summary|Verdict):' "$tmp/nomarker.txt"
} > "$out"
virtcpu catalog sync-qemu --from qemu-10.0 --into libvirt-11.3 > docs/catalog-sync-qemu-10.0-into-libvirt-11.3.txt
echo "docs/catalog-sync-qemu-10.0-into-libvirt-11.3.txt written"
echo "$out written (history exit 0, without the marker exit $rc)"
[ "$rc" -eq 1 ]
