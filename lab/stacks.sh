#!/usr/bin/env bash
# The lab's real stacks: installs them and runs libvirt daemons ("nodes") of any stack on this
# machine, each in its own mount and UTS namespace with its own host UUID, state and socket.
#
#   lab/stacks.sh install [STACK...]      install stacks (default: all): bookworm, trixie, forky
#   lab/stacks.sh up NODE STACK [MAPDIR]  start a node: libvirtd of STACK (optionally with another cpu_map)
#   lab/stacks.sh down NODE               stop a node: destroy its guests, stop QEMUs and libvirtd by PID
#   lab/stacks.sh down-all                stop every node this lab started
#   lab/stacks.sh uri NODE                the node's libvirt URI
#   lab/stacks.sh qemu STACK              a path that runs the stack's qemu-system-x86_64
#
# Stacks: bookworm = Debian 12 (libvirt 9.0, QEMU 7.2), natively; trixie = Debian 13 (libvirt
# 11.3, QEMU 10.0) and forky = Debian testing (libvirt 12.8, QEMU 11.1), each in a debootstrap
# chroot under $VIRTCPU_LAB_ROOT (default /var/cache/virtcpu-lab). Node state lives in
# $VIRTCPU_LAB_ROOT/nodes/NODE. Needs root.
set -euo pipefail

ROOT=${VIRTCPU_LAB_ROOT:-/var/cache/virtcpu-lab}
MIRROR=${VIRTCPU_LAB_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
NODES=$ROOT/nodes
PACKAGES="qemu-system-x86 libvirt-daemon-driver-qemu libvirt-clients libvirt-daemon"
APT_OPTS=(-o Acquire::Check-Valid-Until=false -o Dpkg::Use-Pty=0)

die() { echo "lab: $*" >&2; exit 2; }
log() { echo "lab: $*" >&2; }

stack_root() {
  case "$1" in
    bookworm) echo "" ;;
    trixie|forky) echo "$ROOT/$1" ;;
    *) die "unknown stack '$1' (stacks: bookworm, trixie, forky)" ;;
  esac
}

ensure_users() { # $1: root ('' = this machine)
  local r=$1
  if ! chroot "${r:-/}" getent group libvirt-qemu >/dev/null; then chroot "${r:-/}" groupadd -r libvirt-qemu; fi
  if ! chroot "${r:-/}" getent passwd libvirt-qemu >/dev/null; then chroot "${r:-/}" useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu; fi
}

install_stack() {
  local stack=$1 r
  r=$(stack_root "$stack")
  if [ -z "$r" ]; then
    if ! command -v libvirtd >/dev/null || ! command -v qemu-system-x86_64 >/dev/null || ! command -v virsh >/dev/null; then
      log "installing $PACKAGES (bookworm)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
    fi
    ensure_users ""
    return
  fi
  if [ -x "$r/usr/sbin/libvirtd" ] && [ -x "$r/usr/bin/qemu-system-x86_64" ]; then ensure_users "$r"; return; fi
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  mkdir -p "$ROOT"
  if [ ! -x "$r/usr/bin/apt-get" ]; then
    log "debootstrap $stack into $r (a few minutes)"
    rm -rf "$r"
    local script=()
    [ "$stack" = forky ] && [ ! -e /usr/share/debootstrap/scripts/forky ] && script=(/usr/share/debootstrap/scripts/sid)
    debootstrap --variant=minbase "$stack" "$r" "$MIRROR" "${script[@]}" >"$ROOT/$stack-debootstrap.log" 2>&1 \
      || die "debootstrap $stack failed (see $ROOT/$stack-debootstrap.log)"
  fi
  log "installing $PACKAGES in the $stack chroot"
  with_mounts "$r" chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update -qq >/dev/null
  with_mounts "$r" chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends $PACKAGES >"$ROOT/$stack-install.log" 2>&1 \
    || die "installing packages in $stack failed (see $ROOT/$stack-install.log)"
  ensure_users "$r"
}

# Runs a command with proc/sys/dev bind-mounted into a chroot, unmounting afterwards.
with_mounts() {
  local r=$1; shift
  local rc=0
  for d in proc sys dev; do mountpoint -q "$r/$d" || mount --bind "/$d" "$r/$d"; done
  "$@" || rc=$?
  for d in dev sys proc; do umount -l "$r/$d" 2>/dev/null || true; done
  return $rc
}

qemu_path() {
  local stack=$1 r
  r=$(stack_root "$stack")
  if [ -z "$r" ]; then command -v qemu-system-x86_64; return; fi
  local w="$ROOT/bin/qemu-$stack"
  mkdir -p "$ROOT/bin"
  cat >"$w" <<W
#!/bin/sh
# Runs $stack's QEMU (chroot $r); /proc, /sys, /dev and /tmp must be bind-mounted there.
for d in proc sys dev tmp; do mountpoint -q "$r/\$d" || mount --bind "/\$d" "$r/\$d"; done
exec chroot "$r" /usr/bin/qemu-system-x86_64 "\$@"
W
  chmod +x "$w"
  echo "$w"
}

