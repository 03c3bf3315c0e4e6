#!/usr/bin/env bash
# Coverage-guided fuzzing of one VirtCpu parser with SharpFuzz + AFL++ (time-boxed).
#   fuzz/run.sh TARGET SECONDS        e.g. fuzz/run.sh cpu-xml 90
#   fuzz/run.sh --list                the targets
# Installs what is missing (apt afl++, the sharpfuzz local tool), publishes the harness, instruments
# VirtCpu.dll, seeds the corpus (fuzz/seeds/TARGET, data generated from the repo's catalogs, and the
# upstream reference files under ../shared/reference when present; copies stay under fuzz/work/,
# which git ignores), runs afl-fuzz -V SECONDS and prints one summary line:
#   TARGET execs=N seconds=S crashes=C hangs=H
# Crashing inputs: fuzz/work/out-TARGET/default/crashes/ (replay with a plain build, not the instrumented one:
#   dotnet fuzz/VirtCpu.Fuzz/bin/Debug/net10.0/VirtCpu.Fuzz.dll TARGET --replay FILE).
# Without AFL++ (or when it is too slow on a loaded machine): FUZZ_MODE=mutate fuzz/run.sh TARGET SECONDS runs the
# in-process mutation fuzzer (byte flips, truncation, duplication, splicing, XML/JSON/format tokens) on the same seeds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
work="$here/work"
pub="$work/pub"

if [[ "${1:-}" == "--list" ]]; then
  ls "$here/seeds"
  exit 0
fi
target="${1:?usage: fuzz/run.sh TARGET SECONDS}"
seconds="${2:-60}"
mkdir -p "$here/seeds/vcat" "$here/seeds/qcat"
[[ -d "$here/seeds/$target" ]] || { echo "unknown target '$target' (fuzz/run.sh --list)" >&2; exit 2; }

mode="${FUZZ_MODE:-afl}"   # afl, or mutate: the in-process mutation fallback (no AFL, no instrumentation)

# 1. Tools.
if [[ "$mode" == "afl" ]] && ! command -v afl-fuzz >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi
[[ "$mode" == "afl" ]] && (cd "$here" && dotnet tool restore >/dev/null)

# 2. Publish and instrument (once per build of the sources).
if [[ "$mode" == "mutate" ]]; then
  plain="$work/plain"
  if [[ ! -f "$plain/VirtCpu.Fuzz.dll" || -n "$(cd "$repo" && find src/VirtCpu fuzz/VirtCpu.Fuzz -name '*.cs' -newer "$plain/VirtCpu.Fuzz.dll" | head -1)" ]]; then
    dotnet build "$here/VirtCpu.Fuzz" -c Release -o "$plain" -v quiet -nologo >/dev/null
  fi
fi
[[ "$mode" == "afl" ]] && stamp="$(cd "$repo" && find src/VirtCpu fuzz/VirtCpu.Fuzz -name '*.cs' -newer "$pub/.instrumented" 2>/dev/null | head -1 || true)"
if [[ "$mode" == "afl" ]] && [[ ! -f "$pub/.instrumented" || -n "$stamp" ]]; then
  rm -rf "$pub"
  dotnet publish "$here/VirtCpu.Fuzz" -c Release -o "$pub" -v quiet -nologo >/dev/null
  (cd "$here" && dotnet sharpfuzz "$pub/VirtCpu.dll")
  touch "$pub/.instrumented"
fi

