"""Frame-prediction quality of the shipped video model (SPEC section 8), baseline vs magnets.

/usr/bin/python3 train/evaluate_video.py --n 100 --json /tmp/video_eval.json --strips docs/img

On held-out Moving Fashion-MNIST clips (the test_pred set: one or two garments, test split), the
first 3 frames (2 latent frames) are given and the other 6 predicted, with the same seeds for both
schedules. Reported per predicted frame: PSNR and SSIM against the real frame, as the mean over
clips of the first sample and of the best of --samples samples (seeds) per clip, next to two
controls, the tokenizer's own reconstruction (the upper bound) and "repeat the last context frame"
(what a model that ignores motion gets); the difference magnets - baseline per clip with a
bootstrap 95% interval; and the transformer GFLOPs of each schedule. Class-conditional clips are
evaluated by evaluate_video_gen.py (FVD-lite and class accuracy with the ClipNet features).
"""
import argparse
import json
import os
import sys

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import video_clips as vc  # noqa: E402
from decode import decode_batch, gflops_per_image  # noqa: E402
from export_video import load_exported  # noqa: E402
from video_samples import strip, tokens_to_frames  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CELLS = 64


def psnr_rows(pred, real):
    """float frames [N, T, S, S] in [-1, 1] -> PSNR per clip and frame [N, T] (pixels in [0, 1])."""
    mse = (((pred - real) / 2) ** 2).mean(axis=(2, 3))
    return 10 * np.log10(1.0 / np.maximum(mse, 1e-10))


# A cheaper schedule than the shipped magnets one (which keeps six full-width steps), for the
# issue's GFLOPs target of <= 1/3 of the baseline: widths 1/8 x4, 1/4 x2, 1/2 x3, 1 x3.
CHEAP = ("m4-2-3-3", [0.125] * 4 + [0.25] * 2 + [0.5] * 3 + [1.0] * 3)


def video_schedules(man):
    """baseline, the shipped magnets schedule and CHEAP (12 steps each)."""
    steps = man["decode_defaults"]["steps"]
    assert steps == len(CHEAP[1]), f"CHEAP has {len(CHEAP[1])} widths for {steps} steps"
    return {"baseline": [1.0] * steps, "magnets": man["decode_defaults"]["schedules"]["magnets"], CHEAP[0]: CHEAP[1]}


def _gauss(size=11, sigma=1.5):
    x = torch.arange(size, dtype=torch.float64) - size // 2
    g = torch.exp(-x ** 2 / (2 * sigma ** 2))
    return (g / g.sum()).float()


def ssim_rows(pred, real):
    """float frames [N, T, S, S] in [-1, 1] -> SSIM per clip and frame [N, T] (pixels in [0, 1];
    Wang et al. 2004: 11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03, valid region)."""
    N, T, S, _ = pred.shape
    a = torch.as_tensor((np.asarray(pred, np.float32) + 1) / 2).reshape(N * T, 1, S, S).double()
    b = torch.as_tensor((np.asarray(real, np.float32) + 1) / 2).reshape(N * T, 1, S, S).double()
    g = _gauss().double()
    win = lambda x: torch.nn.functional.conv2d(torch.nn.functional.conv2d(x, g.view(1, 1, 1, -1)), g.view(1, 1, -1, 1))
    mu_a, mu_b = win(a), win(b)
    va, vb, cov = win(a * a) - mu_a ** 2, win(b * b) - mu_b ** 2, win(a * b) - mu_a * mu_b
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    m = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (va + vb + c2))
    return m.mean(dim=(1, 2, 3)).reshape(N, T).numpy()


def write_report(out, path):
    """Prints the evaluation's JSON and writes it to `path` (when given)."""
    print(json.dumps(out, indent=1))
    if path:
        with open(path, "w") as f:
            json.dump(out, f, indent=1)


