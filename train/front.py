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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", default="fmnist-s")
    ap.add_argument("--eval", default=os.path.join(HERE, "runs", "eval"))
    a = ap.parse_args(argv)
    path = os.path.join(ROOT, "public", "models", a.name, "manifest.json")
    m = json.load(open(path))
    pts, n = front(load_rows(a.eval))
    m["decode_defaults"]["pareto"] = pts
    m["decode_defaults"]["pareto_images"] = n
    json.dump(m, open(path, "w"), indent=1)
    for p in pts:
        print(f"{p['name']:24s} {p['fraction']:.3f} of baseline  acc {p['accuracy']:.3f}  FID {p['fid']:.2f}")


if __name__ == "__main__":
    main()
