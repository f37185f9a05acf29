#!/usr/bin/env bash
# Health-check cost: the CPU Baton spends checking N instances every second.
#
# One nginx (on CPU 1) listens on N loopback ports and answers /health. Baton (on
# CPU 0, one event loop) gets a config of N/10 services with 10 instances each,
# every one on its own port, checked every second with the default thresholds.
# After a warm-up, the script samples Baton's CPU time (utime+stime from
# /proc/PID/stat) over the measuring window, and the same for a Baton with the
# same services but no health checks, and prints both and the difference as a
# share of one core. Also counts the checks nginx answered, to prove they ran.
#
#   bench/health.sh [--instances N] [--warmup SECONDS] [--duration SECONDS]
#
# Needs: apt-get install -y nginx   (and java, mvn for Baton)
set -euo pipefail

instances=1000
warmup=30
duration=60
while [ $# -gt 0 ]; do
  case "$1" in
    --instances) instances="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "health.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PATH="$PATH:/usr/sbin"
for tool in nginx taskset java; do
  command -v "$tool" >/dev/null 2>&1 || { echo "health.sh: $tool is not installed (apt-get install -y nginx)" >&2; exit 1; }
done

BASE_PORT=${BASE_PORT:-21000}
PROXY_PORT=${PROXY_PORT:-18091}
ADMIN_PORT=${ADMIN_PORT:-18092}
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/logs" # not beside the config: Baton watches that directory

{
  echo "worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/error.log warn;"
  echo "events { worker_connections 8192; }"
  echo "http { access_log $work/logs/access.log; keepalive_requests 1000000; keepalive_timeout 60s;"
  echo "  client_body_temp_path $work/b; proxy_temp_path $work/p; fastcgi_temp_path $work/f; uwsgi_temp_path $work/u; scgi_temp_path $work/s;"
  echo "  server {"
  for i in $(seq 0 $((instances - 1))); do echo "    listen 127.0.0.1:$((BASE_PORT + i));"; done
  echo "    location / { default_type text/plain; return 200 'ok'; } } }"
} >"$work/nginx.conf"

config() { # $1 file, $2 "check" or "none"
  {
    echo "server: { listen: 127.0.0.1:$PROXY_PORT, admin: 127.0.0.1:$ADMIN_PORT, event-loops: 1, data-dir: $work/data }"
    echo "health: { max-concurrent-checks: 10 }"
    echo "services:"
    for s in $(seq 0 $((instances / 10 - 1))); do
      echo "  s$s:"
      [ "$2" = check ] && echo "    health-check: { path: /health, interval: 1s, timeout: 500ms }"
      echo "    instances:"
      for j in $(seq 0 9); do echo "      - http://127.0.0.1:$((BASE_PORT + s * 10 + j))"; done
    done
    echo "routes: [ { path: /**, service: s0 } ]"
  } >"$1"
}
config "$work/check.yaml" check
config "$work/none.yaml" none

ulimit -n 65536 2>/dev/null || true
"$here/baton" validate -c "$work/check.yaml" >/dev/null
taskset -c 1 nginx -p "$work" -c "$work/nginx.conf" &
pids+=($!)
sleep 1

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
java_pid() { # the JVM under the launcher (exec keeps the pid)
  echo "$1"
}

measure() { # $1 config -> prints CPU seconds over the window and checks answered
  JAVA_OPTS="${BATON_JAVA_OPTS:-}" taskset -c 0 "$here/baton" run -c "$1" >"$work/baton.log" 2>&1 &
  local pid=$!
  sleep "$warmup"
  local before_lines after_lines t0 t1
  before_lines=$(wc -l <"$work/logs/access.log")
  t0=$(cpu_ticks "$pid")
  sleep "$duration"
  t1=$(cpu_ticks "$pid")
  after_lines=$(wc -l <"$work/logs/access.log")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local hz; hz=$(getconf CLK_TCK)
  echo "$(( (t1 - t0) * 1000 / hz )) $((after_lines - before_lines))"
}

read -r none_ms _ < <(measure "$work/none.yaml")
read -r check_ms checks < <(measure "$work/check.yaml")
awk -v n="$none_ms" -v c="$check_ms" -v k="$checks" -v d="$duration" -v i="$instances" 'BEGIN {
  printf "instances %d, window %ds, checks answered %d (%.0f/s)\n", i, d, k, k / d
  printf "baton idle:        %6.2f%% of a core\n", n / 10 / d
  printf "baton checking:    %6.2f%% of a core\n", c / 10 / d
  printf "cost of checks:    %6.2f%% of a core (%.1f us CPU per check)\n", (c - n) / 10 / d, (c - n) * 1000 / (k > 0 ? k : 1)
}'
