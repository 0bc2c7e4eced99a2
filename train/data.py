"""Fashion-MNIST IDX loader (SPEC section 1): [-1, 1] scaling, padded with -1 to 32x32."""
import gzip
import os
import struct
import sys

import numpy as np

DATA_DIR = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")
CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
APT_HINT = "apt-get install dataset-fashion-mnist"


def _path(name):
    p = os.path.join(DATA_DIR, name)
    if not os.path.exists(p):
        sys.exit(f"missing data file {p}; install it with: {APT_HINT}")
    return p


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, = struct.unpack(">I", raw[:4])
    ndim = magic & 0xFF
    assert magic >> 8 == 0x08, f"{path}: not an unsigned-byte IDX file"
    shape = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_split(split):
    """split 'train' (60000) or 'test' (10000) -> (uint8 images [N,28,28], int64 labels [N])."""
    pre = "train" if split == "train" else "t10k"
    x = read_idx(_path(f"{pre}-images-idx3-ubyte.gz"))
    y = read_idx(_path(f"{pre}-labels-idx1-ubyte.gz")).astype(np.int64)
    return x, y


def to_model_space(u8):
    """uint8 [N,28,28] -> float32 [N,1,32,32] in [-1,1], padded by 2 with -1."""
    x = u8.astype(np.float32) / 127.5 - 1.0
    return np.pad(x, ((0, 0), (2, 2), (2, 2)), constant_values=-1.0)[:, None]


def crop28(x):
    """[..., 32, 32] -> [..., 28, 28] (rows/cols 2..29)."""
    return x[..., 2:30, 2:30]


def to_gray8(x28):
    """float image in [-1,1] -> uint8 as in SPEC: round((clamp(x)+1)*127.5)."""
    return np.round((np.clip(x28, -1, 1) + 1) * 127.5).astype(np.uint8)
