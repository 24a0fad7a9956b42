#!/usr/bin/env bash
# Whole-process `carve check` on plans of 10k and 100k raw extents (made by
# examples/gen_plan.rs on the demo disk, dealt over VDISKS vdisks, default 100): median wall
# time and median CPU time (user + system) over RUNS runs, the 100k/10k ratio, and peak memory
# (max RSS) of the 100k run, with the load average (on a busy machine wall time says more
# about the others than about carve; CPU time less so). CARVE=path times another build.
# Issue 23's targets, at VDISKS=1000 and VDISKS=10: 100k under 40 ms, at most 11x the 10k
# time, peak memory under 16 MiB.
set -euo pipefail
RUNS=${RUNS:-15}
VDISKS=${VDISKS:-100}
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin carve --example gen_plan
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
CARVE=${CARVE:-$TARGET/release/carve}
GEN=$TARGET/release/examples/gen_plan
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for n in 10000 100000; do
  mkdir -p "$WORK/$n"
  "$GEN" "$n" "$WORK/$n/carve.json" "$VDISKS" >/dev/null
done

python3 - "$RUNS" "$CARVE" "$WORK" "$VDISKS" <<'PY'
import os, resource, statistics, subprocess, sys, time
runs, carve, work, vdisks = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
def medians(n):
    cmd = [carve, "check", f"{work}/{n}/carve.json"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    walls, cpus = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), cpu()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t)
        cpus.append(cpu() - c)
    return statistics.median(walls), statistics.median(cpus)
(w10, c10), (w100, c100) = medians(10000), medians(100000)
peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
ok = lambda good: "OK" if good else "OVER"
print(f"carve check over {vdisks} vdisks, load average {os.getloadavg()[0]:.1f}, median of {runs} runs:")
print(f"  10k extents:  wall {w10*1000:.1f} ms, cpu {c10*1000:.1f} ms")
print(f"  100k extents: wall {w100*1000:.1f} ms ({ok(w100 < 0.04)} the 40 ms target), cpu {c100*1000:.1f} ms")
print(f"  growth 100k/10k: wall {w100/w10:.1f}x ({ok(w100/w10 <= 11)} the 11x target), cpu {c100/max(c10, 1e-9):.1f}x")
print(f"  peak memory (max RSS of any check run): {peak_mib:.1f} MiB ({ok(peak_mib < 16)} the 16 MiB target)")
PY
