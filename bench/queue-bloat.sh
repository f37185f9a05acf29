#!/usr/bin/env bash
# What a long run does to the queue's table: Baton on a PostgreSQL store (its own
# schema, baton_bloat) carries a steady stream of 1 KB messages (QueueLoad: published
# and consumed at once) for --messages messages, while every --every seconds this
# prints the size of queue_messages with its indexes, its live and dead row
# versions, and when autovacuum last ran on it. Then Baton stops, and a last line
# shows the table once the queue is empty. The same for the embedded store with
# --h2: the size of the data directory's baton.mv.db instead.
#
#   bench/queue-bloat.sh [--messages N] [--every SECONDS] [--h2]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
messages=300000
every=30
h2=false
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) messages="$2"; shift 2 ;;
    --every) every="$2"; shift 2 ;;
    --h2) h2=true; shift ;;
    *) echo "queue-bloat.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
jar="$here/baton-bench/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$here" && mvn -B -q -DskipTests package -pl baton-bench -am) >&2
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  $h2 || psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS baton_bloat CASCADE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
store=""
if ! $h2; then
  psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS baton_bloat CASCADE; CREATE SCHEMA baton_bloat" >/dev/null
  store='store: { url: "postgresql://127.0.0.1:5432/test?currentSchema=baton_bloat", user: postgres }'
fi
cat > "$work/baton.yaml" <<EOF
server: { listen: 127.0.0.1:0, admin: 127.0.0.1:19091, data-dir: $work/data }
$store
queues:
  bench: { visibility: 60s, max-message-size: 4KB }
EOF
taskset -c 0 java -Xmx1g -cp "$jar" dev.baton.server.Main run -c "$work/baton.yaml" >"$work/baton.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do curl -sf http://127.0.0.1:19091/health >/dev/null 2>&1 && break; sleep 0.1; done

sample() {
  if $h2; then
    printf "%8s s  %10s bytes  baton.mv.db\n" "$1" "$(stat -c %s "$work/data/baton.mv.db" 2>/dev/null || echo 0)"
  else
    psql -At -F ' ' -h 127.0.0.1 -U postgres -d test -c "SELECT pg_total_relation_size('baton_bloat.queue_messages'),
      n_live_tup, n_dead_tup, coalesce(to_char(last_autovacuum, 'HH24:MI:SS'), '-'), autovacuum_count
      FROM pg_stat_user_tables WHERE schemaname = 'baton_bloat' AND relname = 'queue_messages'" |
      awk -v t="$1" '{ printf "%8s s  %10d bytes  live %8d  dead %8d  last autovacuum %s (%d runs)\n", t, $1, $2, $3, $4, $5 }'
  fi
}
taskset -c 1 java -Xmx512m -cp "$jar" dev.baton.bench.QueueLoad baton http://127.0.0.1:19091 bench "$messages" >"$work/load.log" 2>&1 &
load=$!
pids+=($load)
start=$(date +%s)
while kill -0 "$load" 2>/dev/null; do
  sample $(( $(date +%s) - start ))
  sleep "$every"
done
wait "$load" || { cat "$work/load.log" >&2; exit 1; }
cat "$work/load.log"
sleep "$every"
sample "$(( $(date +%s) - start )) (idle)"
