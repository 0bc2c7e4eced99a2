#!/usr/bin/env bash
# The video model's training sequence, as run (docs/TRAINING.md, "Video"): two idle cores.
# Resumable: the transformer picks up train/runs/video_transformer/ckpt.pt, or the committed light
# state train/video_resume.pt on a fresh machine, with the committed tokenizer
# train/video_tokenizer.pt (its token cache is rebuilt from the sets' fixed seeds: ~8 min).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
VT=train/runs/video_tokenizer_g2
mkdir -p $VT
# The tokenizer is committed (train/video_tokenizer.pt): a resumed transformer needs the very same
# tokens, so it is trained once and never again unless that file is removed.
[ -f $VT/tok.pt ] || { [ -f train/video_tokenizer.pt ] && cp train/video_tokenizer.pt $VT/tok.pt; } || true
if [ ! -f $VT/tok.pt ]; then
  $PY train/train_video_tokenizer.py --group 2 --minutes ${TOK_MINUTES:-15} --batch 32 --train_clips 20000
  cp $VT/tok.pt train/video_tokenizer.pt
fi
[ -f $VT/tokens.pt ] || $PY train/train_video_tokenizer.py --group 2 --tokenize
$PY train/train_video_transformer.py --minutes ${MINUTES:-75} --resume_from train/video_resume.pt \
    --resume_out train/video_resume.pt "$@"
$PY train/export_video.py
