#!/usr/bin/env bash
# The run of 2026-12-02 after the tokenizer (kept as the record of what ran, in order):
# classifier -> transformer -> evaluation (new and previous checkpoint, same judge) -> report ->
# export (+ golden files) -> Pareto front. One job at a time, two threads each.
set -euxo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
TF_MINUTES=${TF_MINUTES:-58}
[ -f train/runs/classifier/cnn.pt ] || $PY train/classifier.py --minutes 5 --threads 2
$PY train/train_transformer.py --minutes "$TF_MINUTES" --width_weights 2,1.5,1.2,1 --threads 2 \
  --resume_out train/runs/transformer/resume_light.pt
# 2000 images at full width take 7 min here (f32 reference decoder): the list is what fit.
$PY train/evaluate.py --n 2000 --schedules baseline --cache 0
$PY train/evaluate.py --n 2000 --cache 1 --schedules m0-4-4-4,m2-2-4-4,m0-6-0-6
$PY train/evaluate.py --n 2000 --schedules baseline --cache 1      # run last, after the export
$PY train/evaluate.py --n 2000 --model_dir train/runs/old-fmnist-s --out train/runs/eval_old --tag _old \
  --schedules baseline --cache 0
$PY train/evaluate.py --n 2000 --model_dir train/runs/old-fmnist-s --out train/runs/eval_old --tag _old \
  --schedules magnets --cache 1
$PY train/report.py
$PY train/export.py
$PY train/front.py
$PY train/report.py
