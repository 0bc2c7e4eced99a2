"""Smoke tests (< 2 min on 2 cores):
/usr/bin/python3 -m unittest discover -s train -p 'test_*.py'"""
import json
import os
import sys
import tempfile
import unittest

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rng  # noqa: E402
import safetensors_io as st  # noqa: E402
from decode import decode, decode_batch, gflops_per_image, mask_schedule  # noqa: E402
from model import WIDTHS, NestedTransformer  # noqa: E402
from tokenizer import VQAE, load_tokenizer  # noqa: E402

torch.set_num_threads(1)

# [seed, step, pos, stream], pcg(seed), rng_u32, uniform, gumbel f32 bits (shared with tests/rng.test.ts)
KNOWN = [
    ((0, 0, 0, 0), 129708002, 2368882721, 0.5515484809875488, 1057285908),
    ((1, 0, 0, 0), 2831084092, 555269243, 0.12928369641304016, 3208068151),
    ((42, 3, 17, 1), 1223963391, 4141408479, 0.9642467498779297, 1079248800),
    ((12345, 11, 63, 513), 4099845390, 2500733655, 0.5822473764419556, 1058887194),
    ((0xffffffff, 7, 5, 0), 3861530882, 2178852301, 0.5073035955429077, 1053194973),
    ((2 ** 32 + 5, 1, 2, 3), 2161170183, 324538617, 0.0755625069141388, 3211979082),
    ((987654321, 0, 1, 1), 2520997377, 3186368289, 0.7418842315673828, 1067104568),
]


def tiny_model(seed=0):
    torch.manual_seed(seed)
    m = NestedTransformer(layers=2, dim=32, heads=8, mlp=64, codebook_size=512, num_classes=10)
    with torch.no_grad():                  # non-trivial biases / norms so slicing bugs show
        for n, p in m.named_parameters():
            if p.dim() == 1:
                p.add_(torch.randn_like(p) * 0.1)
    return m.eval()


HERE = os.path.dirname(os.path.abspath(__file__))


class TestRNG(unittest.TestCase):
    def test_known_answers(self):
        for (seed, step, pos, stream), p, r, u, gbits in KNOWN:
            self.assertEqual(rng.pcg(seed & 0xFFFFFFFF), p)
            self.assertEqual(rng.rng_u32(seed, step, pos, stream), r)
            self.assertEqual(float(rng.uniform(seed, step, pos, stream)), u)
            g = np.float32(rng.gumbel(seed, step, pos, stream))
            self.assertEqual(int(np.array(g).view(np.uint32)), gbits)

    def test_vectorised_matches_scalar(self):
        pos = np.arange(64, dtype=np.uint32)
        vec = rng.rng_u32(np.uint64(2 ** 32 + 7), 3, pos, np.uint32(9))
        self.assertEqual([int(v) for v in vec], [rng.rng_u32(7, 3, int(p), 9) for p in pos])


class TestModel(unittest.TestCase):
    def test_cached_equals_full_when_all_rows_recomputed(self):
        m = tiny_model()
        tok = torch.randint(0, 513, (2, 64))
        cls = torch.tensor([3, 10])
        for w in WIDTHS:
            with torch.no_grad():
                ref = m(tok, cls, w)
                cache = m.new_cache(2)
                m(torch.randint(0, 513, (2, 64)), cls, w, cache)          # stale cache
                allpos = torch.arange(65)[None].repeat(2, 1)
                inc = m.forward_incremental(tok, cls, w, cache, allpos, torch.arange(1, 65)[None].repeat(2, 1))
            self.assertLess(float((ref - inc).abs().max()), 1e-5)

    def test_width_uses_prefix_only(self):
        m = tiny_model()
        tok, cls = torch.randint(0, 513, (1, 64)), torch.tensor([1])
        with torch.no_grad():
            a = m(tok, cls, 0.25)
            for n, p in m.named_parameters():          # perturb channels outside the 1/4 prefix
                if n.startswith("blocks") and p.dim() == 2:
                    p[8:, 8:] += 1.0
            b = m(tok, cls, 0.25)
        self.assertLess(float((a - b).abs().max()), 1e-6)


