"""PyTorch anchor for bench/torchAnchor.ts: times the same categorical-VAE training step as
bench/vaeStepChild.ts (IGR-I, closed-form KL, Bernoulli decoder, batch 100, our Adam settings) on
`threads` CPU threads (default 1; the caller also sets OMP_NUM_THREADS and OPENBLAS_NUM_THREADS to
match), and prints one JSON line {"msPerStep", "steps", "threads", "torch", "blas"}.

    usage: python3 vae_step.py <nonlinear|linear> <warmup> <timed> [threads]

The network mirrors lib/models/vae.ts with the default configuration (lib/models/vaeConfig.ts):
V = 20 variables, K = 10 categories, encoder 784-512-256-2·V·(K−1) with ReLU (linear: 784-2·V·(K−1)),
decoder V·K-256-512-784 (linear: V·K-784), Glorot-uniform weights, zero biases; the step
  κ = μ + exp(log σ)·ε,  ψ = softmax([κ/τ, 0]) per variable (softmax++ with δ = 1),  τ = 0.5,
  loss = mean_rows( Σ KL(N(μ, σ²) ‖ N(μ₀, 1)) − Σ_pixels log Bernoulli(x | decoder(ψ)) ),
with μ₀ the uniform-prior location for K = 10, then Adam (lr 1e−4, ε 1e−7). Each timed step builds
its batch tensor, draws its noise, runs forward and backward, applies Adam and reads the loss back,
as the TypeScript step does.
"""
import json
import math
import re
import statistics
import sys
import time

import torch

V, K, D, B, TAU = 20, 10, 784, 100, 0.5
PRIOR_LOC = -0.752962  # Φ(−μ₀) = K^{−1/(K−1)} for K = 10 (lib/models/priors.ts)


def dense(sizes):
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layer = torch.nn.Linear(fan_in, fan_out)
        torch.nn.init.xavier_uniform_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
        layers.append(layer)
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def blas_library():
    """The BLAS shared object the process mapped (Debian's torch links the generic libblas.so.3)."""
    with open("/proc/self/maps") as maps:
        found = sorted({m.group(0) for m in re.finditer(r"/\S*(openblas|blis|mkl|libblas)\S*", maps.read())})
    return ", ".join(found) or "unknown"


def main():
    arch, warmup, timed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    hidden = [512, 256] if arch == "nonlinear" else []
    n = K - 1
    encoder = dense([D, *hidden, 2 * V * n])
    decoder = dense([V * K, *reversed(hidden), D])
    params = list(encoder.parameters()) + list(decoder.parameters())
    adam = torch.optim.Adam(params, lr=1e-4, eps=1e-7)
    generator = torch.Generator().manual_seed(2024)
    data = (torch.rand(20, B, D, generator=generator) < 0.13).float().numpy()

    def step(i):
        t0 = time.perf_counter()
        x = torch.from_numpy(data[i % 20])
        eps = torch.randn(B, V, n)
        mu, log_sigma = encoder(x).view(B, 2, V, n).unbind(1)
        sigma = log_sigma.exp()
        kappa = mu + sigma * eps
        psi = torch.softmax(torch.nn.functional.pad(kappa / TAU, (0, 1)), dim=-1).reshape(B, V * K)
        nll = torch.nn.functional.binary_cross_entropy_with_logits(decoder(psi), x, reduction="none").sum(1)
        kl = (((mu - PRIOR_LOC) ** 2 + sigma**2) / 2 - log_sigma - 0.5).sum((1, 2))
        loss = (kl + nll).mean()
        adam.zero_grad(set_to_none=True)
        loss.backward()
        adam.step()
        value = loss.item()
        if not math.isfinite(value):
            raise RuntimeError(f"loss is {value} at step {i}")
        return (time.perf_counter() - t0) * 1000

    for i in range(warmup):
        step(i)
    times = [step(warmup + i) for i in range(timed)]
    print(json.dumps({"msPerStep": statistics.median(times), "steps": timed, "threads": torch.get_num_threads(), "torch": torch.__version__, "blas": blas_library()}))


if __name__ == "__main__":
    main()
