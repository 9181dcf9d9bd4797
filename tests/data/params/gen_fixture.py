#!/usr/bin/env python3
"""Writes fixture.safetensors with Python's `safetensors` package, once.

    python -m venv venv && venv/bin/pip install safetensors numpy
    venv/bin/python tests/data/params/gen_fixture.py

tests/params_file.rs loads it and checks every value against the formulas
below, and tests/errors/E0242_*.gl load it into scripts whose params do not
match. The values are exact in float64 (k / 8) or chosen to be exact in
float32, so the check needs no tolerance.
"""
import os

import numpy as np
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))

tensors = {
    # W[i, j] = (3 i + j) / 8
    "W": (np.arange(6, dtype=np.float64).reshape(2, 3) / 8),
    # a 0-d tensor: a scalar param
    "b": np.array(-1.25, dtype=np.float64),
    # float32 values that are exact in float32: read as f64 unchanged
    "v": np.array([0.5, -2.0, 3.75], dtype=np.float32),
    # a name no param in the tests has
    "extra": np.zeros((2, 2), dtype=np.float64),
}
save_file(tensors, os.path.join(HERE, "fixture.safetensors"))
