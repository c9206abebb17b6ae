"""The pieces of the Udacity char-RNN lesson the fixture scripts share, and a minimal safetensors
reader/writer (F32 only) so they need nothing beyond Debian's python3-torch."""
import json
import struct

import numpy as np
import torch
from torch import nn


class CharRNN(nn.Module):
    """The lesson's model; the recurrent module's attribute is the cell's name (lstm, gru, rnn)."""

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
    """The lesson's batching, verbatim in behaviour (including the last-window wrap)."""
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


def save_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(raw).to_bytes(8, "little"))
        f.write(raw)
        for b in blobs:
            f.write(b)


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
