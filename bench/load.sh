#!/usr/bin/env bash
# Load harness: Baton against nginx and HAProxy as reverse proxies, in one run.
#
# Each target runs alone on the proxy core while it is measured: every other proxy
# is stopped (SIGSTOP) for that run and continued after, because idle JVMs are not
# idle (timers, JIT, GC) and would take the measured one's core. A second nginx,
# identical to the first (`nginx-aa`), is the noise floor: its ratio to nginx is what
# two runs of the same thing differ by here.
#
# An nginx upstream on loopback answers every request with 100 bytes. wrk then
# measures the targets against it: the upstream directly; Baton three times, as
# shipped (metrics and stats on, no access log: `baton`), with metrics, stats and
# the access log all off (`baton-off`) and all on (`baton-obs`, access log to a
# file); nginx-as-proxy and HAProxy-as-proxy, and nginx-as-proxy with its access log
# on (`nginx-log`, to a file: what the same feature costs nginx here). Each proxy is pinned to CPU 0 with one worker/event loop;
# wrk and the upstream share CPU 1. Targets are interleaved over several rounds
# (the order rotates each round) because this machine is shared and noisy: only
# ratios from one interleaved run mean anything. Prints medians over the rounds of
# req/s, p50/p99 latency, proxy CPU time per request and proxy RSS, and each
# proxy's ratio to nginx.
#
# The cost of observability (metrics, stats and the access log all on against all
# off) is a few percent, below what separates two 10-second runs here, so it is
# measured apart as well: after the rounds, --pairs short runs of baton-off and
# baton-obs back to back (and of nginx and nginx-log, for scale), alternating which
# goes first, and the median of the pairs' ratios is printed with its quartiles.
#
#   bench/load.sh [--rounds N] [--duration SECONDS] [--connections N] [--warmup SECONDS]
#                 [--pairs N] [--pair-duration SECONDS]
#
# Needs: apt-get install -y nginx haproxy wrk   (and java, mvn for Baton)
set -euo pipefail

rounds=3
duration=10
connections=50
warmup=60
pairs=16
pair_duration=4
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --pairs) pairs="$2"; shift 2 ;;
    --pair-duration) pair_duration="$2"; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "load.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for tool in nginx haproxy wrk taskset java; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
    echo "load.sh: $tool is not installed (apt-get install -y nginx haproxy wrk)" >&2
    exit 1
  fi
done
PATH="$PATH:/usr/sbin"
if [ "$(nproc)" -lt 2 ]; then
  echo "load.sh: needs 2 CPUs (proxy on one, wrk and upstream on the other)" >&2
  exit 1
fi

UPSTREAM_PORT=${UPSTREAM_PORT:-18080}
BATON_PORT=${BATON_PORT:-18081}
NGINX_PORT=${NGINX_PORT:-18082}
NGINX_LOG_PORT=${NGINX_LOG_PORT:-18089}
NGINX_AA_PORT=${NGINX_AA_PORT:-18090}
HAPROXY_PORT=${HAPROXY_PORT:-18083}
BATON_ADMIN_PORT=${BATON_ADMIN_PORT:-18084}
BATON_OFF_PORT=${BATON_OFF_PORT:-18085}
BATON_OFF_ADMIN_PORT=${BATON_OFF_ADMIN_PORT:-18086}
BATON_OBS_PORT=${BATON_OBS_PORT:-18087}
BATON_OBS_ADMIN_PORT=${BATON_OBS_ADMIN_PORT:-18088}
PROXY_CPU=0
LOAD_CPU=1

