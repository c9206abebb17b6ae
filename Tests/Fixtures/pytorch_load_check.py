#!/usr/bin/python3
"""Loads one of our checkpoints into the lesson's PyTorch CharRNN with strict load_state_dict and
prints its validation loss the lesson's way, to compare with `ilgpu-lstm eval`:

    /usr/bin/python3 Tests/Fixtures/pytorch_load_check.py CHECKPOINT CORPUS [batch seq batches]

Needs only Debian's python3-torch (the safetensors reader is the few lines below).
"""
import json
import struct
import sys

import numpy as np
import torch
from torch import nn


def load_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", name
        begin, end = info["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(data[begin:end], dtype="<f4").copy()).reshape(info["shape"])
    return tensors, meta


class CharRNN(nn.Module):
    """The lesson's model (cell chosen by the checkpoint), attribute names as in the lesson."""

    def __init__(self, cell, vocab, n_hidden, n_layers, drop_prob):
        super().__init__()
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        setattr(self, cell, rnn(vocab, n_hidden, n_layers, dropout=drop_prob, batch_first=True))
        self.cell = cell
        self.dropout = nn.Dropout(drop_prob)
        self.fc = nn.Linear(n_hidden, vocab)

    def forward(self, x, hidden):
        out, hidden = getattr(self, self.cell)(x, hidden)
        return self.fc(self.dropout(out).contiguous().view(-1, self.fc.in_features)), hidden


def get_batches(arr, batch_size, seq_length):
    total = batch_size * seq_length
    n_batches = len(arr) // total
    arr = arr[: n_batches * total].reshape((batch_size, -1))
    for n in range(0, arr.shape[1], seq_length):
        x = arr[:, n : n + seq_length]
        y = np.zeros_like(x)
        try:
            y[:, :-1], y[:, -1] = x[:, 1:], arr[:, n + seq_length]
        except IndexError:
            y[:, :-1], y[:, -1] = x[:, 1:], arr[:, 0]
        yield x, y


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
