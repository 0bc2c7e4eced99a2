"""MaskGIT training of the nested transformer on frozen tokenizer tokens (MatFormer + distillation).

/usr/bin/python3 train/train_transformer.py --minutes 60        # main run, resumes automatically
torchrun --nproc_per_node N train/train_transformer.py ...       # data parallel (gloo on CPU, nccl on GPUs)
/usr/bin/python3 train/train_transformer.py --tiny --max_steps 5 --out /tmp/x   # smoke test

Every batch: one random masking (cosine ratio), then a forward at each width 1, 1/2, 1/4, 1/8;
loss = sum_w CE_w(masked, label smoothing 0.1) + distill * sum_{w<1} KL(p_full.detach() || p_w).
The LR schedule is planned on the wall-clock budget: progress = trained seconds / budget.
"""
import argparse
import contextlib
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
from train_tokenizer import autocast_ctx  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOK_DIR = os.path.join(HERE, "runs", "tokenizer")


def get_args(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--dim", type=int, default=192)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--mlp", type=int, default=768)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min_lr_frac", type=float, default=0.05)
    ap.add_argument("--wd", type=float, default=0.05)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--label_smoothing", type=float, default=0.1)
    ap.add_argument("--class_dropout", type=float, default=0.1)
    ap.add_argument("--distill", type=float, default=1.0)
    ap.add_argument("--distill_temp", type=float, default=1.0, help="KL on softmax(logits / T), scaled by T^2")
    ap.add_argument("--width_weights", type=str, default="2,1.5,1.2,1",
                    help="CE + KL weight per width, in the order of WIDTHS (1/8, 1/4, 1/2, 1)")
    ap.add_argument("--amp", type=int, default=-1, help="bf16 autocast: 1 on, 0 off, -1 where the hardware has bf16")
    ap.add_argument("--random_tokens", action="store_true", help="synthetic tokens (speed benchmarks only)")
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--minutes", type=float, default=60.0, help="total training budget (all runs)")
    ap.add_argument("--max_steps", type=int, default=0, help="stop after N steps (overrides budget)")
    ap.add_argument("--ckpt_minutes", type=float, default=4.0)
    ap.add_argument("--sample_minutes", type=float, default=15.0)
    ap.add_argument("--log_every", type=int, default=50)
    ap.add_argument("--val_n", type=int, default=1000, help="held-out (test split) sequences for the validation loss")
    ap.add_argument("--tokens", type=str, default=os.path.join(TOK_DIR, "tokens.pt"))
    ap.add_argument("--tokenizer", type=str, default=os.path.join(TOK_DIR, "tok.pt"))
    ap.add_argument("--out", type=str, default=os.path.join(HERE, "runs", "transformer"))
    ap.add_argument("--threads", type=int, default=2, help="CPU threads per process (training owns the machine)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resume_from", type=str, default="", help="when out/ has no ckpt.pt: a light resume state (weights + EMA) or an exported checkpoint folder")
    ap.add_argument("--resume_out", type=str, default="", help="write the light resume state here at every checkpoint")
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
    return d["train"][0].long(), d["train"][1], d["test"][0].long(), d["test"][1]


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


def losses(model, inp, tgt, mask, cls, a, amp):
    """Returns total loss and per-width CE (floats). Widths from the full one down, so the full
    width's (detached) distribution is there to distil into the smaller ones."""
    total, per = 0.0, {}
    full_logp = None
    t = tgt[mask]
    weights = dict(zip(WIDTHS, [float(v) for v in a.width_weights.split(",")]))
    T = a.distill_temp
    for w in sorted(WIDTHS, reverse=True):
        with amp():
            logits = model(inp, cls, w)[mask].float()           # [Nmasked, V]
        ce = F.cross_entropy(logits, t, label_smoothing=a.label_smoothing)
        total = total + weights[w] * ce
        per[w] = float(ce)
        logp = F.log_softmax(logits / T, -1)
        if w == 1.0:
            full_logp = logp.detach()
        elif a.distill > 0:
            kl = F.kl_div(logp, full_logp, log_target=True, reduction="batchmean") * (T * T)
            total = total + weights[w] * a.distill * kl
            per[f"kl{w}"] = float(kl)
    return total, per


