#!/usr/bin/env bash
# Runs one shard of a LightCode sweep inside an array job and writes it to
# $OUT/shard-I. The shard comes from the scheduler's environment:
#   Slurm job arrays (sbatch --array=1-N):  SLURM_ARRAY_TASK_ID (1..N), SLURM_ARRAY_TASK_COUNT
#   Kubernetes Indexed Jobs:                JOB_COMPLETION_INDEX (0..N-1), SHARDS=N
# Join the shards afterwards with: lightcode merge "$OUT"/shard-* --out "$OUT/merged"
set -euo pipefail

LIGHTCODE=${LIGHTCODE:-"npx lightcode"}
OUT=${OUT:-lightcode-sweep}
SWEEP_ARGS=${SWEEP_ARGS:-"--model llama-2-7b --seq-len 64:4096:64 --systems gpu-a100,hybrid-a100-ptu --objectives latency,energy"}

if [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
  index=$SLURM_ARRAY_TASK_ID
  count=${SLURM_ARRAY_TASK_COUNT:?submit with sbatch --array=1-N}
elif [ -n "${JOB_COMPLETION_INDEX:-}" ]; then
  index=$((JOB_COMPLETION_INDEX + 1))
  count=${SHARDS:?set SHARDS to the number of completions}
else
  echo "run-shard.sh: no SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX; run it as an array job" >&2
  exit 2
fi

workers=${SLURM_CPUS_PER_TASK:-${WORKERS:-1}}
# shellcheck disable=SC2086 # SWEEP_ARGS and LIGHTCODE are word lists on purpose
$LIGHTCODE sweep $SWEEP_ARGS --workers "$workers" --shard "$index/$count" --out "$OUT/shard-$index"
