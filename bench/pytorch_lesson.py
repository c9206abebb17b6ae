"""PyTorch's side of bench/vs-pytorch.sh: the lesson's CharRNN (Tests/Fixtures/lesson.py) timed as
the lesson trains it (Adam, cross-entropy, clip_grad_norm_ 5, hidden state carried and detached),
sampled as the lesson samples it, or trained for a fixed wall-clock time and then evaluated.
Prints one JSON object. Needs only Debian's python3-torch (+ libopenblas0-openmp).

  train   --cell C --hidden-size H --num-layers L --batch-size B --seq-length T --dropout P --steps N
  sample  --cell C --hidden-size H --num-layers L --length N --top-k K
  wallclock --corpus FILE --seconds S --hidden-size H ... --lr LR  (val loss over the whole split)
            [--max-steps N] [--seed K] [--save FILE.safetensors]  (stop at N steps; the trained
            weights in our checkpoint layout, for `ilgpu-lstm eval` to score the same way)
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures"))
from lesson import CharRNN, get_batches, save_safetensors  # noqa: E402


def one_hot(x, vocab):
    return nn.functional.one_hot(torch.from_numpy(x).long(), vocab).float()


def zero_state(cell, layers, batch, hidden):
    h = torch.zeros(layers, batch, hidden)
    return (h, torch.zeros_like(h)) if cell == "lstm" else h


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def train(a):
    vocab = 83
    torch.manual_seed(1)
    net = CharRNN(a.cell, vocab, a.hidden_size, a.num_layers, a.dropout)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    crit = nn.CrossEntropyLoss()
    rng = np.random.default_rng(1)
    x = one_hot(rng.integers(0, vocab, (a.batch_size, a.seq_length)), vocab)
    y = torch.from_numpy(rng.integers(0, vocab, a.batch_size * a.seq_length)).long()
    state = zero_state(a.cell, a.num_layers, a.batch_size, a.hidden_size)
    net.train()
    times = []
    for step in range(a.steps + 2):
        start = time.perf_counter()
        state = detach(state)
        net.zero_grad()
        out, state = net(x, state)
        loss = crit(out, y)
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 5)
        opt.step()
        loss.item()
        if step >= 2:  # two warm-up steps
            times.append(time.perf_counter() - start)
    ms = statistics.median(times) * 1000
    return {"median_step_ms": ms, "tokens_per_second": a.batch_size * a.seq_length / (ms / 1000),
            "peak_rss_mib": peak_rss_mib()}


def sample(a):
    vocab = 83
    torch.manual_seed(1)
    net = CharRNN(a.cell, vocab, a.hidden_size, a.num_layers, 0.0)
    net.eval()
    state = zero_state(a.cell, a.num_layers, 1, a.hidden_size)
    char = 0
    start = time.perf_counter()
    with torch.no_grad():
        for _ in range(a.length):
            x = torch.zeros(1, 1, vocab)
            x[0, 0, char] = 1.0
            out, state = net(x, state)
            p = nn.functional.softmax(out, dim=1).data
            p, top = p.topk(a.top_k)
            top = top.numpy().squeeze()
            p = p.numpy().squeeze()
            char = int(np.random.choice(top, p=p / p.sum()))
    seconds = time.perf_counter() - start
    return {"chars_per_second": a.length / seconds}


def wallclock(a):
    with open(a.corpus, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    encoded = np.array([index[c] for c in text])
    vocab = len(chars)
    val_idx = int(len(encoded) * 0.9)
    data, val = encoded[:val_idx], encoded[val_idx:]
    torch.manual_seed(a.seed)
    net = CharRNN(a.cell, vocab, a.hidden_size, a.num_layers, a.dropout)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    crit = nn.CrossEntropyLoss()
    start = time.perf_counter()
    steps = 0
    done = False
    while not done:
        state = zero_state(a.cell, a.num_layers, a.batch_size, a.hidden_size)
        net.train()
        for x, y in get_batches(data, a.batch_size, a.seq_length):
            if time.perf_counter() - start >= a.seconds or (a.max_steps and steps >= a.max_steps):
                done = True
                break
            state = detach(state)
            net.zero_grad()
            out, state = net(one_hot(x, vocab), state)
            loss = crit(out, torch.from_numpy(y).reshape(-1).long())
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5)
            opt.step()
            steps += 1
    elapsed = time.perf_counter() - start
    if a.save:
        meta = {"cell": a.cell, "hidden_size": str(a.hidden_size), "num_layers": str(a.num_layers),
                "dropout": str(a.dropout), "vocab": json.dumps(chars)}
        save_safetensors(a.save, net.state_dict(), meta)
    net.eval()
    losses = []
    state = zero_state(a.cell, a.num_layers, a.batch_size, a.hidden_size)
    with torch.no_grad():
        for x, y in get_batches(val, a.batch_size, a.seq_length):
            out, state = net(one_hot(x, vocab), state)
            losses.append(crit(out, torch.from_numpy(y).reshape(-1).long()).item())
    return {"steps": steps, "train_seconds": round(elapsed, 1), "seed": a.seed, "val_loss": float(np.mean(losses))}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "sample", "wallclock"])
    p.add_argument("--cell", default="lstm")
    p.add_argument("--hidden-size", type=int, default=128)
    p.add_argument("--num-layers", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seq-length", type=int, default=50)
    p.add_argument("--dropout", type=float, default=0.5)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--length", type=int, default=2000)
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--corpus")
    p.add_argument("--seconds", type=float, default=240)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--max-steps", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--save")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    result = {"train": train, "sample": sample, "wallclock": wallclock}[a.mode](a)
    result.update({"threads": a.threads, "torch": torch.__version__})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
