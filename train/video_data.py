"""Moving Fashion-MNIST (docs/SPEC.md section 7): garments bouncing on a 64x64 canvas, generated
deterministically from a seed, the Moving MNIST recipe.

    clips, info = make_clips(u8, labels, n=100, frames=9, seed=0, objects=1)

Clip i draws everything from numpy's PCG64 seeded with [seed, i], in this order, per garment:
image index (uniform over the split), start x and y (uniform integers in [0, 64 - 28]), direction
angle (uniform in [0, 2 pi)), speed (uniform in [2, 4) px per frame). Positions move by
speed * (cos, sin) per frame and reflect at the walls (x < 0 -> -x, x > 36 -> 72 - x, the
velocity component flips); the garment is pasted at the rounded position and garments combine
with max. Frame 0 is the start position.
"""
import numpy as np

CANVAS, SIZE = 64, 28
LIMIT = CANVAS - SIZE


def _reflect(p, v):
    if p < 0:
        return -p, -v
    if p > LIMIT:
        return 2 * LIMIT - p, -v
    return p, v


def trajectory(x, y, angle, speed, frames):
    """Top-left corners [frames, 2] (float) of one garment."""
    vx, vy = speed * np.cos(angle), speed * np.sin(angle)
    out = np.zeros((frames, 2))
    for t in range(frames):
        out[t] = (x, y)
        x, vx = _reflect(x + vx, vx)
        y, vy = _reflect(y + vy, vy)
    return out


def make_clips(u8, labels, n, frames=9, seed=0, objects=1):
    """u8 [N,28,28] uint8 garments, labels [N] -> (clips uint8 [n, frames, 64, 64], info dict of
    arrays: label [n] (the first garment's class), index [n, objects], angle [n, objects],
    speed [n, objects], corners [n, objects, frames, 2])."""
    clips = np.zeros((n, frames, CANVAS, CANVAS), np.uint8)
    info = {"label": np.zeros(n, np.int64), "index": np.zeros((n, objects), np.int64),
            "angle": np.zeros((n, objects)), "speed": np.zeros((n, objects)),
            "corners": np.zeros((n, objects, frames, 2))}
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        for o in range(objects):
            k = int(rng.integers(0, len(u8)))
            x, y = int(rng.integers(0, LIMIT + 1)), int(rng.integers(0, LIMIT + 1))
            angle, speed = float(rng.uniform(0, 2 * np.pi)), float(rng.uniform(2, 4))
            tr = trajectory(float(x), float(y), angle, speed, frames)
            for t in range(frames):
                cx, cy = int(round(tr[t, 0])), int(round(tr[t, 1]))
                win = clips[i, t, cy:cy + SIZE, cx:cx + SIZE]
                np.maximum(win, u8[k], out=win)
            info["index"][i, o], info["angle"][i, o], info["speed"][i, o] = k, angle, speed
            info["corners"][i, o] = tr
        info["label"][i] = labels[info["index"][i, 0]]
    return clips, info
