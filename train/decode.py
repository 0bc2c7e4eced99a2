"""Reference decoder of SPEC section 5 (MaskGIT with a width per step, scheduled CFG, KV cache).

decode()        one image, written to follow the SPEC line by line (the reference).
decode_batch()  many images at once (used for evaluation / sample grids); gives the same tokens.
gflops_per_image()  transformer FLOPs of a decode from shapes alone.
"""
import math

import numpy as np
import torch

import rng


def mask_schedule(U, T):
    """m_t = max(0, min(m_{t-1} - 1, floor(U cos(pi/2 (t+1)/T)))), m_{-1} = U (float64 cos)."""
    assert 1 <= T <= U, f"need 1 <= steps ({T}) <= masked tokens ({U})"
    ms, prev = [], U
    for t in range(T):
        m = max(0, min(prev - 1, int(math.floor(U * math.cos(math.pi / 2 * (t + 1) / T)))))
        ms.append(m)
        prev = m
    return ms


def _scales(g, t, T, kappa):
    """Guidance scale s_t and confidence-noise scale, computed in float64 then rounded to f32."""
    return np.float32(g * (t + 1) / T), np.float32(kappa * (1.0 - (t + 1) / T))


def _select(l_c, l_u, seeds, t, T, masked, tau, kappa, g):
    """Sampling and confidence for masked positions.
    l_c, l_u: float32 [B, n, V] (l_u None when g == 0); seeds [B]; masked int [B, n].
    Returns sampled tokens x [B, n] and confidence [B, n] (float32)."""
    s, k = _scales(g, t, T, kappa)
    l = l_c if l_u is None else (l_c + s * (l_c - l_u)).astype(np.float32)
    lt = (l / np.float32(tau)).astype(np.float32)
    B, n, V = lt.shape
    sd = np.asarray(seeds, dtype=np.uint64)[:, None, None]
    noise = rng.gumbel(sd, np.uint32(t), masked[:, :, None].astype(np.uint32),
                       (np.arange(V, dtype=np.uint32) + np.uint32(1))[None, None, :])
    x = np.argmax(lt + noise, axis=-1)                    # first max -> smaller v on ties
    mx = lt.max(-1, keepdims=True)
    lse = (mx + np.log(np.exp(lt - mx).sum(-1, keepdims=True, dtype=np.float32))).astype(np.float32)
    logp = np.take_along_axis(lt, x[..., None], -1)[..., 0] - lse[..., 0]
    cg = rng.gumbel(sd[:, :, 0], np.uint32(t), masked.astype(np.uint32), np.uint32(0))
    conf = (logp + k * cg).astype(np.float32)
    return x, conf


@torch.no_grad()
def decode(model, cls, seed, steps=12, widths=None, temperature=1.0, choice_temperature=4.5,
           guidance=2.0, cache=False, fixed=None, tokenizer=None):
    """One image. cls: class index (model.null_class for unconditional); widths: one per step
    (default all 1.0); fixed: {image position: token} never masked.
    Returns dict(steps=[tokens after each step], tokens=final [64], image=[28,28] or None)."""
    V, MASK, T = model.V, model.mask_token, steps
    widths = list(widths or [1.0] * T)
    assert len(widths) == T
    dev = model.tok_emb.device
    tokens = np.full(model.N, MASK, dtype=np.int64)
    for p, v in (fixed or {}).items():
        tokens[p] = v
    U = int((tokens == MASK).sum())
    ms = mask_schedule(U, T)
    rows = [cls, model.null_class] if guidance > 0 else [cls]       # cond + null as one batch
    cls_t = torch.tensor(rows, device=dev)
    kv = model.new_cache(len(rows)) if cache else None
    prev_w, fixed_prev, history = None, np.zeros(0, dtype=np.int64), []
    for t in range(T):
        w = widths[t]
        masked = np.nonzero(tokens == MASK)[0]                       # image positions, ascending
        tok_t = torch.tensor(tokens, device=dev)[None].repeat(len(rows), 1)
        if not cache or t == 0 or w != prev_w:                      # full pass (rewrites cache)
            out = torch.from_numpy(masked).to(dev)[None].repeat(len(rows), 1)
            logits = model(tok_t, cls_t, w, kv, out_positions=out)
        else:                                                        # incremental pass
            comp = np.union1d(masked, fixed_prev) + 1                # sequence positions
            pos = torch.from_numpy(comp).to(dev)[None].repeat(len(rows), 1)
            out = torch.from_numpy(masked + 1).to(dev)[None].repeat(len(rows), 1)
            logits = model.forward_incremental(tok_t, cls_t, w, kv, pos, out)
        logits = logits.float().cpu().numpy()
        l_u = logits[1:2] if guidance > 0 else None
        x, conf = _select(logits[0:1], l_u, [seed], t, T, masked[None], temperature,
                          choice_temperature, guidance)
        x, conf = x[0], conf[0]
        order = np.lexsort((masked, -conf))                          # conf desc, then position
        n_fix = len(masked) - ms[t]
        chosen = order[:n_fix]
        tokens[masked[chosen]] = x[chosen]
        fixed_prev = np.sort(masked[chosen])
        prev_w = w
        history.append(tokens.copy())
    image = None
    if tokenizer is not None and len(model.grid) == 2:
        image = tokenizer.decode_tokens(torch.tensor(tokens)[None].to(tokenizer.vq.codebook.device))
        image = image[0, 0, 2:30, 2:30].cpu().numpy()
    return dict(steps=history, tokens=tokens, image=image)


