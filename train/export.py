"""Export a checkpoint for the browser (SPEC section 3) and the golden files (SPEC section 6).

/usr/bin/python3 train/export.py                      # latest checkpoint -> public/models/fmnist-s
                                                        #   + e2e/golden/fmnist-s
Golden values are computed from a model re-loaded from the written safetensors files.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # spinning OpenMP threads thrash on a shared CPU
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
import safetensors_io as st  # noqa: E402
from decode import decode  # noqa: E402
from model import WIDTHS, NestedTransformer, load_model  # noqa: E402
from tokenizer import VQAE, load_tokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_MAGNETS = [0.125] * 4 + [0.25] * 4 + [0.5] * 2 + [1.0] * 2
CUSTOM = [0.125, 0.25, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.25, 0.125, 0.125]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_checkpoint(model, tok, out_dir, name, magnets, guidance, steps=12, extra=None):
    os.makedirs(out_dir, exist_ok=True)
    st.save(os.path.join(out_dir, "transformer.safetensors"), model.export_tensors())
    st.save(os.path.join(out_dir, "tokenizer.safetensors"), tok.export_tensors(encoder=False))
    st.save(os.path.join(out_dir, "encoder.safetensors"),
            {k: v for k, v in tok.export_tensors().items() if k.startswith("enc.")})
    c, tc = model.cfg, tok.cfg
    manifest = {
        "format": "mgnt-checkpoint", "version": 1, "name": name,
        "transformer": {"layers": c["layers"], "dim": c["dim"], "heads": c["heads"], "mlp": c["mlp"],
                        "codebook_size": c["codebook_size"], "num_classes": c["num_classes"],
                        "seq_len": 65, "grid": [8, 8], "mask_token": c["codebook_size"],
                        "null_class": c["num_classes"], "widths": list(WIDTHS)},
        "tokenizer": {"code_dim": tc["code_dim"], "codebook_size": tc["codebook_size"],
                      "decoder": {"channels": list(tc["dec_channels"]), "groups": tc["groups"]},
                      "encoder": {"channels": list(tc["enc_channels"]), "groups": tc["groups"],
                                  "file": "encoder.safetensors"},
                      "image_size": 28, "pad": 2},
        "classes": data.CLASSES,
        "decode_defaults": {"steps": steps, "temperature": 1.0, "choice_temperature": 4.5,
                            "guidance": guidance, "schedules": {"magnets": list(magnets)}},
        "files": [],
    }
    if extra:
        manifest["training"] = extra
    for fn in ("transformer.safetensors", "tokenizer.safetensors", "encoder.safetensors"):
        p = os.path.join(out_dir, fn)
        entry = {"path": fn, "bytes": os.path.getsize(p), "sha256": sha256(p)}
        if fn == "encoder.safetensors":
            entry["optional"] = True        # fetched only when an image is to be encoded
        manifest["files"].append(entry)
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    total = sum(f["bytes"] for f in manifest["files"])
    assert total <= 30e6, f"checkpoint too large: {total} bytes"
    return manifest


def load_exported(out_dir):
    """Rebuild the transformer and tokenizer from the exported files (the browser's view)."""
    with open(os.path.join(out_dir, "manifest.json")) as f:
        man = json.load(f)
    t = man["transformer"]
    model = NestedTransformer(t["layers"], t["dim"], t["heads"], t["mlp"], t["codebook_size"], t["num_classes"])
    w, _ = st.load(os.path.join(out_dir, "transformer.safetensors"))
    model.load_state_dict({k: torch.from_numpy(v) for k, v in w.items()})
    k = man["tokenizer"]
    enc = k.get("encoder")
    tok = VQAE(k["code_dim"], k["codebook_size"], k["decoder"]["channels"], k["decoder"]["groups"],
               enc["channels"] if enc else (32, 64, 96))
    w, _ = st.load(os.path.join(out_dir, "tokenizer.safetensors"))
    tok.vq.codebook.copy_(torch.from_numpy(w.pop("codebook")))
    tok.dec.load_state_dict({kk[4:]: torch.from_numpy(v) for kk, v in w.items()})
    if enc:
        w, _ = st.load(os.path.join(out_dir, enc["file"]))
        tok.enc.load_state_dict({kk[4:]: torch.from_numpy(v) for kk, v in w.items()})
    return model.eval(), tok.eval(), man


def nearest_codes(z, codebook):
    """SPEC section 1 quantisation: argmin_k sum_d (z_d - c_kd)^2, ties to the smaller k, in f64;
    also the gap to the second-best distance (a tiny gap may flip on another float path)."""
    zf = z.reshape(z.shape[0], -1).T.astype(np.float64)                  # [cells, D]
    d = ((zf[:, None, :] - codebook.astype(np.float64)[None]) ** 2).sum(-1)
    idx = d.argmin(1)
    srt = np.sort(d, 1)
    return idx, srt[:, 1] - srt[:, 0]


@torch.no_grad()
def add_cached(g, tensors, model, base, widths, classes):
    """Golden cached passes (SPEC section 6): a full pass on A (5/8 of the tokens masked) writes the
    cache, then an incremental pass on B (a third of those fixed) over the masked + just-fixed rows."""
    N, MASK, V = model.N, model.mask_token, model.V
    masked_a = np.nonzero((np.arange(N) * 29) % N < (N * 5) // 8)[0]
    tok_a = base.copy(); tok_a[masked_a] = MASK
    newly = masked_a[::3]                                        # fixed between A and B
    tok_bb = tok_a.copy(); tok_bb[newly] = base[newly]
    masked_b = np.nonzero(tok_bb == MASK)[0]
    seqpos = np.union1d(masked_b, newly) + 1
    for w in widths:
        for cls in classes:
            cache = model.new_cache(1)
            model(torch.tensor(tok_a)[None], torch.tensor([cls]), w, cache)
            lg = model.forward_incremental(torch.tensor(tok_bb)[None], torch.tensor([cls]), w, cache,
                                           torch.tensor(seqpos)[None], torch.tensor(masked_b + 1)[None])[0]
            name = f"cached.w{w}.c{cls}"
            tensors[name] = lg.numpy()
            g["cached"].append({"class": cls, "width": w, "tokens_a": [int(v) for v in tok_a],
                                "tokens_b": [int(v) for v in tok_bb],
                                "positions": [int(v) for v in seqpos],
                                "out_positions": [int(v) for v in masked_b],
                                "logits": name, "shape": [len(masked_b), V]})


@torch.no_grad()
def write_golden(model, tok, man, golden_dir, test_tokens, guidance, test_images=None):
    os.makedirs(golden_dir, exist_ok=True)
    V, MASK = model.V, model.mask_token
    tensors = {}
    g = {"format": "mgnt-golden", "version": 1, "model": man["name"],
         "model_files": {f["path"]: f["sha256"] for f in man["files"]},
         "tensors_file": "golden.safetensors", "decoder": [], "logits": [], "cached": [], "generation": [],
         "encoder": []}
    # (0) encoder: gray8 28x28 -> z [code_dim, 8, 8] (pre-quantisation) -> tokens
    for i, u8 in enumerate(test_images if test_images is not None else []):
        x = torch.from_numpy(data.to_model_space(u8[None]))
        z = tok.enc(x)[0].numpy()
        idx, gap = nearest_codes(z, tok.vq.codebook.numpy())
        name = f"encoder.{i}.z"
        tensors[name] = z
        g["encoder"].append({"gray8": [int(v) for v in u8.flatten()], "z": name, "shape": list(z.shape),
                             "tokens": [int(v) for v in idx], "margin": [float(v) for v in gap]})
    # (a) decoder: tokens -> 28x28 float image (clamped, cropped) and gray8
    for i in range(2):
        toks = test_tokens[i]
        img = tok.decode_tokens(torch.tensor(toks)[None])[0, 0, 2:30, 2:30].numpy()
        name = f"decoder.{i}.image"
        tensors[name] = img
        g["decoder"].append({"tokens": [int(v) for v in toks], "image": name,
                             "gray8": [int(v) for v in data.to_gray8(img).flatten()]})
    # (b) full pass logits at every width, class 3, ~half the tokens masked
    base = np.array(test_tokens[2], dtype=np.int64)
    tok_b = base.copy()
    tok_b[(np.arange(64) * 37) % 64 < 30] = MASK
    for w in WIDTHS:
        name = f"logits.w{w}"
        tensors[name] = model(torch.tensor(tok_b)[None], torch.tensor([3]), w)[0].numpy()
        g["logits"].append({"class": 3, "width": w, "tokens": [int(v) for v in tok_b], "logits": name,
                            "shape": [64, V]})
    # (c) cached: full pass on A (cache written), incremental pass on B over `positions`
    add_cached(g, tensors, model, np.array(test_tokens[3], dtype=np.int64), WIDTHS, (7, 10))
    # (d) generation
    dd = man["decode_defaults"]
    schedules = {"baseline": [1.0] * 12, "magnets": dd["schedules"]["magnets"], "custom": CUSTOM}
    for seed, cls in ((0, 0), (1234, 7), (4294967295, 3)):
        for sname, widths in schedules.items():
            for cache in (False, True):
                r = decode(model, cls, seed, steps=len(widths), widths=widths, temperature=1.0,
                           choice_temperature=4.5, guidance=guidance, cache=cache, tokenizer=tok)
                name = f"gen.{len(g['generation'])}.image"
                tensors[name] = r["image"]
                g["generation"].append({
                    "class": cls, "seed": seed, "steps": len(widths), "temperature": 1.0,
                    "choice_temperature": 4.5, "guidance": guidance, "schedule": sname,
                    "widths": list(widths), "cache": cache,
                    "tokens_per_step": [[int(v) for v in s] for s in r["steps"]],
                    "tokens": [int(v) for v in r["tokens"]], "image": name,
                    "gray8": [int(v) for v in data.to_gray8(r["image"]).flatten()]})
    # unconditional (null class, guidance 0) case
    r = decode(model, 10, 42, steps=8, widths=[1.0] * 8, guidance=0.0, cache=True, tokenizer=tok)
    name = f"gen.{len(g['generation'])}.image"
    tensors[name] = r["image"]
    g["generation"].append({"class": 10, "seed": 42, "steps": 8, "temperature": 1.0, "choice_temperature": 4.5,
                            "guidance": 0.0, "schedule": "baseline", "widths": [1.0] * 8, "cache": True,
                            "tokens_per_step": [[int(v) for v in s] for s in r["steps"]],
                            "tokens": [int(v) for v in r["tokens"]], "image": name,
                            "gray8": [int(v) for v in data.to_gray8(r["image"]).flatten()]})
    st.save(os.path.join(golden_dir, "golden.safetensors"), tensors)
    with open(os.path.join(golden_dir, "golden.json"), "w") as f:
        json.dump(g, f)
    return g


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(HERE, "runs", "transformer", "ckpt.pt"))
    ap.add_argument("--tokenizer", default=os.path.join(HERE, "runs", "tokenizer", "tok.pt"))
    ap.add_argument("--name", default="fmnist-s")
    ap.add_argument("--out", default=None, help="default public/models/<name>")
    ap.add_argument("--golden", default=None, help="default e2e/golden/<name>; 'none' to skip")
    ap.add_argument("--magnets", default=None, help="comma separated widths per step; default: "
                    "train/runs/eval/choice.json if present, else a fixed 12-step schedule")
    ap.add_argument("--guidance", type=float, default=2.0)
    ap.add_argument("--no_ema", action="store_true")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    out = a.out or os.path.join(ROOT, "public", "models", a.name)
    golden = a.golden or os.path.join(ROOT, "e2e", "golden", a.name)
    choice = os.path.join(HERE, "runs", "eval", "choice.json")
    if a.magnets:
        magnets = [float(v) for v in a.magnets.split(",")]
    elif os.path.exists(choice):
        with open(choice) as f:
            c = json.load(f)
        magnets, a.guidance = c["magnets"], c.get("guidance", a.guidance)
    else:
        magnets = DEFAULT_MAGNETS
    ck = torch.load(a.ckpt, map_location="cpu")
    model = load_model(a.ckpt, ema=not a.no_ema)
    tok = load_tokenizer(a.tokenizer)
    extra = {"step": ck["step"], "minutes": round(ck["trained_s"] / 60, 1), "ema": not a.no_ema}
    man = write_checkpoint(model, tok, out, a.name, magnets, a.guidance, len(magnets), extra)
    print("wrote", out, [(f["path"], f["bytes"]) for f in man["files"]])
    if golden != "none":
        model2, tok2, man = load_exported(out)
        u8, _ = data.load_split("test")
        test_tokens = tok.encode(torch.from_numpy(data.to_model_space(u8[:4]))).numpy()
        write_golden(model2, tok2, man, golden, test_tokens, a.guidance, u8[:3])
        sz = sum(os.path.getsize(os.path.join(golden, f)) for f in os.listdir(golden))
        print("wrote", golden, f"{sz / 1e6:.2f} MB")
        assert sz < 3e6


if __name__ == "__main__":
    main()
