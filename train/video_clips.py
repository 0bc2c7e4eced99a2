"""Clips as the video tokenizer and transformer see them (SPEC section 8): the Moving
Fashion-MNIST sets of video_data.py, the causal frame groups of a clip, and the cached token sets.

A clip of T = 1 + G*(L-1) frames is L latent frames: latent g holds frames G*g-G+1 .. G*g, and
frames before 0 are frame 0 again (causal padding), so latent 0 is frame 0 alone and the tokens of
the first k = 1 + G*j frames depend only on those frames.
"""
import os

import numpy as np
import torch

import data
import video_data

HERE = os.path.dirname(os.path.abspath(__file__))
FRAMES = 9          # T: 1 + 2*4, five latent frames of 8x8 tokens = 320 tokens with G = 2


def latent_frames(frames, group):
    assert (frames - 1) % group == 0, f"{frames} frames do not split into 1 + groups of {group}"
    return 1 + (frames - 1) // group


def group_frames(g, group):
    """Frame index of each channel of latent frame g (causal padding: < 0 -> 0)."""
    return [max(0, group * g - group + 1 + c) for c in range(group)]


def frame_of(g, c, group):
    """The frame that channel c of latent g decodes to, or None (a padding channel)."""
    f = group * g - group + 1 + c
    return f if f >= 0 else None


def to_groups(clips, group):
    """uint8 clips [N, T, 64, 64] -> float [N, L, group, 64, 64] in [-1, 1]."""
    N, T = clips.shape[:2]
    L = latent_frames(T, group)
    idx = np.array([group_frames(g, group) for g in range(L)])            # [L, group]
    x = clips[:, idx].astype(np.float32) / 127.5 - 1.0
    return torch.from_numpy(x)


def from_groups(y, group, frames):
    """Decoder output [N, L, group, S, S] -> frames [N, T, S, S] (padding channels dropped)."""
    N, L = y.shape[:2]
    out = torch.empty(N, frames, *y.shape[3:], dtype=y.dtype)
    for g in range(L):
        for c in range(group):
            f = frame_of(g, c, group)
            if f is not None:
                out[:, f] = y[:, g, c]
    return out


def make_set(split, n, seed, objects, frames=FRAMES):
    """(uint8 clips [n, T, 64, 64], labels [n]) of the split; objects 1, 2, or 0 = one or two
    (the first half one garment, the second half two)."""
    u8, y = data.load_split(split)
    if objects:
        c, info = video_data.make_clips(u8, y, n, frames, seed, objects)
        return c, info["label"]
    c1, i1 = video_data.make_clips(u8, y, n // 2, frames, seed, 1)
    c2, i2 = video_data.make_clips(u8, y, n - n // 2, frames, seed + 1, 2)
    return np.concatenate([c1, c2]), np.concatenate([i1["label"], i2["label"]])


# The sets of SPEC section 8 (seeds fixed, so a token cache can be rebuilt bit for bit).
SETS = {
    "train_cond": ("train", 40000, 100, 1),     # class-conditional: one garment
    "train_pred": ("train", 30000, 200, 0),     # frame prediction: one or two garments
    "test_cond": ("test", 2000, 300, 1),
    "test_pred": ("test", 2000, 400, 0),
}


def psnr_per_frame(a, b):
    """a, b float [N, T, S, S] in [-1, 1] -> per-frame PSNR (dB, pixels in [0, 1]) from the mean
    squared error of each frame index over the set, and the overall one."""
    se = ((a - b) / 2).pow(2).mean(dim=(0, 2, 3))
    per = [float(10 * torch.log10(1.0 / v.clamp_min(1e-12))) for v in se]
    return per, float(10 * torch.log10(1.0 / se.mean().clamp_min(1e-12)))