def bootstrap(d, reps=2000, seed=0):
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), (reps, len(d)))].mean(1)
    return float(d.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


@torch.no_grad()
def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "public", "models", "mfmnist-video"))
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--given", type=int, default=2, help="latent frames given (2 = the first 3 frames)")
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--samples", type=int, default=4, help="samples (seeds) per clip for the best-of figures")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", default="")
    ap.add_argument("--strips", default="", help="folder for PNG strips (context | predicted | real, and per class)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    model, tok, man = load_exported(a.model)
    G, T = tok.cfg["group"], man["tokenizer"]["frames"]
    clips, _ = vc.make_set("test", a.n, 400, 0)
    real = clips.astype(np.float32) / 127.5 - 1.0
    x = vc.to_groups(clips, G)
    n, L = x.shape[:2]
    tokens = tok.encode(x.reshape(n * L, G, 64, 64)).reshape(n, L * CELLS)
    recon = tokens_to_frames(tok, tokens, as_float=True)
    k = 1 + G * (a.given - 1)                                   # context frames
    pred_frames = list(range(k, T))
    fixed = np.full(tokens.shape, -1, np.int64)
    fixed[:, :a.given * CELLS] = tokens[:, :a.given * CELLS].numpy()
    steps = man["decode_defaults"]["steps"]
    schedules = video_schedules(man)
    cfg = {k2: man["transformer"][k2] for k2 in ("dim", "heads", "mlp", "layers", "codebook_size")}
    U = (L - a.given) * CELLS
    out = {"clips": a.n, "samples": a.samples, "context_frames": k, "predicted_frames": pred_frames, "schedules": {}}
    rows = {}
    for name, widths in schedules.items():
        psnr_k, ssim_k = [], []
        for k_s in range(a.samples):
            toks = []
            for s in range(0, n, a.batch):
                e = min(n, s + a.batch)
                r = decode_batch(model, torch.full((e - s,), model.C), [k_s * n + i for i in range(s, e)], steps=steps, widths=widths,
                                 guidance=0.0, cache=True, fixed=fixed[s:e])
                toks.append(r["tokens"])
            f_k = tokens_to_frames(tok, torch.cat(toks), as_float=True)
            if k_s == 0:
                frames = f_k
            psnr_k.append(psnr_rows(f_k, real)[:, pred_frames])
            ssim_k.append(ssim_rows(f_k[:, pred_frames], real[:, pred_frames]))
        rows[name] = psnr_k[0]
        best_psnr, best_ssim = np.max(psnr_k, 0), np.max(ssim_k, 0)
        out["schedules"][name] = {
            "widths": widths,
            "gflops": gflops_per_image(cfg, widths, cache=True, guidance=0.0, U=U, N=L * CELLS),
            "psnr_per_frame": rows[name].mean(0).tolist(), "psnr": float(rows[name].mean()),
            "ssim_per_frame": ssim_k[0].mean(0).tolist(), "ssim": float(ssim_k[0].mean()),
            f"best_of_{a.samples}_psnr_per_frame": best_psnr.mean(0).tolist(), f"best_of_{a.samples}_ssim_per_frame": best_ssim.mean(0).tolist(),
        }
        if a.strips and name == "magnets":
            os.makedirs(a.strips, exist_ok=True)
            u8 = lambda f: np.round((np.clip(f, -1, 1) + 1) * 127.5).astype(np.uint8)
            show = np.stack([u8(frames[:4]), u8(real[:4])], 1).reshape(-1, T, 64, 64)
            from PIL import Image
            Image.fromarray(strip(show)).save(os.path.join(a.strips, "video_predict_magnets.png"))
    last = np.repeat(real[:, k - 1:k], len(pred_frames), 1)
    controls = {"tokenizer_reconstruction": psnr_rows(recon, real)[:, pred_frames],
                "repeat_last_context_frame": psnr_rows(last, real[:, pred_frames])}
    ssim_c = {"tokenizer_reconstruction": ssim_rows(recon[:, pred_frames], real[:, pred_frames]),
              "repeat_last_context_frame": ssim_rows(last, real[:, pred_frames])}
    out["controls"] = {c: {"psnr_per_frame": v.mean(0).tolist(), "psnr": float(v.mean()),
                           "ssim_per_frame": ssim_c[c].mean(0).tolist(), "ssim": float(ssim_c[c].mean())} for c, v in controls.items()}
    for name in schedules:
        if name == "baseline":
            continue
        d = rows[name] - rows["baseline"]
        out[f"{name}_minus_baseline"] = {"per_frame": [bootstrap(d[:, i]) for i in range(d.shape[1])],
                                         "mean": bootstrap(d.mean(1))}
    out["beats_repeat_last"] = {name: (rows[name].mean(0) > controls["repeat_last_context_frame"].mean(0)).tolist() for name in schedules}
    g = out["schedules"]
    nocache = gflops_per_image(cfg, [1.0] * steps, cache=False, guidance=0.0, U=U, N=L * CELLS)
    out["gflops_ratio"] = {name: g[name]["gflops"] / g["baseline"]["gflops"] for name in schedules}
    out["gflops_ratio_to_uncached_baseline"] = {name: g[name]["gflops"] / nocache for name in schedules}
    if a.strips:
        from PIL import Image
        cond = decode_batch(model, torch.arange(10), list(range(10)), steps=steps, widths=schedules["magnets"],
                            guidance=man["decode_defaults"]["guidance"], cache=True)["tokens"]
        Image.fromarray(strip(tokens_to_frames(tok, cond))).save(os.path.join(a.strips, "video_classes_magnets.png"))
    write_report(out, a.json)
    return out


if __name__ == "__main__":
    main()
