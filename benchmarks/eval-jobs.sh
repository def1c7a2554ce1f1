#!/usr/bin/env bash
# Cells per minute of `learnedopt eval` with 1 and with 2 parallel runs, measured back to back in one session so
# the ratio is meaningful on a shared machine. Usage: benchmarks/eval-jobs.sh [extra eval options]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dotnet build "$root/LearnedOpt.Cli" -c Release -v q -nologo >/dev/null
bin="$root/LearnedOpt.Cli/bin/Release/net10.0/learnedopt.dll"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
grid=(--optimizer "$root/pretrained/quick/quick.safetensors" --width 32 --horizon 200 --widths 64 --seeds 3 --tuning-seeds 1 "$@")
for jobs in 1 2 1 2; do
  dotnet "$bin" eval "${grid[@]}" --jobs "$jobs" --out "$work/jobs$jobs-$RANDOM" >/dev/null
done
python3 - "$work" <<'PY'
import json, pathlib, sys, statistics
rates = {}
for p in pathlib.Path(sys.argv[1]).glob("jobs*/eval.json"):
    e = json.loads(p.read_text())
    rates.setdefault(e["jobs"], []).append(e["cells_per_minute"])
for jobs, r in sorted(rates.items()):
    print(f"--jobs {jobs}: {statistics.mean(r):.2f} cells/min (runs: {', '.join(f'{x:.2f}' for x in r)})")
print(f"ratio jobs 2 / jobs 1: {statistics.mean(rates[2]) / statistics.mean(rates[1]):.2f}")
PY
