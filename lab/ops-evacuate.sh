#!/bin/bash
# Live check of fleet capture + evacuate (issue 19, docs/operations.md): own nodes op1, op2 (bookworm)
# and op3 (trixie), three guests on op1, the plan run for real, refused guests tried; nodes always
# stopped at the end. Needs the Debug CLI built (dotnet build src/VirtCpu.Cli) and root.
set -u
cd "$(dirname "$0")/.."
V="dotnet src/VirtCpu.Cli/bin/Debug/net10.0/VirtCpu.Cli.dll"
W=/tmp/ops-e2e; rm -rf $W; mkdir -p $W
trap 'for n in op1 op2 op3; do lab/stacks.sh down $n >/dev/null 2>&1; done' EXIT
lab/stacks.sh up op1 bookworm && lab/stacks.sh up op2 bookworm && lab/stacks.sh up op3 trixie || exit 1
U1=$(lab/stacks.sh uri op1); U2=$(lab/stacks.sh uri op2); U3=$(lab/stacks.sh uri op3)
mk() { # name vcpus cores threads cpu machine
cat > $W/$1.xml <<X
<domain type='qemu'><name>$1</name><memory unit='MiB'>64</memory><vcpu placement='static'>$2</vcpu>
<os><type arch='x86_64' machine='$5'>hvm</type></os>$4
<devices><memballoon model='none'/></devices></domain>
X
}
mk g1 1 x "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>qemu64</model></cpu>" pc-i440fx-7.2
mk g2 2 x "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>qemu64</model><topology sockets='1' dies='1' cores='2' threads='1'/></cpu>" pc-i440fx-7.2
mk g3 1 x "<cpu mode='host-model' check='partial'/>" pc-i440fx-7.2
for g in g1 g2 g3; do virsh -c "$U1" create $W/$g.xml >/dev/null && virsh -c "$U1" suspend $g >/dev/null; done
cat > $W/fleet.json <<X
{ "fleet": 1, "nodes": [
  { "name": "op1", "uri": "$U1" },
  { "name": "op2", "uri": "$U2" },
  { "name": "op3", "uri": "$U3" } ] }
X
echo "== capture"; /usr/bin/time -f "%e s" $V fleet capture --fleet $W/fleet.json --out $W/cap; echo rc=$?
cat $W/cap/fleet.json; ls -R $W/cap | head -30
echo "== evacuate"; /usr/bin/time -f "%e s" $V evacuate op1 --fleet $W/cap; echo rc=$?
echo "== run the plan"
$V evacuate op1 --fleet $W/cap --commands > $W/plan.sh
port=49300
while read -r line; do
  port=$((port+1))
  echo "+ $line --migrateuri tcp://127.0.0.1:$port"
  eval "$line --migrateuri tcp://127.0.0.1:$port" && echo MIGRATED || echo FAILED
done < $W/plan.sh
echo "== refused guests tried on op3"
for g in $(virsh -c "$U1" list --name); do
  echo "+ $g -> op3"; virsh -c "$U1" migrate --live $g "$U3" --migrateuri tcp://127.0.0.1:49399 2>&1 | head -2
done
virsh -c "$U1" list --name; virsh -c "$U2" list --name; virsh -c "$U3" list --name
