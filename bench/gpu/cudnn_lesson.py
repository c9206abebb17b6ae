#!/usr/bin/env python3
"""The lesson's training step in PyTorch on CUDA (cuDNN's LSTM): the anchor for ours on the same GPU.

CharRNN as the lesson builds it (one-hot input, LSTM 2 x 512, dropout 0.5, Linear to the
vocabulary), batch 128 x seq 100, cross-entropy, clip 5, Adam 1e-3; ms per step (forward, backward,
clip, step), median of 3 runs of 20 steps after 5 warm-up steps, with TF32 off, then on. Prints a
Markdown table; exits 0 without a table (and says why) when torch has no CUDA.
"""
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError:
    print("skipped: no torch")
    sys.exit(0)
if not torch.cuda.is_available():
    print("skipped: torch has no CUDA device")
    sys.exit(0)

VOCAB, HIDDEN, LAYERS, BATCH, SEQ = 83, 512, 2, 128, 100
device = torch.device("cuda")


class CharRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(VOCAB, HIDDEN, LAYERS, dropout=0.5, batch_first=True)
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(HIDDEN, VOCAB)

    def forward(self, x, h):
        out, h = self.lstm(x, h)
        return self.fc(self.dropout(out).contiguous().view(-1, HIDDEN)), h


def run(tf32):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.manual_seed(1)
    net = CharRNN().to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    tokens = torch.randint(0, VOCAB, (BATCH, SEQ), device=device)
    targets = torch.randint(0, VOCAB, (BATCH * SEQ,), device=device)
    x = torch.nn.functional.one_hot(tokens, VOCAB).float()
    h = (torch.zeros(LAYERS, BATCH, HIDDEN, device=device), torch.zeros(LAYERS, BATCH, HIDDEN, device=device))

    def step(h):
        h = tuple(t.detach() for t in h)
        net.zero_grad()
        out, h = net(x, h)
        loss_fn(out, targets).backward()
        nn.utils.clip_grad_norm_(net.parameters(), 5)
        opt.step()
        return h

    for _ in range(5):
        h = step(h)
    times = []
    for _ in range(3):
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(20):
            h = step(h)
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) / 20 * 1000)
    return statistics.median(times)


print(f"PyTorch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, {torch.cuda.get_device_name(0)}")
print("| the lesson's step (LSTM 2 x 512, batch 128 x seq 100) | ms a step |")
print("| --- | --- |")
for tf32 in (False, True):
    print(f"| PyTorch cuDNN, TF32 {'on' if tf32 else 'off'} | {run(tf32):.2f} |")
