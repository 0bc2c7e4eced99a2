"""Train the VQ autoencoder on Fashion-MNIST within a wall-clock budget.

/usr/bin/python3 train/train_tokenizer.py --minutes 9
Writes train/runs/tokenizer/tok.pt, metrics.json and the pre-tokenised dataset tokens.pt.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # spinning OpenMP threads thrash on a shared CPU
import torch  # noqa: E402
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from tokenizer import VQAE, load_tokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def pick_device():
    return "cuda" if torch.cuda.is_available() else "cpu"


def cpu_has_bf16():
    """AMX or AVX512-BF16: bf16 matmuls/convs run several times faster than fp32 there."""
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def autocast_ctx(dev, amp=-1):
    """bf16 autocast (fp32 master weights and losses) where the hardware has bf16, else a no-op."""
    import contextlib
    on = amp == 1 or (amp == -1 and (dev == "cuda" or cpu_has_bf16()))
    if not on:
        return contextlib.nullcontext
    return lambda: torch.autocast(dev, dtype=torch.bfloat16)


def vq_lr(a, step, progress):
    """Warm-up over 50 steps, then cosine to a tenth of a.lr over progress in [0, 1]: by time under
    a time budget (a step count estimated from the first steps under-counts when those are slow,
    as a GPU's first steps are, and ended one run's cosine within 200 of its 7000 steps)."""
    return a.lr * min(1.0, (step + 1) / 50) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def vq_step(model, opt, xb, beta, amp):
    """One optimiser step of reconstruction MSE + beta * commitment (the codebook is an EMA)."""
    with amp():
        y, tok, commit, z = model(xb)
    rec = F.mse_loss(y.float(), xb)
    opt.zero_grad(set_to_none=True)
    (rec + beta * commit).backward()
    opt.step()
    return rec, commit, tok, z


@torch.no_grad()
def evaluate(model, x, bs=500):
    """PSNR on the 28x28 crop (pixels in [0,1]), codebook perplexity / usage on x."""
    model.eval()
    dev = next(model.parameters()).device
    se, n, counts = 0.0, 0, torch.zeros(model.vq.size, device=dev)
    for i in range(0, x.shape[0], bs):
        xb = x[i:i + bs].to(dev)
        tok = model.encode(xb)
        y = model.decode_tokens(tok)
        d = (data.crop28(y) - data.crop28(xb)) / 2.0
        se += float(d.pow(2).sum()); n += d.numel()
        counts += torch.bincount(tok.flatten(), minlength=model.vq.size).float()
    mse = se / n
    p = counts / counts.sum()
    ent = -(p[p > 0] * p[p > 0].log()).sum()
    model.train()
    return dict(psnr=10 * math.log10(1.0 / mse), mse01=mse, perplexity=float(ent.exp()),
                used_frac=float((counts > 0).float().mean()), used=int((counts > 0).sum()))


@torch.no_grad()
def tokenize_all(model, out_path, bs=1000):
    dev = next(model.parameters()).device
    res = {}
    for split in ("train", "test"):
        u8, y = data.load_split(split)
        x = torch.from_numpy(data.to_model_space(u8))
        toks = torch.cat([model.encode(x[i:i + bs].to(dev)).cpu() for i in range(0, len(x), bs)])
        res[split] = (toks.to(torch.int16), torch.from_numpy(y))
    torch.save(res, out_path)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=9.0)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--beta", type=float, default=0.25, help="commitment weight")
    ap.add_argument("--code_dim", type=int, default=16)
    ap.add_argument("--codebook", type=int, default=512)
    ap.add_argument("--channels", type=str, default="96,64,48", help="decoder channels (SPEC section 1)")
    ap.add_argument("--enc_channels", type=str, default="32,64,96")
    ap.add_argument("--amp", type=int, default=-1, help="bf16 autocast: 1 on, 0 off, -1 where the CPU/GPU has bf16")
    ap.add_argument("--groups", type=int, default=8)
    ap.add_argument("--max_steps", type=int, default=0, help="0 = until time budget")
    ap.add_argument("--limit", type=int, default=0, help="use only N train and N test images (smoke tests)")
    ap.add_argument("--out", type=str, default=os.path.join(HERE, "runs", "tokenizer"))
    ap.add_argument("--threads", type=int, default=2, help="CPU threads (training owns the machine: nothing heavy beside it)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--finetune_decoder", type=float, default=0,
                    help="minutes: train only the decoder of out/tok.pt (encoder and codebook frozen, so the "
                         "tokens stay valid) at a low LR, then evaluate and save")
    a = ap.parse_args()
    if a.finetune_decoder:
        return finetune_decoder(a)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = pick_device()
    os.makedirs(a.out, exist_ok=True)

    u8, _ = data.load_split("train")
    if a.limit:
        u8 = u8[:a.limit]
    x_train = torch.from_numpy(data.to_model_space(u8))
    x_test = torch.from_numpy(data.to_model_space(data.load_split("test")[0][:a.limit or None]))
    model = VQAE(a.code_dim, a.codebook, [int(c) for c in a.channels.split(",")], a.groups,
                 [int(c) for c in a.enc_channels.split(",")]).to(dev)
    amp = autocast_ctx(dev, a.amp)
    opt = torch.optim.Adam([p for p in model.parameters()], lr=a.lr)
    budget = a.minutes * 60.0
    t0 = time.time()
    step = 0
    print(f"device {dev}, {len(x_train)} train images, budget {a.minutes} min", flush=True)
    while True:
        el = time.time() - t0
        if (a.max_steps and step >= a.max_steps) or (not a.max_steps and el > budget):
            break
        lr = vq_lr(a, step, step / a.max_steps if a.max_steps else el / budget)
        for g in opt.param_groups:
            g["lr"] = lr
        idx = torch.randint(0, len(x_train), (a.batch,))
        rec, commit, tok, z = vq_step(model, opt, x_train[idx].to(dev), a.beta, amp)
        if step % 25 == 0 and step > 0:
            flat = z.detach().float().permute(0, 2, 3, 1).reshape(-1, z.shape[1])
            dead = model.vq.restart_dead(flat)
            used = int(torch.unique(tok).numel())
            psnr = 10 * math.log10(4.0 / max(float(rec), 1e-12))
            print(f"step {step} {el:.0f}s {step / max(el, 1e-9):.2f} steps/s rec {float(rec):.4f} (~{psnr:.1f} dB, 32x32) commit "
                  f"{float(commit):.4f} lr {lr:.2e} batch-codes {used} restarted {dead}", flush=True)
        step += 1
    m = evaluate(model, x_test)
    m.update(steps=step, seconds=time.time() - t0, batch=a.batch, code_dim=a.code_dim,
             codebook=a.codebook, channels=a.channels, s_per_step=(time.time() - t0) / max(step, 1))
    print("test:", json.dumps(m), flush=True)
    torch.save({"cfg": model.cfg, "model": model.state_dict(), "metrics": m}, os.path.join(a.out, "tok.pt"))
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump(m, f, indent=1)
    if not a.limit:
        tokenize_all(model, os.path.join(a.out, "tokens.pt"))
        print("wrote tokens.pt", flush=True)


def finetune_decoder(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed + 1)
    path = os.path.join(a.out, "tok.pt")
    ck = torch.load(path, map_location="cpu")
    model = load_tokenizer(path)
    model.eval()                                   # VQ: no EMA updates, no restarts
    model.dec.train()
    amp = autocast_ctx("cpu", a.amp)
    x_train = torch.from_numpy(data.to_model_space(data.load_split("train")[0]))
    x_test = torch.from_numpy(data.to_model_space(data.load_split("test")[0]))
    with torch.no_grad():                          # the frozen codes of every training image
        codes = torch.cat([model.encode(x_train[i:i + 1000]) for i in range(0, len(x_train), 1000)])
    opt = torch.optim.Adam(model.dec.parameters(), lr=a.lr)
    budget, t0, step = a.finetune_decoder * 60, time.time(), 0
    lr0 = a.lr
    print(f"decoder fine-tune: {budget / 60:.1f} min, lr {lr0}", flush=True)
    while time.time() - t0 < budget:
        frac = (time.time() - t0) / budget
        for g in opt.param_groups:
            g["lr"] = lr0 * 0.5 * (1 + math.cos(math.pi * frac))
        idx = torch.randint(0, len(x_train), (a.batch,))
        z = model.vq.codebook[codes[idx]].reshape(a.batch, 8, 8, -1).permute(0, 3, 1, 2)
        with amp():
            y = model.dec(z)
        loss = F.mse_loss(y.float(), x_train[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 100 == 0:
            print(f"ft step {step} {time.time() - t0:.0f}s {step / (time.time() - t0):.2f} steps/s "
                  f"rec {float(loss):.4f}", flush=True)
    m = evaluate(model, x_test)
    m.update({k: v for k, v in ck["metrics"].items() if k not in m})
    m["decoder_finetune"] = {"steps": step, "minutes": a.finetune_decoder, "lr": lr0,
                             "psnr_before": ck["metrics"]["psnr"]}
    print("test:", json.dumps(m), flush=True)
    torch.save({"cfg": model.cfg, "model": model.state_dict(), "metrics": m}, path)
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump(m, f, indent=1)


if __name__ == "__main__":
    main()
