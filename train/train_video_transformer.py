"""Train the nested transformer on video tokens (SPEC section 8): class-conditional clips and
frame prediction in one model, the same MatFormer + distillation recipe and loop as images.

/usr/bin/python3 train/train_video_transformer.py --minutes 60 --resume_out train/video_resume.pt
/usr/bin/python3 train/train_video_transformer.py --tiny --max_steps 3 --out /tmp/v    # smoke test

A batch mixes two tasks (--pred_frac of it prediction):
- class-conditional: a one-garment clip, every token maskable, class = its garment's class
  (dropped to the null class with --class_dropout, for guidance);
- frame prediction: a one- or two-garment clip, class = null, the tokens of the first j latent
  frames (j uniform in 1..3, i.e. the first 1, 3 or 5 frames) given and never masked; the rest
  masked at a cosine ratio as usual.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_transformer as tt  # noqa: E402
from model import WIDTHS  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
VTOK_DIR = os.path.join(HERE, "runs", "video_tokenizer_g2")
CELLS = 64                      # tokens per latent frame (8 x 8)


def mask_free(tgt, given, V, gen):
    """Cosine-ratio masking of the tokens after the first `given[b]` of each row (those stay)."""
    B, N = tgt.shape
    free = N - given
    u = torch.rand(B, generator=gen)
    n_mask = torch.clamp(torch.ceil(torch.cos(math.pi / 2 * u) * free), torch.ones_like(free), free).long()
    r = torch.rand(B, N, generator=gen)
    pos = torch.arange(N)[None]
    r = torch.where(pos < given[:, None], torch.full_like(r, 2.0), r)     # given: ranked last
    rank = r.argsort(1).argsort(1)
    mask = rank < n_mask[:, None]
    return torch.where(mask, torch.full_like(tgt, V), tgt), mask


class VideoData:
    def __init__(self, a):
        self.grid = (5, 8, 8)
        if a.random_tokens:
            g = torch.Generator().manual_seed(1)
            self.V = 512
            mk = lambda n: (torch.randint(0, 512, (n, 320), generator=g), torch.randint(0, 10, (n,), generator=g))
            d = {"train_cond": mk(2000), "train_pred": mk(2000), "test_cond": mk(64), "test_pred": mk(64)}
        else:
            if not os.path.exists(a.tokens):
                sys.exit(f"no video tokens at {a.tokens}: run train/train_video_tokenizer.py --tokenize first")
            d = torch.load(a.tokens)
            self.V = int(torch.load(a.tokenizer, map_location="cpu")["cfg"]["codebook_size"])
        self.cond, self.cond_y = d["train_cond"][0].long(), d["train_cond"][1]
        self.pred = d["train_pred"][0].long()
        self.vcond, self.vcond_y = d["test_cond"][0].long(), d["test_cond"][1]
        self.vpred = d["test_pred"][0].long()
        self.n_train = len(self.cond) + len(self.pred)
        self.grid = (self.cond.shape[1] // CELLS, 8, 8)

    def batch(self, a, cfg, gen):
        B, C = a.batch, cfg["num_classes"]
        n_pred = int(round(B * a.pred_frac))
        n_cond = B - n_pred
        i = torch.randint(0, len(self.cond), (n_cond,), generator=gen)
        j = torch.randint(0, len(self.pred), (n_pred,), generator=gen)
        tgt = torch.cat([self.cond[i], self.pred[j]])
        cls = torch.cat([self.cond_y[i].clone(), torch.full((n_pred,), C, dtype=torch.long)])
        drop = torch.rand(B, generator=gen) < a.class_dropout
        cls[drop] = C
        L = self.grid[0]
        k = torch.randint(1, min(4, L), (n_pred,), generator=gen)                 # latent frames given
        given = torch.cat([torch.zeros(n_cond, dtype=torch.long), k * CELLS])
        inp, mask = mask_free(tgt, given, cfg["codebook_size"], gen)
        return inp, tgt, mask, cls

    @torch.no_grad()
    def val(self, model, dev, a, amp, n=None, bs=100):
        """Per-width masked CE on held-out clips with one fixed masking (seed 0): 'c' = class-
        conditional clips, 'p' = prediction with the first 2 latent frames (3 frames) given."""
        n = n or min(a.val_n, len(self.vcond))
        gen = torch.Generator().manual_seed(0)
        out = {}
        sets = {"c": (self.vcond[:n], self.vcond_y[:n], 0), "p": (self.vpred[:n], None, 2 * CELLS)}
        for key, (tok, y, giv) in sets.items():
            cls = y if y is not None else torch.full((len(tok),), model.C, dtype=torch.long)
            inp, mask = mask_free(tok, torch.full((len(tok),), giv), model.V, gen)
            for w in WIDTHS:
                tot, cnt = 0.0, 0
                for s in range(0, len(tok), bs):
                    with amp():
                        lg = model(inp[s:s + bs].to(dev), cls[s:s + bs].to(dev), w)
                    m = mask[s:s + bs].to(dev)
                    tot += float(F.cross_entropy(lg[m].float(), tok[s:s + bs].to(dev)[m], reduction="sum"))
                    cnt += int(m.sum())
                out[f"{key}{w}"] = tot / cnt
        return out

    def samples(self, model, a, step):
        try:
            import video_samples
        except ImportError as e:
            print("samples skipped:", e, flush=True)
            return
        video_samples.write_strips(model, os.path.join(VTOK_DIR, "tok.pt"), a.out, step, self.vpred[:4])


def get_args(argv=None):
    argv = list(argv or sys.argv[1:])
    extra = {"--pred_frac": 0.5}
    rest = []
    i = 0
    while i < len(argv):
        if argv[i] in extra:
            extra[argv[i]] = float(argv[i + 1])
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    defaults = ["--layers", "6", "--dim", "128", "--mlp", "512", "--batch", "32",
                "--out", os.path.join(HERE, "runs", "video_transformer"),
                "--tokens", os.path.join(VTOK_DIR, "tokens.pt"), "--tokenizer", os.path.join(VTOK_DIR, "tok.pt"),
                "--val_n", "500", "--warmup", "300"]
    a = tt.get_args(defaults + rest)
    a.pred_frac = extra["--pred_frac"]
    return a


def main(argv=None):
    a = get_args(argv)
    return tt.main(args=a, data_cls=VideoData)


if __name__ == "__main__":
    main()
