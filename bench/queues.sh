#!/usr/bin/env bash
# Queue throughput: persistent 1 KB messages published and consumed per second
# through Baton's HTTP API with the embedded store (H2), with PostgreSQL, and with
# RabbitMQ behind it, against RabbitMQ's own Java client publishing persistent
# messages with confirms (the peer), in one run. QueueLoad (baton-bench) publishes
# in batches of 10 from 8 connections while 4 consumers receive up to 100 and ack
# them; the peer keeps 10 unconfirmed messages per publisher, 8 publishers, and 4
# consumers with a prefetch of 100.
#
# Baton runs alone on CPU 0 (taskset, so its JVM sizes itself for one core), started
# afresh for each run and stopped after it, so that no idle JVM shares its core;
# QueueLoad runs on CPU 1. PostgreSQL and RabbitMQ are the machine's own servers and
# run where the kernel puts them, for Baton and the peer alike. Modes are
# interleaved over --rounds rounds (the order rotates) and the peer runs twice per
# round (peer and peer-again: the noise floor, an A/A pair). Prints each run and the
# median msg/s of each mode with its ratio to the peer's median.
#
#   bench/queues.sh [--rounds N] [--messages N] [--pg-url postgresql://127.0.0.1:5432/test] [--amqp amqp://guest:guest@127.0.0.1:5672]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=3
messages=20000
pg_url="postgresql://127.0.0.1:5432/test"
pg_user="postgres"
amqp="amqp://guest:guest@127.0.0.1:5672"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --messages) messages="$2"; shift 2 ;;
    --pg-url) pg_url="$2"; shift 2 ;;
    --amqp) amqp="$2"; shift 2 ;;
    *) echo "queues.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in taskset java mvn psql curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "queues.sh: $tool is not installed" >&2; exit 1; }
done
jar="$here/baton-bench/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  (cd "$here" && mvn -B -q -DskipTests package -pl baton-bench -am) >&2
fi
work="$(mktemp -d)"
baton_pid=""
cleanup() {
  [ -n "$baton_pid" ] && kill "$baton_pid" 2>/dev/null || true
  psql -q -h 127.0.0.1 -U "$pg_user" -d test -c "DROP SCHEMA IF EXISTS baton_bench CASCADE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

config() { # MODE -> a config file for Baton in that mode
  local mode="$1" file="$work/$1.yaml" extra=""
  case "$mode" in
    baton-pg) extra="store: { url: \"$pg_url?currentSchema=baton_bench\", user: $pg_user }" ;;
  esac
  local broker=""
  [ "$mode" = "baton-rabbitmq" ] && broker="  broker: rabbitmq
  url: \"$amqp\""
  cat > "$file" <<EOF
server: { listen: 127.0.0.1:0, admin: 127.0.0.1:19090, data-dir: $work/data-$mode }
$extra
queues:
$broker
  bench: { visibility: 60s, max-message-size: 4KB }
EOF
  echo "$file"
}

run_baton() { # MODE -> prints msg/s
  local mode="$1"
  rm -rf "$work/data-$mode"
  if [ "$mode" = "baton-pg" ]; then
    psql -q -h 127.0.0.1 -U "$pg_user" -d test -c "DROP SCHEMA IF EXISTS baton_bench CASCADE; CREATE SCHEMA baton_bench" >/dev/null
  fi
  taskset -c 0 java -Xmx1g -cp "$jar" dev.baton.server.Main run -c "$(config "$mode")" >"$work/$mode.log" 2>&1 &
  baton_pid=$!
  for _ in $(seq 1 300); do
    curl -sf http://127.0.0.1:19090/health >/dev/null 2>&1 && break
    sleep 0.1
  done
  local out
  out="$(taskset -c 1 java -Xmx512m -cp "$jar" dev.baton.bench.QueueLoad baton http://127.0.0.1:19090 bench "$messages")"
  kill "$baton_pid"; wait "$baton_pid" 2>/dev/null || true; baton_pid=""
  echo "$out" | sed -E 's/.* ([0-9]+) msg\/s$/\1/'
}

run_peer() {
  taskset -c 1 java -Xmx512m -cp "$jar" dev.baton.bench.QueueLoad amqp "$amqp" "$messages" | sed -E 's/.* ([0-9]+) msg\/s$/\1/'
}

modes=(baton-h2 baton-pg baton-rabbitmq peer peer-again)
declare -A results
for r in $(seq 1 "$rounds"); do
  for i in "${!modes[@]}"; do
    mode="${modes[$(( (i + r) % ${#modes[@]} ))]}"
    case "$mode" in
      peer|peer-again) v="$(run_peer)" ;;
      *) v="$(run_baton "$mode")" ;;
    esac
    echo "round $r $mode: $v msg/s"
    results[$mode]="${results[$mode]:-} $v"
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
peer="$(echo "${results[peer]}" | median)"
echo
printf "%-16s %10s %8s   %s\n" mode "msg/s" "x peer" "runs"
for mode in "${modes[@]}"; do
  m="$(echo "${results[$mode]}" | median)"
  printf "%-16s %10.0f %8.2f   %s\n" "$mode" "$m" "$(echo "$m / $peer" | bc -l)" "${results[$mode]}"
done
