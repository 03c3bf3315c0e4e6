#!/usr/bin/env bash
# Fetches the Debian source packages of the QEMU releases the built-in catalogs come from, and
# unpacks them into DIR (default /var/cache/virtcpu-src), for `virtcpu catalog import-qemu --source`
# and for the tests that import them (VIRTCPU_QEMU_SOURCES=DIR). Uses a private apt configuration
# under DIR (deb-src lines for Debian 11, 12, 13 and unstable); the machine's apt state is untouched.
# Trees already unpacked are kept. Needs dpkg-dev (dpkg-source).
set -euo pipefail
DIR=${1:-/var/cache/virtcpu-src}
MIRROR=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY=${MIRROR%/debian}/debian-security
VERSIONS="1:5.2+dfsg-11+deb11u3 1:7.2+dfsg-7+deb12u18 1:10.0.13+ds-0+deb13u1 1:10.2.2+ds-1"
APT="$DIR/apt"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/parts"
key=/usr/share/keyrings/debian-archive-keyring.gpg
{
  for s in bullseye bookworm trixie sid; do echo "deb-src [signed-by=$key] $MIRROR $s main"; done
  for s in bullseye-security bookworm-security trixie-security; do echo "deb-src [signed-by=$key] $SECURITY $s main"; done
} >"$APT/sources.list"
opts=(-o Dir::Etc::SourceList="$APT/sources.list" -o Dir::Etc::SourceParts="$APT/parts"
      -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache" -o Acquire::Check-Valid-Until=false -qq)
command -v dpkg-source >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev >/dev/null
apt-get "${opts[@]}" update >/dev/null
cd "$DIR"
for v in $VERSIONS; do
  upstream=${v#1:}; upstream=${upstream%-*}
  if ls -d "qemu-${upstream}"/target/i386/cpu.c >/dev/null 2>&1; then continue; fi
  echo "fetch-qemu-sources: qemu $v"
  apt-get "${opts[@]}" source "qemu=$v" >/dev/null 2>&1 || { echo "fetch-qemu-sources: qemu=$v could not be fetched" >&2; continue; }
  rm -f qemu_*.orig.tar.* qemu_*.debian.tar.* qemu_*.dsc
done
ls -d "$DIR"/qemu-*/
