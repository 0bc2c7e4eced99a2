"""Counter-based RNG of SPEC section 4, bit-exact. Works on python ints or numpy uint32 arrays."""
import numpy as np

M32 = 0xFFFFFFFF


def pcg(x):
    """Scalar (python int) or numpy array; returns the same kind."""
    if isinstance(x, np.ndarray):
        x = x.astype(np.uint32)
        with np.errstate(over="ignore"):
            s = x * np.uint32(747796405) + np.uint32(2891336453)
            w = ((s >> ((s >> np.uint32(28)) + np.uint32(4))) ^ s) * np.uint32(277803737)
        return (w >> np.uint32(22)) ^ w
    x &= M32
    s = (x * 747796405 + 2891336453) & M32
    w = (((s >> ((s >> 28) + 4)) ^ s) * 277803737) & M32
    return (w >> 22) ^ w


def rng_u32(seed, step, pos, stream):
    """Arguments may be ints or broadcastable numpy arrays."""
    if any(isinstance(a, np.ndarray) for a in (seed, step, pos, stream)):
        seed, step, pos, stream = (np.asarray(a).astype(np.uint64) & np.uint64(M32)
                                   for a in (seed, step, pos, stream))
        seed, step, pos, stream = (a.astype(np.uint32) for a in (seed, step, pos, stream))
        return pcg(pcg(pcg(pcg(seed) ^ step) ^ pos) ^ stream)
    return pcg(pcg(pcg(pcg(seed & M32) ^ (step & M32)) ^ (pos & M32)) ^ (stream & M32))


def uniform(seed, step, pos, stream):
    """float32 in (0,1): (u32 >> 8) * 2^-24 + 2^-25 (exact in f32)."""
    r = np.asarray(rng_u32(seed, step, pos, stream), dtype=np.uint32)
    return ((r >> np.uint32(8)).astype(np.float32) * np.float32(2.0 ** -24) + np.float32(2.0 ** -25))


def gumbel(seed, step, pos, stream):
    """-log(-log(u)) computed in float32."""
    u = uniform(seed, step, pos, stream)
    with np.errstate(divide="ignore"):          # u rounds to 1.0 in f32 -> +inf (as in SPEC)
        return (-np.log(-np.log(u, dtype=np.float32), dtype=np.float32)).astype(np.float32)


def sampling_gumbel(seed, step, positions, V):
    """[len(positions), V] float32 noise, stream 1+v for vocabulary entry v."""
    pos = np.asarray(positions, dtype=np.uint32)[:, None]
    streams = (np.arange(V, dtype=np.uint32) + np.uint32(1))[None, :]
    return gumbel(seed, step, pos, streams)


def confidence_gumbel(seed, step, positions):
    return gumbel(seed, step, np.asarray(positions, dtype=np.uint32), np.uint32(0))
