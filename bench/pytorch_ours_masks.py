#!/usr/bin/python3
"""The lesson's loop in PyTorch with ilgpu-lstm's own dropout masks, to compare training step by
step from the same weights (issue 15, item 6): Philox4x32-10 at counter (i, step*256 + site, 0, 0)
with key = the seed, element i time-major ((t*B + b)*H + j), kept when the top 24 bits / 2^24 >= p,
scaled by 1/(1-p); site 0 between the LSTM layers, site 2 before fc (2-layer LSTM only).

  /usr/bin/python3 bench/pytorch_ours_masks.py --init INIT.safetensors --corpus anna.txt --seed 3 --steps 20
  ilgpu-lstm train --init-from INIT.safetensors --seed 3 --max-steps 20 --print-every 1 ...

prints one line per step (step, training loss, gradient norm before clipping), then the whole-split validation loss as JSON.
Needs only Debian's python3-torch (+ libopenblas0-openmp).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures"))
from lesson import get_batches, load_safetensors  # noqa: E402

M0, M1, W0, W1 = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85
LOW = np.uint64(0xFFFFFFFF)
SHIFT = np.uint64(32)


def philox_mask(n, stream, seed, p):
    c0 = np.arange(n, dtype=np.uint64)
    c1 = np.full(n, stream & 0xFFFFFFFF, np.uint64)
    c2 = np.full(n, stream >> 32, np.uint64)
    c3 = np.zeros(n, np.uint64)
    k0, k1 = seed & 0xFFFFFFFF, seed >> 32
    for _ in range(10):
        p0, p1 = np.uint64(M0) * c0, np.uint64(M1) * c2
        n0, n2 = (p1 >> SHIFT) ^ c1 ^ np.uint64(k0), (p0 >> SHIFT) ^ c3 ^ np.uint64(k1)
        c1, c3, c0, c2 = p1 & LOW, p0 & LOW, n0, n2
        k0, k1 = (k0 + W0) & 0xFFFFFFFF, (k1 + W1) & 0xFFFFFFFF
    u = (c0 >> np.uint64(8)).astype(np.float32) * np.float32(1 / 16777216)
    return np.where(u >= np.float32(p), np.float32(1 / (1 - p)), np.float32(0))


def main():
    ap = argparse.ArgumentParser()
    for name, kind, default in (("--init", str, None), ("--corpus", str, None), ("--seed", int, 0),
                                ("--steps", int, 20), ("--batch-size", int, 32), ("--seq-length", int, 50),
                                ("--dropout", float, 0.2), ("--lr", float, 2e-3), ("--threads", int, 1)):
        ap.add_argument(name, type=kind, default=default, required=default is None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    tensors, meta = load_safetensors(a.init)
    chars = json.loads(meta["vocab"])
    V, H, B, T = len(chars), int(meta["hidden_size"]), a.batch_size, a.seq_length
    with open(a.corpus, encoding="utf-8") as f:
        index = {c: i for i, c in enumerate(chars)}
        encoded = np.array([index[c] for c in f.read()])
    split = int(len(encoded) * 0.9)
    data, val = encoded[:split], encoded[split:]
    layers = [nn.LSTM(V, H, 1, batch_first=True), nn.LSTM(H, H, 1, batch_first=True)]
    fc = nn.Linear(H, V)
    with torch.no_grad():
        for l, m in enumerate(layers):
            for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(m, k + "_l0").copy_(tensors[f"lstm.{k}_l{l}"])
        fc.weight.copy_(tensors["fc.weight"])
        fc.bias.copy_(tensors["fc.bias"])
    params = [p for m in layers + [fc] for p in m.parameters()]
    opt = torch.optim.Adam(params, lr=a.lr)
    crit = nn.CrossEntropyLoss()

    def mask(step, site):
        m = philox_mask(T * B * H, step * 256 + site, a.seed, a.dropout).reshape(T, B, H)
        return torch.from_numpy(m.transpose(1, 0, 2).copy())

    def forward(x, state, step):  # step 0: evaluation, no dropout
        out, s0 = layers[0](x, state[0])
        if step and a.dropout > 0:
            out = out * mask(step, 0)
        out, s1 = layers[1](out, state[1])
        if step and a.dropout > 0:
            out = out * mask(step, 2)
        return fc(out.reshape(-1, H)), (s0, s1)

    def zero():
        return tuple((torch.zeros(1, B, H), torch.zeros(1, B, H)) for _ in layers)

    def one_hot(x):
        return nn.functional.one_hot(torch.from_numpy(x).long(), V).float()

    step = 0
    while step < a.steps:
        state = zero()
        for x, y in get_batches(data, B, T):
            if step >= a.steps:
                break
            step += 1
            state = tuple(tuple(s.detach() for s in layer) for layer in state)
            opt.zero_grad()
            out, state = forward(one_hot(x), state, step)
            loss = crit(out, torch.from_numpy(y).reshape(-1).long())
            loss.backward()
            norm = nn.utils.clip_grad_norm_(params, 5)
            opt.step()
            print(step, f"{loss.item():.5f}", f"{norm.item():.6f}", flush=True)
    losses, state = [], zero()
    with torch.no_grad():
        for x, y in get_batches(val, B, T):
            out, state = forward(one_hot(x), state, 0)
            losses.append(crit(out, torch.from_numpy(y).reshape(-1).long()).item())
    print(json.dumps({"seed": a.seed, "steps": step, "val_loss": float(np.mean(losses))}))


if __name__ == "__main__":
    main()
