#!/usr/bin/env python3
"""Regenerates the torch.optim reference trajectories in this folder.

    python -m venv venv && venv/bin/pip install torch numpy
    venv/bin/python tests/data/refs/gen_refs.py            # every case
    venv/bin/python tests/data/refs/gen_refs.py --only puzzle_sgd_nesterov

The first three cases are the puzzle run for 2000 steps at lr=0.01 (SGD with
momentum 0.9, the others at torch's defaults); the rest vary the optimizers and
their options over shorter runs. Everything runs in float64 with
torch.set_default_dtype(torch.float64), so the optimizers' scalar state (step counts,
NAdam's mu_product) is float64 too. Each param is its own 0-d tensor, as in the puzzle.

Each CSV starts with comment lines that tests/optim_refs.rs reads:
    # problem: puzzle | rosenbrock
    # gradlang: OPTIMIZER name=value ...      (the same run in gradlang's option names)
then `step,loss,<params>` and one row per k = 0..steps: the params after k optimizer
steps and the loss there, 17 significant digits.
"""
import argparse
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

PROBLEMS = {
    # A+B=9, C-D=1, A+C=8, B-D=2; loss = sum of squared residuals
    "puzzle": (("A", "B", "C", "D"), (0.1, 0.2, 0.3, 0.4),
               lambda A, B, C, D: (A + B - 9) ** 2 + (C - D - 1) ** 2 + (A + C - 8) ** 2 + (B - D - 2) ** 2),
    "rosenbrock": (("x", "y"), (-1.2, 1.0),
                   lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2),
}

