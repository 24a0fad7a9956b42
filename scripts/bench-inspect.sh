#!/usr/bin/env bash
# carve inspect --json vs sfdisk --json on a 128-partition GPT image, whole process.
# Prints the median wall time of each over RUNS runs and the ratio (SPEC: carve no slower).
set -euo pipefail
RUNS=${RUNS:-30}
cd "$(dirname "$0")/.."
cargo build --release --quiet
CARVE=$PWD/target/release/carve
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
IMG=$WORK/gpt128.img
truncate -s 1G "$IMG"
{
  echo "label: gpt"
  echo "table-length: 128"
  for i in $(seq 1 128); do echo "size=4M, type=L, name=p$i"; done
} | sfdisk --quiet --no-reread --no-tell-kernel "$IMG"

python3 - "$RUNS" "$CARVE" "$IMG" <<'PY'
import statistics, subprocess, sys, time
runs, carve, img = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def median_ms(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)  # warm the page cache
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)
c = median_ms([carve, "inspect", "--json", img])
s = median_ms(["sfdisk", "--json", img])
n = len(__import__("json").loads(subprocess.run([carve, "inspect", "--json", img], capture_output=True, check=True).stdout)["partitions"])
print(f"partitions read by carve: {n}")
print(f"carve inspect --json: median {c:.2f} ms over {runs} runs")
print(f"sfdisk --json:        median {s:.2f} ms over {runs} runs")
print(f"ratio carve/sfdisk:   {c / s:.2f} ({'OK: no slower' if c <= s else 'SLOWER than sfdisk'})")
PY
