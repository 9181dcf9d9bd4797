#!/usr/bin/env python3
"""Issue 13's neural networks with PyTorch eager: f64, Adam (lr=1e-3),
2 threads; prints the median wall time of one Adam step (zero_grad, the
loss, backward, step).

  python nn_torch.py --case mlp|softmax|deep [--steps 50] [--warmup 5] [--threads 2]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _nnlib as L  # noqa: E402

import torch  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", default="mlp", choices=sorted(L.CASES))
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_default_dtype(torch.float64)
    X, y, layers = L.data(a.case)
    X, y = torch.tensor(X), torch.tensor(y)
    params = []
    for W, b in layers:
        params += [torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)]
    opt = torch.optim.Adam(params, lr=1e-3)
    xent = L.CASES[a.case][2] == "xent"

    def loss_fn():
        h = X
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = torch.tanh(h)
        if xent:
            return torch.mean(torch.logsumexp(h, dim=1) - torch.sum(y * h, dim=1))
        return torch.mean((h - y) ** 2)

    def step():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()

    med, best = L.per_step(step, a.steps, a.warmup)
    print("torch eager %s: %.3f ms per Adam step (median of %d, min %.3f ms; torch %s, %d threads)"
          % (a.case, med * 1e3, a.steps, best * 1e3, torch.__version__, torch.get_num_threads()))


if __name__ == "__main__":
    main()