# 3. Seeds.
in="$work/in-$target"
rm -rf "$in" && mkdir -p "$in"
cp "$here/seeds/$target/"* "$in/" 2>/dev/null || true
ref="$repo/../shared/reference"
[[ -d "$ref" ]] || ref="/work/shared/reference"
small() { find "$@" -maxdepth 1 -type f -size -24k 2>/dev/null | sort | head -n 24; }
case "$target" in
  cpudata|cpu-data-file)
    for f in $(small "$ref/libvirt-11.3/cputestdata" -name 'x86_64-cpuid-*.xml'); do cp "$f" "$in/"; done ;;
  qemu-reply)
    for f in $(small "$ref/libvirt-11.3/cputestdata" -name 'x86_64-cpuid-*.json'); do cp "$f" "$in/"; done ;;
  cpu-xml|capabilities|domcaps)
    for f in $(small "$ref/libvirt-11.3/cputestdata" -name 'x86_64-*.xml' ! -name 'x86_64-cpuid-*'); do cp "$f" "$in/"; done ;;
  cpu-map)
    for f in $(small "$ref/libvirt-11.3/cpu_map" -name 'x86_[a-z]*.xml' ! -name 'x86_features.xml' | head -n 8); do cp "$f" "$in/"; done ;;
  vcat)
    # Small catalogs cut from the repo's own catalogs: header, vendors, the features some models use, those models.
    python3 - "$repo/catalogs" "$in" <<'PY'
import sys, pathlib
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for vcat in sorted(src.glob('*.vcat')):
    blocks = vcat.read_text().split('\n\n')
    head, vendors = blocks[0], blocks[1]
    features = {l.split()[1]: l for l in blocks[2].splitlines() if l.startswith('feature ')}
    models = blocks[3:]
    for i, pick in enumerate([models[:3], models[10:14], models[-4:]]):
        used = set()
        for m in pick:
            for l in m.splitlines():
                if l.strip().split(' ')[0] in ('features', 'removed', 'added'):
                    used.update(l.split()[1:])
        feats = '\n'.join(features[n] for n in features if n in used)
        (out / f'{vcat.stem}-{i}.vcat').write_text('\n\n'.join([head, vendors, feats] + pick) + '\n')
PY
    ;;
  qcat)
    for q in "$repo"/catalogs/*.qcat; do head -n 420 "$q" > "$in/$(basename "$q" .qcat)-head.qcat"; done ;;
  lock)
    head -n 40 "$repo/catalogs/catalogs.lock" > "$in/catalogs-head.lock" ;;
  qemu-probe)
    for f in "$ref"/qemu-*/qmp-probe-*.json; do [[ -f "$f" ]] && python3 -c "
import json,sys; p=json.load(open(sys.argv[1])); p['definitions']=p['definitions'][:6]; p['expansions']=dict(list(p.get('expansions',{}).items())[:2])
json.dump(p, open(sys.argv[2],'w'), indent=1)" "$f" "$in/$(basename "$f")"; done ;;
  node-profile|qmp-reply)
    ;;
esac

if [[ "$mode" == "mutate" ]]; then
  cd "$work" && exec env DOTNET_GCHeapHardLimit=0x40000000 dotnet "$plain/VirtCpu.Fuzz.dll" "$target" --mutate "$seconds" "$in"
fi

# 4. Fuzz (one campaign at a time; per-input timeout 1 s; managed heap capped at 1 GiB, so a blow-up is an OutOfMemoryException crash).
out="$work/out-$target"
rm -rf "$out"
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_QUIET=1
export DOTNET_GCHeapHardLimit=0x40000000 DOTNET_TieredPGO=0 VIRTCPU_FUZZ_WARMUP="$in"
afl-fuzz -V "$seconds" -i "$in" -o "$out" -t 1000 -m none -- dotnet "$pub/VirtCpu.Fuzz.dll" "$target" > "$work/afl-$target.log" 2>&1 || {
  echo "afl-fuzz failed; see $work/afl-$target.log" >&2; tail -n 20 "$work/afl-$target.log" >&2; exit 1; }

stats="$out/default/fuzzer_stats"
get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
start="$(get start_time)"; last="$(get last_update)"
echo "$target execs=$(get execs_done) seconds=$((last - start)) crashes=$(get saved_crashes) hangs=$(get saved_hangs) corpus=$(get corpus_count) execs_per_sec=$(get execs_per_sec)"
