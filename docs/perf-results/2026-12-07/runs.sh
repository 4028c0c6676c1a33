#!/usr/bin/env bash
# The side-by-side runs of 2026-12-07 (docs/perf.md, "Sequent and Kafka side by side, acks=1"), interleaved in three
# rounds: throughput at 100 B, throughput at 1 KiB, produce -> ack at 10,000 records/s (default threads), and the same
# with --threads two. Kafka from bin/kafka-local on port 19092 (9092 may be another user's on a shared machine):
#   KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 bin/kafka-local start     (before)
#   KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 bin/kafka-local stop --clean   (after)
# The runs used the same cli/target/sequent.jar as bin/sequent (a copy of it, so a rebuild could not start mid-run).
set -euo pipefail
cd "$(dirname "$0")/../../.."
K=127.0.0.1:19092
for round in 1 2 3; do
  for w in t100 t1k lat lat2; do
    case $w in
      t100) args="perf throughput --embedded --kafka $K --acks 1 --size 100 --duration 15s --warmup 5s --no-baseline" ;;
      t1k)  args="perf throughput --embedded --kafka $K --acks 1 --size 1024 --duration 15s --warmup 5s --no-baseline" ;;
      lat)  args="perf produce --embedded --kafka $K --acks 1 --rate 10000 --duration 20s --warmup 5s" ;;
      lat2) args="perf produce --embedded --kafka $K --acks 1 --rate 10000 --duration 20s --warmup 5s --threads two" ;;
    esac
    # shellcheck disable=SC2086
    bin/sequent $args --out "perf-results/2026-12-07/r$round-$w" --quiet
  done
done
