#!/usr/bin/python3
"""Loads one of our checkpoints into the lesson's PyTorch CharRNN with strict load_state_dict and
prints its validation loss the lesson's way, to compare with `ilgpu-lstm eval`:

    /usr/bin/python3 Tests/Fixtures/pytorch_load_check.py CHECKPOINT CORPUS [batch seq batches]

Needs only Debian's python3-torch (the safetensors reader is the few lines below).
"""
import json
import sys

import numpy as np
import torch
from torch import nn

from lesson import CharRNN, get_batches, load_safetensors


tensors, meta = load_safetensors(sys.argv[1])
chars = json.loads(meta["vocab"])
batch, seq, limit = (int(a) for a in (sys.argv[3:6] if len(sys.argv) > 5 else (128, 100, 0)))
net = CharRNN(meta["cell"], len(chars), int(meta["hidden_size"]), int(meta["num_layers"]), float(meta["dropout"]))
net.load_state_dict(tensors, strict=True)
net.eval()
with open(sys.argv[2], "r", encoding="utf-8") as f:
    text = f.read()
encoded = np.array([chars.index(c) for c in text])
val = encoded[int(len(encoded) * 0.9):]
h, losses = None, []
with torch.no_grad():
    for i, (x, y) in enumerate(get_batches(val, batch, seq)):
        if limit and i >= limit:
            break
        out, h = net(nn.functional.one_hot(torch.from_numpy(x), len(chars)).float(), h)
        losses.append(nn.functional.cross_entropy(out, torch.from_numpy(y).reshape(-1)).item())
print(f"strict load_state_dict: ok; validation loss over {len(losses)} batches of {batch} x {seq}: {np.mean(losses):.4f}")
