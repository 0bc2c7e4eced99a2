"""The video evaluator's pieces (video_features.py, evaluate_video_gen.py, evaluate_video.py SSIM):
/usr/bin/python3 -m unittest discover -s train -p 'test_*.py'"""
import os
import sys
import tempfile
import unittest

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import video_features as vf  # noqa: E402
from evaluate import fid_stats  # noqa: E402
from evaluate_video import ssim_rows  # noqa: E402
from evaluate_video_gen import bootstrap_fvd, paired_fvd_diff  # noqa: E402

torch.set_num_threads(1)


class TestFeatureNetwork(unittest.TestCase):
    def test_direction_bins(self):
        deg = np.array([0, 22, 23, 44, 46, 90, 180, 270, 337, 338, 359, -10])
        self.assertEqual(vf.direction_bins(np.radians(deg)).tolist(), [0, 0, 1, 1, 1, 2, 4, 6, 7, 0, 0, 0])

    def test_shapes_and_a_short_training_run(self):
        net = vf.ClipNet()
        lc, ld = net(torch.zeros(3, 9, 64, 64))
        self.assertEqual((tuple(lc.shape), tuple(ld.shape)), ((3, 10), (3, 8)))
        clips, cls, d = vf.real_clips("test", 6, 1)
        self.assertEqual(clips.shape, (6, 9, 64, 64))
        self.assertTrue(((cls >= 0) & (cls < 10)).all() and ((d >= 0) & (d < 8)).all())
        with tempfile.TemporaryDirectory() as out:
            vf.main(["--minutes", "0.02", "--pool", "64", "--test", "16", "--batch", "8", "--threads", "1", "--out", out])
            m = vf.load_features(os.path.join(out, "clipnet.pt"))
            c, dd, f = vf.predict(m, vf.to_float(clips))
            self.assertEqual((c.shape, dd.shape, f.shape), ((6, 10), (6, 8), (6, 128)))


class TestFvdLite(unittest.TestCase):
    def test_bootstrap_interval_holds_the_value_and_shifted_sets_score_worse(self):
        rng = np.random.default_rng(0)
        ref = fid_stats(rng.normal(size=(2000, 8)))
        same = rng.normal(size=(400, 8))
        shifted = same + 1.0
        v, lo, hi = bootstrap_fvd(same, ref, reps=50)
        self.assertLessEqual(lo, hi)
        self.assertLess(v, 0.5)
        self.assertGreater(bootstrap_fvd(shifted, ref, reps=20)[0], 7.0)   # ~ 8 (1 per dimension)
        d, dlo, dhi = paired_fvd_diff(shifted, same, ref, reps=50)
        self.assertGreater(dlo, 0)
        self.assertTrue(dlo <= d <= dhi)


class TestSsim(unittest.TestCase):
    def test_identical_is_one_and_noise_lowers_it(self):
        rng = np.random.default_rng(0)
        a = np.clip(rng.normal(size=(2, 3, 64, 64)) * 0.3, -1, 1).astype(np.float32)
        self.assertTrue(np.allclose(ssim_rows(a, a), 1.0, atol=1e-6))
        b = np.clip(a + rng.normal(size=a.shape).astype(np.float32) * 0.3, -1, 1)
        s = ssim_rows(b, a)
        self.assertEqual(s.shape, (2, 3))
        self.assertTrue((s < 0.95).all() and (s > -1).all())


if __name__ == "__main__":
    unittest.main()
