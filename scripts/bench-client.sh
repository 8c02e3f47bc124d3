#!/usr/bin/env bash
# Client and worker benchmark (issue 4, point 9), not part of the test run: gear-bench (GearmanClient and GearmanWorker,
# release build) against a fresh gearmand, side by side with ../shared/bench/gearbench.c (C, raw protocol) on the
# same load. Prints the median jobs/s of each and the ratio ours / C.
#
#   scripts/bench-client.sh              # JOBS=20000 REPEAT=3
#   JOBS=50000 REPEAT=5 scripts/bench-client.sh
#   SCRATCH=.build-release scripts/bench-client.sh   # build in another folder, e.g. while tests use .build
#   GEAR_BENCH=/tmp/gear-bench-old scripts/bench-client.sh   # measure a gear-bench built elsewhere (before/after)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-20000}
repeat=${REPEAT:-3}
work=$(mktemp -d)
gearmand_pid=
cleanup() {
  if [ -n "$gearmand_pid" ]; then kill "$gearmand_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

gcc -O2 -Wall -pthread -o "$work/gearbench" ../shared/bench/gearbench.c
scratch=(--scratch-path "${SCRATCH:-.build}")
if [ -n "${GEAR_BENCH:-}" ]; then
  ours=$GEAR_BENCH
else
  swift build -c release "${scratch[@]}" --product gear-bench >&2
  ours=$(swift build -c release "${scratch[@]}" --show-bin-path)/gear-bench
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/sbin/gearmand -p "$port" -L 127.0.0.1 --log-file=none -t 1 &
gearmand_pid=$!
for _ in $(seq 100); do "$work/gearbench" -q -p "$port" -s ping -t 2 >/dev/null 2>&1 && break; sleep 0.1; done

# median FIELD < JSON lines
median() { python3 -c 'import json, statistics, sys; print(round(statistics.median(json.loads(l)[sys.argv[1]] for l in sys.stdin if l.startswith("{"))))' "$1"; }

# compare LABEL FIELD "gearbench args" "gear-bench args"
compare() {
  local c_runs="" our_runs="" i
  for i in $(seq "$repeat"); do
    c_runs+=$("$work/gearbench" -q -p "$port" -n "$jobs" -S 100 -u none -G -t 300 $3)$'\n'
    our_runs+=$("$ours" --port "$port" --jobs "$jobs" --payload-size 100 $4)$'\n'
  done
  local c ours_value
  c=$(median "$2" <<<"$c_runs")
  ours_value=$(median "$2" <<<"$our_runs")
  printf '%-34s %-10s %10s %10s %7s\n' "$1" "$2" "$c" "$ours_value" "$(python3 -c "print(f'{$ours_value / $c:.2f}')")"
}

printf '%-34s %-10s %10s %10s %7s\n' "load ($jobs jobs x 100 B, gearmand -t 1)" metric gearbench gear-bench ratio
# gear-bench runs its client tasks on the client's event loop (EventLoopExecutor), as a throughput-minded caller
# would; the "(global executor)" rows show the default, one thread hop each way per request.
compare "fg, 1 connection, 1 worker" jps "-s fg -c 1 -w 1" "--scenario fg --tasks 1 --worker-concurrency 1 --on-event-loop"
compare "  (global executor)" jps "-s fg -c 1 -w 1" "--scenario fg --tasks 1 --worker-concurrency 1"
compare "fg, 16 concurrent, 4 in worker" jps "-s fg -c 16 -w 4" "--scenario fg --tasks 16 --worker-concurrency 4 --on-event-loop"
compare "bg, 1 connection, window 1" submit_jps "-s bg -c 1 -W 1 -w 1" "--scenario bg --tasks 1 --worker-concurrency 1 --on-event-loop"
compare "  (global executor)" submit_jps "-s bg -c 1 -W 1 -w 1" "--scenario bg --tasks 1 --worker-concurrency 1"
compare "bg, 16 concurrent (window 16)" submit_jps "-s bg -c 1 -W 16 -w 4" "--scenario bg --tasks 16 --worker-concurrency 4 --on-event-loop"
compare "bg drain, 1 worker" drain_jps "-s bg -c 1 -W 16 -w 1" "--scenario bg --tasks 16 --worker-concurrency 1 --on-event-loop"
