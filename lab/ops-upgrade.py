#!/usr/bin/env python3
# Live check of upgrade-check: own nodes op1, op2 (bookworm) and op3 (trixie); a rolling upgrade of
# op1 and op2 to trixie, as predicted, then carried out; nodes always stopped at the end
# (docs/operations.md). Needs root and the Debug CLI built (dotnet build src/VirtCpu.Cli).
import json, subprocess, sys, os, shutil
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
V = ['dotnet', 'src/VirtCpu.Cli/bin/Debug/net10.0/VirtCpu.Cli.dll']
W = '/tmp/ops-upgrade'
shutil.rmtree(W, ignore_errors=True); os.makedirs(W)
def sh(*a, check=True):
    r = subprocess.run(a, capture_output=True, text=True)
    if check and r.returncode != 0: raise SystemExit(f'{a}: {r.stderr}')
    return r
def uri(n): return sh('lab/stacks.sh', 'uri', n).stdout.strip()
port = [49400]
def migrate(g, a, b):
    port[0] += 1
    r = sh('virsh', '-c', uri(a), 'migrate', '--live', g, uri(b), '--migrateuri', f'tcp://127.0.0.1:{port[0]}', check=False)
    return r.returncode == 0, (r.stderr.strip().splitlines() or [''])[0]
def words(g, n):
    r = sh('virsh', '-c', uri(n), 'qemu-monitor-command', g, json.dumps({"execute": "qom-get", "arguments": {"path": "/machine/unattached/device[0]", "property": "feature-words"}}), check=False)
    try:
        ws = json.loads(r.stdout)['return']
    except Exception:
        return 'unreadable: ' + r.stdout.strip() + r.stderr.strip()
    # as the lab compares vCPUs: words keyed by leaf, subleaf and register, absent words count as 0
    return sorted((w['cpuid-input-eax'], w.get('cpuid-input-ecx', -1), w['cpuid-register'], w['features']) for w in ws if w['features'] != 0)
guests = {
  'u1': ('op1', 1, "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>qemu64</model></cpu>"),
  'u2': ('op1', 2, "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>qemu64</model><topology sockets='1' dies='1' cores='2' threads='1'/></cpu>"),
  'u3': ('op1', 1, "<cpu mode='host-model' check='partial'/>"),
  'u4': ('op2', 1, "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>qemu64</model></cpu>"),
  'u5': ('op1', 4, "<cpu mode='host-model' check='partial'><topology sockets='1' dies='1' cores='2' threads='2'/></cpu>"),
  'u6': ('op2', 2, "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>EPYC</model><topology sockets='1' dies='1' cores='1' threads='2'/></cpu>"),
  'u7': ('op2', 1, "<cpu mode='custom' match='exact' check='full'><model fallback='forbid'>qemu64</model></cpu>"),
  'u8': ('op2', 4, "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>Westmere</model><topology sockets='1' dies='1' cores='2' threads='2'/></cpu>"),
  'u9': ('op1', 2, "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>Opteron_G3</model><topology sockets='1' dies='1' cores='2' threads='1'/></cpu>"),
}
try:
    for n, s in (('op1', 'bookworm'), ('op2', 'bookworm'), ('op3', 'trixie')): sh('lab/stacks.sh', 'up', n, s)
    for g, (n, v, cpu) in guests.items():
        xml = f"<domain type='qemu'><name>{g}</name><memory unit='MiB'>64</memory><vcpu placement='static'>{v}</vcpu><os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>{cpu}<devices><memballoon model='none'/></devices></domain>"
        open(f'{W}/{g}.xml', 'w').write(xml)
        r = sh('virsh', '-c', uri(n), 'create', f'{W}/{g}.xml', check=False)
        if r.returncode != 0:
            print(f'       {g} does not start on {n}: {r.stderr.strip()}'); continue
        sh('virsh', '-c', uri(n), 'suspend', g)
    json.dump({"fleet": 1, "nodes": [{"name": n, "uri": uri(n), "vcpus": 16} for n in ('op1', 'op2', 'op3')]}, open(f'{W}/fleet.json', 'w'))
    sh(*V, 'fleet', 'capture', '--fleet', f'{W}/fleet.json', '--out', f'{W}/cap')
    r = sh(*V, 'upgrade-check', '--nodes', 'op1,op2', '--to', f'{W}/cap/nodes/op3.json', '--fleet', f'{W}/cap', check=False)
    print(r.stdout)
    pred = json.loads(sh(*V, 'upgrade-check', '--nodes', 'op1,op2', '--to', f'{W}/cap/nodes/op3.json', '--fleet', f'{W}/cap', '--json', check=False).stdout)
    agree = total = 0
    def judge(what, predicted, real, note=''):
        global agree, total
        total += 1; ok = predicted == real; agree += ok
        print(f"{'AGREE' if ok else 'DIFFER'}  {what}: predicted {predicted}, real {real} {note}")
    for step in pred['steps']:
        node = step['node']
        back = []
        for g in step['guests']:
            name, outcome, target = g['name'], g['outcome'], g['target']
            before = words(name, node)
            if outcome in ('returns', 'stays'):
                ok, err = migrate(name, node, target)
                judge(f'{name} leaves {node} -> {target}', 'SAFE', 'SAFE' if ok and words(name, target) == before else ('BLOCKED' if not ok else 'UNSAFE'), err)
                back.append((name, target, before, outcome))
            else:
                others = [n for n in ('op1', 'op2', 'op3') if n != node]
                for t in others:
                    ok, err = migrate(name, node, t)
                    judge(f'{name} cannot leave {node} -> {t}', 'refused-or-changed', 'refused-or-changed' if not ok or words(name, t) != before else 'SAFE', err)
                    if ok: migrate(name, t, node)
                sh('virsh', '-c', uri(node), 'destroy', name, check=False)
        sh('lab/stacks.sh', 'down', node); sh('lab/stacks.sh', 'up', node, 'trixie')
        for name, target, before, outcome in back:
            ok, err = migrate(name, target, node)
            real = 'SAFE' if ok and words(name, node) == before else ('BLOCKED' if not ok else 'UNSAFE')
            judge(f'{name} comes back {target} -> upgraded {node}', 'SAFE' if outcome == 'returns' else 'not SAFE', real if real == 'SAFE' else 'not SAFE', err)
        for g in step['guests']:
            if g['outcome'] == 'cold-restart':
                r = sh('virsh', '-c', uri(node), 'create', f"{W}/{g['name']}.xml", check=False)
                print(f"       {g['name']} cold restart on upgraded {node}: {'started' if r.returncode == 0 else r.stderr.strip()}")
    print(f'{agree}/{total} predictions agree')
finally:
    for n in ('op1', 'op2', 'op3'): subprocess.run(['lab/stacks.sh', 'down', n], capture_output=True)
