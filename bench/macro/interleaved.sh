#!/bin/bash
# Interleaved A/B of the accept-to-close path and static files on a shared machine: every round
# runs each server once (servers on CPU 0, wrk on CPU 1), so load drifts hit all of them alike;
# prints each run and then medians of req/s and server CPU per request (/proc/<pid>/stat).
# Usage: bench/macro/interleaved.sh <before-dist/index.js> [rounds] [seconds]
# Needs wrk, taskset, nginx, and `npx tsc -p tsconfig.build.json` (dist/) in this checkout.
set -euo pipefail
before=${1:?usage: interleaved.sh <before dist/index.js> [rounds] [seconds]}
rounds=${2:-7}
secs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
servers=$here/servers
work=$(mktemp -d /tmp/porta-interleaved-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/root" "$work/nginx"
line='porta benchmark text: the quick brown fox jumps over the lazy dog 0123456789\n'
for spec in 1k:1024 64k:65536 1m:1048576; do
  head -c "${spec#*:}" < <(yes "$(printf "$line")") > "$work/root/${spec%%:*}.txt"
done
cat > "$work/nginx/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo 'user root;' )
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  types { text/plain txt; }
  charset utf-8;
  sendfile on;
  open_file_cache max=1000 inactive=60s;
  keepalive_requests 100000;
  server { listen 127.0.0.1:18309; root $work/root; location / { } }
}
CONF

declare -A pid port
# name port command...: starts a server on CPU 0 and waits for its port.
start() {
  local name=$1 at=$2
  shift 2
  taskset -c 0 "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
  pid[$name]=$!
  port[$name]=$at
  for _ in $(seq 1 150); do
    curl -s -o /dev/null "http://127.0.0.1:$at/" && return 0
    sleep 0.1
  done
  echo "$name did not start: $(cat "$work/$name.log")" >&2
  exit 1
}
start respond 18301 node "$servers/porta-respond.mjs" 18301
start respond_before 18302 env BENCH_PORTA_DIST="$before" node "$servers/porta-respond.mjs" 18302
start net 18303 node "$servers/node-net.mjs" 18303
start http 18304 node "$servers/node-http.mjs" 18304
start static 18305 node "$servers/static-porta.mjs" 18305 "$work/root"
start static_before 18306 env BENCH_PORTA_DIST="$before" node "$servers/static-porta.mjs" 18306 "$work/root"
start static_net 18307 node "$servers/static-node-net.mjs" 18307 "$work/root"
start static_http 18308 node "$servers/static-node-http.mjs" 18308 "$work/root"
start nginx 18309 nginx -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf"
tck=$(getconf CLK_TCK)

# CPU ticks of a process and its children (nginx: master and worker).
ticks() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

# workload server pid url [wrk args...]
run() {
  local workload=$1 name=$2 pid=$3 url=$4
  shift 4
  taskset -c 1 wrk -t1 -c50 -d1s "$@" "$url" > /dev/null 2>&1
  local a b out
  a=$(ticks "$pid")
  out=$(taskset -c 1 wrk -t1 -c50 -d"${secs}s" "$@" "$url" 2>&1)
  b=$(ticks "$pid")
  awk -v w="$workload" -v n="$name" -v a="$a" -v b="$b" -v t="$tck" '
    /requests in/ { r = $1 } /Requests\/sec/ { s = $2 }
    END { printf "%s %s %.0f %.1f\n", w, n, s, (b - a) / t * 1e6 / r }' <<< "$out"
}

close=(-H 'Connection: close')
{
  for round in $(seq 1 "$rounds"); do
    echo "round $round/$rounds, $(uptime | sed 's/.*load/load/')" >&2
    for n in respond respond_before net http; do
      run respond-close "$n" "${pid[$n]}" "http://127.0.0.1:${port[$n]}/" "${close[@]}"
      run respond-keepalive "$n" "${pid[$n]}" "http://127.0.0.1:${port[$n]}/"
    done
    for n in static static_before static_net static_http nginx; do
      url=http://127.0.0.1:${port[$n]}
      run 1k-close "$n" "${pid[$n]}" "$url/1k.txt" "${close[@]}"
      run 1k-keepalive "$n" "${pid[$n]}" "$url/1k.txt"
      run 64k "$n" "${pid[$n]}" "$url/64k.txt"
      run 1m "$n" "${pid[$n]}" "$url/1m.txt"
    done
  done
} | tee "$work/runs.txt"
echo "medians over $rounds rounds (workload server req/s CPU-µs/req), $(uptime | sed 's/.*load/load/')"
awk '{ key = $1 " " $2; rps[key] = rps[key] " " $3; cpu[key] = cpu[key] " " $4; order[key] = NR }
  END { for (k in rps) print order[k], k, rps[k] "|" cpu[k] }' "$work/runs.txt" | sort -n | cut -d' ' -f2- |
  while read -r workload name rest; do
    median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    printf '%-18s %-14s %8s req/s %8s µs/req\n' "$workload" "$name" \
      "$(echo "${rest%%|*}" | median)" "$(echo "${rest#*|}" | median)"
  done
