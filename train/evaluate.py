"""Evaluate generation quality per width schedule: class accuracy (conditioning class vs the CNN's
prediction) and FID on the CNN's 128-d penultimate features against the test set; GFLOPs per
image from shapes. Paired: every schedule decodes the same (class, seed) list.

/usr/bin/python3 train/evaluate.py --n 1000 --minutes 15
Results accumulate in train/runs/eval/results.json (one entry per schedule/cache/N).
"""
import argparse
import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from classifier import load_classifier, predict, to28  # noqa: E402
from decode import decode_batch, gflops_per_image  # noqa: E402
from model import load_model  # noqa: E402
from tokenizer import load_tokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "runs", "eval")

SCHEDULES = {  # name -> widths per step (12 steps)
    "baseline": [1.0] * 12,
    "m4-4-2-2": [0.125] * 4 + [0.25] * 4 + [0.5] * 2 + [1.0] * 2,
    "m3-3-3-3": [0.125] * 3 + [0.25] * 3 + [0.5] * 3 + [1.0] * 3,
    "m6-2-2-2": [0.125] * 6 + [0.25] * 2 + [0.5] * 2 + [1.0] * 2,
    "m0-4-4-4": [0.25] * 4 + [0.5] * 4 + [1.0] * 4,
    "m0-6-4-2": [0.25] * 6 + [0.5] * 4 + [1.0] * 2,
    "m0-0-8-4": [0.5] * 8 + [1.0] * 4,
    "m2-2-4-4": [0.125] * 2 + [0.25] * 2 + [0.5] * 4 + [1.0] * 4,
    "m2-4-4-2": [0.125] * 2 + [0.25] * 4 + [0.5] * 4 + [1.0] * 2,
    "all-0.5": [0.5] * 12,
    "all-0.25": [0.25] * 12,
    "all-0.125": [0.125] * 12,
    "m0-6-0-6": [0.25] * 6 + [1.0] * 6,
    "m3-3-0-6": [0.125] * 3 + [0.25] * 3 + [1.0] * 6,
    "m0-3-3-6": [0.25] * 3 + [0.5] * 3 + [1.0] * 6,
    "m2-2-2-6": [0.125] * 2 + [0.25] * 2 + [0.5] * 2 + [1.0] * 6,
    "reverse": [1.0] * 2 + [0.5] * 2 + [0.25] * 4 + [0.125] * 4,
}


def fid_stats(f):
    """Mean and covariance (float64) of features [N, d]."""
    f = np.asarray(f, np.float64)
    return f.mean(0), np.cov(f, rowvar=False)


def fid_to(f, mu2, c2):
    """Frechet distance between the Gaussian fitted to features f [N,d] and (mu2, c2)."""
    m1, c1 = fid_stats(f)
    w, v = np.linalg.eigh(c1)
    s1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T                  # sqrt(c1)
    ev = np.linalg.eigvalsh(s1 @ c2 @ s1)                           # eig(sqrt(c1) c2 sqrt(c1))
    return float(((m1 - mu2) ** 2).sum() + np.trace(c1) + np.trace(c2) - 2 * np.sqrt(np.clip(ev, 0, None)).sum())


def fid(f1, f2):
    """Frechet distance between Gaussians fitted to feature sets [N,d] (float64)."""
    return fid_to(f1, *fid_stats(f2))


