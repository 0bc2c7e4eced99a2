"""VQ autoencoder: free encoder (PyTorch only), decoder exactly as SPEC section 1."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class GroupNorm(nn.GroupNorm):
    """GroupNorm in f32 whatever the input (under bf16 autocast the convs hand it bf16)."""
    def forward(self, x):
        return F.group_norm(x.float(), self.num_groups, self.weight, self.bias, self.eps)


class Res(nn.Module):
    """res(h) = h + conv2(silu(norm2(conv1(silu(norm1(h))))))"""
    def __init__(self, c, groups):
        super().__init__()
        self.norm1 = GroupNorm(groups, c, eps=1e-5)
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.norm2 = GroupNorm(groups, c, eps=1e-5)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, h):
        return h + self.conv2(F.silu(self.norm2(self.conv1(F.silu(self.norm1(h))))))


class Encoder(nn.Module):
    """in_ch x S x S -> code_dim x S/2^n x S/2^n with only browser ops (SPEC sections 1 and 8):
    stride-1 convs, GroupNorm, SiLU, residual blocks and 2x2 average pooling (no strided convs, so
    the WGSL kernels serve). ch = [e0..en]: n poolings; n = 2 for images (32 -> 8), 3 for video
    groups (64 -> 8). in_ch = frames per group (1 for images)."""
    def __init__(self, code_dim, ch=(32, 64, 96), groups=8, in_ch=1):
        super().__init__()
        self.ch = list(ch)
        self.conv_in = nn.Conv2d(in_ch, ch[0], 3, padding=1)
        self.res0 = Res(ch[0], groups)
        for i in range(1, len(ch)):
            setattr(self, f"down{i}", nn.Conv2d(ch[i - 1], ch[i], 3, padding=1))
            setattr(self, f"res{i}", Res(ch[i], groups))
        self.norm_out = GroupNorm(groups, ch[-1], eps=1e-5)
        self.conv_out = nn.Conv2d(ch[-1], code_dim, 1)

    def forward(self, x):
        h = self.res0(self.conv_in(x))
        for i in range(1, len(self.ch)):
            h = getattr(self, f"res{i}")(getattr(self, f"down{i}")(F.avg_pool2d(h, 2)))
        return self.conv_out(F.silu(self.norm_out(h)))


class Decoder(nn.Module):
    """Exactly SPEC sections 1 and 8 (names match the exported tensor names after the 'dec.'
    prefix). ch = [c0..cn]: n nearest x2 upsamplings, a res block after each but the last;
    out_ch = frames per group (1 for images)."""
    def __init__(self, code_dim, ch=(64, 48, 32), groups=8, out_ch=1):
        super().__init__()
        self.ch = list(ch)
        self.conv_in = nn.Conv2d(code_dim, ch[0], 3, padding=1)
        self.res0 = Res(ch[0], groups)
        n = len(ch) - 1
        for i in range(1, n + 1):
            setattr(self, f"up{i}", nn.Conv2d(ch[i - 1], ch[i], 3, padding=1))
            if i < n:
                setattr(self, f"res{i}", Res(ch[i], groups))
        self.norm_out = GroupNorm(groups, ch[-1], eps=1e-5)
        self.conv_out = nn.Conv2d(ch[-1], out_ch, 3, padding=1)

    def forward(self, z):
        h = self.res0(self.conv_in(z))
        n = len(self.ch) - 1
        for i in range(1, n + 1):
            h = getattr(self, f"up{i}")(F.interpolate(h, scale_factor=2, mode="nearest"))
            if i < n:
                h = getattr(self, f"res{i}")(h)
        return self.conv_out(F.silu(self.norm_out(h)))      # [B,out_ch,S,S], unclamped


class VQ(nn.Module):
    """Codebook with EMA updates, data init, dead-code restart; straight-through estimator."""
    def __init__(self, size, dim, decay=0.99):
        super().__init__()
        self.size, self.dim, self.decay = size, dim, decay
        self.register_buffer("codebook", torch.randn(size, dim) * 0.1)
        self.register_buffer("ema_count", torch.ones(size))
        self.register_buffer("ema_sum", self.codebook.clone())
        self.register_buffer("initialised", torch.tensor(0))

    def indices(self, flat):
        d = (flat.pow(2).sum(1, keepdim=True) - 2 * flat @ self.codebook.t()
             + self.codebook.pow(2).sum(1)[None])
        return d.argmin(1)

    @torch.no_grad()
    def init_from(self, flat, iters=10):
        """k-means (a few Lloyd iterations) on a sample of encoder outputs."""
        c = flat[torch.randperm(flat.shape[0])[:self.size]].clone()
        for _ in range(iters):
            self.codebook.copy_(c)
            idx = self.indices(flat)
            cnt = torch.bincount(idx, minlength=self.size).float()
            s = torch.zeros_like(c).index_add_(0, idx, flat)
            alive = cnt > 0
            c[alive] = s[alive] / cnt[alive, None]
            c[~alive] = flat[torch.randint(0, flat.shape[0], (int((~alive).sum()),))]
        self.codebook.copy_(c)
        self.ema_sum.copy_(c)
        self.ema_count.fill_(1.0)
        self.initialised.fill_(1)

    def forward(self, z):
        """z [B,D,8,8] -> (z_q straight-through, indices [B,64], commitment loss). Always f32:
        nearest-code distances in bf16 would pick wrong codes."""
        with torch.autocast(z.device.type, enabled=False):
            return self._forward(z.float())

    def _forward(self, z):
        B, D, H, W = z.shape
        flat = z.permute(0, 2, 3, 1).reshape(-1, D)
        if self.training and not bool(self.initialised):
            self.init_from(flat.detach())
        idx = self.indices(flat.detach())
        q = self.codebook[idx]
        if self.training:
            with torch.no_grad():
                onehot_cnt = torch.bincount(idx, minlength=self.size).float()
                s = torch.zeros_like(self.codebook).index_add_(0, idx, flat.detach())
                self.ema_count.mul_(self.decay).add_(onehot_cnt, alpha=1 - self.decay)
                self.ema_sum.mul_(self.decay).add_(s, alpha=1 - self.decay)
                n = self.ema_count.sum()
                cnt = (self.ema_count + 1e-5) / (n + self.size * 1e-5) * n
                self.codebook.copy_(self.ema_sum / cnt[:, None])
        commit = F.mse_loss(flat, q.detach())
        q = flat + (q - flat).detach()
        return q.reshape(B, H, W, D).permute(0, 3, 1, 2), idx.reshape(B, H * W), commit

    @torch.no_grad()
    def restart_dead(self, flat, threshold=1.0):
        """Replace codes whose EMA usage fell below threshold with random encoder outputs."""
        dead = self.ema_count < threshold
        k = int(dead.sum())
        if k:
            pick = flat[torch.randint(0, flat.shape[0], (k,))]
            self.codebook[dead] = pick
            self.ema_sum[dead] = pick
            self.ema_count[dead] = 1.0
        return k


class VQAE(nn.Module):
    """group = frames per latent frame (1 for images and per-frame video tokenizers, 2 for the
    causal video tokenizer of SPEC section 8): the encoder sees a group's frames as channels and
    the decoder gives them back as channels."""
    def __init__(self, code_dim=16, codebook_size=512, dec_channels=(64, 48, 32), groups=8,
                 enc_channels=(32, 64, 96), group=1):
        super().__init__()
        self.cfg = dict(code_dim=code_dim, codebook_size=codebook_size,
                        dec_channels=list(dec_channels), groups=groups, enc_channels=list(enc_channels),
                        group=group)
        self.enc = Encoder(code_dim, enc_channels, groups=groups, in_ch=group)
        self.vq = VQ(codebook_size, code_dim)
        self.dec = Decoder(code_dim, dec_channels, groups, out_ch=group)

    def forward(self, x):
        z = self.enc(x)
        q, idx, commit = self.vq(z)
        return self.dec(q), idx, commit, z

    @torch.no_grad()
    def encode(self, x):
        z = self.enc(x)
        B, D, H, W = z.shape
        return self.vq.indices(z.permute(0, 2, 3, 1).reshape(-1, D)).reshape(B, H * W)

    @torch.no_grad()
    def decode_tokens(self, tokens, hw=(8, 8)):
        """tokens [B,H*W] long -> [B,group,S,S] clamped to [-1,1] (the SPEC decoder)."""
        z = self.vq.codebook[tokens].reshape(tokens.shape[0], hw[0], hw[1], -1).permute(0, 3, 1, 2)
        return self.dec(z).clamp(-1, 1)

    def export_tensors(self, encoder=True):
        """SPEC names -> float32 tensors (the encoder's under 'enc.')."""
        t = {"codebook": self.vq.codebook}
        for k, v in self.dec.state_dict().items():
            t["dec." + k] = v
        if encoder:
            for k, v in self.enc.state_dict().items():
                t["enc." + k] = v
        return {k: v.detach().float().contiguous().cpu() for k, v in t.items()}


def load_tokenizer(path, device="cpu"):
    ck = torch.load(path, map_location="cpu")
    c = ck["cfg"]
    m = VQAE(c["code_dim"], c["codebook_size"], c["dec_channels"], c["groups"],
             c.get("enc_channels", (32, 64, 96)), c.get("group", 1))
    m.load_state_dict(ck["model"])
    return m.to(device).eval()
