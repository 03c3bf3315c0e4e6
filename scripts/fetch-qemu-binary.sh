#!/usr/bin/env bash
# Fetches a Debian release's qemu-system-x86 with every library it needs into a private root
# (DIR/SUITE, default /var/cache/virtcpu-bin/bullseye), without installing anything and without a
# chroot: the packages are downloaded with a private apt configuration (apt-get download of the
# package's dependency closure) and unpacked with dpkg-deb -x. Prints the path of a wrapper that
# runs that QEMU with the release's own dynamic loader and libraries (exec, so the wrapper's PID is
# QEMU's). Used for QEMU releases the lab has no stack for: Debian 11's QEMU 5.2 (bullseye).
#
#   scripts/fetch-qemu-binary.sh [SUITE] [DIR]      -> DIR/bin/qemu-SUITE
set -euo pipefail
SUITE=${1:-bullseye}
DIR=${2:-/var/cache/virtcpu-bin}
ROOT="$DIR/$SUITE"
WRAPPER="$DIR/bin/qemu-$SUITE"
if [ -x "$WRAPPER" ] && [ -x "$ROOT/usr/bin/qemu-system-x86_64" ]; then echo "$WRAPPER"; exit 0; fi
MIRROR=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY=${MIRROR%/debian}/debian-security
APT="$DIR/apt-$SUITE"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/parts" "$APT/debs" "$ROOT" "$DIR/bin"
key=/usr/share/keyrings/debian-archive-keyring.gpg
printf 'deb [signed-by=%s] %s %s main\ndeb [signed-by=%s] %s %s-security main\n' "$key" "$MIRROR" "$SUITE" "$key" "$SECURITY" "$SUITE" >"$APT/sources.list"
: >"$APT/status"
opts=(-o Dir::Etc::SourceList="$APT/sources.list" -o Dir::Etc::SourceParts="$APT/parts" -o Dir::State::Lists="$APT/lists"
      -o Dir::State::status="$APT/status" -o Dir::Cache="$APT/cache" -o APT::Architecture=amd64
      -o APT::Architectures::=amd64 -o Acquire::Check-Valid-Until=false -qq)
apt-get "${opts[@]}" update >/dev/null
packages=$(apt-cache "${opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances qemu-system-x86 \
  | grep -v '^ \|^<' | sort -u)
(cd "$APT/debs" && apt-get "${opts[@]}" download $packages >/dev/null)
for deb in "$APT/debs"/*.deb; do dpkg-deb -x "$deb" "$ROOT"; done
libs="$ROOT/lib/x86_64-linux-gnu:$ROOT/usr/lib/x86_64-linux-gnu:$ROOT/usr/lib/x86_64-linux-gnu/pulseaudio"
cat >"$WRAPPER" <<W
#!/bin/sh
# Runs $SUITE's qemu-system-x86_64 from $ROOT with its own loader and libraries (scripts/fetch-qemu-binary.sh).
exec "$ROOT/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "$libs" "$ROOT/usr/bin/qemu-system-x86_64" -L "$ROOT/usr/share/qemu" -L "$ROOT/usr/share/seabios" "\$@"
W
chmod +x "$WRAPPER"
echo "$WRAPPER"