node_conf() { # NODE UUID -> writes the node's config
  local dir=$1 uuid=$2
  mkdir -p "$dir/etc" "$dir/run" "$dir/lib" "$dir/cache" "$dir/log"
  cat >"$dir/etc/libvirtd.conf" <<C
host_uuid = "$uuid"
unix_sock_group = "root"
unix_sock_rw_perms = "0770"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
C
  cat >"$dir/etc/qemu.conf" <<C
user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
remember_owner = 0
stdio_handler = "file"
C
}

up() {
  local node=$1 stack=$2 map=${3:-}
  [ -n "$node" ] || die "usage: stacks.sh up NODE STACK [MAPDIR]"
  local r dir pidfile
  r=$(stack_root "$stack")
  [ -z "$r" ] || [ -x "$r/usr/sbin/libvirtd" ] || die "stack $stack is not installed (lab/stacks.sh install $stack)"
  dir=$NODES/$node
  pidfile=$dir/libvirtd.pid
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then die "node $node is already up (pid $(cat "$pidfile"))"; fi
  # Keep QEMU's capabilities cache (slow to rebuild) when the stack and the CPU map are the same
  # as last time: libvirt does not key that cache on the map.
  local stamp="$stack $( [ -z "$map" ] || cat "$map"/*.xml | md5sum )"
  if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$stamp" ]; then
    find "$dir" -mindepth 1 -maxdepth 1 ! -name cache -exec rm -rf {} +
  else
    rm -rf "$dir"
  fi
  mkdir -p "$dir"
  echo "$stamp" >"$dir/stamp"
  local uuid
  uuid=$(cat /proc/sys/kernel/random/uuid)
  node_conf "$dir" "$uuid"
  [ -z "$map" ] || { [ -f "$map/index.xml" ] || die "$map: not a cpu_map folder (no index.xml)"; cp -r "$map" "$dir/cpu_map"; }
  echo "$stack" >"$dir/stack"
  local etc=${r}/etc/libvirt
  # The script the namespace runs: private mounts over the libvirt state folders, own hostname.
  cat >"$dir/enter.sh" <<S
#!/bin/sh
set -e
hostname lab-$node
R="${r}"
if [ -n "\$R" ]; then for d in proc sys dev tmp; do mount --bind /\$d "\$R/\$d"; done; fi
mkdir -p "\$R/etc/libvirt" "\$R/run/libvirt" "\$R/var/lib/libvirt" "\$R/var/cache/libvirt" "\$R/var/log/libvirt"
cp -n "$etc"/*.conf "$dir/etc/" 2>/dev/null || true
mount --bind "$dir/etc" "\$R/etc/libvirt"
mount --bind "$dir/run" "\$R/run/libvirt"
mount --bind "$dir/lib" "\$R/var/lib/libvirt"
mount --bind "$dir/cache" "\$R/var/cache/libvirt"
mount --bind "$dir/log" "\$R/var/log/libvirt"
if [ -d "$dir/cpu_map" ]; then mount --bind "$dir/cpu_map" "\$R/usr/share/libvirt/cpu_map"; fi
if [ -n "\$R" ]; then exec chroot "\$R" /usr/sbin/libvirtd -p /run/libvirt/libvirtd.pid; fi
exec /usr/sbin/libvirtd -p /run/libvirt/libvirtd.pid
S
  chmod +x "$dir/enter.sh"
  setsid unshare -m -u --propagation private "$dir/enter.sh" </dev/null >"$dir/daemon.out" 2>&1 &
  echo $! >"$pidfile"
  local sock=$dir/run/libvirt-sock i
  for i in $(seq 1 100); do
    [ -S "$sock" ] && virsh -c "$(uri "$node")" version >/dev/null 2>&1 && { echo "$(uri "$node")"; return 0; }
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { cat "$dir/daemon.out" >&2; die "node $node: libvirtd exited (see $dir/log/libvirtd.log)"; }
    sleep 0.2
  done
  down "$node" || true
  die "node $node: libvirtd did not answer within 20 s"
}

uri() { echo "qemu+unix:///system?socket=$NODES/$1/run/libvirt-sock"; }

down() {
  local node=$1 dir=$NODES/$1
  [ -d "$dir" ] || return 0
  local pidfile=$dir/libvirtd.pid
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    local u name
    u=$(uri "$node")
    for name in $(timeout 20 virsh -c "$u" list --name 2>/dev/null || true); do
      timeout 20 virsh -c "$u" destroy "$name" >/dev/null 2>&1 || true
    done
    kill "$(cat "$pidfile")" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  fi
  # QEMUs the daemon left (it was killed, or destroy failed): by their PID files.
  local p
  for p in "$dir"/run/qemu/*.pid; do
    [ -f "$p" ] || continue
    kill -9 "$(cat "$p")" 2>/dev/null || true
  done
  rm -f "$pidfile"
}

down_all() {
  [ -d "$NODES" ] || return 0
  local d
  for d in "$NODES"/*/; do [ -d "$d" ] && down "$(basename "$d")"; done
}

cmd=${1:-}; shift || true
case "$cmd" in
  install) if [ $# -eq 0 ]; then set -- bookworm trixie forky; fi; for s in "$@"; do install_stack "$s"; done ;;
  up) up "${1:-}" "${2:-}" "${3:-}" ;;
  down) down "${1:?usage: stacks.sh down NODE}" ;;
  down-all) down_all ;;
  uri) uri "${1:?usage: stacks.sh uri NODE}" ;;
  qemu) qemu_path "${1:?usage: stacks.sh qemu STACK}" ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
