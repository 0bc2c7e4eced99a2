"""The video evaluator's feature network (issue 11): a small 3D CNN trained on real Moving
Fashion-MNIST clips to tell the garment's class and its direction of motion, so that its pooled
features carry both what is in a clip and how it moves. FVD-lite (evaluate_video_gen.py) is the
Frechet distance between Gaussians fitted to these 128-d features, as FVD is with I3D's.

    /usr/bin/python3 train/video_features.py --minutes 12      # writes train/runs/video_features/

Training clips are generated on the fly from the Fashion-MNIST *train* split with seeds of their
own (never the test sets'), one garment each, 9 frames (SPEC section 7). The direction label is
the start angle in 8 bins of 45 degrees; the clip shows the motion from frame 0, before any
bounce, so the label is visible. The test figures are on held-out test-split clips.
"""
import os
import sys
import time

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
import video_data  # noqa: E402
from timed_training import load_run, run_args, save_run, train_for  # noqa: E402
from video_clips import FRAMES  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "runs", "video_features")
DIRECTIONS = 8
TRAIN_SEED, TEST_SEED = 900, 901       # not any SETS seed of video_clips.py


class ClipNet(nn.Module):
    """Four 3x3x3 conv blocks (space halved each time, time halved in the last two), global
    average pooling to 128-d features, and two linear heads (class, direction)."""
    def __init__(self):
        super().__init__()
        chans = [(1, 16, (1, 2, 2)), (16, 32, (1, 2, 2)), (32, 64, (2, 2, 2)), (64, 128, (2, 2, 2))]
        self.convs = nn.ModuleList([nn.Conv3d(a, b, 3, stride=s, padding=1) for a, b, s in chans])
        self.bns = nn.ModuleList([nn.BatchNorm3d(b) for _, b, _ in chans])
        self.cls = nn.Linear(128, 10)
        self.dir = nn.Linear(128, DIRECTIONS)

    def features(self, x):
        """x [B, T, 64, 64] in [-1, 1] -> [B, 128]."""
        h = x[:, None]
        for c, bn in zip(self.convs, self.bns):
            h = F.relu(bn(c(h).float()))
        return h.mean(dim=(2, 3, 4))

    def forward(self, x):
        f = self.features(x)
        return self.cls(f), self.dir(f)


def direction_bins(angle):
    """Start angles [n] (radians) -> bin [n] in 0..7 (bin k centred on k * 45 degrees)."""
    return np.floor((np.asarray(angle) % (2 * np.pi)) / (2 * np.pi) * DIRECTIONS + 0.5).astype(np.int64) % DIRECTIONS


def real_clips(split, n, seed):
    """(uint8 clips [n, 9, 64, 64], class [n], direction bin [n]): one garment each."""
    u8, y = data.load_split(split)
    clips, info = video_data.make_clips(u8, y, n, FRAMES, seed, 1)
    return clips, info["label"], direction_bins(info["angle"][:, 0])


def to_float(u8):
    return torch.from_numpy(u8.astype(np.float32) / 127.5 - 1.0)


@torch.no_grad()
def predict(model, clips, bs=200):
    """float clips [N, T, 64, 64] in [-1, 1] (tensor or array) -> (class logits [N, 10],
    direction logits [N, 8], features [N, 128]) as numpy."""
    model.eval()
    C, D, Fs = [], [], []
    for i in range(0, len(clips), bs):
        x = torch.as_tensor(clips[i:i + bs], dtype=torch.float32)
        f = model.features(x)
        Fs.append(f)
        C.append(model.cls(f))
        D.append(model.dir(f))
    return torch.cat(C).numpy(), torch.cat(D).numpy(), torch.cat(Fs).numpy()


def load_features(path=os.path.join(OUT, "clipnet.pt")):
    if not os.path.exists(path):
        sys.exit(f"no feature network at {path}; train it with: /usr/bin/python3 train/video_features.py --minutes 12")
    return load_run(ClipNet(), path)


def main(argv=None):
    def extra(ap):
        ap.add_argument("--pool", type=int, default=24000, help="training clips generated up front")
        ap.add_argument("--test", type=int, default=2000)

    a = run_args(argv, minutes=12.0, batch=64, out=OUT, extra=extra)
    t0 = time.time()
    xtr, ctr, dtr = real_clips("train", a.pool, TRAIN_SEED)
    xte, cte, dte = real_clips("test", a.test, TEST_SEED)
    print(f"clips: {len(xtr)} train, {len(xte)} test, made in {time.time() - t0:.0f}s", flush=True)
    ctr, dtr = torch.from_numpy(ctr), torch.from_numpy(dtr)
    model = ClipNet()
    gen = torch.Generator().manual_seed(0)

    def loss_fn(amp):
        idx = torch.randint(0, len(xtr), (a.batch,), generator=gen)
        with amp():
            lc, ld = model(to_float(xtr[idx.numpy()]))
        return F.cross_entropy(lc.float(), ctr[idx], label_smoothing=0.05) + F.cross_entropy(ld.float(), dtr[idx], label_smoothing=0.05)

    step, seconds = train_for(model, a.minutes, 3e-3, loss_fn)
    lc, ld, _ = predict(model, to_float(xte))
    save_run(model, {"test_class_acc": float((lc.argmax(1) == cte).mean()), "test_direction_acc": float((ld.argmax(1) == dte).mean()),
                     "steps": step, "seconds": seconds, "clips_seen": step * a.batch, "pool": len(xtr)}, a.out, "clipnet.pt", "feature network")

if __name__ == "__main__":
    main()