class TestDecode(unittest.TestCase):
    def test_mask_schedule(self):
        ms = mask_schedule(64, 12)
        self.assertEqual(ms[-1], 0)
        self.assertTrue(all(b < a for a, b in zip([64] + ms, ms)))
        self.assertEqual(mask_schedule(3, 3), [2, 1, 0])

    def test_cache_refresh_every_step_equals_uncached(self):
        # alternating widths force a full pass (cache refresh) at every step
        m = tiny_model()
        w = [0.5, 1.0] * 4
        a = decode(m, 2, 11, steps=8, widths=w, cache=False)
        b = decode(m, 2, 11, steps=8, widths=w, cache=True)
        self.assertTrue(all((x == y).all() for x, y in zip(a["steps"], b["steps"])))

    def test_batched_equals_single(self):
        m = tiny_model()
        sch = [0.125, 0.125, 0.25, 0.25, 0.5, 1.0, 1.0, 1.0]
        for cache in (False, True):
            for g in (2.0, 0.0):
                cls, seeds = [0, 7, 10], [5, 2 ** 32 - 1, 123]
                rb = decode_batch(m, cls, seeds, steps=8, widths=sch, guidance=g, cache=cache)
                for i in range(3):
                    r = decode(m, cls[i], seeds[i], steps=8, widths=sch, guidance=g, cache=cache)
                    self.assertTrue((np.stack(r["steps"]) == rb["steps"][:, i]).all())

    def test_gflops(self):
        cfg = dict(layers=6, dim=128, heads=8, mlp=512, codebook_size=512)
        base = gflops_per_image(cfg, [1.0] * 12)
        self.assertGreater(base, gflops_per_image(cfg, [1.0] * 12, cache=True))
        self.assertGreater(base / 3, gflops_per_image(cfg, [0.125] * 4 + [0.25] * 4 + [0.5] * 2 + [1.0] * 2))


class TestPipeline(unittest.TestCase):
    def test_train_export_roundtrip(self):
        import export
        import train_transformer
        with tempfile.TemporaryDirectory() as d:
            torch.manual_seed(0)
            tok = VQAE().eval()
            torch.save({"cfg": tok.cfg, "model": tok.state_dict(), "metrics": {}}, os.path.join(d, "tok.pt"))
            toks = torch.randint(0, 512, (64, 64)).to(torch.int16)
            torch.save({"train": (toks, torch.randint(0, 10, (64,))), "test": (toks, torch.zeros(64).long())},
                       os.path.join(d, "tokens.pt"))
            args = ["--tiny", "--max_steps", "4", "--out", os.path.join(d, "run"), "--sample_minutes", "0",
                    "--tokens", os.path.join(d, "tokens.pt"), "--tokenizer", os.path.join(d, "tok.pt")]
            ck = train_transformer.main(args)
            ck2 = train_transformer.main(args[:2] + ["6"] + args[3:])             # resumes
            self.assertEqual(torch.load(ck2)["step"], 6)
            # safetensors round trip
            t = {"a": np.random.randn(3, 5).astype(np.float32), "b": np.arange(7, dtype=np.float32)}
            st.save(os.path.join(d, "t.safetensors"), t)
            with open(os.path.join(d, "t.safetensors"), "rb") as f:
                n = int.from_bytes(f.read(8), "little")
            self.assertEqual(n % 8, 0)
            back, _ = st.load(os.path.join(d, "t.safetensors"))
            self.assertTrue(all((back[k] == t[k]).all() for k in t))
            # export + golden files from the exported weights
            out, gold = os.path.join(d, "model"), os.path.join(d, "golden")
            export.main(["--ckpt", ck, "--tokenizer", os.path.join(d, "tok.pt"), "--out", out,
                         "--golden", gold, "--magnets", "0.125,0.125,0.25,0.25,0.5,0.5,1,1"])
            with open(os.path.join(out, "manifest.json")) as f:
                man = json.load(f)
            self.assertEqual(man["transformer"]["dim"], 32)
            m2, tok2, _ = export.load_exported(out)
            m1 = train_transformer.NestedTransformer(**torch.load(ck)["model_cfg"])
            m1.load_state_dict(torch.load(ck)["ema"])
            for k, v in m1.state_dict().items():
                self.assertTrue(torch.equal(v, m2.state_dict()[k]), k)
            with open(os.path.join(gold, "golden.json")) as f:
                g = json.load(f)
            gt, _ = st.load(os.path.join(gold, "golden.safetensors"))
            self.assertEqual(len(g["generation"]), 19)
            for case in g["generation"]:
                self.assertEqual(gt[case["image"]].shape, (28, 28))
                self.assertEqual(case["tokens_per_step"][-1], case["tokens"])


