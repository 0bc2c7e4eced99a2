"""MaskGIT training of the nested transformer on frozen tokenizer tokens (MatFormer + distillation).

/usr/bin/python3 train/train_transformer.py --minutes 70        # main run, resumes automatically
/usr/bin/python3 train/train_transformer.py --tiny --max_steps 5 --out /tmp/x   # smoke test

Every batch: one random masking (cosine ratio), then a forward at each width 1, 1/2, 1/4, 1/8;
loss = sum_w CE_w(masked, label smoothing 0.1) + distill * sum_{w<1} KL(p_full.detach() || p_w).
The LR schedule is planned on the wall-clock budget: progress = trained seconds / budget.
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
from model import WIDTHS, NestedTransformer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOK_DIR = os.path.join(HERE, "runs", "tokenizer")


def get_args(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--mlp", type=int, default=256)
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min_lr_frac", type=float, default=0.05)
    ap.add_argument("--wd", type=float, default=0.05)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--label_smoothing", type=float, default=0.1)
    ap.add_argument("--class_dropout", type=float, default=0.1)
    ap.add_argument("--distill", type=float, default=1.0)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--minutes", type=float, default=60.0, help="total training budget (all runs)")
    ap.add_argument("--max_steps", type=int, default=0, help="stop after N steps (overrides budget)")
    ap.add_argument("--ckpt_minutes", type=float, default=4.0)
    ap.add_argument("--sample_minutes", type=float, default=15.0)
    ap.add_argument("--log_every", type=int, default=50)
    ap.add_argument("--tokens", type=str, default=os.path.join(TOK_DIR, "tokens.pt"))
    ap.add_argument("--tokenizer", type=str, default=os.path.join(TOK_DIR, "tok.pt"))
    ap.add_argument("--out", type=str, default=os.path.join(HERE, "runs", "transformer"))
    ap.add_argument("--threads", type=int, default=1, help="CPU threads (1: the CPU is shared; 2 threads thrash under load)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tiny", action="store_true", help="tiny config for smoke tests")
    ap.add_argument("--bench", type=int, default=0, help="time N steps and exit")
    a = ap.parse_args(argv)
    if a.tiny:
        a.layers, a.dim, a.heads, a.mlp, a.batch, a.warmup = 2, 32, 8, 64, 8, 2
        a.log_every = 1
    return a


def load_tokens(path, tokenizer_path):
    if not os.path.exists(path):
        from tokenizer import load_tokenizer
        from train_tokenizer import tokenize_all
        if not os.path.exists(tokenizer_path):
            sys.exit(f"no tokenizer at {tokenizer_path}: run train/train_tokenizer.py first")
        tokenize_all(load_tokenizer(tokenizer_path), path)
    d = torch.load(path)
    return d["train"][0].long(), d["train"][1]


def mask_batch(tok, V, gen):
    """MaskGIT cosine masking: ratio = cos(pi/2 * u), u ~ U(0,1); at least one masked token."""
    B, N = tok.shape
    u = torch.rand(B, generator=gen)
    n_mask = torch.clamp(torch.ceil(torch.cos(math.pi / 2 * u) * N), 1, N).long()
    rank = torch.rand(B, N, generator=gen).argsort(1).argsort(1)
    mask = rank < n_mask[:, None]
    return torch.where(mask, torch.full_like(tok, V), tok), mask


def lr_at(a, step, progress):
    warm = min(1.0, (step + 1) / a.warmup)
    cos = 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return a.lr * warm * (a.min_lr_frac + (1 - a.min_lr_frac) * cos)


def losses(model, inp, tgt, mask, cls, a):
    """Returns total loss and per-width CE (floats)."""
    total, per = 0.0, {}
    full_logp = None
    t = tgt[mask]
    for w in sorted(WIDTHS, reverse=True):
        logits = model(inp, cls, w)[mask]                       # [Nmasked, V]
        ce = F.cross_entropy(logits, t, label_smoothing=a.label_smoothing)
        total = total + ce
        per[w] = float(ce)
        logp = F.log_softmax(logits, -1)
        if w == 1.0:
            full_logp = logp.detach()
        elif a.distill > 0:
            kl = F.kl_div(logp, full_logp, log_target=True, reduction="batchmean")
            total = total + a.distill * kl
            per[f"kl{w}"] = float(kl)
    return total, per


def save(path, model, ema, opt, step, trained_s, a, extra=None):
    tmp = path + ".tmp"
    torch.save({"model": model.state_dict(), "ema": ema.state_dict() if ema else None,
                "opt": opt.state_dict(), "step": step, "trained_s": trained_s,
                "model_cfg": model.cfg, "args": vars(a), "extra": extra or {}}, tmp)
    os.replace(tmp, path)


def write_samples(model, a, step, tok_path):
    """One PNG per width: 10 classes x 4 samples, 12 steps, reference (batched) decoder."""
    try:
        from decode import decode_batch
        from tokenizer import load_tokenizer
        from PIL import Image
        import data
    except ImportError as e:
        print("samples skipped:", e, flush=True)
        return
    if not os.path.exists(tok_path):
        return
    tokr = load_tokenizer(tok_path, next(model.parameters()).device)
    cls = torch.arange(10).repeat_interleave(4)
    seeds = list(range(40))
    for w in WIDTHS:
        toks = decode_batch(model, cls, seeds, steps=12, widths=[w] * 12, guidance=2.0)["tokens"]
        img = data.to_gray8(data.crop28(tokr.decode_tokens(toks.to(tokr.vq.codebook.device)).cpu().numpy()))
        grid = img[:, 0].reshape(10, 4, 28, 28).transpose(1, 2, 0, 3).reshape(4 * 28, 10 * 28)
        Image.fromarray(grid).save(os.path.join(a.out, f"samples_w{w}_step{step}.png"))
        Image.fromarray(grid).save(os.path.join(a.out, f"samples_w{w}_latest.png"))


def main(argv=None):
    a = get_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    os.makedirs(a.out, exist_ok=True)
    ck_path = os.path.join(a.out, "ckpt.pt")
    tokens, labels = load_tokens(a.tokens, a.tokenizer)
    V = int(torch.load(a.tokenizer, map_location="cpu")["cfg"]["codebook_size"]) \
        if os.path.exists(a.tokenizer) else int(tokens.max()) + 1

    resume = torch.load(ck_path, map_location="cpu") if os.path.exists(ck_path) else None
    cfg = resume["model_cfg"] if resume else dict(layers=a.layers, dim=a.dim, heads=a.heads, mlp=a.mlp,
                                                  codebook_size=V, num_classes=10)
    model = NestedTransformer(**cfg).to(dev)
    ema = NestedTransformer(**cfg).to(dev) if a.ema > 0 else None
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (decay if p.dim() == 2 and "emb" not in n else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd},
                             {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.95))
    step, trained_s = 0, 0.0
    if resume:
        model.load_state_dict(resume["model"])
        opt.load_state_dict(resume["opt"])
        step, trained_s = resume["step"], resume["trained_s"]
        if ema is not None:
            ema.load_state_dict(resume["ema"] or resume["model"])
        print(f"resumed from step {step} ({trained_s / 60:.1f} min trained)", flush=True)
    elif ema is not None:
        ema.load_state_dict(model.state_dict())
    if ema is not None:
        ema.requires_grad_(False)
    nparams = sum(p.numel() for p in model.parameters())
    print(f"device {dev} threads {a.threads} config {json.dumps(cfg)} params {nparams / 1e6:.2f}M "
          f"batch {a.batch} budget {a.minutes} min", flush=True)

    gen = torch.Generator().manual_seed(a.seed * 1000003 + step)
    budget = a.minutes * 60.0
    last_ck = last_sample = time.time()
    t_log, s_log = time.time(), step
    hist = []
    while True:
        if a.max_steps and step >= a.max_steps:
            break
        if not a.max_steps and not a.bench and trained_s >= budget:
            break
        if a.bench and step >= a.bench:
            break
        t_step = time.time()
        idx = torch.randint(0, tokens.shape[0], (a.batch,), generator=gen)
        tgt, cls = tokens[idx], labels[idx].clone()
        drop = torch.rand(a.batch, generator=gen) < a.class_dropout
        cls[drop] = cfg["num_classes"]
        inp, mask = mask_batch(tgt, cfg["codebook_size"], gen)
        inp, tgt, mask, cls = inp.to(dev), tgt.to(dev), mask.to(dev), cls.to(dev)
        lr = lr_at(a, step, trained_s / budget if not a.max_steps else step / a.max_steps)
        for g in opt.param_groups:
            g["lr"] = lr
        loss, per = losses(model, inp, tgt, mask, cls, a)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        if ema is not None:
            dcy = min(a.ema, (1 + step) / (10 + step))
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(dcy).add_(pm.detach(), alpha=1 - dcy)
        step += 1
        trained_s += time.time() - t_step
        hist.append(per)
        if step % a.log_every == 0 or (a.bench and step == a.bench):
            now = time.time()
            sps = (step - s_log) / (now - t_log)
            t_log, s_log = now, step
            mean = {k: sum(h[k] for h in hist) / len(hist) for k in hist[0]}
            hist = []
            eta = (budget - trained_s) / 60 if not a.max_steps else (a.max_steps - step) / sps / 60
            print(f"step {step} {sps:.2f} steps/s ({1 / sps:.3f} s/step) lr {lr:.2e} gn {float(gn):.2f} "
                  + " ".join(f"{k}:{v:.3f}" for k, v in mean.items()) + f" ETA {eta:.1f} min", flush=True)
        if time.time() - last_ck > a.ckpt_minutes * 60:
            save(ck_path, model, ema, opt, step, trained_s, a)
            last_ck = time.time()
        if a.sample_minutes > 0 and time.time() - last_sample > a.sample_minutes * 60:
            write_samples(ema or model, a, step, a.tokenizer)
            last_sample = time.time()
    if a.bench:
        return
    save(ck_path, model, ema, opt, step, trained_s, a)
    print(f"done: step {step}, {trained_s / 60:.1f} min trained, checkpoint {ck_path}", flush=True)
    if a.sample_minutes > 0:
        write_samples(ema or model, a, step, a.tokenizer)
    return ck_path


if __name__ == "__main__":
    main()