def save(path, model, ema, opt, step, trained_s, a, extra=None):
    tmp = path + ".tmp"
    torch.save({"model": model.state_dict(), "ema": ema.state_dict() if ema else None,
                "opt": opt.state_dict(), "step": step, "trained_s": trained_s,
                "model_cfg": model.cfg, "args": vars(a), "extra": extra or {}}, tmp)
    os.replace(tmp, path)


@torch.no_grad()
def val_losses(model, tokens, labels, dev, n=1000, bs=250, amp=contextlib.nullcontext):
    """Per-width masked-token CE (no label smoothing) on held-out tokens, with one fixed masking
    (cosine ratios, seed 0) so numbers are comparable across runs and checkpoints."""
    gen = torch.Generator().manual_seed(0)
    tok, cls = tokens[:n], labels[:n]
    inp, mask = mask_batch(tok, model.V, gen)
    out = {}
    for w in WIDTHS:
        tot, cnt = 0.0, 0
        for i in range(0, n, bs):
            with amp():
                lg = model(inp[i:i + bs].to(dev), cls[i:i + bs].to(dev), w)
            m = mask[i:i + bs].to(dev)
            tot += float(F.cross_entropy(lg[m].float(), tok[i:i + bs].to(dev)[m], reduction="sum"))
            cnt += int(m.sum())
        out[str(w)] = tot / cnt
    return out


def light_from_export(folder):
    """Resume state from an exported checkpoint (public/models/<name>/): its EMA weights serve as
    both the weights and the EMA; step and minutes from the manifest's training record."""
    import safetensors_io as st
    man = json.load(open(os.path.join(folder, "manifest.json")))
    w, _ = st.load(os.path.join(folder, "transformer.safetensors"))
    sd = {k: torch.from_numpy(v) for k, v in w.items()}
    t, tr = man["transformer"], man.get("training", {})
    cfg = {k: t[k] for k in ("layers", "dim", "heads", "mlp", "codebook_size", "num_classes")}
    return {"model": sd, "ema": sd, "model_cfg": cfg, "step": int(tr.get("step", 0)),
            "trained_s": float(tr.get("minutes", 0)) * 60}


def save_light(path, model, ema, step, trained_s, a):
    """Resume state small enough to commit (< 40 MB): weights in f32, the EMA in f32 too unless
    that would pass 38 MB (then bf16), no optimizer moments (a resumed run warms its LR up again)."""
    tmp = path + ".tmp"
    n = sum(p.numel() for p in model.parameters())
    edt = torch.float32 if 8 * n < 38e6 else torch.bfloat16
    torch.save({"model": model.state_dict(),
                "ema": {k: v.to(edt) for k, v in ema.state_dict().items()} if ema else None,
                "step": step, "trained_s": trained_s, "model_cfg": model.cfg, "args": vars(a)}, tmp)
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


