#!/usr/bin/env bash
# The video model's training run on one borrowed GPU (docs/TRAINING.md, "Video"): the same
# scripts as video_pipeline.sh, sized for minutes of an H200 instead of hours of two cores.
# Everything worth keeping lands in $OUT (tokenizer, resume state split into two files under
# 16 MiB each, logs, sample strips); export and goldens are made afterwards on the CPU.
# With train/video_tokenizer.pt and train/video_resume.pt committed, it resumes: TR_MIN is the
# total training budget (all runs), so pass the minutes already trained plus the new ones.
#   OUT=/tmp/o FMNIST_DIR=... TOK_MIN=0.2 TR_MIN=0.3 MAX_CLIPS=300 bash train/video_device.sh   # dry run
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
OUT=${OUT:?set OUT}
export PYTHONUNBUFFERED=1
VT=train/runs/video_tokenizer_g2
VR=train/runs/video_transformer
mkdir -p $VT $VR
log() { tee -a "$OUT/train.log"; }
command -v nvidia-smi >/dev/null && nvidia-smi -L | log || true
$PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" | log
if [ -f train/video_tokenizer.pt ]; then        # committed: a resumed transformer needs its tokens
  cp train/video_tokenizer.pt $VT/tok.pt
else
  $PY train/train_video_tokenizer.py --group 2 --minutes "${TOK_MIN:-2.5}" --batch "${TOK_BATCH:-256}" \
      --train_clips "${TOK_CLIPS:-40000}" --threads "${THREADS:-8}" 2>&1 | log
  cp $VT/metrics.json "$OUT/"
fi
cp $VT/tok.pt "$OUT/"
$PY train/train_video_tokenizer.py --group 2 --tokenize --threads "${THREADS:-8}" \
    ${MAX_CLIPS:+--max_clips $MAX_CLIPS} 2>&1 | log
$PY train/train_video_transformer.py --minutes "${TR_MIN:-4}" --layers 8 --dim 160 --heads 8 --mlp 640 \
    --batch "${TR_BATCH:-256}" --lr "${TR_LR:-1.5e-3}" --ckpt_minutes 1 --sample_minutes 1000 \
    --threads "${THREADS:-8}" ${TR_EXTRA:-} --resume_out $VR/light.pt \
    $( [ -f train/video_resume.pt ] && echo --resume_from train/video_resume.pt ) 2>&1 | log
$PY - "$VR/light.pt" "$OUT" <<'EOF' 2>&1 | log
import sys, torch
st = torch.load(sys.argv[1], map_location="cpu")
ema = st.pop("ema")
torch.save(st, f"{sys.argv[2]}/resume_model.pt")
torch.save({"ema": ema}, f"{sys.argv[2]}/resume_ema.pt")
print("resume state split: step", st["step"])
EOF
tar -C $VR -cf "$OUT/strips.tar" $(cd $VR && ls *_latest.png)
