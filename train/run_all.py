"""Retrain everything with one command (CPU: ~2 h on 2 idle cores; far less on a GPU):

/usr/bin/python3 train/run_all.py [--tok_minutes 18] [--cls_minutes 5] [--tf_minutes 60] [--n 2000]

Each stage is skipped when its output exists (delete train/runs/<stage> to redo it); the
transformer stage resumes from its checkpoint. Order: tokenizer -> classifier -> transformer ->
evaluate -> report (chooses `magnets`) -> export (public/models/fmnist-s + e2e/golden/fmnist-s)
-> front (Pareto front into the manifest).
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "runs")


def run(script, *args):
    cmd = [sys.executable, os.path.join(HERE, script), *map(str, args)]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tok_minutes", type=float, default=18)
    ap.add_argument("--tok_ft_minutes", type=float, default=4, help="decoder-only fine-tune after the tokenizer")
    ap.add_argument("--cls_minutes", type=float, default=5)
    ap.add_argument("--tf_minutes", type=float, default=57)
    ap.add_argument("--n", type=int, default=2000, help="generated images per schedule")
    ap.add_argument("--eval_minutes", type=float, default=30)
    a = ap.parse_args()
    try:
        import numpy, torch, PIL  # noqa: F401
    except ImportError as e:
        sys.exit(f"{e}: apt-get install python3-torch python3-numpy python3-pil libopenblas0-openmp")
    if not os.path.exists(os.path.join(RUNS, "tokenizer", "tokens.pt")):
        run("train_tokenizer.py", "--minutes", a.tok_minutes)
        if a.tok_ft_minutes:
            run("train_tokenizer.py", "--finetune_decoder", a.tok_ft_minutes, "--lr", 4e-4)
    if not os.path.exists(os.path.join(RUNS, "classifier", "cnn.pt")):
        run("classifier.py", "--minutes", a.cls_minutes)
    run("train_transformer.py", "--minutes", a.tf_minutes, "--resume_out",
        os.path.join(RUNS, "transformer", "resume_light.pt"))
    run("export.py")                       # export with the default schedule first
    # the schedules of docs/QUALITY.md: cache off and on (stops starting new ones after the budget)
    run("evaluate.py", "--n", a.n, "--schedules", "baseline", "--cache", "0")
    run("evaluate.py", "--n", a.n, "--minutes", a.eval_minutes, "--cache", "1", "--schedules",
        "m0-4-4-4,m2-2-4-4,m0-6-0-6,m4-4-2-2,m3-3-0-6,m0-0-8-4")
    run("report.py")                       # chooses `magnets` -> train/runs/eval/choice.json
    run("export.py")                       # re-export with the chosen magnets schedule
    run("front.py")                        # Pareto front into the manifest (not hashed)
    run("report.py")                       # refresh QUALITY.md


if __name__ == "__main__":
    main()