class TestSampleAndScaleOut(unittest.TestCase):
    def test_sample_writes_images_and_summary(self):
        import export
        import sample
        from PIL import Image
        with tempfile.TemporaryDirectory() as d:
            m, tok = tiny_model(), VQAE().eval()
            export.write_checkpoint(m, tok, os.path.join(d, "model"), "tiny",
                                    [0.125, 0.25, 0.5, 1.0], 2.0, 4)
            out = os.path.join(d, "out")
            imgs = sample.main(["--schedule", "1/8,1/4,1/2,1", "--n", "3", "--out", out,
                                "--model", os.path.join(d, "model"), "--threads", "1", "--seed", "7"])
            with open(os.path.join(out, "summary.json")) as f:
                summ = json.load(f)["images"]
            self.assertEqual([i["file"] for i in summ], ["t-shirt-7.png", "trouser-8.png", "pullover-9.png"])
            self.assertEqual(summ, imgs)
            self.assertEqual(set(summ[0]), {"file", "class", "seed", "schedule", "widths", "gflops", "ms"})
            self.assertEqual(summ[0]["widths"], [0.125, 0.25, 0.5, 1.0])
            # the PNG is the reference decoder's image for that class and seed
            m2, tok2, _ = export.load_exported(os.path.join(d, "model"))
            r = decode(m2, 1, 8, steps=4, widths=[0.125, 0.25, 0.5, 1.0], guidance=2.0, cache=True,
                       tokenizer=tok2)
            png = np.asarray(Image.open(os.path.join(out, "trouser-8.png")))
            self.assertEqual(png.shape, (28, 28))
            ref = np.round((np.clip(r["image"], -1, 1) + 1) * 127.5)
            # the same tokens; the conv decoder on a batch rounds a rare pixel to the next level
            self.assertLessEqual(np.abs(png.astype(np.int64) - ref).max(), 1)
            self.assertGreater((png == ref).mean(), 0.98)
            with self.assertRaises(SystemExit):
                sample.main(["--schedule", "1/3,1", "--n", "1", "--out", out, "--model", os.path.join(d, "model")])

    def test_torchrun_two_ranks_hold_identical_weights(self):
        import subprocess
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        here = os.path.dirname(os.path.abspath(__file__))
        with tempfile.TemporaryDirectory() as d:
            # --redirects/--tee explicit: torch 1.13's launcher on Python >= 3.11 cannot parse its
            # own default "0" (IntFlag no longer iterates the zero member) and crashes without them.
            cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                   "--redirects", "2", "--tee", "1", "--log_dir", os.path.join(d, "logs"),
                   "--master_addr", "127.0.0.1", "--master_port", str(port),
                   os.path.join(here, "train_transformer.py"), "--tiny", "--random_tokens",
                   "--max_steps", "3", "--threads", "1", "--sample_minutes", "0", "--out", d]
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stderr[-3000:])
            self.assertIn("ranks 2", r.stdout)
            w0 = torch.load(os.path.join(d, "weights_rank0.pt"))
            w1 = torch.load(os.path.join(d, "weights_rank1.pt"))
            torch.manual_seed(0)               # the script's seed: rank 0's initial weights
            init = NestedTransformer(**torch.load(os.path.join(d, "ckpt.pt"))["model_cfg"]).state_dict()
            for k in w0:
                self.assertTrue(torch.equal(w0[k], w1[k]), k)
            self.assertTrue(any(not torch.equal(w0[k], init[k]) for k in w0), "no training happened")
            self.assertEqual(torch.load(os.path.join(d, "ckpt.pt"))["step"], 3)


