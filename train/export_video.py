"""Export a video checkpoint for the browser (SPEC sections 3 and 8) and its golden files.

/usr/bin/python3 train/export_video.py        # runs/video_transformer -> public/models/mfmnist-video
                                               #   + e2e/golden/mfmnist-video
Golden values are computed from the model re-loaded from the written files, as for images.
"""
import argparse
import json
import os
import sys

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
import safetensors_io as st  # noqa: E402
import video_clips as vc  # noqa: E402
from decode import decode  # noqa: E402
from export import add_cached, nearest_codes, sha256  # noqa: E402
from model import WIDTHS, NestedTransformer, load_model  # noqa: E402
from tokenizer import VQAE, load_tokenizer  # noqa: E402
from video_samples import tokens_to_frames  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NAME = "mfmnist-video"
FPS = 8
TEST_CLIPS = 8                  # shipped held-out clips (prediction inputs for the demo and tests)
CELLS = 64


def write_checkpoint(model, tok, out_dir, magnets, guidance, clips, extra=None):
    os.makedirs(out_dir, exist_ok=True)
    st.save(os.path.join(out_dir, "transformer.safetensors"), model.export_tensors())
    st.save(os.path.join(out_dir, "tokenizer.safetensors"), tok.export_tensors(encoder=False))
    st.save(os.path.join(out_dir, "encoder.safetensors"),
            {k: v for k, v in tok.export_tensors().items() if k.startswith("enc.")})
    st.save(os.path.join(out_dir, "test_clips.safetensors"), {"clips": clips.astype(np.float32)})
    c, tc = model.cfg, tok.cfg
    L = model.grid[0]
    G = tc["group"]
    manifest = {
        "format": "mgnt-checkpoint", "version": 1, "name": NAME,
        "transformer": {"layers": c["layers"], "dim": c["dim"], "heads": c["heads"], "mlp": c["mlp"],
                        "codebook_size": c["codebook_size"], "num_classes": c["num_classes"],
                        "seq_len": 1 + model.N, "grid": list(model.grid), "mask_token": c["codebook_size"],
                        "null_class": c["num_classes"], "widths": list(WIDTHS)},
        "tokenizer": {"code_dim": tc["code_dim"], "codebook_size": tc["codebook_size"],
                      "decoder": {"channels": list(tc["dec_channels"]), "groups": tc["groups"]},
                      "encoder": {"channels": list(tc["enc_channels"]), "groups": tc["groups"],
                                  "file": "encoder.safetensors"},
                      "image_size": 64, "pad": 0, "frames": 1 + G * (L - 1), "group": G,
                      "test_clips": "test_clips.safetensors"},
        "video": {"fps": FPS},
        "classes": data.CLASSES,
        "decode_defaults": {"steps": len(magnets), "temperature": 1.0, "choice_temperature": 4.5,
                            "guidance": guidance, "schedules": {"magnets": list(magnets)}},
        "files": [],
    }
    if extra:
        manifest["training"] = extra
    for fn in ("transformer.safetensors", "tokenizer.safetensors", "encoder.safetensors", "test_clips.safetensors"):
        p = os.path.join(out_dir, fn)
        entry = {"path": fn, "bytes": os.path.getsize(p), "sha256": sha256(p)}
        if fn in ("encoder.safetensors", "test_clips.safetensors"):
            entry["optional"] = True            # fetched only for frame prediction
        manifest["files"].append(entry)
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    total = sum(f["bytes"] for f in manifest["files"])
    models = os.path.join(ROOT, "public", "models")             # every shipped model but this one
    others = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(models)
                 for f in fs if os.path.basename(r) != NAME)
    assert total + others <= 30e6, f"models together {total + others} bytes: over the 30 MB budget"
    return manifest


