"""A training run under a time budget, shared by the evaluators' feature networks (classifier.py
for images, video_features.py for clips): AdamW, a warm-up over 100 steps then a cosine over the
time budget (by time, not by a step count estimated from the first steps, which are slow), bf16
autocast where the CPU has it, steps/s printed at step 20 and every 200 steps."""
import argparse
import json
import os
import time

import numpy as np
import torch


def run_args(argv, minutes, batch, out, extra=None):
    """The common options (--minutes, --batch, --threads, --out, plus `extra(ap)`'s), parsed; the
    thread count and the seed set, the output folder made."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=minutes)
    ap.add_argument("--batch", type=int, default=batch)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=out)
    if extra:
        extra(ap)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    os.makedirs(a.out, exist_ok=True)
    return a


def train_for(model, minutes, lr, loss_fn):
    """Trains until `minutes` have passed. loss_fn(amp) draws a batch and returns its loss, with
    the model's forward pass inside `with amp():`. Returns (steps, seconds)."""
    from train_tokenizer import autocast_ctx
    amp = autocast_ctx("cpu", -1)
    opt = torch.optim.AdamW(model.parameters(), lr, weight_decay=1e-4)
    t0, step, budget = time.time(), 0, minutes * 60
    while time.time() - t0 < budget:
        model.train()
        frac = (time.time() - t0) / budget
        for g in opt.param_groups:
            g["lr"] = lr * min(1, (step + 1) / 100) * (0.5 * (1 + np.cos(np.pi * frac)))
        loss = loss_fn(amp)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step == 20 or step % 200 == 0:
            el = time.time() - t0
            print(f"step {step} {el:.0f}s {step / el:.2f} steps/s loss {float(loss):.3f}", flush=True)
    return step, time.time() - t0


def save_run(model, metrics, out, weights, label):
    """Prints the metrics and writes out/weights ({"model", "metrics"}) and out/metrics.json."""
    print(f"{label}:", json.dumps(metrics), flush=True)
    torch.save({"model": model.state_dict(), "metrics": metrics}, os.path.join(out, weights))
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)


def load_run(model, path):
    """`model` with the weights save_run wrote to `path`, in eval mode."""
    model.load_state_dict(torch.load(path, map_location="cpu")["model"])
    return model.eval()