# name: (problem, steps, gradlang optimizer, gradlang options, torch constructor)
O = torch.optim
CASES = {
    "puzzle_adam_f64": ("puzzle", 2000, "adam", "lr=0.01",
                        lambda p: O.Adam(p, lr=0.01)),
    "puzzle_nadam_f64": ("puzzle", 2000, "nadam", "lr=0.01",
                         lambda p: O.NAdam(p, lr=0.01)),
    "puzzle_sgd_f64": ("puzzle", 2000, "sgd", "lr=0.01 momentum=0.9",
                       lambda p: O.SGD(p, lr=0.01, momentum=0.9)),
    "puzzle_sgd_nesterov": ("puzzle", 300, "sgd", "lr=0.01 momentum=0.9 nesterov=1",
                            lambda p: O.SGD(p, lr=0.01, momentum=0.9, nesterov=True)),
    "puzzle_sgd_dampening_wd": ("puzzle", 300, "sgd", "lr=0.01 momentum=0.9 dampening=0.3 weight_decay=0.01",
                                lambda p: O.SGD(p, lr=0.01, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    "puzzle_sgd_plain": ("puzzle", 300, "sgd", "lr=0.01",
                         lambda p: O.SGD(p, lr=0.01)),
    "puzzle_adam_amsgrad": ("puzzle", 300, "adam", "lr=0.01 amsgrad=1",
                            lambda p: O.Adam(p, lr=0.01, amsgrad=True)),
    "puzzle_adam_wd_beta1": ("puzzle", 300, "adam", "lr=0.05 beta1=0.3 beta2=0.99 eps=1e-6 weight_decay=0.05",
                             lambda p: O.Adam(p, lr=0.05, betas=(0.3, 0.99), eps=1e-6, weight_decay=0.05)),
    "puzzle_adamw": ("puzzle", 300, "adamw", "lr=0.01",
                     lambda p: O.AdamW(p, lr=0.01)),
    "puzzle_adamw_wd_amsgrad": ("puzzle", 300, "adamw", "lr=0.02 weight_decay=0.1 amsgrad=1",
                                lambda p: O.AdamW(p, lr=0.02, weight_decay=0.1, amsgrad=True)),
    "puzzle_nadam_wd": ("puzzle", 300, "nadam", "lr=0.01 weight_decay=0.01",
                        lambda p: O.NAdam(p, lr=0.01, weight_decay=0.01)),
    "puzzle_nadam_momentum_decay": ("puzzle", 300, "nadam", "lr=0.02 beta1=0.8 momentum_decay=0.01",
                                    lambda p: O.NAdam(p, lr=0.02, betas=(0.8, 0.999), momentum_decay=0.01)),
    "puzzle_rmsprop": ("puzzle", 300, "rmsprop", "lr=0.01",
                       lambda p: O.RMSprop(p, lr=0.01)),
    "puzzle_rmsprop_centered": ("puzzle", 300, "rmsprop", "lr=0.01 centered=1 weight_decay=0.01",
                                lambda p: O.RMSprop(p, lr=0.01, centered=True, weight_decay=0.01)),
    "puzzle_rmsprop_momentum": ("puzzle", 300, "rmsprop", "lr=0.001 momentum=0.9 alpha=0.9",
                                lambda p: O.RMSprop(p, lr=0.001, momentum=0.9, alpha=0.9)),
    "puzzle_rmsprop_centered_momentum": ("puzzle", 300, "rmsprop", "lr=0.001 momentum=0.5 centered=1",
                                         lambda p: O.RMSprop(p, lr=0.001, momentum=0.5, centered=True)),
    "puzzle_adagrad": ("puzzle", 300, "adagrad", "lr=0.1 lr_decay=0.01 initial_accumulator_value=0.1",
                       lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    "puzzle_adagrad_wd": ("puzzle", 300, "adagrad", "lr=0.5 weight_decay=0.01 eps=1e-6",
                          lambda p: O.Adagrad(p, lr=0.5, weight_decay=0.01, eps=1e-6)),
    "puzzle_lbfgs": ("puzzle", 5, "lbfgs", "",
                     lambda p: O.LBFGS(p)),
    "puzzle_lbfgs_wolfe": ("puzzle", 5, "lbfgs", "line_search=\"strong_wolfe\"",
                           lambda p: O.LBFGS(p, line_search_fn="strong_wolfe")),
    "puzzle_lbfgs_short": ("puzzle", 20, "lbfgs", "max_iter=2 history_size=2",
                           lambda p: O.LBFGS(p, max_iter=2, history_size=2)),
    "rosenbrock_lbfgs": ("rosenbrock", 300, "lbfgs", "lr=0.05 max_iter=1",
                         lambda p: O.LBFGS(p, lr=0.05, max_iter=1)),
    "rosenbrock_lbfgs_wolfe": ("rosenbrock", 10, "lbfgs", "line_search=\"strong_wolfe\"",
                               lambda p: O.LBFGS(p, line_search_fn="strong_wolfe")),
    "rosenbrock_lbfgs_wolfe_tight": ("rosenbrock", 10, "lbfgs",
                                     "line_search=\"strong_wolfe\" tolerance_grad=1e-12 tolerance_change=1e-20",
                                     lambda p: O.LBFGS(p, line_search_fn="strong_wolfe", tolerance_grad=1e-12,
                                                       tolerance_change=1e-20)),
    # Its line searches divide by step lengths that torch holds as tensors, i.e. via
    # reciprocal() * x: a plain division puts gradlang 1.8e-11 off from step 6 on.
    "rosenbrock_lbfgs_wolfe_lr2": ("rosenbrock", 30, "lbfgs", "line_search=\"strong_wolfe\" lr=2 max_iter=3",
                                   lambda p: O.LBFGS(p, line_search_fn="strong_wolfe", lr=2, max_iter=3)),
    # LBFGS.step does not pass its tolerance_change to _strong_wolfe, whose
    # zoom keeps its own 1e-9: a large tolerance_change must not end the zoom.
    "rosenbrock_lbfgs_wolfe_loose": ("rosenbrock", 5, "lbfgs",
                                     "line_search=\"strong_wolfe\" lr=10 tolerance_change=1",
                                     lambda p: O.LBFGS(p, line_search_fn="strong_wolfe", lr=10,
                                                       tolerance_change=1)),
    "rosenbrock_lbfgs_wolfe_short": ("rosenbrock", 100, "lbfgs",
                                     "line_search=\"strong_wolfe\" max_iter=2 history_size=3",
                                     lambda p: O.LBFGS(p, line_search_fn="strong_wolfe", max_iter=2,
                                                       history_size=3)),
}


def run(problem, steps, make_opt):
    _, init, f = PROBLEMS[problem]
    params = [torch.tensor(v, requires_grad=True) for v in init]
    opt = make_opt(params)

    def closure():
        opt.zero_grad()
        loss = f(*params)
        loss.backward()
        return loss

    rows = []
    for _ in range(steps):
        if isinstance(opt, O.LBFGS):
            with torch.no_grad():
                rows.append([f(*params).item()] + [p.item() for p in params])
            opt.step(closure)
        else:
            loss = closure()
            rows.append([loss.item()] + [p.item() for p in params])
            opt.step()
    with torch.no_grad():
        rows.append([f(*params).item()] + [p.item() for p in params])
    return rows


def write(path, name, case, rows):
    problem, steps, gl_opt, gl_opts, _ = case
    names, init, _ = PROBLEMS[problem]
    with open(path, "w") as out:
        out.write("# %s: torch %s, float64, made by gen_refs.py --only %s\n" % (name, torch.__version__, name))
        out.write("# problem: %s from %s\n" % (problem, " ".join("%s=%s" % kv for kv in zip(names, init))))
        out.write("# gradlang: %s %s\n" % (gl_opt, gl_opts) if gl_opts else "# gradlang: %s\n" % gl_opt)
        out.write("step,loss," + ",".join(names) + "\n")
        for k, row in enumerate(rows):
            out.write("%d," % k + ",".join("%.17g" % v for v in row) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", action="append", help="case name (repeatable); default: all")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    a = ap.parse_args()
    for name in a.only or CASES:
        if name not in CASES:
            sys.exit("unknown case %s; known: %s" % (name, ", ".join(CASES)))
        case = CASES[name]
        rows = run(case[0], case[1], case[4])
        write(os.path.join(a.out, name + ".csv"), name, case, rows)
        print("%-34s loss %.6g -> %.6g" % (name, rows[0][0], rows[-1][0]))


if __name__ == "__main__":
    main()
