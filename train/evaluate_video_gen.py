"""Class-conditional clip quality of the shipped video model (issue 11), baseline vs magnets, with
the feature network of video_features.py:

    /usr/bin/python3 train/evaluate_video_gen.py --n 200 --batch 25 --json /tmp/video_gen_eval.json

- FVD-lite: Frechet distance between Gaussians fitted to the 128-d ClipNet features of a set and
  of 1000 held-out real clips (test split, one garment each), with a bootstrap 95% interval over
  the set's clips.
- Class accuracy: how often ClipNet's class head names the class the clip was asked for.
- Controls, each n clips, which the metric must order as expected: real vs real (the floor: other
  real test clips), tokenizer reconstructions (the best a perfect transformer could do), frames
  shuffled in time and a static clip (frame 0 held), which have the right content and the wrong
  motion and must score clearly worse than real.
- magnets (the shipped schedule) and m4-2-3-3 (a cheaper one, evaluate_video.py CHEAP) against the
  baseline on the same classes and seeds: FVD-lite difference with a paired bootstrap interval,
  class accuracy difference, and the transformer GFLOPs of each schedule (ratios to the baseline
  with the KV cache, as run here, and to the uncached baseline, as the image bench states them).
"""
import argparse
import os
import sys

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import video_clips as vc  # noqa: E402
from decode import decode_batch, gflops_per_image  # noqa: E402
from evaluate import fid_stats, fid_to  # noqa: E402
from evaluate_video import video_schedules, write_report  # noqa: E402
from export_video import load_exported  # noqa: E402
from video_features import load_features, predict  # noqa: E402
from video_samples import tokens_to_frames  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CELLS = 64


def bootstrap_fvd(f, ref, reps=200, seed=0):
    """FVD-lite of features f [n, d] to the reference stats, and a 95% interval resampling f."""
    rng = np.random.default_rng(seed)
    vals = [fid_to(f[rng.integers(0, len(f), len(f))], *ref) for _ in range(reps)]
    return fid_to(f, *ref), float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))


def paired_fvd_diff(fa, fb, ref, reps=200, seed=0):
    """FVD(a) - FVD(b) for sets paired by index (same class and seed), with a 95% interval."""
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(reps):
        i = rng.integers(0, len(fa), len(fa))
        vals.append(fid_to(fa[i], *ref) - fid_to(fb[i], *ref))
    return fid_to(fa, *ref) - fid_to(fb, *ref), float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))


@torch.no_grad()
def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "public", "models", "mfmnist-video"))
    ap.add_argument("--n", type=int, default=200, help="clips per set (generated, and each control)")
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", default="")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    net = load_features()
    model, tok, man = load_exported(a.model)
    G, T = tok.cfg["group"], man["tokenizer"]["frames"]
    # The reference: 1000 real test clips; the controls: n others of the same set.
    clips, labels = vc.make_set("test", 1000 + a.n, 300, 1)
    real = clips.astype(np.float32) / 127.5 - 1.0
    ref_clips, other, other_labels = real[:1000], real[1000:], labels[1000:]
    _, _, f_ref = predict(net, ref_clips)
    ref = fid_stats(f_ref)

    rng = np.random.default_rng(0)
    shuffled = np.stack([c[rng.permutation(T)] for c in other])
    static = np.repeat(other[:, :1], T, 1)
    x = vc.to_groups(clips[1000:], G)
    n, L = x.shape[:2]
    recon = tokens_to_frames(tok, tok.encode(x.reshape(n * L, G, 64, 64)).reshape(n, L * CELLS), as_float=True)
    sets = {"real (other test clips)": (other, other_labels), "tokenizer reconstruction": (recon, other_labels),
            "frames shuffled in time": (shuffled, other_labels), "static (frame 0 held)": (static, other_labels)}

    steps = man["decode_defaults"]["steps"]
    guidance = man["decode_defaults"]["guidance"]
    schedules = video_schedules(man)
    cfg = {k: man["transformer"][k] for k in ("dim", "heads", "mlp", "layers", "codebook_size")}
    N = L * CELLS
    out = {"n": a.n, "reference_clips": 1000, "guidance": guidance, "steps": steps, "sets": {}, "schedules": {}}
    feats = {}
    for name, widths in schedules.items():
        toks = []
        for s in range(0, a.n, a.batch):
            e = min(a.n, s + a.batch)
            r = decode_batch(model, torch.from_numpy(other_labels[s:e]), list(range(s, e)), steps=steps, widths=widths,
                             guidance=guidance, cache=True)
            toks.append(r["tokens"])
            print(f"{name}: {e}/{a.n} clips", flush=True)
        sets[name] = (tokens_to_frames(tok, torch.cat(toks), as_float=True), other_labels)
        out["schedules"][name] = {"widths": widths, "gflops": gflops_per_image(cfg, widths, cache=True, guidance=guidance, U=N, N=N)}
    for name, (frames, want) in sets.items():
        lc, _, f = predict(net, frames)
        feats[name] = f
        v, lo, hi = bootstrap_fvd(f, ref)
        out["sets"][name] = {"fvd_lite": v, "fvd_lite_95": [lo, hi], "class_accuracy": float((lc.argmax(1) == want).mean())}
        print(f"{name:28s} FVD-lite {v:8.1f} [{lo:.1f}, {hi:.1f}]  class accuracy {out['sets'][name]['class_accuracy']:.3f}", flush=True)
    g = out["schedules"]
    nocache = gflops_per_image(cfg, [1.0] * steps, cache=False, guidance=guidance, U=N, N=N)
    for name in schedules:
        if name != "baseline":
            out[f"{name}_minus_baseline_fvd_lite"] = list(paired_fvd_diff(feats[name], feats["baseline"], ref))
            out[f"{name}_minus_baseline_class_accuracy"] = out["sets"][name]["class_accuracy"] - out["sets"]["baseline"]["class_accuracy"]
    out["gflops_ratio"] = {name: g[name]["gflops"] / g["baseline"]["gflops"] for name in schedules}
    out["gflops_ratio_to_uncached_baseline"] = {name: g[name]["gflops"] / nocache for name in schedules}
    # The controls must order as a metric of moving clips should.
    s = {k: v["fvd_lite"] for k, v in out["sets"].items()}
    out["controls_ordered"] = bool(s["real (other test clips)"] < s["frames shuffled in time"] and s["real (other test clips)"] < s["static (frame 0 held)"])
    write_report(out, a.json)
    return out


if __name__ == "__main__":
    main()
