#!/usr/bin/env bash
# The command line's start-up, whole process: `prodgate validate` of a gate file, and a replayed 30-minute bake
# (`prodgate canary --from --to`) against a real Prometheus on loopback with backfilled data. Prints the median, min and
# max wall time of RUNS runs of each, and their median CPU time (after two warm-up runs, which write the class-data
# archive and take it into use), a bare JVM for scale, and the classes each loads. Needs only what bin/prerequisites installs (java, prometheus, promtool, curl).
#
# usage: benchmarks/startup.sh [--runs N] [--prodgate COMMAND | --jar [FILE] [--flags "JVM FLAGS"]]
#   default:    times bin/prodgate, the command as users run it
#   --prodgate: times another launcher instead (e.g. an older checkout's bin/prodgate)
#   --jar:      times a plain `java [FLAGS] -jar FILE` (default prodgate-cli/target/prodgate.jar), to compare flags
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=10
mode=bin
launcher=bin/prodgate
jarfile=""
flags=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --prodgate) mode=bin; launcher=$2; shift 2 ;;
    --jar) mode=jar; shift; if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then jarfile=$1; shift; fi ;;
    --flags) flags=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "startup.sh: unknown option $1" >&2; exit 64 ;;
  esac
done
jar=prodgate-cli/target/prodgate.jar
[ -f "$jar" ] || mvn -B -ntp -q -DskipTests package
command -v promtool >/dev/null || bin/prerequisites

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# 40 minutes of a stable and a canary release, 15 s apart, in OpenMetrics: the canary starts at t0, the bake is
# [t0, t0 + 30 min). Both healthy: about 1 % errors, about 5 % of requests over 0.5 s.
t0=$(( ($(date +%s) - 7200) / 60 * 60 ))
awk -v t0="$t0" 'BEGIN {
  n = split("0.05 0.1 0.25 0.5 1 2.5 5 +Inf", le, " ")
  for (s = 0; s < 2; s++) {
    track = s == 0 ? "stable" : "canary"; start = s == 0 ? t0 - 600 : t0; rate = s == 0 ? 200 : 20
    ok = 0; err = 0; cnt = 0; sum = 0; split("", b)
    for (t = start; t <= t0 + 1800; t += 15) {
      k = (t - start) / 15; e = (k % (s == 0 ? 1 : 5) == 0) ? (s == 0 ? 2 : 1) : 0
      ok += rate - e; err += e; cnt += rate; sum += rate * 0.12
      for (j = 1; j <= n; j++) { f = (j < 4) ? 0.2 * j + 0.2 : (j == 4 ? 0.95 : (j == 5 ? 0.99 : 1)); b[j] += int(rate * f) }
      lbl = "track=\"" track "\""
      req[track] = req[track] sprintf("http_requests_total{%s,code=\"200\"} %d %d\n", lbl, ok, t)
      rerr[track] = rerr[track] sprintf("http_requests_total{%s,code=\"500\"} %d %d\n", lbl, err, t)
      for (j = 1; j <= n; j++) bk[track, j] = bk[track, j] sprintf("http_request_duration_seconds_bucket{%s,le=\"%s\"} %d %d\n", lbl, le[j], b[j], t)
      c[track] = c[track] sprintf("http_request_duration_seconds_count{%s} %d %d\n", lbl, cnt, t)
    }
  }
  print "# TYPE http_requests_total unknown"; printf "%s%s%s%s", req["stable"], rerr["stable"], req["canary"], rerr["canary"]
  print "# TYPE http_request_duration_seconds_bucket unknown"
  for (s = 0; s < 2; s++) for (j = 1; j <= n; j++) printf "%s", bk[s == 0 ? "stable" : "canary", j]
  print "# TYPE http_request_duration_seconds_count unknown"; printf "%s%s", c["stable"], c["canary"]
  print "# EOF"
}' >"$work/metrics.om"
mkdir "$work/data"
promtool tsdb create-blocks-from openmetrics "$work/metrics.om" "$work/data" >/dev/null
printf 'global:\n  scrape_interval: 15s\n' >"$work/prometheus.yml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" --storage.tsdb.retention.time=100y \
  --web.listen-address="127.0.0.1:$port" >"$work/prometheus.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port"
for _ in $(seq 1 150); do curl -sf "$url/-/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf "$url/-/ready" >/dev/null || { echo "startup.sh: prometheus did not start:" >&2; cat "$work/prometheus.log" >&2; exit 1; }
from=$(date -u -d "@$t0" +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d "@$((t0 + 1800))" +%Y-%m-%dT%H:%M:%SZ)
gate=benchmarks/corpus-gate.yaml

if [ "$mode" = bin ]; then
  run=("$launcher")
else
  # shellcheck disable=SC2206
  run=(java $flags -jar "${jarfile:-$jar}")
fi
validate=("${run[@]}" validate --config "$gate")
replay=("${run[@]}" canary --config "$gate" --prometheus "$url" --from "$from" --to "$to" --quiet)
bare=(java -version)

# median, min and max wall time of $runs runs of a command, and the median CPU time (user + system) it took: on a
# machine shared with other work the CPU time varies less than the wall time (output discarded; exit codes 0-2 are
# verdicts)
time_it() {
  local i line TIMEFORMAT='%R %U %S'
  # two warm-ups: bin/prodgate's first run of a command writes its archive, the second takes it into use
  "$@" >/dev/null 2>&1 || [ $? -le 2 ]
  "$@" >/dev/null 2>&1 || [ $? -le 2 ]
  for ((i = 0; i < runs; i++)); do
    { time "$@" >/dev/null 2>&1 || [ $? -le 2 ]; } 2>>"$work/times"
  done
  local wall cpu
  wall=$(tail -n "$runs" "$work/times" | awk '{ print $1 }' | sort -n | stats)
  cpu=$(tail -n "$runs" "$work/times" | awk '{ print $2 + $3 }' | sort -n | stats)
  set -- $wall $cpu
  echo "$1 s (min $2, max $3), CPU $4 s"
}

# median, min and max of sorted numbers
stats() {
  awk '{ a[NR] = $1 } END { printf "%.2f %.2f %.2f", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[1], a[NR] }'
}

# classes a run loads, and how many of them TLS, metrics, Jackson and picocli
classes() {
  local log="$work/classes.log"
  rm -f "$log"
  JAVA_TOOL_OPTIONS="-Xlog:class+load=info:file=$log" "$@" >/dev/null 2>&1 || [ $? -le 2 ]
  awk '/source:/ { n++ } / (sun\.security\.ssl|javax\.net\.ssl)\./ { tls++ } / io\.prometheus\.metrics\./ { m++ }
       / com\.fasterxml\.jackson\./ { j++ } / picocli\./ { p++ } / source: shared objects file/ { cds++ }
       END { printf "%d classes (%d from the class-data archive); TLS %d, metrics %d, Jackson %d, picocli %d", n, cds, tls, m, j, p }' "$log"
}

echo "start-up, $runs runs each after two warm-ups; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "invocation: ${run[*]}"
echo "bare JVM (java -version): $(time_it "${bare[@]}")"
echo "validate:                 $(time_it "${validate[@]}")"
echo "replay of a 30-min bake:  $(time_it "${replay[@]}")"
echo "classes, validate:        $(classes "${validate[@]}")"
echo "classes, replay:          $(classes "${replay[@]}")"
echo "verdict of the replay:    $("${replay[@]}" 2>&1 | head -1)"
