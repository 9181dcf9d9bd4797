#!/usr/bin/env python3
"""Regenerates random.json for tests/random_refs.rs: the draws of randint,
permutation, choice, bernoulli, rand and randn for a few seeds, from
gradlang_rng.py (the generator written again from docs/language.md).

    python3 tests/data/refs/gen_random.py
"""
import json
import os

from gradlang_rng import Rng

# name: (seed, gradlang expression, the same draws from Rng)
CASES = {
    "randint_dice": (0, "randint(1, 7, 12)", lambda r: r.randint(1, 7, 12)),
    "randint_negative": (5, "randint(-50, 50, 2, 5)", lambda r: r.randint(-50, 50, 10)),
    "randint_huge_range": (9, "randint(0, 8000000000000000, 4)", lambda r: r.randint(0, 8000000000000000, 4)),
    "permutation": (1, "permutation(10)", lambda r: r.choose(10, 10)),
    "choice": (2, "choice(100, 7)", lambda r: r.choose(100, 7)),
    "bernoulli": (3, "bernoulli([0, 0.1, 0.5, 0.9, 1, 0.3])",
                  lambda r: r.bernoulli([0, 0.1, 0.5, 0.9, 1, 0.3])),
    "mixed_stream": (4, "hstack(rand(2), randn(3), randint(0, 3, 2), permutation(3))",
                     lambda r: [r.uniform() for _ in range(2)] + [r.normal() for _ in range(3)]
                     + r.randint(0, 3, 2) + r.choose(3, 3)),
}


def exact(v):
    """Whole numbers as JSON integers, which every parser reads exactly."""
    return int(v) if float(v).is_integer() else float(v)


def main():
    out = []
    for name, (seed, expr, f) in CASES.items():
        out.append({"name": name, "seed": seed, "expr": expr, "value": [exact(v) for v in f(Rng(seed))]})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "random.json")
    with open(path, "w") as fh:
        fh.write('{"cases": [\n')
        fh.write(",\n".join("  " + json.dumps(case) for case in out))
        fh.write("\n]}\n")
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
