"""Small CNN classifier on Fashion-MNIST (28x28, [-1,1]); its 128-d penultimate features serve
for FID.  /usr/bin/python3 train/classifier.py --minutes 5"""
import argparse
import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # spinning OpenMP threads thrash on a shared CPU
import torch  # noqa: E402
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402

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
    m = CNN()
    m.load_state_dict(torch.load(path, map_location="cpu")["model"])
    return m.eval()


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=OUT)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    os.makedirs(a.out, exist_ok=True)
    xtr, ytr = data.load_split("train")
    xte, yte = data.load_split("test")
    xtr, ytr, xte, yte = to28(xtr), torch.from_numpy(ytr), to28(xte), torch.from_numpy(yte)
    model = CNN()
    from train_tokenizer import autocast_ctx
    amp = autocast_ctx("cpu", -1)
    opt = torch.optim.AdamW(model.parameters(), 2e-3, weight_decay=1e-4)
    t0, step = time.time(), 0
    budget = a.minutes * 60
    while time.time() - t0 < budget:
        model.train()
        frac = (time.time() - t0) / budget
        for g in opt.param_groups:
            g["lr"] = 2e-3 * min(1, (step + 1) / 100) * (0.5 * (1 + np.cos(np.pi * frac)))
        idx = torch.randint(0, len(xtr), (a.batch,))
        xb = xtr[idx]
        # light augmentation: random shift by up to 2 pixels
        dx, dy = np.random.randint(-2, 3, 2)
        xb = torch.roll(xb, (int(dy), int(dx)), (2, 3))
        flip = torch.rand(len(xb)) < 0.5                     # garments read the same mirrored
        xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
        with amp():
            logits = model(xb).float()
        loss = F.cross_entropy(logits, ytr[idx], label_smoothing=0.05)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 200 == 0:
            print(f"step {step} {time.time() - t0:.0f}s {step / (time.time() - t0):.1f} steps/s loss {float(loss):.3f}", flush=True)
    logits, _ = predict(model, xte)
    acc = float((logits.argmax(1) == yte).float().mean())
    m = {"test_acc": acc, "steps": step, "seconds": time.time() - t0, "epochs": step * a.batch / len(xtr)}
    print("classifier:", json.dumps(m), flush=True)
    torch.save({"model": model.state_dict(), "metrics": m}, os.path.join(a.out, "cnn.pt"))
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump(m, f, indent=1)


if __name__ == "__main__":
    main()