def load_exported(out_dir):
    with open(os.path.join(out_dir, "manifest.json")) as f:
        man = json.load(f)
    t, k = man["transformer"], man["tokenizer"]
    model = NestedTransformer(t["layers"], t["dim"], t["heads"], t["mlp"], t["codebook_size"],
                              t["num_classes"], grid=t["grid"])
    w, _ = st.load(os.path.join(out_dir, "transformer.safetensors"))
    model.load_state_dict({kk: torch.from_numpy(v) for kk, v in w.items()})
    tok = VQAE(k["code_dim"], k["codebook_size"], k["decoder"]["channels"], k["decoder"]["groups"],
               k["encoder"]["channels"], group=k["group"])
    w, _ = st.load(os.path.join(out_dir, "tokenizer.safetensors"))
    tok.vq.codebook.copy_(torch.from_numpy(w.pop("codebook")))
    tok.dec.load_state_dict({kk[4:]: torch.from_numpy(v) for kk, v in w.items()})
    w, _ = st.load(os.path.join(out_dir, k["encoder"]["file"]))
    tok.enc.load_state_dict({kk[4:]: torch.from_numpy(v) for kk, v in w.items()})
    return model.eval(), tok.eval(), man


def u8_frames(x):
    return [int(v) for v in x.flatten()]