@torch.no_grad()
def decode_batch(model, classes, seeds, steps=12, widths=None, temperature=1.0,
                 choice_temperature=4.5, guidance=2.0, cache=False, fixed=None):
    """B images at once. fixed: optional int array [B, N] with -1 where free and a token where
    given (the same positions in every row, so every image has the same masked count per step).
    Rows 0..B-1 of the model batch are conditional, rows B..2B-1 the null class.
    Returns dict(tokens=LongTensor [B,N], steps=np.array [T,B,N])."""
    V, MASK, T = model.V, model.mask_token, steps
    widths = list(widths or [1.0] * T)
    dev = model.tok_emb.device
    classes = torch.as_tensor(classes).long()
    B = len(classes)
    seeds = np.asarray(seeds, dtype=np.uint64) % (1 << 32)
    N = model.N
    tokens = np.full((B, N), MASK, dtype=np.int64)
    if fixed is not None:
        fixed = np.asarray(fixed)
        assert (fixed >= 0).sum(1).min() == (fixed >= 0).sum(1).max(), "same number of given tokens per row"
        tokens = np.where(fixed >= 0, fixed, MASK)
    ms = mask_schedule(int((tokens[0] == MASK).sum()), T)
    cls_t = torch.cat([classes, torch.full_like(classes, model.null_class)]) if guidance > 0 else classes
    cls_t = cls_t.to(dev)
    R = len(cls_t)
    kv = model.new_cache(R) if cache else None
    prev_w, fixed_prev, history = None, None, []
    for t in range(T):
        w = widths[t]
        masked = np.stack([np.nonzero(r == MASK)[0] for r in tokens])          # [B, n] ascending
        rep = (lambda a: np.concatenate([a, a])) if guidance > 0 else (lambda a: a)
        tok_t = torch.from_numpy(rep(tokens)).to(dev)
        out = torch.from_numpy(rep(masked) + 1).to(dev)
        if not cache or t == 0 or w != prev_w:
            logits = model(tok_t, cls_t, w, kv, out_positions=out - 1)
        else:
            comp = np.sort(np.concatenate([masked, fixed_prev], 1), 1) + 1
            logits = model.forward_incremental(tok_t, cls_t, w, kv, torch.from_numpy(rep(comp)).to(dev), out)
        logits = logits.float().cpu().numpy()
        l_c, l_u = (logits[:B], logits[B:]) if guidance > 0 else (logits, None)
        x, conf = _select(l_c, l_u, seeds, t, T, masked, temperature, choice_temperature, guidance)
        n_fix = masked.shape[1] - ms[t]
        fp = []
        for b in range(B):
            order = np.lexsort((masked[b], -conf[b]))
            chosen = order[:n_fix]
            tokens[b, masked[b, chosen]] = x[b, chosen]
            fp.append(np.sort(masked[b, chosen]))
        fixed_prev = np.stack(fp)
        prev_w = w
        history.append(tokens.copy())
    return dict(tokens=torch.from_numpy(tokens), steps=np.stack(history))


def gflops_per_image(cfg, widths, cache=False, guidance=2.0, U=64, N=64):
    """Transformer FLOPs (2 per multiply-add) of one decode, from shapes. Counts per layer
    QKV/O projections, MLP and attention (QK^T and AV against 65 keys) for the rows computed
    (65 on a full pass; masked + just-fixed rows on an incremental pass) and the tied head for
    the masked rows. Cond + null rows count twice when guidance > 0. Embeddings/LN/softmax and the
    image decoder are not counted."""
    T = len(widths)
    D, H, M, L, V = cfg["dim"], cfg["heads"], cfg["mlp"], cfg["layers"], cfg["codebook_size"]
    ms, count, prev_w, fixed_prev, mac = mask_schedule(U, T), U, None, 0, 0
    for t, w in enumerate(widths):
        d, m = int(round(w * D)), int(round(w * M))
        full = (not cache) or t == 0 or w != prev_w
        n = 1 + N if full else count + fixed_prev
        mac += L * (4 * n * d * d + 2 * n * d * m + 2 * n * (1 + N) * d) + count * d * V
        fixed_prev = count - ms[t]
        count, prev_w = ms[t], w
    return 2 * mac * (2 if guidance > 0 else 1) / 1e9
