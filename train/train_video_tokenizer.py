"""Train the video VQ tokenizer (SPEC section 8) on Moving Fashion-MNIST within a time budget.

/usr/bin/python3 train/train_video_tokenizer.py --group 2 --minutes 15     # causal pairs: 5x8x8 tokens
/usr/bin/python3 train/train_video_tokenizer.py --group 1 --minutes 5      # per-frame 2D: 9x8x8 tokens
/usr/bin/python3 train/train_video_tokenizer.py --group 2 --tokenize       # cache the clip sets' tokens

A training sample is one latent frame (its `group` frames as channels) of a random clip: the
encoder and decoder see one latent frame at a time, so a batch costs a fifth of whole clips.
Writes <out>/tok.pt, metrics.json (test per-frame PSNR, codebook use) and, with --tokenize,
tokens.pt: every set of video_clips.SETS as int16 tokens [n, L*64] with labels.
"""
import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import video_clips as vc  # noqa: E402
from tokenizer import VQAE, load_tokenizer  # noqa: E402
from train_tokenizer import autocast_ctx, pick_device, vq_lr, vq_step  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


@torch.no_grad()
def reconstruct(model, clips, bs=100):
    """uint8 clips [N, T, 64, 64] -> (tokens [N, L*64], reconstruction float [N, T, 64, 64])."""
    G = model.cfg["group"]
    dev = next(model.parameters()).device
    toks, recs = [], []
    for i in range(0, len(clips), bs):
        x = vc.to_groups(clips[i:i + bs], G)                       # [n, L, G, 64, 64]
        n, L = x.shape[:2]
        t = model.encode(x.reshape(n * L, G, 64, 64).to(dev))      # [n*L, 64]
        y = model.decode_tokens(t).reshape(n, L, G, 64, 64).cpu()
        toks.append(t.reshape(n, L * 64).cpu())
        recs.append(vc.from_groups(y, G, clips.shape[1]))
    return torch.cat(toks), torch.cat(recs)


def evaluate(model, clips):
    model.eval()
    toks, rec = reconstruct(model, clips)
    real = torch.from_numpy(clips.astype(np.float32) / 127.5 - 1.0)
    per, overall = vc.psnr_per_frame(rec, real)
    counts = torch.bincount(toks.flatten().long(), minlength=model.vq.size).float()
    p = counts / counts.sum()
    ent = -(p[p > 0] * p[p > 0].log()).sum()
    model.train()
    return dict(psnr=overall, psnr_per_frame=per, min_frame_psnr=min(per), perplexity=float(ent.exp()),
                used=int((counts > 0).sum()), tokens_per_clip=int(toks.shape[1]))