@torch.no_grad()
def write_golden(model, tok, man, golden_dir, clips, tokens, guidance):
    """SPEC section 6 cases on the clip grid: encoder (per latent frame of clip 0), decoder
    (tokens -> frames), logits per width, cached passes, generation (class-conditional and
    frame prediction)."""
    os.makedirs(golden_dir, exist_ok=True)
    V, MASK, N, G = model.V, model.mask_token, model.N, tok.cfg["group"]
    tensors = {}
    g = {"format": "mgnt-golden", "version": 1, "model": man["name"],
         "model_files": {f["path"]: f["sha256"] for f in man["files"]},
         "tensors_file": "golden.safetensors", "decoder": [], "logits": [], "cached": [], "generation": [],
         "encoder": []}
    xg = vc.to_groups(clips[:1], G)[0]                                 # [L, G, 64, 64]
    for k in (1, 1 + G * (xg.shape[0] - 1)):        # encoder: the first k frames -> their latents
        B = 1 + (k - 1) // G
        z = tok.enc(xg[:B]).numpy()                                    # [B, code_dim, 8, 8]
        codes = [nearest_codes(z[b], tok.vq.codebook.numpy()) for b in range(B)]
        name = f"encoder.k{k}.z"
        tensors[name] = z
        g["encoder"].append({"clip": 0, "frames": [u8_frames(clips[0, f]) for f in range(k)], "z": name,
                             "shape": list(z.shape), "tokens": [int(v) for c in codes for v in c[0]],
                             "margin": [float(v) for c in codes for v in c[1]]})
    for i in range(2):                                                 # decoder: tokens -> frames
        ff = tokens_to_frames(tok, torch.from_numpy(tokens[i][None]).long(), as_float=True)[0]
        fr = np.round((ff + 1) * 127.5).astype(np.uint8)
        name = f"decoder.{i}.frames"
        tensors[name] = ff.astype(np.float32)
        g["decoder"].append({"tokens": [int(v) for v in tokens[i]], "frames": name,
                             "gray8": u8_frames(fr), "shape": list(fr.shape)})
    base = tokens[2].astype(np.int64)
    tok_b = base.copy()
    tok_b[(np.arange(N) * 37) % N < N // 2] = MASK
    for w in (0.125, 1.0):                  # two widths, two classes: a clip's logits are 5x an image's
        name = f"logits.w{w}"
        tensors[name] = model(torch.tensor(tok_b)[None], torch.tensor([3]), w)[0].numpy()
        g["logits"].append({"class": 3, "width": w, "tokens": [int(v) for v in tok_b], "logits": name,
                            "shape": [N, V]})
    add_cached(g, tensors, model, tokens[3].astype(np.int64), (0.25, 1.0), (7,))
    dd = man["decode_defaults"]
    T = dd["steps"]
    schedules = {"baseline": [1.0] * T, "magnets": dd["schedules"]["magnets"]}
    for seed, cls, sname, cache in ((0, 0, "baseline", False), (0, 0, "baseline", True), (0, 0, "magnets", True),
                                    (1234, 7, "magnets", False)):
        add_generation(g, tensors, model, tok, cls, seed, schedules[sname], sname, guidance, cache, None)
    # frame prediction: the first 2 latent frames (1 + G frames) of shipped test clip 0 given
    fixed = {int(p): int(tokens[0][p]) for p in range(2 * CELLS)}
    add_generation(g, tensors, model, tok, model.null_class, 42, schedules["magnets"], "magnets", 0.0, True,
                   fixed, context={"clip": 0, "frames": 1 + G})
    st.save(os.path.join(golden_dir, "golden.safetensors"), tensors)
    with open(os.path.join(golden_dir, "golden.json"), "w") as f:
        json.dump(g, f)
    return g


def add_generation(g, tensors, model, tok, cls, seed, widths, sname, guidance, cache, fixed, context=None):
    r = decode(model, cls, seed, steps=len(widths), widths=widths, temperature=1.0, choice_temperature=4.5,
               guidance=guidance, cache=cache, fixed=fixed)
    fr = tokens_to_frames(tok, torch.from_numpy(r["tokens"][None]).long())[0]       # gray8 only (size)
    case = {"class": cls, "seed": seed, "steps": len(widths), "temperature": 1.0, "choice_temperature": 4.5,
            "guidance": guidance, "schedule": sname, "widths": list(widths), "cache": cache,
            "tokens_per_step": [[int(v) for v in s] for s in r["steps"]],
            "tokens": [int(v) for v in r["tokens"]], "gray8": u8_frames(fr), "shape": list(fr.shape)}
    if fixed:
        pos = sorted(fixed)
        case["fixed"] = {"positions": pos, "tokens": [fixed[p] for p in pos]}
        case["context"] = context
    g["generation"].append(case)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(HERE, "runs", "video_transformer", "ckpt.pt"))
    ap.add_argument("--tokenizer", default=os.path.join(HERE, "runs", "video_tokenizer_g2", "tok.pt"))
    ap.add_argument("--out", default=os.path.join(ROOT, "public", "models", NAME))
    ap.add_argument("--golden", default=os.path.join(ROOT, "e2e", "golden", NAME))
    ap.add_argument("--magnets", default="0.125,0.125,0.25,0.25,0.5,0.5,1,1,1,1,1,1")
    ap.add_argument("--guidance", type=float, default=2.0)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    ck = torch.load(a.ckpt, map_location="cpu")
    model = load_model(a.ckpt)
    tok = load_tokenizer(a.tokenizer)
    clips, _ = vc.make_set("test", TEST_CLIPS, 400, 0)               # the first test_pred clips
    magnets = [float(v) for v in a.magnets.split(",")]
    extra = {"step": ck["step"], "minutes": round(ck["trained_s"] / 60, 1), "ema": True}
    man = write_checkpoint(model, tok, a.out, magnets, a.guidance, clips, extra)
    print("wrote", a.out, [(f["path"], f["bytes"]) for f in man["files"]])
    if a.golden != "none":
        model2, tok2, man = load_exported(a.out)
        G = tok2.cfg["group"]
        x = vc.to_groups(clips[:4], G)
        n, L = x.shape[:2]
        tokens = tok2.encode(x.reshape(n * L, G, 64, 64)).reshape(n, L * CELLS).numpy()
        write_golden(model2, tok2, man, a.golden, clips, tokens, a.guidance)
        sz = sum(os.path.getsize(os.path.join(a.golden, f)) for f in os.listdir(a.golden))
        print("wrote", a.golden, f"{sz / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
