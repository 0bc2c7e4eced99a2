"""Write generated images for an external judge: the reference decoder (token-identical to the
browser, SPEC section 5) on the exported checkpoint, batched.

/usr/bin/python3 train/sample.py --schedule magnets --n 2000 --out out/ [--cache 0|1]
    [--class all|NAME|INDEX] [--seed 1000] [--steps 12] [--guidance G] [--model public/models/fmnist-s]

Writes <class>-<seed>.png (28x28 gray, the browser's gray8) per image and summary.json in the
CLI's format: {"images": [{"file", "class", "seed", "schedule", "widths", "gflops", "ms"}]}.
Image i gets seed (--seed + i) and, with --class all, class i mod 10.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from decode import decode_batch, gflops_per_image  # noqa: E402
from export import load_exported  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODEL = os.path.join(os.path.dirname(HERE), "public", "models", "fmnist-s")


def parse_width(s):
    s = s.strip()
    if "/" in s:
        a, b = s.split("/")
        return float(a) / float(b)
    return float(s)


def resolve_schedule(name, man, steps):
    """'baseline' | 'magnets' | one width per step ('1/8,1/4,...,1'). Returns (label, widths)."""
    dd = man["decode_defaults"]
    if name == "baseline":
        return "baseline", [1.0] * (steps or dd["steps"])
    if name == "magnets":
        w = list(dd["schedules"]["magnets"])
        if steps and steps != len(w):
            sys.exit(f"--steps {steps} does not match the magnets schedule's {len(w)} steps; "
                     "leave --steps out or give the widths per step")
        return "magnets", w
    try:
        w = [parse_width(v) for v in name.split(",")]
    except ValueError:
        sys.exit(f"--schedule {name!r}: expected baseline, magnets or widths per step like 1/8,1/4,1")
    bad = [v for v in w if v not in man["transformer"]["widths"]]
    if bad:
        sys.exit(f"--schedule: width(s) {bad} not in the model's widths {man['transformer']['widths']}")
    if steps and steps != len(w):
        sys.exit(f"--steps {steps} does not match the {len(w)} widths given")
    return "custom", w


def resolve_classes(spec, n, names):
    if spec == "all":
        return [i % len(names) for i in range(n)]
    if spec in names:
        return [names.index(spec)] * n
    if spec.isdigit() and int(spec) < len(names):
        return [int(spec)] * n
    sys.exit(f"--class {spec!r}: expected all, one of {', '.join(names)}, or 0..{len(names) - 1}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--schedule", default="magnets")
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cache", type=int, default=1, choices=(0, 1))
    ap.add_argument("--class", dest="cls", default="all")
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=0)
    ap.add_argument("--guidance", type=float, default=None)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    if not os.path.exists(os.path.join(a.model, "manifest.json")):
        sys.exit(f"--model {a.model}: no manifest.json there")
    torch.set_num_threads(a.threads)
    model, tok, man = load_exported(a.model)
    label, widths = resolve_schedule(a.schedule, man, a.steps)
    names = man["classes"]
    classes = resolve_classes(a.cls, a.n, names)
    g = man["decode_defaults"]["guidance"] if a.guidance is None else a.guidance
    gf = gflops_per_image(model.cfg, widths, bool(a.cache), g)
    os.makedirs(a.out, exist_ok=True)
    from PIL import Image
    images = []
    for i in range(0, a.n, a.batch):
        c = classes[i:i + a.batch]
        seeds = [a.seed + j for j in range(i, i + len(c))]
        t0 = time.time()
        toks = decode_batch(model, c, seeds, steps=len(widths), widths=widths, guidance=g,
                            cache=bool(a.cache))["tokens"]
        gray = data.to_gray8(data.crop28(tok.decode_tokens(toks).numpy()))[:, 0]
        ms = (time.time() - t0) * 1000 / len(c)
        for k, s in enumerate(seeds):
            f = f"{names[c[k]]}-{s}.png"
            Image.fromarray(gray[k]).save(os.path.join(a.out, f))
            images.append({"file": f, "class": names[c[k]], "seed": s, "schedule": label,
                           "widths": widths, "gflops": gf, "ms": ms})
        print(f"{len(images)}/{a.n} images ({ms:.1f} ms each)", flush=True)
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump({"images": images}, f, indent=1)
    print(f"wrote {len(images)} image(s) and summary.json to {a.out}")
    return images


if __name__ == "__main__":
    main()
