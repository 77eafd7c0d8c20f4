#!/usr/bin/env bash
# Run the conformance suite N rounds per virtual platform and print per-round pass counts, wall time and
# the ids of failing scenarios. Not part of the pytest suite.
#   scripts/stability.sh N [platform ...]      (default platforms: android ios)
#   LOAD=K scripts/stability.sh N              also keep K busy-loop processes running (CPU pressure)
#   HARNESS=/path/to/harness                   the harness entry point (default: harness on PATH)
set -u
rounds=${1:-20}
shift || true
platforms=("$@")
[ ${#platforms[@]} -eq 0 ] && platforms=(android ios)
harness=${HARNESS:-harness}
scenarios=${SCENARIOS:-scenarios/}
load=${LOAD:-0}
load_pids=()
cleanup() { for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
for ((i = 0; i < load; i++)); do
    python3 -c 'while True: pass' &
    load_pids+=($!)
done
out=$(mktemp -d)
total_bad=0
for platform in "${platforms[@]}"; do
    clean=0
    for ((r = 1; r <= rounds; r++)); do
        log="$out/$platform-$r.log"
        start=$(date +%s.%N)
        "$harness" run --device "virtual:$platform" "$scenarios" >"$log" 2>&1
        rc=$?
        secs=$(echo "$(date +%s.%N) - $start" | bc)
        passed=$(grep -c '] PASS ' "$log")
        failed=$(grep -E '] (FAIL|ERROR) ' "$log" | awk '{print $3}' | tr '\n' ' ')
        printf '%-8s round %2d/%d  rc=%d  passed=%3d  %6.1fs  %s\n' "$platform" "$r" "$rounds" "$rc" "$passed" "$secs" \
            "${failed:+failing: $failed}"
        if [ "$rc" -eq 0 ] && [ -z "$failed" ]; then clean=$((clean + 1)); else total_bad=$((total_bad + 1)); fi
    done
    echo "$platform: $clean/$rounds rounds with no failure (logs in $out)"
done
[ "$total_bad" -eq 0 ]
