#!/usr/bin/env bash
# Whole-process `carve check` on plans of 10k and 100k raw extents (made by
# examples/gen_plan.rs on the demo disk): median wall time over RUNS runs, the 100k/10k ratio,
# and peak memory (max RSS) of the 100k run. SPEC: 100k under 0.3 s, at most 15x the 10k
# time, peak memory under 30 MiB.
set -euo pipefail
RUNS=${RUNS:-15}
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin carve --example gen_plan
CARVE=$PWD/target/release/carve
GEN=$PWD/target/release/examples/gen_plan
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for n in 10000 100000; do
  mkdir -p "$WORK/$n"
  "$GEN" "$n" "$WORK/$n/carve.json" >/dev/null
done

python3 - "$RUNS" "$CARVE" "$WORK" <<'PY'
import resource, statistics, subprocess, sys, time
runs, carve, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def median_s(n):
    cmd = [carve, "check", f"{work}/{n}/carve.json"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)
t10k, t100k = median_s(10000), median_s(100000)
subprocess.run([carve, "check", f"{work}/100000/carve.json"], check=True, stdout=subprocess.DEVNULL)
peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"carve check, 10k extents:  median {t10k*1000:.1f} ms over {runs} runs")
print(f"carve check, 100k extents: median {t100k*1000:.1f} ms over {runs} runs "
      f"({'OK' if t100k < 0.3 else 'OVER'} the 0.3 s target)")
print(f"growth 100k/10k:           {t100k/t10k:.1f}x ({'OK' if t100k/t10k <= 15 else 'OVER'} the 15x target)")
print(f"peak memory (max RSS of any check run): {peak_mib:.1f} MiB "
      f"({'OK' if peak_mib < 30 else 'OVER'} the 30 MiB target)")
PY
