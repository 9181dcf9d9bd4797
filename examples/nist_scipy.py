"""SciPy's least_squares (methods lm and trf, default options and its
default finite-difference Jacobian) on the NIST StRD problems that
examples/nist.rs sends on stdin as JSON, with the models in gradlang's
syntax. Writes, per problem, [[lm, trf] from start 1, [lm, trf] from
start 2], each the estimated parameters ([] when the fit failed)."""

import json
import sys
import warnings

import numpy as np
from scipy.optimize import least_squares

FUNCTIONS = {"exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos,
             "atan": np.arctan, "pi": np.pi}


def fit(problem, start, method):
    rows = np.array(problem["rows"])
    names = dict(FUNCTIONS)
    if rows.shape[1] == 2:
        names["x"] = rows[:, 1]
    else:
        for k in range(1, rows.shape[1]):
            names[f"x{k}"] = rows[:, k]
    y = np.log(rows[:, 0]) if problem["name"] == "Nelson" else rows[:, 0]
    model = compile(problem["model"].replace("^", "**"), problem["name"], "eval")

    def residual(b):
        scope = dict(names, **{f"b{i + 1}": v for i, v in enumerate(b)})
        with np.errstate(all="ignore"):
            return y - eval(model, {"__builtins__": {}}, scope)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x = least_squares(residual, np.array(start, float), method=method).x
    except Exception:  # a failed fit scores LRE 0
        return []
    return [float(v) for v in x] if np.all(np.isfinite(x)) else []


def main():
    problems = json.load(sys.stdin)
    out = [[[fit(p, s, m) for m in ("lm", "trf")] for s in p["starts"]]
           for p in problems]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
