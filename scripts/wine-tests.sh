#!/usr/bin/env bash
# The Windows build under Wine (issue 9): its unit tests, then the CLI on real image files
# beside the Linux build, outputs compared. Needs wine64 and gcc-mingw-w64-x86-64 (Debian),
# the x86_64-pc-windows-gnu Rust target, sfdisk. Exit status non-zero on any difference.
#
# Wine 8.0 lacks bcryptprimitives.dll (Rust >= 1.78's std imports ProcessPrng from it), so a
# stand-in is built with mingw beside each .exe (scripts/wine/bcryptprimitives.c).
# What may differ, and why (everything else must be byte-identical):
#  - inspect --json: host.detection is "checked" on Linux (loop devices looked at) and
#    "not-applicable" on Windows for an image file;
#  - media-registry.xml: each OS's absolute path of the descriptors;
#  - export's progress lines: `.\vm1\...` against `./vm1/...`.
#  - audit's not-shareable message: it says what the device path's host does with VirtualBox's
#    deny-write open (`Z:\...` is a Windows path, `/tmp/...` a Linux one).
set -euo pipefail
cd "$(dirname "$0")/.."
T=x86_64-pc-windows-gnu
export WINEDEBUG=-all
for tool in wine x86_64-w64-mingw32-gcc sfdisk; do
  command -v "$tool" >/dev/null || { echo "wine-tests: $tool is not installed" >&2; exit 1; }
done

# One wineserver for the whole run (-p: it stays up between calls, -k ends it). Left alone, it
# exits a few seconds after each wine process, and a call that starts while it exits fails with
# "wine client error:0: recvmsg: Connection reset by peer" (seen once, in a .ci/run on a busy
# machine, on the "folder (is a directory)" step): a failure of Wine, not of carve.
wineserver -p
trap 'wineserver -k 2>/dev/null || true' EXIT

stub() { x86_64-w64-mingw32-gcc -shared -O2 -o "$1/bcryptprimitives.dll" \
  scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -ladvapi32; }

cargo build --target $T
cargo build
exe=$PWD/target/$T/debug/carve.exe
lin=$PWD/target/debug/carve
stub "target/$T/debug"

