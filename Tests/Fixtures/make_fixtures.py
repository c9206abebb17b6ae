#!/usr/bin/python3
"""Makes the PyTorch parity fixtures in this folder. Run from the repo root with Debian's torch:

    apt-get install python3-torch libopenblas0-openmp
    /usr/bin/python3 Tests/Fixtures/make_fixtures.py ../shared/corpora/anna.txt

char_lstm_init.safetensors     a 2 x 16 LSTM CharRNN at PyTorch's default init, with the lesson's
                               `vocab` metadata: loadable by `train --init-from` (a PyTorch export).
char_lstm_expected.safetensors the token ids it trains on, the loss of each of its Adam steps
                               (lesson semantics, dropout 0) and the final weights (prefix `final.`).
recurrent_{lstm,gru,rnn}.safetensors
                               nn.LSTM/GRU/RNN(5, 6, 2 layers, batch_first): parameters, input x
                               (3, 4, 5), initial state, outputs, final state, and the gradients of
                               sum(output * w) with respect to x and every parameter.
"""
import json
import sys

import numpy as np
import torch
from torch import nn

from lesson import CharRNN, get_batches, save_safetensors as save

torch.manual_seed(0)
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# ---- 1. the lesson's CharRNN for a few Adam steps ------------------------------------------------
with open(sys.argv[1], "r", encoding="utf-8") as f:
    text = f.read()[:1200]
chars = sorted(set(text))
vocab, hidden, layers, batch, seq, lr, clip = len(chars), 16, 2, 4, 25, 1e-3, 5.0
ids = np.array([chars.index(c) for c in text], dtype=np.int64)
net = CharRNN("lstm", vocab, hidden, layers, 0.0)
init = {k: v.clone() for k, v in net.state_dict().items()}
save("Tests/Fixtures/char_lstm_init.safetensors", init, {"vocab": json.dumps(chars)})

opt = torch.optim.Adam(net.parameters(), lr=lr)
criterion = nn.CrossEntropyLoss()
net.train()
h = None
losses = []
for x, y in get_batches(ids, batch, seq):
    inputs = nn.functional.one_hot(torch.from_numpy(x), vocab).float()
    targets = torch.from_numpy(y)
    if h is not None:
        h = tuple(each.data for each in h)
    net.zero_grad()
    output, h = net(inputs, h)
    loss = criterion(output, targets.reshape(batch * seq))
    loss.backward()
    nn.utils.clip_grad_norm_(net.parameters(), clip)
    opt.step()
    losses.append(loss.item())
expected = {"ids": torch.from_numpy(ids).float(), "losses": torch.tensor(losses, dtype=torch.float64)}
expected.update({"final." + k: v for k, v in net.state_dict().items()})
save("Tests/Fixtures/char_lstm_expected.safetensors", expected,
     {"batch_size": str(batch), "seq_length": str(seq), "lr": repr(lr), "grad_clip": repr(clip)})
print("char lstm losses", losses)

# ---- 2. recurrent layers: outputs, states and gradients ------------------------------------------
for name, cls in (("lstm", nn.LSTM), ("gru", nn.GRU), ("rnn", nn.RNN)):
    torch.manual_seed({"lstm": 1, "gru": 2, "rnn": 3}[name])
    module = cls(5, 6, 2, batch_first=True).double()
    x = torch.randn(3, 4, 5, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(2, 3, 6, dtype=torch.float64) * 0.5
    state = (h0, torch.randn(2, 3, 6, dtype=torch.float64) * 0.5) if name == "lstm" else h0
    out, final = module(x, state)
    w = torch.randn_like(out)
    (out * w).sum().backward()
    tensors = {f"{name}.{k}": v for k, v in module.state_dict().items()}
    tensors.update({"x": x, "h0": h0, "output": out, "w": w, "dx": x.grad,
                    "h_n": final[0] if name == "lstm" else final})
    if name == "lstm":
        tensors.update({"c0": state[1], "c_n": final[1]})
    for k, p in module.named_parameters():
        tensors[f"grad.{name}.{k}"] = p.grad
    save(f"Tests/Fixtures/recurrent_{name}.safetensors", tensors, {"cell": name})
print("done")