work="$(mktemp -d)"
pids=()
cleanup() {
  # A stopped process takes its SIGTERM only once it runs again.
  for p in "${pids[@]}"; do kill -CONT "$p" $(pgrep -P "$p" 2>/dev/null) 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

body="$(printf '%0100d' 0)" # 100 bytes

nginx_conf() { # $1 name, $2 server block, $3 access_log directive (default off)
  mkdir -p "$work/$1"
  cat >"$work/$1/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/$1/nginx.pid;
error_log $work/$1/error.log warn;
events { worker_connections 4096; }
http {
  access_log ${3:-off};
  client_body_temp_path $work/$1/body;
  proxy_temp_path $work/$1/proxy;
  fastcgi_temp_path $work/$1/fastcgi;
  uwsgi_temp_path $work/$1/uwsgi;
  scgi_temp_path $work/$1/scgi;
  keepalive_requests 1000000;
  $2
}
EOF
}

nginx_conf upstream "server { listen 127.0.0.1:$UPSTREAM_PORT; location / { default_type text/plain; return 200 '$body'; } }"
nginx_conf proxy "upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server { listen 127.0.0.1:$NGINX_PORT; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
nginx_conf proxy-aa "upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server { listen 127.0.0.1:$NGINX_AA_PORT; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
nginx_conf proxy-log "upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server { listen 127.0.0.1:$NGINX_LOG_PORT; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }" \
  "$work/nginx-access.log combined buffer=64k flush=100ms"

cat >"$work/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend fe
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend app
backend app
  server app1 127.0.0.1:$UPSTREAM_PORT
EOF

baton_conf() { # $1 name, $2 port, $3 admin port, $4 extra top-level YAML
  cat >"$work/$1.yaml" <<EOF
server:
  listen: 127.0.0.1:$2
  admin: 127.0.0.1:$3
  data-dir: $work/$1-data
  event-loops: 1
services:
  app: { instances: [ "http://127.0.0.1:$UPSTREAM_PORT" ] }
routes:
  - { path: /**, service: app }
$4
EOF
}
baton_conf baton "$BATON_PORT" "$BATON_ADMIN_PORT" ""
baton_conf baton-off "$BATON_OFF_PORT" "$BATON_OFF_ADMIN_PORT" "metrics: { enabled: false }
stats: { enabled: false }"
baton_conf baton-obs "$BATON_OBS_PORT" "$BATON_OBS_ADMIN_PORT" "access-log: { file: $work/access.log, max-size: 50MB, max-files: 1 }"

wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "load.sh: nothing listening on port $1" >&2
  exit 1
}

echo "building Baton if needed..." >&2
"$here/baton" validate -c "$work/baton.yaml" >/dev/null

taskset -c "$LOAD_CPU" nginx -p "$work/upstream" -c "$work/upstream/nginx.conf" &
pids+=($!)
taskset -c "$PROXY_CPU" nginx -p "$work/proxy" -c "$work/proxy/nginx.conf" &
nginx_pid=$!
pids+=("$nginx_pid")
taskset -c "$PROXY_CPU" nginx -p "$work/proxy-aa" -c "$work/proxy-aa/nginx.conf" &
nginx_aa_pid=$!
pids+=("$nginx_aa_pid")
taskset -c "$PROXY_CPU" nginx -p "$work/proxy-log" -c "$work/proxy-log/nginx.conf" &
nginx_log_pid=$!
pids+=("$nginx_log_pid")
taskset -c "$PROXY_CPU" haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
pids+=("$haproxy_pid")
declare -A baton_pids
for b in baton baton-off baton-obs; do
  JAVA_OPTS="${BATON_JAVA_OPTS:-}" taskset -c "$PROXY_CPU" "$here/baton" run -c "$work/$b.yaml" >"$work/$b.log" 2>&1 &
  baton_pids[$b]=$!
  pids+=("$!")
done
for p in "$UPSTREAM_PORT" "$NGINX_PORT" "$NGINX_AA_PORT" "$NGINX_LOG_PORT" "$HAPROXY_PORT" "$BATON_PORT" "$BATON_OFF_PORT" "$BATON_OBS_PORT"; do wait_port "$p"; done

# The processes a target's CPU and memory are counted over: the proxy and its children.
procs_of() {
  case "$1" in
    direct) echo "" ;;
    baton|baton-off|baton-obs) echo "${baton_pids[$1]}" ;;
    nginx) echo "$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')" ;;
    nginx-log) echo "$nginx_log_pid $(pgrep -P "$nginx_log_pid" | tr '\n' ' ')" ;;
    nginx-aa) echo "$nginx_aa_pid $(pgrep -P "$nginx_aa_pid" | tr '\n' ' ')" ;;
    haproxy) echo "$haproxy_pid $(pgrep -P "$haproxy_pid" | tr '\n' ' ')" ;;
  esac
}
port_of() {
  case "$1" in
    direct) echo "$UPSTREAM_PORT" ;; baton) echo "$BATON_PORT" ;;
    baton-off) echo "$BATON_OFF_PORT" ;; baton-obs) echo "$BATON_OBS_PORT" ;;
    nginx) echo "$NGINX_PORT" ;; nginx-aa) echo "$NGINX_AA_PORT" ;; nginx-log) echo "$NGINX_LOG_PORT" ;;
    haproxy) echo "$HAPROXY_PORT" ;;
  esac
}
cpu_ticks() { # utime + stime over the given pids
  local t=0
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    t=$((t + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat")))
  done
  echo "$t"
}
rss_kb() {
  local k=0
  for p in "$@"; do
    [ -r "/proc/$p/status" ] || continue
    k=$((k + $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status")))
  done
  echo "$k"
}
to_us() { # wrk latency like 1.23ms / 850.00us / 1.01s -> microseconds
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); print v + 0 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); print v * 1000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000000 }
    else print v }'
}

# Every proxy but the one measured is stopped (SIGSTOP) while it is measured: idle
# JVMs are not idle (timers, JIT, GC) and would share its core.
all_proxies=(baton baton-off baton-obs nginx nginx-aa nginx-log haproxy)
others() { # $1 target -> the pids of every other proxy
  for t in "${all_proxies[@]}"; do [ "$t" = "$1" ] || procs_of "$t"; done | tr ' ' '\n' | grep -v '^$' | tr '\n' ' '
}
run_wrk() { # $1 target, $2 seconds -> "rps p50us p99us cpu_us_per_req rss_mb"
  local target=$1 secs=$2
  local procs; procs="$(procs_of "$target")"
  local stopped; stopped="$(others "$target")"
  kill -STOP $stopped 2>/dev/null || true
  sleep 0.2 # what the others had in flight settles
  local before; before=$(cpu_ticks $procs)
  local out
  out="$(taskset -c "$LOAD_CPU" wrk -t1 -c"$connections" -d"${secs}s" --latency "http://127.0.0.1:$(port_of "$target")/bench")"
  local after; after=$(cpu_ticks $procs)
  kill -CONT $stopped 2>/dev/null || true
  local rps requests non2xx p50 p99
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")
  if [ -n "$non2xx" ] || grep -q "Socket errors" <<<"$out"; then
    echo "load.sh: $target had errors:" >&2
    grep -E "Non-2xx|Socket errors" <<<"$out" >&2
  fi
  p50=$(to_us "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_us "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  local hz; hz=$(getconf CLK_TCK)
  local cpu="-" rss="-"
  if [ -n "$procs" ] && [ "${requests:-0}" -gt 0 ]; then
    cpu=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.2f", t * 1000000 / hz / n }')
    rss=$(awk -v k="$(rss_kb $procs)" 'BEGIN { printf "%.0f", k / 1024 }')
  fi
  echo "$rps $p50 $p99 $cpu $rss"
}

targets=(direct baton baton-off baton-obs nginx nginx-aa nginx-log haproxy)
# On one core the JIT competes with the event loop, so each Baton needs about a
# minute of load before it reaches steady state; the others are about steady state.
# The warm-up is three runs, not one: the end of a run (wrk closing its
# connections mid-request) and the start of the next take paths the first run
# never did, and the JIT throws away and recompiles much of the hot code then.
echo "warming up (${warmup}s for each Baton's JIT, then every connection pool)..." >&2
for _ in 1 2 3; do
  for b in baton baton-off baton-obs; do run_wrk "$b" $(( (warmup + 2) / 3 )) >/dev/null; done
done
for t in "${targets[@]}"; do run_wrk "$t" 3 >/dev/null; done

results="$work/results"
: >"$results"
for r in $(seq 1 "$rounds"); do
  for i in "${!targets[@]}"; do
    t=${targets[$(( (i + r) % ${#targets[@]} ))]}
    line="$(run_wrk "$t" "$duration")"
    echo "round $r $t: $line" >&2
    echo "$t $line" >>"$results"
  done
done

paired="$work/paired"
: >"$paired"
if [ "$pairs" -gt 0 ]; then
  echo "paired runs: $pairs x ${pair_duration}s of each of baton-off, baton-obs, nginx, nginx-log..." >&2
  for r in $(seq 1 "$pairs"); do
    if (( r % 2 )); then order="baton-off baton-obs nginx nginx-log"; else order="baton-obs baton-off nginx-log nginx"; fi
    for t in $order; do
      echo "$r $t $(run_wrk "$t" "$pair_duration")" >>"$paired"
    done
  done
fi

echo
echo "$rounds rounds x ${duration}s, $connections connections, 100-byte responses;"
echo "proxies on CPU $PROXY_CPU (1 worker), each alone there while measured (the others stopped);"
echo "wrk + nginx upstream on CPU $LOAD_CPU. nginx-aa is a second, identical nginx: the noise floor. Medians:"
echo
awk '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
  }
  { n[$1]++; k = n[$1]; rps[$1, k] = $2; p50[$1, k] = $3; p99[$1, k] = $4; cpu[$1, k] = $5; rss[$1, k] = $6 }
  END {
    split("direct baton baton-off baton-obs nginx nginx-aa nginx-log haproxy", order, " ")
    for (o = 1; o <= 8; o++) {
      t = order[o]; c = n[t]
      for (k = 1; k <= c; k++) { a1[k] = rps[t, k]; a2[k] = p50[t, k]; a3[k] = p99[t, k]; a4[k] = cpu[t, k]; a5[k] = rss[t, k] }
      lo[t] = a1[1]; hi[t] = a1[1]
      for (k = 2; k <= c; k++) { if (a1[k] < lo[t]) lo[t] = a1[k]; if (a1[k] > hi[t]) hi[t] = a1[k] }
      R[t] = median(a1, c); P50[t] = median(a2, c); P99[t] = median(a3, c)
      C[t] = (t == "direct") ? 0 : median(a4, c); M[t] = (t == "direct") ? 0 : median(a5, c)
    }
    printf "%-10s %10s %15s %9s %9s %12s %8s   %s\n", "target", "req/s", "(min-max)", "p50 us", "p99 us", "CPU us/req", "RSS MB", "vs nginx: req/s  CPU  p99"
    for (o = 1; o <= 8; o++) {
      t = order[o]
      ratio = (t == "direct") ? "" : sprintf("%.2fx  %.2fx  %.2fx", R[t] / R["nginx"], C[t] / C["nginx"], P99[t] / P99["nginx"])
      printf "%-10s %10.0f %15s %9.0f %9.0f %12s %8s   %s\n", t, R[t], sprintf("(%.0f-%.0f)", lo[t], hi[t]), P50[t], P99[t], (t == "direct") ? "-" : sprintf("%.2f", C[t]), (t == "direct") ? "-" : M[t], ratio
    }
    printf "\nobservability all on (metrics, stats, access log) vs all off: %.2fx req/s, %.2fx CPU/request, %.2fx p99\n", R["baton-obs"] / R["baton-off"], C["baton-obs"] / C["baton-off"], P99["baton-obs"] / P99["baton-off"]
    printf "nginx access log on vs off (for scale):                        %.2fx req/s, %.2fx CPU/request, %.2fx p99\n", R["nginx-log"] / R["nginx"], C["nginx-log"] / C["nginx"], P99["nginx-log"] / P99["nginx"]
  }' "$results"

if [ -s "$paired" ]; then
  awk -v pairs="$pairs" -v secs="$pair_duration" '
    function sort(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t } }
    function q(a, n, f,   x, i) { x = 1 + (n - 1) * f; i = int(x); return i >= n ? a[n] : a[i] + (x - i) * (a[i+1] - a[i]) }
    { rps[$1, $2] = $3; cpu[$1, $2] = $6 }
    END {
      print ""
      split("baton-obs baton-off nginx-log nginx", names, " ")
      for (k = 1; k <= 3; k += 2) {
        on = names[k]; off = names[k+1]; n = 0
        for (r = 1; r <= pairs; r++) if (rps[r, off] > 0) { n++; a[n] = rps[r, on] / rps[r, off]; c[n] = cpu[r, on] / cpu[r, off] }
        sort(a, n); sort(c, n)
        printf "paired, %d x %ss: %-9s vs %-9s median %.3fx req/s (quartiles %.3f-%.3f), %.3fx CPU/request\n", n, secs, on, off, q(a, n, 0.5), q(a, n, 0.25), q(a, n, 0.75), q(c, n, 0.5)
      }
    }' "$paired"
fi