class TestVideoData(unittest.TestCase):
    def test_moving_fashion_mnist_is_deterministic_and_bounces(self):
        import video_data as vd
        u8 = (np.random.default_rng(0).random((5, 28, 28)) * 255).astype(np.uint8)
        labels = np.arange(5)
        a, ia = vd.make_clips(u8, labels, 4, frames=17, seed=3, objects=2)
        b, _ = vd.make_clips(u8, labels, 4, frames=17, seed=3, objects=2)
        c, _ = vd.make_clips(u8, labels, 4, frames=17, seed=4, objects=2)
        self.assertTrue((a == b).all())
        self.assertFalse((a == c).all())
        self.assertEqual(a.shape, (4, 17, 64, 64))
        cor = ia["corners"]
        self.assertTrue((cor >= 0).all() and (cor <= vd.LIMIT).all())
        steps = np.linalg.norm(np.diff(cor, axis=2), axis=-1)
        self.assertTrue((steps <= ia["speed"][..., None] + 1e-9).all())     # reflection never speeds up
        # a garment alone on the canvas is its image at the rounded corner (max with zeros)
        one, io = vd.make_clips(u8, labels, 1, frames=3, seed=9, objects=1)
        x, y = np.round(io["corners"][0, 0, 2]).astype(int)
        self.assertTrue((one[0, 2, y:y + 28, x:x + 28] == u8[io["index"][0, 0]]).all())
        self.assertEqual(io["label"][0], labels[io["index"][0, 0]])
        # a straight line with a reflection at the left wall
        tr = vd.trajectory(1.0, 10.0, np.pi, 3.0, 3)
        self.assertTrue(np.allclose(tr[:, 0], [1.0, 2.0, 5.0]) and np.allclose(tr[:, 1], 10.0))


