#!/usr/bin/env bash
# Publishes the native `virtcpu` command (issue 8, item 2) to artifacts/aot/virtcpu.
#
#   scripts/publish-native.sh [RID]      (RID default linux-x64)
#
# Native AOT needs the ILCompiler package (restored from NuGet) and a C toolchain (clang or gcc,
# binutils). The published file is VirtCpu.Cli (the project's assembly name; it cannot be
# renamed with -p:AssemblyName=virtcpu, which would clash with the VirtCpu library assembly on
# case-insensitive lookups), so it is copied to `virtcpu` here. When AOT fails (no toolchain),
# the script falls back to a self-contained ReadyToRun single file and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
rid=${1:-linux-x64}
out=artifacts/aot

rm -rf "$out"
if dotnet publish src/VirtCpu.Cli -c Release -r "$rid" -p:PublishAot=true -o "$out" -nologo; then
  kind="Native AOT"
else
  echo "publish-native: Native AOT failed; falling back to ReadyToRun (self-contained single file)" >&2
  rm -rf "$out"
  dotnet publish src/VirtCpu.Cli -c Release -r "$rid" --self-contained true -p:PublishReadyToRun=true -p:PublishSingleFile=true -o "$out" -nologo
  kind="ReadyToRun single file"
fi

cp -f "$out/VirtCpu.Cli" "$out/virtcpu"
echo "publish-native: $kind -> $out/virtcpu ($(du -h "$out/virtcpu" | cut -f1)); $("$out/virtcpu" --version)"