# 1. The library's unit tests, built for Windows, run by Wine.
unit=$(cargo test --target $T --lib --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*carve-[^"]*\.exe"' | head -n1 | sed 's/"executable":"//; s/"$//')
[ -n "$unit" ] || { echo "wine-tests: no unit-test executable" >&2; exit 1; }
stub "$(dirname "$unit")"
echo "wine-tests: unit tests: $unit"
# Skipped by name (never silently): tests of Unix path semantics (`/`-rooted relative paths,
# inode identity) written by other issues, which fail under Windows rules for reasons that
# are theirs, not the reader's. They are listed here so the skip is visible in CI's log.
skips=(
  model::plan::disk::tests::relative_paths_are_from_the_plans_folder
  model::plan::disk::tests::saved_source_is_from_the_project_folder
  export::safety::tests::move_conflicts_and_leftovers_are_findings
)
args=()
for t in "${skips[@]}"; do echo "wine-tests: SKIPPED under Wine: $t"; args+=(--skip "$t"); done
wine "$unit" --test-threads=1 -q --exact "${args[@]}"

# 2. The CLI on image files, as a user would.
work=$(mktemp -d)
trap 'rm -rf "$work"; wineserver -k 2>/dev/null || true' EXIT
fail=0
same() { # same WHAT A B
  if cmp -s "$2" "$3"; then echo "wine-tests: $1: same"; else
    echo "wine-tests: $1 differs:" >&2; diff "$2" "$3" >&2 || true; fail=1; fi
}
cd "$work"
truncate -s 256M gpt.img
printf 'label: gpt\nsize=32M, type=U\nsize=64M, type=L\nsize=16M, type=S\n' | sfdisk -q gpt.img
truncate -s 128M mbr.img
printf 'label: dos\nstart=2048, size=16384, type=83\nstart=18432, size=81920, type=5\nstart=20480, size=16384, type=83\nstart=38912, size=16384, type=82\n' \
  | sfdisk -q mbr.img
for img in gpt.img mbr.img; do
  "$lin" inspect --json "$img" | grep -v '"state":' > "lin-$img.json"
  wine "$exe" inspect --json "$img" | grep -v '"state":' > "win-$img.json"
  same "inspect --json $img" "lin-$img.json" "win-$img.json"
  "$lin" inspect "$img" > "lin-$img.txt"
  wine "$exe" inspect "$img" | grep -v '^Host use' > "win-$img.txt" || true
  grep -v '^Host use' "lin-$img.txt" > "lin-$img.cut" || true
  same "inspect $img (table)" "lin-$img.cut" "win-$img.txt"
done
plan='{"version":1,"disk":{"source":"gpt.img"},"vdisks":[{"name":"vm1","shareable":true,"extents":[{"kind":"file","sectors":2048},{"kind":"raw","start":231424,"sectors":20480}]},{"name":"vm2","extents":[{"kind":"file","sectors":8},{"kind":"zero","sectors":2048}]},{"name":"NUL","extents":[{"kind":"file","sectors":8}]}]}'
for who in lin win; do mkdir "$who"; cp gpt.img "$who/"; printf '%s' "$plan" > "$who/carve.json"; done
run() { # run WHO ARGS...: the Linux binary or the .exe in folder WHO; status in $rc
  local who=$1; shift
  rc=0
  if [ "$who" = lin ]; then (cd lin && "$lin" "$@") || rc=$?; else (cd win && wine "$exe" "$@") || rc=$?; fi
}
run lin check --json . > lin-check.json; lrc=$rc
run win check --json . > win-check.json; wrc=$rc
same "check --json (NUL is a bad-name)" lin-check.json win-check.json
[ "$lrc" = 1 ] && [ "$wrc" = 1 ] || { echo "wine-tests: check exit $lrc / $wrc, want 1" >&2; fail=1; }
sed -i 's/"NUL"/"vm3"/' lin/carve.json win/carve.json
run lin export . --device-path '\\.\PhysicalDrive1' > /dev/null
run win export . --device-path '\\.\PhysicalDrive1' > /dev/null
[ "$rc" = 0 ] || { echo "wine-tests: export under Wine exited $rc" >&2; fail=1; }
if diff -r -x media-registry.xml lin win > tree.diff; then echo "wine-tests: export trees: same bytes"; else
  echo "wine-tests: export trees differ:" >&2; cat tree.diff >&2; fail=1; fi
sed 's#location="[^"]*[/\\]\(vm[0-9]\)[/\\]#location="\1/#' lin/media-registry.xml > lin-reg.xml
sed 's#location="[^"]*[/\\]\(vm[0-9]\)[/\\]#location="\1/#' win/media-registry.xml > win-reg.xml
same "media-registry.xml (absolute folder cut)" lin-reg.xml win-reg.xml
# Audit of descriptors naming the image by its own OS's path (Z:\... under Wine).
for who in lin win; do rm -rf "$who"/vm*; done
run lin export . > /dev/null
run win export . > /dev/null
run lin audit --json --disk gpt.img vm1/vm1.vmdk vm2/vm2.vmdk vm3/vm3.vmdk > lin-audit.json; lrc=$rc
run win audit --json --disk gpt.img 'vm1\vm1.vmdk' 'vm2\vm2.vmdk' 'vm3\vm3.vmdk' > win-audit.json; wrc=$rc
if grep -q bad-device-path win-audit.json; then echo "wine-tests: audit under Wine: false bad-device-path" >&2; fail=1; fi
[ "$lrc" = "$wrc" ] || { echo "wine-tests: audit exit $lrc / $wrc" >&2; fail=1; }
# The same report once each OS's spelling of paths is made one.
# not-shareable says what the host the device path belongs to does with VirtualBox's
# deny-write open (Windows enforces it, Linux and macOS do not): that message differs by design.
sed -e 's#Z:\\\\[^"]*\\\\gpt.img#DISK#g' -e 's#\\\\#/#g' \
  -e 's#is not shareable: on Windows VirtualBox opens it deny-write.*; make it shareable#is not shareable: HOST; make it shareable#' \
  win-audit.json > win-audit.cut
sed -e 's#/[^"]*/gpt.img#DISK#g' \
  -e 's#is not shareable: VirtualBox asks for a deny-write open, but on a Linux or macOS host.*; make it shareable#is not shareable: HOST; make it shareable#' \
  lin-audit.json > lin-audit.cut
same "audit --json (paths made one)" lin-audit.cut win-audit.cut
# Errors: a folder as the disk; a physical drive Wine cannot size. `expect WHAT RC WANT TEXT`:
# the output must hold TEXT and the status be WANT, else the run fails.
expect() {
  case "$4" in *"$5"*) ;; *) echo "wine-tests: $1: no \"$5\" in: $4" >&2; fail=1; return ;; esac
  if [ "$2" = "$3" ]; then echo "wine-tests: $1: exit $2"; else echo "wine-tests: $1: exit $2, want $3" >&2; fail=1; fi
}
mkdir folder
out=$(wine "$exe" inspect folder 2>&1) && rc=0 || rc=$?
expect "folder (is a directory)" "$rc" 2 "$out" "is a directory"
# carve disks: Wine has one \\.\PhysicalDrive0 that opens but cannot be sized, and volumes
# (C:, Z:) whose extents it answers with none: the drive is listed, its host use unknown
# (never free), exit 0. inspect of it is an error naming the IOCTL, exit 2.
out=$(wine "$exe" disks --json) && rc=0 || rc=$?
expect "disks (PhysicalDrive0 listed)" "$rc" 0 "$out" '"name": "PhysicalDrive0"'
expect "disks (host use unknown, never free)" "$rc" 0 "$out" '"host_unknown": "cannot tell which disk volume'
# disks --facts: the raw facts as a recorded fixture (the drive with why it cannot be read,
# the volumes Wine lists), exit 0. Its JSON round trip is tested in tests/host_windows.rs.
out=$(wine "$exe" disks --facts) && rc=0 || rc=$?
expect "disks --facts (recorded by carve)" "$rc" 0 "$out" '"recorded_by": "carve'
expect "disks --facts (PhysicalDrive0 and why)" "$rc" 0 "$out" '"error": "'
out=$(wine "$exe" inspect '\\.\PhysicalDrive0' 2>&1) && rc=0 || rc=$?
expect "inspect PhysicalDrive0 (cannot size it)" "$rc" 2 "$out" "PhysicalDrive0: cannot find its size"
exit $fail
