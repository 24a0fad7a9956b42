#!/usr/bin/env bash
# The real planner with 100,000 extents at 200x60 in tmux (its own tmux server): the time from
# sending input to the screen showing its effect, for a keystroke (m: snap on/off, with the
# frame), an edit that rechecks (t: shareable on/off), and a 10 KB bracketed paste into the
# rename prompt. Includes tmux's own delivery and capture, so these are upper bounds.
#
#   scripts/bench-planner.sh [RUNS]        (default 20; needs tmux and a release build)
set -euo pipefail
runs=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --bin carve --example gen_plan --manifest-path "$root/Cargo.toml"
work=$(mktemp -d)
trap 'tmux -L carve-bench kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
"$root/target/release/examples/gen_plan" 100000 "$work/carve.json"
t() { tmux -L carve-bench -f /dev/null "$@"; }
t new-session -d -s b -x 200 -y 60 "env LC_ALL=C.UTF-8 $root/target/release/carve --project $work"
now() { date +%s%N; }
wait_for() { # TEXT: poll the screen until it shows TEXT
  until t capture-pane -p -t b | grep -qF -- "$1"; do :; done
}
wait_for "Virtual disks (100)"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# What one look at the screen costs (a tmux capture-pane), to read the figures against.
cap_ms=()
for ((i = 0; i < runs; i++)); do
  s=$(now); wait_for "Virtual disks (100)"; e=$(now)
  cap_ms+=($(( (e - s) / 1000 )))
done
key_ms=()
for ((i = 0; i < runs; i++)); do
  want=$([ $((i % 2)) = 0 ] && echo "snap off" || echo "snap 1M")
  s=$(now); t send-keys -t b m; wait_for "$want"; e=$(now)
  key_ms+=($(( (e - s) / 1000 )))
done
edit_ms=()
for ((i = 0; i < runs; i++)); do
  want=$([ $((i % 2)) = 0 ] && echo "vm0  NOT shareable" || echo "vm0  shareable")
  s=$(now); t send-keys -t b t; wait_for "$want"; e=$(now)
  edit_ms+=($(( (e - s) / 1000 )))
done
t set-buffer -b p "$(head -c 10240 /dev/zero | tr '\0' 'x')"
paste_ms=()
for ((i = 0; i < runs; i++)); do
  t send-keys -t b r; wait_for "Rename vdisk"
  s=$(now); t paste-buffer -p -b p -t b; wait_for "‹xxxxxxxx"; e=$(now)
  paste_ms+=($(( (e - s) / 1000 )))
  t send-keys -t b Escape; wait_for "Virtual disks (100)"
done
printf 'one tmux capture (baseline):    median %s us\n' "$(printf '%s\n' "${cap_ms[@]}" | median)"
printf 'keystroke (m) to frame:        median %s us\n' "$(printf '%s\n' "${key_ms[@]}" | median)"
printf 'edit + recheck (t) to frame:   median %s us\n' "$(printf '%s\n' "${edit_ms[@]}" | median)"
printf '10 KB bracketed paste to frame: median %s us\n' "$(printf '%s\n' "${paste_ms[@]}" | median)"
