"""Ship the quality-compute Pareto front with the checkpoint.

Reads the evaluation results (train/evaluate.py -> train/runs/eval/results*.json), keeps the
schedules no other schedule beats on both GFLOPs and FID, and writes them into
public/models/<name>/manifest.json as decode_defaults.pareto (the browser's compute-budget dial,
src/pipeline/budget.ts, picks from it). The manifest itself is not hashed, so the checkpoint
files and golden files stay valid.

    /usr/bin/python3 train/front.py [--name fmnist-s]
"""
import argparse
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load_rows(eval_dir):
    rows = {}
    for fn in sorted(os.listdir(eval_dir)):
        if fn.startswith("results") and fn.endswith(".json"):
            rows.update(json.load(open(os.path.join(eval_dir, fn))))
    rows.pop("real", None)
    rows.pop("recon", None)
    return list(rows.values())


def front(rows):
    n = max(r["n"] for r in rows if r["schedule"] == "baseline")
    rows = [r for r in rows if r["n"] == n]
    base = next(r for r in rows if r["schedule"] == "baseline" and not r["cache"])
    pts = [{"name": r["schedule"] + ("" if r["cache"] else "-nocache"), "widths": r["widths"], "cache": bool(r["cache"]),
            "gflops": r["gflops"], "fraction": r["gflops"] / base["gflops"], "accuracy": r["acc"], "fid": r["fid"]}
           for r in rows]
    pts.sort(key=lambda p: (p["fraction"], p["fid"], -p["accuracy"]))
    out = []
    for p in pts:
        if not out or p["fid"] < out[-1]["fid"]:
            out.append(p)
    return out, n


def plot(rows, front_pts, base_gflops, path):
    """Quality against compute, every evaluated schedule, the front joined: docs/img/pareto.png."""
    from PIL import Image, ImageDraw
    W, H, L, R, T, B = 640, 420, 60, 20, 30, 50
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    xs = [r["gflops"] / base_gflops for r in rows]
    ys = [r["fid"] for r in rows]
    y0, y1 = min(ys) - 1, max(ys) + 1
    X = lambda v: L + (W - L - R) * v / 1.05
    Y = lambda v: T + (H - T - B) * (v - y0) / (y1 - y0)
    d.rectangle([L, T, W - R, H - B], outline="black")
    for v in (0, 0.25, 1 / 3, 0.5, 0.75, 1.0):
        d.line([X(v), H - B, X(v), H - B + 4], fill="black")
        d.text((X(v) - 12, H - B + 6), f"{v:.2f}", fill="black")
    d.line([X(1 / 3), T, X(1 / 3), H - B], fill=(200, 200, 200))
    for k in range(6):
        v = y0 + (y1 - y0) * k / 5
        d.text((8, Y(v) - 6), f"{v:.1f}", fill="black")
    d.text((L + 120, H - 20), "GFLOPs per image / baseline (width 1, no cache)", fill="black")
    d.text((L, 8), "FID (lower is better) vs compute; blue = KV cache on, red = off; line = Pareto front", fill="black")
    pts = sorted(front_pts, key=lambda p: p["fraction"])
    d.line([(X(p["fraction"]), Y(p["fid"])) for p in pts], fill=(0, 150, 0), width=2)
    for r, x, y in zip(rows, xs, ys):
        c = (30, 80, 220) if r["cache"] else (220, 50, 50)
        d.ellipse([X(x) - 4, Y(y) - 4, X(x) + 4, Y(y) + 4], fill=c)
        d.text((X(x) + 5, Y(y) - 5), r["schedule"], fill=(90, 90, 90))
    img.save(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", default="fmnist-s")
    ap.add_argument("--eval", default=os.path.join(HERE, "runs", "eval"))
    a = ap.parse_args(argv)
    path = os.path.join(ROOT, "public", "models", a.name, "manifest.json")
    m = json.load(open(path))
    rows = load_rows(a.eval)
    pts, n = front(rows)
    sel = [r for r in rows if r["n"] == n]
    base = next(r for r in sel if r["schedule"] == "baseline" and not r["cache"])
    plot(sel, pts, base["gflops"], os.path.join(ROOT, "docs", "img", "pareto.png"))
    m["decode_defaults"]["pareto"] = pts
    m["decode_defaults"]["pareto_images"] = n
    json.dump(m, open(path, "w"), indent=1)
    for p in pts:
        print(f"{p['name']:24s} {p['fraction']:.3f} of baseline  acc {p['accuracy']:.3f}  FID {p['fid']:.2f}")


if __name__ == "__main__":
    main()
