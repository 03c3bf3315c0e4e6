#!/usr/bin/env bash
# Whole-process comparison of `virtcpu baseline` against libvirt's `virsh cpu-baseline`
# (issue 8, item 4) on the same files, with libvirt's own CPU map (/usr/share/libvirt/cpu_map).
#
#   scripts/bench-baseline-vs-virsh.sh [VIRTCPU] [RUNS]
#
# VIRTCPU: the virtcpu command to time (default artifacts/aot/virtcpu, made by
#          scripts/publish-native.sh; falls back to `dotnet src/VirtCpu.Cli/bin/Release/net10.0/VirtCpu.Cli.dll`).
# RUNS:    runs per tool and size (default 10; the two tools are alternated run by run).
#
# Host sets of 2, 1,000 and 10,000 hosts are made with the project's own tool: the reference
# CPUID dumps (../shared/reference/libvirt-11.3/cputestdata, Intel ones) are decoded with
# `virtcpu decode --map /usr/share/libvirt/cpu_map`, then host i of a set is dump (i mod N) with
# each of its extra <feature> lines dropped with probability 1/8 (awk, fixed seed 20261125).
# Each set is first checked: both tools must print byte-identical output. Then each tool is run
# RUNS times, alternating, and the medians of wall time and peak RSS (GNU time, %e %M) are printed
# with the ratio virsh/virtcpu. hyperfine is used for the 2-host case when installed (more
# precise for ~ms runs).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

runs=${2:-10}
map=/usr/share/libvirt/cpu_map
dumps=${VIRTCPU_REFERENCE:-$repo/../shared/reference/libvirt-11.3/cputestdata}
[ -d "$dumps" ] || dumps=/work/shared/reference/libvirt-11.3/cputestdata
work=${BENCH_DIR:-/tmp/virtcpu-bench}

if [ -n "${1:-}" ]; then
  read -r -a virtcpu <<<"$1"
elif [ -x artifacts/aot/virtcpu ]; then
  virtcpu=("$repo/artifacts/aot/virtcpu")
else
  dotnet build src/VirtCpu.Cli -c Release -v q -nologo >/dev/null
  virtcpu=(dotnet "$repo/src/VirtCpu.Cli/bin/Release/net10.0/VirtCpu.Cli.dll")
fi

command -v virsh >/dev/null || { echo "virsh is needed (apt-get install libvirt-clients libvirt-daemon)"; exit 2; }
[ -d "$map" ] || { echo "$map is needed (libvirt-daemon)"; exit 2; }
[ -d "$dumps" ] || { echo "reference CPUID dumps not found: $dumps"; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (apt-get install time)"; exit 2; }

echo "virtcpu: ${virtcpu[*]}"
echo "virsh:   $(command -v virsh) ($(virsh --version))"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -m | awk '/Mem:/{print $2}') MB"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (before)"

# 1. Decode the Intel reference dumps into host CPUs with libvirt's map.
rm -rf "$work" && mkdir -p "$work/hosts"
mapfile -t files < <(cd "$dumps" && ls x86_64-cpuid-*.xml | grep -Ev -- '-(host|guest|json|enabled|disabled)\.xml$' | grep -Ev -- '-baseline-' | grep -Ev -- 'A10|Athlon|EPYC|Opteron|Phenom|Ryzen|Hygon|Zhaoxin|AMD' )
(cd "$dumps" && "${virtcpu[@]}" decode --map "$map" --output-dir "$work/hosts" "${files[@]}")
mapfile -t hosts < <(ls "$work"/hosts/*.xml | sort)
echo "hosts:   ${#hosts[@]} decoded Intel reference hosts"

# 2. Host sets: host i is reference host (i mod N) with extra features dropped at random.
make_set() { # N OUT
  local n=$1 out=$2
  for ((i = 0; i < n; i++)); do echo "${hosts[i % ${#hosts[@]}]}"; done \
    | xargs cat \
    | awk 'BEGIN { srand(20261125) } /<feature / && rand() < 0.125 { next } { print }' >"$out"
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

printf '\n%-8s %-9s %12s %12s %8s %14s %14s\n' hosts size virtcpu_s virsh_s ratio virtcpu_rss_MB virsh_rss_MB
results=()
for n in 2 1000 10000; do
  set_file="$work/set-$n.xml"
  make_set "$n" "$set_file"

  # Same output first.
  "${virtcpu[@]}" baseline --map "$map" "$set_file" >"$work/virtcpu-$n.out"
  virsh -q -c test:///default cpu-baseline "$set_file" >"$work/virsh-$n.out"
  if ! cmp -s "$work/virtcpu-$n.out" "$work/virsh-$n.out"; then
    echo "DIFFERENT OUTPUT for $n hosts:"; diff "$work/virtcpu-$n.out" "$work/virsh-$n.out" || true; exit 1
  fi

  # Alternated timed runs (one warm-up each).
  "${virtcpu[@]}" baseline --map "$map" "$set_file" >/dev/null
  virsh -q -c test:///default cpu-baseline "$set_file" >/dev/null
  : >"$work/v-$n.t"; : >"$work/l-$n.t"
  for ((r = 0; r < runs; r++)); do
    /usr/bin/time -f "%e %M" -a -o "$work/v-$n.t" "${virtcpu[@]}" baseline --map "$map" "$set_file" >/dev/null
    /usr/bin/time -f "%e %M" -a -o "$work/l-$n.t" virsh -q -c test:///default cpu-baseline "$set_file" >/dev/null
  done
  vt=$(cut -d' ' -f1 "$work/v-$n.t" | median); lt=$(cut -d' ' -f1 "$work/l-$n.t" | median)
  vm=$(cut -d' ' -f2 "$work/v-$n.t" | median); lm=$(cut -d' ' -f2 "$work/l-$n.t" | median)
  ratio=$(awk -v a="$lt" -v b="$vt" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }')
  printf '%-8s %-9s %12s %12s %8s %14.1f %14.1f\n' "$n" "$(du -h "$set_file" | cut -f1)" "$vt" "$lt" "${ratio}x" "$(awk -v k="$vm" 'BEGIN{print k/1024}')" "$(awk -v k="$lm" 'BEGIN{print k/1024}')"
done

# 3. hyperfine for millisecond precision (alternation is not available there: it runs each
#    command's batch in turn).
if command -v hyperfine >/dev/null; then
  echo
  for n in 2 1000 10000; do
    hyperfine -N --warmup 2 --runs "$runs" --style basic \
      -n "virtcpu $n" "${virtcpu[*]} baseline --map $map $work/set-$n.xml" \
      -n "virsh $n" "virsh -q -c test:///default cpu-baseline $work/set-$n.xml" 2>&1 | grep -Ev '^\s*$'
  done
fi
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (after)"
