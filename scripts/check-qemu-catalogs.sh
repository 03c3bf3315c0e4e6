#!/usr/bin/env bash
# Live verification of the built-in QEMU catalogs (issue 14, point 6): for each catalog whose QEMU
# binary runs on this machine, `virtcpu qemu check` starts that binary under TCG on each machine type
# and compares VirtCpu's expansion of every model name (unversioned names, aliases, versions) with
# QEMU's own full expansion: enabled features, family/model/stepping, model-id, vendor. Prints per
# catalog and machine type the names compared, matching and differing (with the differences).
#
#   scripts/check-qemu-catalogs.sh [--all-machines] [--fetch]
#
# Binaries: qemu-7.2 = /usr/bin/qemu-system-x86_64 (Debian 12, bookworm); qemu-10.0 and qemu-11.1 =
# the lab's trixie and forky chroots (lab/stacks.sh qemu STACK; root); qemu-5.2 = Debian 11's binary
# with its libraries unpacked by scripts/fetch-qemu-binary.sh bullseye (--fetch runs it when absent).
# Default machine types: the oldest, a middle and the newest pc-i440fx type and the newest pc-q35
# type; --all-machines checks every versioned machine type of each catalog.
# Exit 0 when every checked catalog agrees, 1 when one differs, 2 when none could run.
set -uo pipefail
cd "$(dirname "$0")/.."
machines=()
fetch=0
for a in "$@"; do
  case "$a" in
    --all-machines) machines=(--machine all) ;;
    --fetch) fetch=1 ;;
    *) echo "usage: $0 [--all-machines] [--fetch]" >&2; exit 2 ;;
  esac
done
LAB=${VIRTCPU_LAB_ROOT:-/var/cache/virtcpu-lab}
BIN=${VIRTCPU_QEMU_BINARIES:-/var/cache/virtcpu-bin}
dotnet build src/VirtCpu.Cli -c Debug -m:1 -v q -nologo >/dev/null || { echo "check-qemu-catalogs: build failed" >&2; exit 2; }
virtcpu() { dotnet src/VirtCpu.Cli/bin/Debug/net10.0/VirtCpu.Cli.dll "$@"; }

binary_for() { # CATALOG -> path, or empty with a reason on stderr
  case "$1" in
    qemu-7.2)
      if /usr/bin/qemu-system-x86_64 --version 2>/dev/null | grep -q 'version 7\.2'; then echo /usr/bin/qemu-system-x86_64
      else echo "skipped qemu-7.2: /usr/bin/qemu-system-x86_64 is not QEMU 7.2" >&2; fi ;;
    qemu-10.0|qemu-11.1)
      local stack=trixie; [ "$1" = qemu-11.1 ] && stack=forky
      if [ ! -x "$LAB/$stack/usr/bin/qemu-system-x86_64" ]; then echo "skipped $1: the lab's $stack chroot is not installed" >&2
      elif [ "$(id -u)" != 0 ]; then echo "skipped $1: the $stack chroot needs root" >&2
      else lab/stacks.sh qemu "$stack"; fi ;;
    qemu-5.2)
      if [ ! -x "$BIN/bin/qemu-bullseye" ] && [ "$fetch" = 1 ]; then scripts/fetch-qemu-binary.sh bullseye "$BIN" >/dev/null; fi
      if [ -x "$BIN/bin/qemu-bullseye" ]; then echo "$BIN/bin/qemu-bullseye"
      else echo "skipped qemu-5.2: no Debian 11 binary (scripts/fetch-qemu-binary.sh bullseye, or --fetch)" >&2; fi ;;
  esac
}

ran=0 differ=0
for catalog in qemu-5.2 qemu-7.2 qemu-10.0 qemu-11.1; do
  binary=$(binary_for "$catalog")
  [ -n "$binary" ] || continue
  echo "== $catalog: $("$binary" --version | head -n 1)"
  virtcpu qemu check --qemu "$catalog" --binary "$binary" "${machines[@]}"
  rc=$?
  ran=$((ran + 1))
  [ "$rc" = 0 ] || differ=$((differ + 1))
done
echo "check-qemu-catalogs: $ran catalogs checked, $differ with differences"
[ "$ran" -gt 0 ] || exit 2
[ "$differ" = 0 ]