def tokenize(a):
    torch.set_num_threads(a.threads)
    dev = pick_device()
    model = load_tokenizer(os.path.join(a.out, "tok.pt"), dev)
    amp = autocast_ctx(dev, a.amp)
    res = {}
    for name, (split, n, seed, objects) in vc.SETS.items():
        t0 = time.time()
        n = min(n, a.max_clips) if a.max_clips else n
        clips, labels = vc.make_set(split, n, seed, objects)
        G = model.cfg["group"]
        toks = []
        with torch.no_grad():
            for i in range(0, n, 200):
                x = vc.to_groups(clips[i:i + 200], G)
                m, L = x.shape[:2]
                with amp():
                    z = model.enc(x.reshape(m * L, G, 64, 64).to(dev))
                z = z.float()
                idx = model.vq.indices(z.permute(0, 2, 3, 1).reshape(-1, z.shape[1]))
                toks.append(idx.reshape(m, L * 64).to(torch.int16).cpu())
        res[name] = (torch.cat(toks), torch.from_numpy(labels))
        print(f"tokenized {name}: {n} clips in {time.time() - t0:.0f}s", flush=True)
    torch.save(res, os.path.join(a.out, "tokens.pt"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--group", type=int, default=2, help="frames per latent frame: 2 causal pairs, 1 per-frame")
    ap.add_argument("--minutes", type=float, default=15.0)
    ap.add_argument("--batch", type=int, default=64, help="latent frames per step")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--beta", type=float, default=0.25)
    ap.add_argument("--code_dim", type=int, default=16)
    ap.add_argument("--codebook", type=int, default=512)
    ap.add_argument("--channels", type=str, default="128,96,48,24", help="decoder channels")
    ap.add_argument("--enc_channels", type=str, default="16,32,64,96")
    ap.add_argument("--groups", type=int, default=8)
    ap.add_argument("--train_clips", type=int, default=20000)
    ap.add_argument("--test_clips", type=int, default=500)
    ap.add_argument("--amp", type=int, default=-1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max_steps", type=int, default=0)
    ap.add_argument("--out", type=str, default="")
    ap.add_argument("--tokenize", action="store_true", help="only tokenize the clip sets with out/tok.pt")
    ap.add_argument("--max_clips", type=int, default=0, help="with --tokenize: at most N clips per set (smoke runs)")
    a = ap.parse_args()
    a.out = a.out or os.path.join(HERE, "runs", f"video_tokenizer_g{a.group}")
    os.makedirs(a.out, exist_ok=True)
    if a.tokenize:
        return tokenize(a)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = pick_device()
    if dev == "cuda":
        torch.backends.cudnn.benchmark = True
    G = a.group
    train, _ = vc.make_set("train", a.train_clips, 11, 0)
    test, _ = vc.make_set("test", a.test_clips, 12, 0)
    xg = vc.to_groups(train, G)                                   # [N, L, G, 64, 64]
    N, L = xg.shape[:2]
    xg = xg.reshape(N * L, G, 64, 64).to(dev)                     # on a GPU: resident (~3 GB)
    model = VQAE(a.code_dim, a.codebook, [int(c) for c in a.channels.split(",")], a.groups,
                 [int(c) for c in a.enc_channels.split(",")], group=G).to(dev)
    amp = autocast_ctx(dev, a.amp)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    budget, t0, step = a.minutes * 60, time.time(), 0
    nparam = sum(p.numel() for p in model.parameters())
    print(f"video tokenizer group {G}: {L} latent frames x 64 = {L * 64} tokens per clip, "
          f"{nparam / 1e6:.2f}M params, {N * L} latent frames to sample, budget {a.minutes} min", flush=True)
    while True:
        el = time.time() - t0
        if (a.max_steps and step >= a.max_steps) or (not a.max_steps and el > budget):
            break
        lr = vq_lr(a, step, step / a.max_steps if a.max_steps else el / budget)
        for g in opt.param_groups:
            g["lr"] = lr
        xb = xg[torch.randint(0, len(xg), (a.batch,), device=xg.device)]
        rec, commit, tok, z = vq_step(model, opt, xb, a.beta, amp)
        if step % 25 == 0 and step > 0:
            flat = z.detach().float().permute(0, 2, 3, 1).reshape(-1, z.shape[1])
            dead = model.vq.restart_dead(flat)
            if step % 100 == 0:
                psnr = 10 * math.log10(4.0 / max(float(rec), 1e-12))
                print(f"step {step} {el:.0f}s {step / max(el, 1e-9):.2f} steps/s rec {float(rec):.5f} "
                      f"(~{psnr:.1f} dB) commit {float(commit):.4f} lr {lr:.2e} restarted {dead}", flush=True)
        step += 1
    m = evaluate(model, test)
    m.update(steps=step, seconds=time.time() - t0, batch=a.batch, group=G, channels=a.channels,
             enc_channels=a.enc_channels, codebook=a.codebook, code_dim=a.code_dim)
    print("test:", json.dumps(m), flush=True)
    torch.save({"cfg": model.cfg, "model": model.state_dict(), "metrics": m}, os.path.join(a.out, "tok.pt"))
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump(m, f, indent=1)


if __name__ == "__main__":
    main()
