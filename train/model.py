"""Nested (MatFormer-style) transformer of SPEC section 2.

One set of weights; a forward at width r uses the first d = r*D channels, h = r*H heads and
m = r*M MLP units of every tensor. Matrices are stored [in, out] (y = x @ W + b) under the exact
SPEC names, so the state_dict is the checkpoint.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTHS = (0.125, 0.25, 0.5, 1.0)


def gelu_tanh(u):
    return 0.5 * u * (1.0 + torch.tanh(0.7978845608028654 * (u + 0.044715 * u * u * u)))


class Attn(nn.Module):
    def __init__(self, D):
        super().__init__()
        for n in ("wq", "wk", "wv", "wo"):
            setattr(self, n, nn.Parameter(torch.empty(D, D)))
        for n in ("bq", "bk", "bv", "bo"):
            setattr(self, n, nn.Parameter(torch.zeros(D)))


class MLP(nn.Module):
    def __init__(self, D, M):
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(D, M))
        self.b1 = nn.Parameter(torch.zeros(M))
        self.w2 = nn.Parameter(torch.empty(M, D))
        self.b2 = nn.Parameter(torch.zeros(D))


class Block(nn.Module):
    def __init__(self, D, M):
        super().__init__()
        self.ln1 = nn.LayerNorm(D, eps=1e-5)
        self.attn = Attn(D)
        self.ln2 = nn.LayerNorm(D, eps=1e-5)
        self.mlp = MLP(D, M)


def ln(x, norm, d):
    """LayerNorm over the d active channels with the sliced affine parameters (always f32: under
    bf16 autocast the matmuls hand it bf16)."""
    return F.layer_norm(x.float(), (d,), norm.weight[:d], norm.bias[:d], 1e-5)


class NestedTransformer(nn.Module):
    def __init__(self, layers=6, dim=128, heads=8, mlp=512, codebook_size=512, num_classes=10, grid=(8, 8)):
        super().__init__()
        assert dim % heads == 0 and heads % 8 == 0 and mlp % 8 == 0, "widths 1/8..1 need H, M % 8 == 0"
        self.cfg = dict(layers=layers, dim=dim, heads=heads, mlp=mlp,
                        codebook_size=codebook_size, num_classes=num_classes)
        if tuple(grid) != (8, 8):                 # images keep their old config (and checkpoints)
            self.cfg["grid"] = list(grid)
        self.L, self.D, self.H, self.M, self.V, self.C = layers, dim, heads, mlp, codebook_size, num_classes
        self.grid = list(grid)                    # [H, W] for images, [T, H, W] for video (SPEC 8)
        self.N = int(math.prod(grid))             # image (or clip) tokens; sequence = 1 + N
        self.hd = dim // heads
        self.mask_token, self.null_class = codebook_size, num_classes
        self.tok_emb = nn.Parameter(torch.randn(codebook_size + 1, dim) * 0.02)
        self.cls_emb = nn.Parameter(torch.randn(num_classes + 1, dim) * 0.02)
        self.pos_emb = nn.Parameter(self._pos_init(grid, dim))
        self.blocks = nn.ModuleList([Block(dim, mlp) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(dim, eps=1e-5)
        self.head_bias = nn.Parameter(torch.zeros(codebook_size))
        for b in self.blocks:
            for w in (b.attn.wq, b.attn.wk, b.attn.wv, b.mlp.w1):
                nn.init.normal_(w, std=0.02)
            for w in (b.attn.wo, b.mlp.w2):
                nn.init.normal_(w, std=0.02 / math.sqrt(2 * layers))

    @staticmethod
    def _pos_init(grid, dim):
        """Row 0 (class token) random; grid rows start as a sum of one random vector per axis
        (t, y, x), so cells sharing a row, column or frame start alike. Trained freely after that:
        the checkpoint holds the full table."""
        if len(grid) == 2:
            return torch.randn(1 + grid[0] * grid[1], dim) * 0.02
        axes = [torch.randn(n, dim) * (0.02 / math.sqrt(len(grid))) for n in grid]
        cells = axes[0][:, None, None] + axes[1][None, :, None] + axes[2][None, None, :]
        return torch.cat([torch.randn(1, dim) * 0.02, cells.reshape(-1, dim)])

    def dims(self, width):
        d, h, m = int(round(width * self.D)), int(round(width * self.H)), int(round(width * self.M))
        assert d == h * self.hd, f"width {width} is not supported"
        return d, h, m

    def embed(self, tokens, cls, d, positions=None):
        """tokens [B,N], cls [B] -> x [B,1+N,d]; or, with positions [B,P] (sequence positions
        0..N), only those rows."""
        B = tokens.shape[0]
        seq_tok = torch.cat([torch.zeros_like(tokens[:, :1]), tokens], 1)          # [B,65]
        x = self.tok_emb[seq_tok, :d]
        x = torch.cat([self.cls_emb[cls, :d][:, None], x[:, 1:]], 1) + self.pos_emb[None, :, :d]
        if positions is not None:
            x = torch.gather(x, 1, positions[:, :, None].expand(B, positions.shape[1], d))
        return x

    def block(self, blk, x, d, h, m, cache=None, positions=None):
        """One transformer block over rows x [B,N,d]. With cache=(K,V) [B,65,D] tensors and
        positions [B,N]: writes this block's K/V rows at positions, then attends to all 65 rows."""
        a, B, N = blk.attn, x.shape[0], x.shape[1]
        y = ln(x, blk.ln1, d)
        q = y @ a.wq[:d, :d] + a.bq[:d]
        k = y @ a.wk[:d, :d] + a.bk[:d]
        v = y @ a.wv[:d, :d] + a.bv[:d]
        if cache is not None:
            K, Vc = cache
            if positions is None:                        # full pass: rewrite every row
                K[:, :, :d] = k
                Vc[:, :, :d] = v
            else:
                idx = positions[:, :, None].expand(B, N, d)
                K[:, :, :d].scatter_(1, idx, k)
                Vc[:, :, :d].scatter_(1, idx, v)
            k, v = K[:, :, :d], Vc[:, :, :d]
        S = k.shape[1]
        q = q.view(B, N, h, self.hd).transpose(1, 2)
        k = k.reshape(B, S, h, self.hd).transpose(1, 2)
        v = v.reshape(B, S, h, self.hd).transpose(1, 2)
        att = torch.softmax((q @ k.transpose(-1, -2)).float() / math.sqrt(self.hd), dim=-1)
        o = (att @ v).transpose(1, 2).reshape(B, N, d)
        x = x + o @ a.wo[:d, :d] + a.bo[:d]
        y = ln(x, blk.ln2, d)
        mp = blk.mlp
        u = y @ mp.w1[:d, :m] + mp.b1[:m]
        # Training uses the fused kernel (within 2.4e-7 of the formula; the formula's six
        # elementwise bf16 ops were a third of a CPU step); reference passes keep the SPEC formula.
        g = F.gelu(u, approximate="tanh") if torch.is_grad_enabled() else gelu_tanh(u)
        return x + g @ mp.w2[:m, :d] + mp.b2[:d]

    def head(self, x, d):
        return ln(x, self.ln_f, d) @ self.tok_emb[:self.V, :d].t() + self.head_bias

    def forward(self, tokens, cls, width=1.0, cache=None, out_positions=None):
        """Full pass: tokens [B,N] (mask = V), cls [B] -> logits [B,N,V], or [B,Q,V] for the
        image positions out_positions [B,Q] only. If cache (from new_cache) is given, every
        layer's K/V rows are (re)written."""
        d, h, m = self.dims(width)
        x = self.embed(tokens, cls, d)
        for l, blk in enumerate(self.blocks):
            x = self.block(blk, x, d, h, m, None if cache is None else cache[l])
        x = x[:, 1:]
        if out_positions is not None:
            x = torch.gather(x, 1, out_positions[:, :, None].expand(x.shape[0], out_positions.shape[1], d))
        return self.head(x, d)

    def forward_incremental(self, tokens, cls, width, cache, positions, out_positions):
        """Incremental pass (SPEC section 5 KV cache): computes only sequence positions
        [B,P] (sorted), writes their K/V rows into cache, attends to all 65 cached rows.
        Returns logits [B,Q,V] for sequence positions out_positions [B,Q] (a subset of positions)."""
        d, h, m = self.dims(width)
        x = self.embed(tokens, cls, d, positions)
        for l, blk in enumerate(self.blocks):
            x = self.block(blk, x, d, h, m, cache[l], positions)
        # rows of x for out_positions
        sel = torch.searchsorted(positions.contiguous(), out_positions.contiguous())
        x = torch.gather(x, 1, sel[:, :, None].expand(x.shape[0], sel.shape[1], d))
        return self.head(x, d)

    def new_cache(self, batch, device=None):
        dev = device or self.tok_emb.device
        return [(torch.zeros(batch, 1 + self.N, self.D, device=dev), torch.zeros(batch, 1 + self.N, self.D, device=dev))
                for _ in range(self.L)]

    def export_tensors(self):
        return {k: v.detach().float().contiguous().cpu() for k, v in self.state_dict().items()}


def load_model(path, device="cpu", ema=True):
    ck = torch.load(path, map_location="cpu")
    m = NestedTransformer(**ck["model_cfg"])
    m.load_state_dict(ck["ema"] if ema and ck.get("ema") is not None else ck["model"])
    return m.to(device).eval()
