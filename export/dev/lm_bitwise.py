"""Checks that src/export/runtime_lm.py is gradlang's lm bit for bit when both
get the same residuals and Jacobian: plain arithmetic (+ - * /) computed the
same way in Rust and numpy, so the only thing compared is the port itself
(lm.rs, lm/qr.rs, fit.rs's inverse_normal). From the repository root:

    git apply export/dev/lm_bitwise.patch
    cargo test --release --lib trace_for_export   # writes /tmp/*_trace_rust.txt
    git checkout src/optim/lm.rs src/eval/fit.rs
    target/jax-venv/bin/python export/dev/lm_bitwise.py [NIST_FOLDER]

The patch adds two throwaway tests (never committed) that print each lm step's
params and status (MGH09 from both NIST starts, and a rank-deficient fit on
its data), and inverse_normal's output on five Jacobians, as f64 bits.
"""

import os
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NIST = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/nist"
R = {}
source = "".join(
    open(os.path.join(ROOT, "src", "export", f)).read() + "\n"
    for f in ["runtime.py", "runtime_ops.py", "runtime_optim.py", "runtime_second.py", "runtime_lm.py"]
)
exec(compile(source, "runtime", "exec"), R)


def bits(v):
    return "nan" if np.isnan(v) else "%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]


def model(which, b, x, y):
    """The residuals and Jacobian as the patch's Rust computes them."""
    if which == 0:
        num = x * x + x * b[1]
        den = x * x + x * b[2] + b[3]
        dd = den * den
        J = np.stack([-num / den, -b[0] * x / den, b[0] * num * x / dd, b[0] * num / dd], axis=1)
        return y - b[0] * num / den, J
    return y - (b[0] + b[1]) * x - b[2], np.stack([-x, -x, -np.ones_like(x)], axis=1)


def lm_trace():
    data = np.loadtxt(os.path.join(NIST, "csv", "MGH09.csv"), delimiter=",", skiprows=1)
    y, x = data[:, 0], data[:, 1]
    out = []
    for which, start in [(0, [25.0, 39.0, 41.5, 39.0]), (0, [0.25, 0.39, 0.415, 0.39]), (1, [1.0, 2.0, 0.5])]:
        s = R["_LmState"](len(start), 1e-14, 1e-14, 1e-14, 100.0, None)
        b = np.array(start)

        def trial_norm(t):
            v = model(which, t, x, y)[0]
            return R["_enorm"](v) if np.all(np.isfinite(v)) else np.inf

        for k in range(5000):
            r, J = model(which, b, x, y)
            b, why = R["_lm_step"](s, b, r, J, trial_norm)
            status = "Continue" if why is None else 'Stopped("%s")' % why
            out.append("%d %d %s %s" % (which, k, ",".join(bits(v) for v in b), status))
            if why is not None:
                break
    return out


def covariance_trace():
    m3 = [((r * 7 + c * 3) % 11) / 7.0 + (r * 0.3) ** c for r, c in (divmod(i, 4) for i in range(60))]
    m4 = []
    for i in range(40):
        r, c = divmod(i, 4)
        t = r * 0.5 + 1.0
        m4.append([t, 1.0, 2.0 * t + 3.0, t * t][c])
    mats = [
        ([1.0, 0.0, 1.0, 1.0, 1.0, 2.0], 3, 2),
        ([1.0, 0.0, 1.0, 2.0, 1.0, 2.0, 3.0, 0.0, 3.0, 1.0, 1.0, 1.0], 4, 3),
        (m3, 15, 4),
        (m4, 10, 4),
        ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3),
    ]
    out = []
    for J, n, k in mats:
        cov, dependent, rank = R["_covariance"](np.array(J), n, k)
        out.append("%s %s %d" % (",".join(bits(v) for v in cov.reshape(-1)), dependent, rank))
    return out


def main():
    ok = True
    for name, lines in [("lm", lm_trace()), ("cov", covariance_trace())]:
        want = open("/tmp/%s_trace_rust.txt" % name).read().splitlines()
        same = want == lines
        ok &= same
        first = next((i for i, (a, b) in enumerate(zip(want, lines)) if a != b), min(len(want), len(lines)))
        print("%s: %d lines, %s" % (name, len(want), "identical" if same else "first difference at line %d" % (first + 1)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
