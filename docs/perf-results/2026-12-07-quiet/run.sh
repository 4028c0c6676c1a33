#!/usr/bin/env bash
# Quiet-machine side-by-side runs, sequential. Reports under docs/perf-results/2026-12-07-quiet/
cd "$(dirname "$0")/../../.."
out=docs/perf-results/2026-12-07-quiet
mkdir -p $out
K=127.0.0.1:19092
log() { echo "### $(date +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) :: $*"; }
run() { # name cmd...
  local name=$1; shift
  log "$name: $*"
  "$@" --out $out/$name --quiet > /tmp/quiet/$name.log 2>&1
  echo "rc=$?"; sed -n '/^|/p' /tmp/quiet/$name.log | head -20
}
KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 bin/kafka-local start > /tmp/quiet/kafka-start.log 2>&1
tail -2 /tmp/quiet/kafka-start.log
for r in 1 2; do
run r$r-throughput-default bin/sequent perf throughput --embedded --kafka $K --acks all --duration 20s --warmup 5s --no-baseline
run r$r-throughput-tuned bin/sequent perf throughput --embedded --kafka $K --acks all --duration 20s --warmup 5s --no-baseline --kafka-producer batch.size=262144 --kafka-producer linger.ms=10
run r$r-produce-two bin/sequent perf produce --embedded --kafka $K --rate 10000 --duration 20s --warmup 5s --threads two
run r$r-produce-default bin/sequent perf produce --embedded --kafka $K --rate 10000 --duration 20s --warmup 5s
run r$r-cluster-produce bin/perf-cluster produce --acks all --rate 10000 --duration 20s --warmup 5s --kafka $K --no-baseline
run r$r-consume bin/sequent perf consume --embedded --kafka $K --records 3000000 --warmup 5s --no-baseline
done
run r1-cluster-throughput bin/perf-cluster throughput --acks all --duration 20s --warmup 5s --kafka $K --no-baseline
run r1-e2e-flush-batch bin/sequent perf e2e --embedded --kafka $K --flush batch --rate 10000 --duration 30s --warmup 10s --no-baseline
bin/kafka-local stop --clean > /dev/null 2>&1
for i in 1 2 3 4 5; do
run sat$i bin/sequent perf throughput --embedded --acks all --duration 20s --warmup 5s --no-baseline
done
run e2e-flush-batch-alone bin/sequent perf e2e --embedded --flush batch --rate 10000 --duration 30s --warmup 10s --no-baseline
log idle
SETTLE=10 bin/idle-cpu 30 > /tmp/quiet/idle.log 2>&1; tail -5 /tmp/quiet/idle.log
log done