def dist_setup(threads):
    """(rank, world, device). Under torchrun (WORLD_SIZE > 1) joins the process group: gloo on
    CPU, nccl on GPUs; otherwise a single process."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    cuda = torch.cuda.is_available()
    rank, local = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    if world > 1:
        import torch.distributed as dist
        dist.init_process_group("nccl" if cuda else "gloo")
    if cuda:
        torch.cuda.set_device(local)
    torch.set_num_threads(threads)
    return rank, world, (f"cuda:{local}" if cuda else "cpu")


def all_reduce_grads(model, world):
    """Data parallel by hand: one flat all-reduce of the gradients, averaged (DDP's hooks do not
    fit four forwards at different widths before one backward)."""
    if world == 1:
        return
    import torch.distributed as dist
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= world
    o = 0
    for g in grads:
        g.copy_(flat[o:o + g.numel()].view_as(g))
        o += g.numel()


def synced_max(x, world, dev):
    if world == 1:
        return x
    import torch.distributed as dist
    t = torch.tensor([x], dtype=torch.float64, device=dev)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return float(t)


class ImageData:
    """Class-conditional images: every token maskable, class dropout for guidance."""
    grid = (8, 8)

    def __init__(self, a):
        if a.random_tokens:
            self.V = 512
            g = torch.Generator().manual_seed(1)      # its own generator: the weights' init is unchanged
            self.tokens, self.labels = torch.randint(0, 512, (60000, 64), generator=g), torch.randint(0, 10, (60000,), generator=g)
            self.vtok, self.vlab = self.tokens[:64], self.labels[:64]
        else:
            self.tokens, self.labels, self.vtok, self.vlab = load_tokens(a.tokens, a.tokenizer)
            self.V = int(torch.load(a.tokenizer, map_location="cpu")["cfg"]["codebook_size"]) \
                if os.path.exists(a.tokenizer) else int(self.tokens.max()) + 1
        self.n_train = self.tokens.shape[0]

    def batch(self, a, cfg, gen):
        """-> (masked input, target, mask, class) for one training step."""
        idx = torch.randint(0, self.n_train, (a.batch,), generator=gen)
        tgt, cls = self.tokens[idx], self.labels[idx].clone()
        drop = torch.rand(a.batch, generator=gen) < a.class_dropout
        cls[drop] = cfg["num_classes"]
        inp, mask = mask_batch(tgt, cfg["codebook_size"], gen)
        return inp, tgt, mask, cls

    def val(self, model, dev, a, amp):
        return val_losses(model, self.vtok, self.vlab, dev, n=a.val_n, amp=amp)

    def samples(self, model, a, step):
        write_samples(model, a, step, a.tokenizer)


def main(argv=None, data_cls=ImageData, args=None):
    a = args or get_args(argv)
    rank, world, dev = dist_setup(a.threads)
    torch.manual_seed(a.seed)
    amp = autocast_ctx(dev.split(":")[0], a.amp)
    os.makedirs(a.out, exist_ok=True)
    ck_path = os.path.join(a.out, "ckpt.pt")
    data = data_cls(a)
    V = data.V

    resume = torch.load(ck_path, map_location="cpu") if os.path.exists(ck_path) else None
    light = None
    if resume is None and a.resume_from and os.path.isdir(a.resume_from):
        light = light_from_export(a.resume_from)                 # a shipped checkpoint: EMA only
    elif resume is None and a.resume_from and os.path.exists(a.resume_from):
        light = torch.load(a.resume_from, map_location="cpu")     # weights + EMA, no moments
    src = resume or light
    cfg = src["model_cfg"] if src else dict(layers=a.layers, dim=a.dim, heads=a.heads, mlp=a.mlp,
                                            codebook_size=V, num_classes=10)
    if not src and tuple(data.grid) != (8, 8):
        cfg["grid"] = list(data.grid)
    model = NestedTransformer(**cfg).to(dev)
    ema = NestedTransformer(**cfg).to(dev) if a.ema > 0 else None
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (decay if p.dim() == 2 and "emb" not in n else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd},
                             {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.95))
    step, trained_s, warm_from = 0, 0.0, 0
    if src:
        model.load_state_dict({k: v.float() for k, v in src["model"].items()})
        if resume:
            opt.load_state_dict(resume["opt"])
        else:
            warm_from = src["step"]            # fresh moments: warm the LR up again from here
        step, trained_s = src["step"], src["trained_s"]
        if ema is not None:
            ema.load_state_dict({k: v.float() for k, v in (src["ema"] or src["model"]).items()})
        if rank == 0:
            print(f"resumed from {'ckpt' if resume else a.resume_from} at step {step} "
                  f"({trained_s / 60:.1f} min trained)", flush=True)
    elif ema is not None:
        ema.load_state_dict(model.state_dict())
    if world > 1:                               # every rank starts from rank 0's weights
        import torch.distributed as dist
        for t in list(model.state_dict().values()) + (list(ema.state_dict().values()) if ema else []):
            dist.broadcast(t, 0)
    if ema is not None:
        ema.requires_grad_(False)
    nparams = sum(p.numel() for p in model.parameters())
    if rank == 0:
        print(f"device {dev} ranks {world} threads {a.threads} amp {amp is not contextlib.nullcontext} config {json.dumps(cfg)} "
              f"params {nparams / 1e6:.2f}M batch {a.batch}/rank budget {a.minutes} min "
              f"widths-weights {a.width_weights} distill {a.distill} T {a.distill_temp}", flush=True)

    gen = torch.Generator().manual_seed(a.seed * 1000003 + step + 7919 * rank)
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
        inp, tgt, mask, cls = data.batch(a, cfg, gen)
        inp, tgt, mask, cls = inp.to(dev), tgt.to(dev), mask.to(dev), cls.to(dev)
        lr = lr_at(a, step - warm_from, trained_s / budget if not a.max_steps else step / a.max_steps)
        for g in opt.param_groups:
            g["lr"] = lr
        loss, per = losses(model, inp, tgt, mask, cls, a, amp)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        all_reduce_grads(model, world)
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        if ema is not None:
            dcy = min(a.ema, (1 + step) / (10 + step))
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(dcy).add_(pm.detach(), alpha=1 - dcy)
        step += 1
        trained_s = synced_max(trained_s + time.time() - t_step, world, dev)
        hist.append(per)
        if rank == 0 and (step % a.log_every == 0 or (a.bench and step == a.bench)):
            now = time.time()
            sps = (step - s_log) / (now - t_log)
            t_log, s_log = now, step
            mean = {k: sum(h[k] for h in hist) / len(hist) for k in hist[0]}
            hist = []
            eta = (budget - trained_s) / 60 if not a.max_steps else (a.max_steps - step) / sps / 60
            print(f"step {step} {sps:.2f} steps/s ({1 / sps:.3f} s/step) lr {lr:.2e} gn {float(gn):.2f} "
                  + " ".join(f"{k}:{v:.3f}" for k, v in mean.items()) + f" ETA {eta:.1f} min", flush=True)
        if rank == 0 and time.time() - last_ck > a.ckpt_minutes * 60:
            vl = data.val(ema or model, dev, a, amp)
            print(f"val step {step} epochs {step * a.batch * world / data.n_train:.2f} " + json.dumps(vl), flush=True)
            save(ck_path, model, ema, opt, step, trained_s, a, {"val": vl})
            if a.resume_out:
                save_light(a.resume_out, model, ema, step, trained_s, a)
            last_ck = time.time()
        if rank == 0 and a.sample_minutes > 0 and time.time() - last_sample > a.sample_minutes * 60:
            data.samples(ema or model, a, step)
            last_sample = time.time()
    if a.bench:
        return
    if world > 1:
        torch.save(model.state_dict(), os.path.join(a.out, f"weights_rank{rank}.pt"))
    if rank != 0:
        return
    vl = data.val(ema or model, dev, a, amp)
    epochs = step * a.batch * world / data.n_train
    print(f"val step {step} epochs {epochs:.2f} " + json.dumps(vl), flush=True)
    save(ck_path, model, ema, opt, step, trained_s, a, {"val": vl, "epochs": epochs})
    if a.resume_out:
        save_light(a.resume_out, model, ema, step, trained_s, a)
    print(f"done: step {step}, {trained_s / 60:.1f} min trained, checkpoint {ck_path}", flush=True)
    if a.sample_minutes > 0:
        data.samples(ema or model, a, step)
    return ck_path


if __name__ == "__main__":
    main()
