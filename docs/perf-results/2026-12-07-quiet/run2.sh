#!/usr/bin/env bash
cd "$(dirname "$0")/../../.."
out=docs/perf-results/2026-12-07-quiet
K=127.0.0.1:19092
log() { echo "### $(date +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) :: $*"; }
run() { local name=$1; shift; log "$name: $*"; "$@" --out $out/$name --quiet > /tmp/quiet/$name.log 2>&1; echo "rc=$?"; }
KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 bin/kafka-local start > /tmp/quiet/kafka-start2.log 2>&1
printf 'batch.size=262144\nlinger.ms=10\n' > /tmp/quiet/tuned.properties
run r3-cluster-e2e bin/perf-cluster e2e --acks all --rate 10000 --duration 20s --warmup 5s --kafka $K --no-baseline
run r3-throughput-both-tuned bin/sequent perf throughput --embedded --kafka $K --duration 20s --warmup 5s --no-baseline --command-config /tmp/quiet/tuned.properties --kafka-producer batch.size=262144 --kafka-producer linger.ms=10
run r3-consume-10m bin/sequent perf consume --embedded --kafka $K --records 10000000 --warmup 5s --no-baseline
bin/kafka-local stop --clean > /dev/null 2>&1
log done
