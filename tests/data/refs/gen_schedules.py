#!/usr/bin/env python3
"""Regenerates schedules.json: torch.optim.lr_scheduler runs on the puzzle.

    /work/venv-torch/bin/python tests/data/refs/gen_schedules.py

Each case runs an optimizer on the puzzle (A+B=9, C-D=1, A+C=8, B-D=2, from
A=0.1 B=0.2 C=0.3 D=0.4, float64) with a scheduler stepped once after every
optimizer step, as torch's docs prescribe, and records the learning rate each
step used and the params after it. `gradlang` gives the same run in
gradlang's option names; tests/schedule_refs.rs replays it. OneCycleLR runs
with cycle_momentum=False: gradlang's schedules set only the learning rate.
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
O = torch.optim
S = torch.optim.lr_scheduler

STEPS = 60

# name: (optimizer, gradlang options, torch optimizer, torch scheduler)
CASES = {
    "adam_step": ("adam", 'lr=0.05 schedule="step" step_size=10 gamma=0.5',
                  lambda p: O.Adam(p, lr=0.05), lambda o: S.StepLR(o, step_size=10, gamma=0.5)),
    "adam_exponential": ("adam", 'lr=0.05 schedule="exponential" gamma=0.95',
                         lambda p: O.Adam(p, lr=0.05), lambda o: S.ExponentialLR(o, gamma=0.95)),
    "adam_cosine": ("adam", 'lr=0.05 schedule="cosine"',
                    lambda p: O.Adam(p, lr=0.05), lambda o: S.CosineAnnealingLR(o, T_max=STEPS)),
    "sgd_cosine_restart": ("sgd", 'lr=0.01 momentum=0.9 schedule="cosine" T_max=20 eta_min=0.001',
                           lambda p: O.SGD(p, lr=0.01, momentum=0.9),
                           lambda o: S.CosineAnnealingLR(o, T_max=20, eta_min=0.001)),
    "adam_linear": ("adam", 'lr=0.05 schedule="linear" start_factor=0.25 total_iters=10',
                    lambda p: O.Adam(p, lr=0.05),
                    lambda o: S.LinearLR(o, start_factor=0.25, total_iters=10)),
    "adam_onecycle": ("adam", 'lr=0.05 schedule="onecycle" max_lr=0.1',
                      lambda p: O.Adam(p, lr=0.05),
                      lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=STEPS, cycle_momentum=False)),
    "rmsprop_onecycle_three_phase": (
        "rmsprop", 'lr=0.01 schedule="onecycle" max_lr=0.02 total_steps=80 pct_start=0.25 '
                   'anneal_strategy="linear" three_phase=1 div_factor=10 final_div_factor=100',
        lambda p: O.RMSprop(p, lr=0.01),
        lambda o: S.OneCycleLR(o, max_lr=0.02, total_steps=80, pct_start=0.25, anneal_strategy="linear",
                               three_phase=True, div_factor=10, final_div_factor=100,
                               cycle_momentum=False)),
}


def puzzle(A, B, C, D):
    return (A + B - 9) ** 2 + (C - D - 1) ** 2 + (A + C - 8) ** 2 + (B - D - 2) ** 2


def run(make_opt, make_sched):
    params = [torch.tensor(v, requires_grad=True) for v in (0.1, 0.2, 0.3, 0.4)]
    opt = make_opt(params)
    sched = make_sched(opt)
    lrs, rows = [], []
    for _ in range(STEPS):
        lrs.append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        puzzle(*params).backward()
        opt.step()
        sched.step()
        rows.append([p.item() for p in params])
    return lrs, rows


def main():
    cases = []
    for name, (optimizer, options, make_opt, make_sched) in CASES.items():
        lrs, rows = run(make_opt, make_sched)
        cases.append({"name": name, "optimizer": optimizer, "gradlang": options,
                      "steps": STEPS, "lrs": lrs, "params": rows})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schedules.json")
    with open(path, "w") as out:
        out.write("{\n")
        out.write('  "made_by": "gen_schedules.py, torch %s, float64",\n' % torch.__version__)
        out.write('  "cases": [\n')
        out.write(",\n".join("    " + json.dumps(c) for c in cases))
        out.write("\n  ]\n}\n")


if __name__ == "__main__":
    main()