@torch.no_grad()
def generate(model, tok, classes, seeds, widths, cache, guidance, bs=100):
    imgs = []
    for i in range(0, len(classes), bs):
        t = decode_batch(model, classes[i:i + bs], seeds[i:i + bs], steps=len(widths), widths=widths,
                         guidance=guidance, cache=cache)["tokens"]
        imgs.append(tok.decode_tokens(t)[:, :, 2:30, 2:30])
    return torch.cat(imgs)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(HERE, "runs", "transformer", "ckpt.pt"))
    ap.add_argument("--tokenizer", default=os.path.join(HERE, "runs", "tokenizer", "tok.pt"))
    ap.add_argument("--model_dir", default="", help="an exported checkpoint folder instead of --ckpt (e.g. the old model)")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--schedules", default="baseline,m4-4-2-2,m6-2-2-2,m0-6-4-2,all-0.5,m2-4-4-2,reverse")
    ap.add_argument("--cache", default="0", help="comma list of 0/1 applied to every schedule")
    ap.add_argument("--guidance", type=float, default=2.0)
    ap.add_argument("--minutes", type=float, default=0, help="stop starting new schedules after this")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--tag", default="", help="results file suffix (to run several processes)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    res_path = os.path.join(a.out, f"results{a.tag}.json")
    results = json.load(open(res_path)) if os.path.exists(res_path) else {}
    cnn = load_classifier()
    if a.model_dir:
        from export import load_exported
        model, tok, man = load_exported(a.model_dir)
        ck = {"step": man.get("training", {}).get("step", -1)}
    else:
        model, tok = load_model(a.ckpt), load_tokenizer(a.tokenizer)
        ck = torch.load(a.ckpt, map_location="cpu")
    u8, yte = data.load_split("test")
    _, f_test = predict(cnn, to28(u8))
    np.savez_compressed(os.path.join(a.out, "test_feats.npz"), feats=f_test.numpy().astype(np.float32))
    xtr, _ = data.load_split("train")
    if "real" not in results:     # noise floor: FID of N real train images vs the test set
        _, f_real = predict(cnn, to28(xtr[:a.n]))
        results["real"] = {"n": a.n, "fid": fid(f_real.numpy(), f_test.numpy())}
    if "recon" not in results and not a.model_dir:   # the tokenizer's floor: N train images encoded + decoded
        xr = torch.from_numpy(data.to_model_space(xtr[:a.n]))
        rec = torch.cat([tok.decode_tokens(tok.encode(xr[i:i + 500])) for i in range(0, a.n, 500)])[:, :, 2:30, 2:30]
        lg, f_rec = predict(cnn, rec)
        _, ytr = data.load_split("train")
        results["recon"] = {"n": a.n, "fid": fid(f_rec.numpy(), f_test.numpy()),
                            "acc": float((lg.argmax(1) == torch.from_numpy(ytr[:a.n])).float().mean())}
        print("recon:", json.dumps(results["recon"]), flush=True)
    classes = torch.arange(a.n) % 10
    seeds = np.arange(a.n) + 1000
    t0 = time.time()
    for name in a.schedules.split(","):
        if name == "magnets":                       # the checkpoint's own (exported) schedule
            if not a.model_dir:
                sys.exit("--schedules magnets needs --model_dir (the manifest holds the schedule)")
            widths = man["decode_defaults"]["schedules"]["magnets"]
        else:
            widths = SCHEDULES[name] if name in SCHEDULES else [float(v) for v in name.split(":")]
        for cache in [bool(int(c)) for c in a.cache.split(",")]:
            if a.minutes and time.time() - t0 > a.minutes * 60:
                print("time budget reached; stopping", flush=True)
                break
            key = f"{name}|cache={int(cache)}|n={a.n}|g={a.guidance}"
            ts = time.time()
            x = generate(model, tok, classes, seeds, widths, cache, a.guidance)
            logits, feats = predict(cnn, x)
            r = {"schedule": name, "widths": widths, "cache": cache, "n": a.n, "guidance": a.guidance,
                 "acc": float((logits.argmax(1) == classes).float().mean()),
                 "fid": fid(feats.numpy(), f_test.numpy()),
                 "gflops": gflops_per_image(model.cfg, widths, cache, a.guidance),
                 "seconds": time.time() - ts, "ckpt_step": ck["step"]}
            results[key] = r
            print(json.dumps(r), flush=True)
            # per-image predictions and features, for paired bootstrap intervals (report.py)
            np.savez_compressed(os.path.join(a.out, f"feats{a.tag}_{name}_c{int(cache)}_n{a.n}.npz"),
                                feats=feats.numpy().astype(np.float32),
                                correct=(logits.argmax(1) == classes).numpy())
            with open(res_path, "w") as f:
                json.dump(results, f, indent=1)
            if len(x) < 40:
                continue
            g8 = data.to_gray8(x[:40, 0].numpy())         # classes 0..9 x 4 samples
            grid = g8.reshape(4, 10, 28, 28).transpose(0, 2, 1, 3).reshape(4 * 28, 10 * 28)
            from PIL import Image
            Image.fromarray(grid).save(os.path.join(a.out, f"grid_{name}_c{int(cache)}.png"))


if __name__ == "__main__":
    main()