class TestVideo(unittest.TestCase):
    def test_latent_frames_are_causal(self):
        import video_clips as vc
        self.assertEqual(vc.latent_frames(9, 2), 5)
        self.assertEqual([vc.group_frames(g, 2) for g in range(3)], [[0, 0], [1, 2], [3, 4]])
        self.assertEqual([vc.frame_of(0, c, 2) for c in range(2)], [None, 0])
        clips = (np.random.default_rng(0).random((2, 9, 64, 64)) * 255).astype(np.uint8)
        x = vc.to_groups(clips, 2)
        self.assertEqual(tuple(x.shape), (2, 5, 2, 64, 64))
        back = vc.from_groups(x, 2, 9)
        self.assertTrue(torch.equal(back, torch.from_numpy(clips.astype(np.float32) / 127.5 - 1.0)))
        with self.assertRaises(AssertionError):
            vc.latent_frames(8, 2)

    def test_given_tokens_are_never_masked(self):
        import train_video_transformer as tv
        g = torch.Generator().manual_seed(0)
        tgt = torch.randint(0, 512, (16, 320), generator=g)
        given = torch.tensor([0, 64, 128, 192] * 4)
        inp, mask = tv.mask_free(tgt, given, 512, g)
        for b in range(16):
            self.assertFalse(mask[b, :given[b]].any())
            self.assertTrue(torch.equal(inp[b, :given[b]], tgt[b, :given[b]]))
            self.assertTrue(mask[b, given[b]:].any())
        self.assertTrue(torch.equal(inp[mask], torch.full_like(inp[mask], 512)))

    def test_video_train_export_golden(self):
        import export_video
        import train_video_transformer as tv
        with tempfile.TemporaryDirectory() as d:
            torch.manual_seed(0)
            tok = VQAE(8, 512, (16, 16, 8, 8), 8, (8, 8, 16, 16), group=2).eval()
            torch.save({"cfg": tok.cfg, "model": tok.state_dict(), "metrics": {}}, os.path.join(d, "tok.pt"))
            ck = tv.main(["--tiny", "--random_tokens", "--max_steps", "2", "--out", os.path.join(d, "run"),
                          "--sample_minutes", "0", "--threads", "1", "--tokenizer", os.path.join(d, "tok.pt")])
            self.assertEqual(torch.load(ck)["model_cfg"]["grid"], [5, 8, 8])
            out, gold = os.path.join(d, "model"), os.path.join(d, "golden")
            export_video.main(["--ckpt", ck, "--tokenizer", os.path.join(d, "tok.pt"), "--out", out,
                               "--golden", gold, "--magnets", "0.125,0.25,0.5,1", "--threads", "1"])
            with open(os.path.join(out, "manifest.json")) as f:
                man = json.load(f)
            self.assertEqual(man["transformer"]["grid"], [5, 8, 8])
            self.assertEqual(man["transformer"]["seq_len"], 321)
            self.assertEqual((man["tokenizer"]["frames"], man["tokenizer"]["group"]), (9, 2))
            with open(os.path.join(gold, "golden.json")) as f:
                g = json.load(f)
            self.assertEqual([len(e["frames"]) for e in g["encoder"]], [1, 9])
            self.assertEqual([len(e["tokens"]) for e in g["encoder"]], [64, 320])
            pred = g["generation"][-1]
            self.assertEqual(pred["fixed"]["positions"], list(range(128)))
            self.assertEqual(pred["tokens_per_step"][0][:128], pred["tokens"][:128])
            self.assertEqual(len(pred["gray8"]), 9 * 64 * 64)
            # the encoder golden tokens are the exported tokenizer's tokens of the shipped clip 0
            m2, tok2, _ = export_video.load_exported(out)
            self.assertEqual(g["generation"][-1]["tokens"][:128], g["encoder"][1]["tokens"][:128])
            self.assertEqual(g["encoder"][0]["tokens"], g["encoder"][1]["tokens"][:64])     # causal


class TestTokenizerTraining(unittest.TestCase):
    """Both tokenizer trainers run a few steps end to end and write a loadable tokenizer."""

    def run_main(self, script, args):
        import subprocess
        r = subprocess.run([sys.executable, os.path.join(HERE, script)] + args, capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        return r.stdout

    def test_image_tokenizer(self):
        with tempfile.TemporaryDirectory() as d:
            out = self.run_main("train_tokenizer.py", ["--max_steps", "2", "--batch", "8", "--limit", "64", "--threads", "1", "--out", d])
            self.assertIn("psnr", out.lower())
            self.assertEqual(load_tokenizer(os.path.join(d, "tok.pt")).cfg["group"], 1)

    def test_video_tokenizer_and_tokens(self):
        with tempfile.TemporaryDirectory() as d:
            self.run_main("train_video_tokenizer.py", ["--group", "2", "--max_steps", "2", "--batch", "8", "--train_clips", "8",
                                                       "--test_clips", "4", "--threads", "1", "--out", d])
            self.run_main("train_video_tokenizer.py", ["--group", "2", "--tokenize", "--max_clips", "6", "--threads", "1", "--out", d])
            toks = torch.load(os.path.join(d, "tokens.pt"))
            self.assertEqual(tuple(toks["test_pred"][0].shape), (6, 320))
            self.assertEqual(load_tokenizer(os.path.join(d, "tok.pt")).cfg["group"], 2)


if __name__ == "__main__":
    unittest.main()
