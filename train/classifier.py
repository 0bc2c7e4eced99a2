"""Small CNN classifier on Fashion-MNIST (28x28, [-1,1]); its 128-d penultimate features serve
for FID.  /usr/bin/python3 train/classifier.py --minutes 5"""
import os
import sys

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # spinning OpenMP threads thrash on a shared CPU
import torch  # noqa: E402
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from timed_training import load_run, run_args, save_run, train_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "runs", "classifier")


class CNN(nn.Module):
    """Two conv pairs with BatchNorm, then 128-d features (the FID space)."""
    def __init__(self):
        super().__init__()
        chans = [(1, 32), (32, 32), (32, 64), (64, 64), (64, 128)]
        self.convs = nn.ModuleList([nn.Conv2d(a, b, 3, padding=1) for a, b in chans])
        self.bns = nn.ModuleList([nn.BatchNorm2d(b) for _, b in chans])
        self.fc = nn.Linear(128 * 7 * 7, 128)
        self.out = nn.Linear(128, 10)

    def features(self, x):
        """x [B,1,28,28] in [-1,1] -> [B,128] penultimate features."""
        h = x
        for i, (c, bn) in enumerate(zip(self.convs, self.bns)):
            h = F.relu(bn(c(h).float()))
            if i in (1, 3):
                h = F.max_pool2d(h, 2)
        return F.relu(self.fc(h.flatten(1)).float())

    def forward(self, x):
        return self.out(F.dropout(self.features(x), 0.2, self.training))


def to28(u8):
    return torch.from_numpy(u8.astype(np.float32) / 127.5 - 1.0)[:, None]


@torch.no_grad()
def predict(model, x, bs=1000):
    """x [N,1,28,28] -> (logits [N,10], features [N,128])."""
    model.eval()
    L, Fs = [], []
    for i in range(0, len(x), bs):
        f = model.features(x[i:i + bs])
        Fs.append(f)
        L.append(model.out(f))
    return torch.cat(L), torch.cat(Fs)


def load_classifier(path=os.path.join(OUT, "cnn.pt")):
    return load_run(CNN(), path)


def main(argv=None):
    a = run_args(argv, minutes=5.0, batch=128, out=OUT)
    xtr, ytr = data.load_split("train")
    xte, yte = data.load_split("test")
    xtr, ytr, xte, yte = to28(xtr), torch.from_numpy(ytr), to28(xte), torch.from_numpy(yte)
    model = CNN()

    def loss_fn(amp):
        idx = torch.randint(0, len(xtr), (a.batch,))
        xb = xtr[idx]
        # light augmentation: random shift by up to 2 pixels
        dx, dy = np.random.randint(-2, 3, 2)
        xb = torch.roll(xb, (int(dy), int(dx)), (2, 3))
        flip = torch.rand(len(xb)) < 0.5                     # garments read the same mirrored
        xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
        with amp():
            logits = model(xb).float()
        return F.cross_entropy(logits, ytr[idx], label_smoothing=0.05)

    step, seconds = train_for(model, a.minutes, 2e-3, loss_fn)
    logits, _ = predict(model, xte)
    acc = float((logits.argmax(1) == yte).float().mean())
    save_run(model, {"test_acc": acc, "steps": step, "seconds": seconds, "epochs": step * a.batch / len(xtr)}, a.out, "cnn.pt", "classifier")

if __name__ == "__main__":
    main()
