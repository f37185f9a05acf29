#!/usr/bin/env bash
# Saga throughput and recovery on the embedded store: SagaThroughput (baton-bench)
# runs SAGAS three-step sagas against an in-process upstream that answers at once,
# IN_FLIGHT at a time, and prints sagas/s; then leaves SAGAS sagas unfinished,
# stops, and times a new engine resuming them all. The JVM runs alone on CPU 0
# (taskset), so it sizes itself for one core; run it twice for the noise floor.
#
#   bench/sagas.sh [SAGAS] [IN_FLIGHT] [PG-URL PG-USER]   (defaults 2000, 64, the embedded store)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for tool in taskset java mvn; do
  command -v "$tool" >/dev/null 2>&1 || { echo "sagas.sh: $tool is not installed" >&2; exit 1; }
done
jar="$here/baton-bench/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  (cd "$here" && mvn -B -q -DskipTests package -pl baton-bench -am) >&2
fi
exec taskset -c 0 java -Xmx1g -cp "$jar" dev.baton.bench.SagaThroughput "${1:-2000}" "${2:-64}" "${@:3}"
