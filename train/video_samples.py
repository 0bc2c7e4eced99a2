"""Frame strips of generated clips, to look at while and after training.

write_strips(): per width, one PNG of 10 rows (one class-conditional clip per class, frames left
to right) and one of frame prediction (context | predicted, the real clip under each).
"""
import os

import numpy as np
import torch
from PIL import Image

import video_clips as vc
from decode import decode_batch
from model import WIDTHS
from tokenizer import load_tokenizer

CELLS = 64


@torch.no_grad()
def tokens_to_frames(tok, tokens, as_float=False):
    """tokens [B, L*64] -> uint8 frames [B, T, 64, 64] through the video tokenizer's decoder
    (as_float: the clamped float frames in [-1, 1] instead)."""
    G = tok.cfg["group"]
    B, N = tokens.shape
    L = N // CELLS
    y = tok.decode_tokens(tokens.reshape(B * L, CELLS).to(tok.vq.codebook.device)).cpu()
    frames = vc.from_groups(y.reshape(B, L, G, 64, 64), G, 1 + G * (L - 1))
    f = frames.clamp(-1, 1).numpy()
    return f if as_float else np.round((f + 1) * 127.5).astype(np.uint8)


def strip(frames, gap=2):
    """uint8 [R, T, 64, 64] -> one image, rows of frames with a gap between frames."""
    R, T = frames.shape[:2]
    out = np.full((R * (64 + gap), T * (64 + gap)), 40, np.uint8)
    for r in range(R):
        for t in range(T):
            out[r * (64 + gap):r * (64 + gap) + 64, t * (64 + gap):t * (64 + gap) + 64] = frames[r, t]
    return out


def write_strips(model, tok_path, out, step, pred_tokens, steps=12, given=2):
    if not os.path.exists(tok_path):
        return
    tok = load_tokenizer(tok_path)
    cls = torch.arange(10)
    fixed = np.full(pred_tokens.shape, -1, np.int64)
    fixed[:, :given * CELLS] = pred_tokens[:, :given * CELLS].numpy()
    real = tokens_to_frames(tok, pred_tokens)
    for w in WIDTHS:
        t = decode_batch(model, cls, list(range(10)), steps=steps, widths=[w] * steps, guidance=2.0)["tokens"]
        Image.fromarray(strip(tokens_to_frames(tok, t))).save(os.path.join(out, f"clips_w{w}_latest.png"))
        p = decode_batch(model, torch.full((len(pred_tokens),), model.C), list(range(len(pred_tokens))),
                         steps=steps, widths=[w] * steps, guidance=0.0, fixed=fixed)["tokens"]
        pf = tokens_to_frames(tok, p)
        rows = np.stack([pf, real], 1).reshape(-1, *pf.shape[1:])
        Image.fromarray(strip(rows)).save(os.path.join(out, f"predict_w{w}_latest.png"))
    print(f"wrote clip strips at step {step}", flush=True)
