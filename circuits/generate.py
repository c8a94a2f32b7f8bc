"""Regenerate qdq's library of reference circuits (OpenQASM 3) and circuits/manifest.json.

Usage (from the repository root, with the project's virtual environment)::

    .venv/bin/python circuits/generate.py            # (re)write circuits/*.qasm, manifest.json
    .venv/bin/python circuits/generate.py --check    # exit 1 if anything is missing or stale
    .venv/bin/python circuits/generate.py --out DIR  # write somewhere else

Each canonical problem (a tilted 1-D double well, the harmonic oscillator, 2-D Rastrigin on
3+3 qubits) is exported in three variants: real-time (Strang), imaginary-time (the
*fresh-ancilla* probabilistic circuit: one ancilla per non-unitary block, plain unitary,
ancillas measured at the end into ``post``, postselect ``post == 0``) and an anneal with
linear schedules. Circuits are built by qdq (``qdq.build_circuit`` /
``qdq.circuits.imaginary.build_imaginary_circuit``), transpiled to the basis
``rz, sx, x, cx`` (``optimization_level=1``, no coupling map, so qubit order is kept) and
written with ``qiskit.qasm3.dumps``. Expected grid probabilities come from qdq's FFT
emulator (an independent interpreter of the same product formula), rounded to 1e-12.

The output is deterministic. ``--check`` regenerates in memory and compares with the files
on disk: text must match, except that numeric literals may differ by 1e-9 (relative) so
that last-bit differences between machines' libm do not count as changes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np

import qdq
from qdq import schedules

HERE = Path(__file__).resolve().parent
BASIS = ["rz", "sx", "x", "cx"]
OPTIMIZATION_LEVEL = 1
SEED_TRANSPILER = 0
PROB_DECIMALS = 12
FORMAT = "qdq-reference-circuits/1"

PROBLEMS = {
    "double_well": {
        "description": "tilted 1-D double well; global minimum in the left well",
        "objective": "x**4 - 2*x**2 + 0.4*x",
        "bounds": [(-2.0, 2.0)],
        "qubits": [5],
    },
    "harmonic": {
        "description": "1-D harmonic oscillator zeta = x^2/2 (omega = sqrt(2*D))",
        "objective": "0.5*x**2",
        "bounds": [(-4.0, 4.0)],
        "qubits": [5],
    },
    "rastrigin2d": {
        "description": "2-D Rastrigin on [-5.12, 5.12)^2, 3+3 qubits; minimum 0 at (0, 0)",
        "objective": "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)",
        "bounds": [(-5.12, 5.12), (-5.12, 5.12)],
        "qubits": [3, 3],
    },
}

#: (problem, variant) -> evolution parameters. ``initial`` is "uniform" or a packet dict.
VARIANTS = {
    ("double_well", "real"): dict(D=0.1, time=1.0, steps=6, order=2, initial="uniform"),
    ("double_well", "imag"): dict(D=0.1, time=1.0, steps=3, order=1, initial="uniform"),
    ("double_well", "anneal"): dict(D=0.5, time=4.0, steps=8, order=1, initial="uniform"),
    ("harmonic", "real"): dict(D=0.5, time=1.5, steps=8, order=2,
                               initial={"center": 1.5, "width": 0.5, "momentum": 0.0}),
    ("harmonic", "imag"): dict(D=0.5, time=1.0, steps=3, order=2, initial="uniform"),
    ("harmonic", "anneal"): dict(D=0.5, time=4.0, steps=8, order=1, initial="uniform"),
    ("rastrigin2d", "real"): dict(D=0.5, time=0.3, steps=4, order=2, initial="uniform"),
    ("rastrigin2d", "imag"): dict(D=0.1, time=0.3, steps=2, order=1, initial="uniform"),
    ("rastrigin2d", "anneal"): dict(D=0.5, time=2.0, steps=6, order=1, initial="uniform"),
}

#: Anneal schedules (kinetic weight falls, potential weight rises, linearly over ``time``).
KINETIC = dict(start=1.0, end=0.1)
POTENTIAL = dict(start=0.1, end=1.0)


def make_problem(name: str) -> qdq.Problem:
    p = PROBLEMS[name]
    return qdq.Problem(p["objective"], bounds=p["bounds"], qubits=p["qubits"], name=name)


def make_spec(problem: str, variant: str):
    """The qdq evolution spec of one library entry."""
    par = VARIANTS[(problem, variant)]
    p = make_problem(problem)
    initial = par["initial"]
    if isinstance(initial, dict):
        initial = qdq.GaussianPacket(**initial)
    common = dict(time=par["time"], steps=par["steps"], order=par["order"], initial=initial)
    if variant == "real":
        return qdq.RealTime(qdq.Hamiltonian(p, D=par["D"]), **common)
    if variant == "imag":
        return qdq.ImaginaryTime(qdq.Hamiltonian(p, D=par["D"]), **common)
    a = schedules.linear(**KINETIC, time=par["time"])
    b = schedules.linear(**POTENTIAL, time=par["time"])
    return qdq.Anneal(p, D=par["D"], kinetic_weight=a, potential_weight=b, **common)


def build(spec):
    """qdq's circuit with final measurements (fresh ancillas for imaginary time)."""
    if spec.time_axis == "imaginary":
        from qdq.circuits.imaginary import build_imaginary_circuit

        return build_imaginary_circuit(spec, ancillas="fresh", measure=True)
    return qdq.build_circuit(spec, measure=True)


def export(qc):
    """``(transpiled circuit, OpenQASM 3 text)`` in the standard basis."""
    from qiskit import qasm3, transpile

    tqc = transpile(qc, basis_gates=BASIS, optimization_level=OPTIMIZATION_LEVEL,
                    seed_transpiler=SEED_TRANSPILER)
    return tqc, qasm3.dumps(tqc)


def _rounded(a: np.ndarray) -> list:
    return np.round(np.asarray(a, dtype=float), PROB_DECIMALS).tolist()


def layout(spec, tqc) -> dict:
    grid = spec.grid
    regs = []
    for d in range(grid.dims):
        lo, hi = grid.bounds[d]
        regs.append({
            "name": f"x{d}", "dimension": d, "qubits": grid.register(d),
            "bit_order": f"x{d}[i] is bit i of the grid index j_{d} (little-endian)",
            "N": grid.shape[d], "low": lo, "high": hi, "spacing": grid.spacing[d],
            "points": f"x_{d} = low + j_{d} * spacing, j_{d} = 0..N-1 (periodic)",
        })
    names = [r.name for r in tqc.qregs]
    anc = None
    if "anc" in names:
        reg = tqc.qregs[names.index("anc")]
        anc = {"name": "anc", "qubits": [tqc.find_bit(q).index for q in reg]}
    return {
        "grid_registers": regs,
        "ancilla_register": anc,
        "classical": {r.name: r.size for r in tqc.cregs},
        "statevector_index": "i = sum_d j_d * 2**offset_d (+ ancilla bits above the grid)",
        "probabilities_indexing": "[j_0][j_1]... (dimension 0 first)",
    }


def entry(problem: str, variant: str) -> tuple[str, str, dict]:
    """``(file name, QASM text, manifest record)`` of one library circuit."""
    spec = make_spec(problem, variant)
    qc = build(spec)
    tqc, text = export(qc)
    ref = qdq.run(spec, backend="emulator")
    fname = f"{problem}_{variant}.qasm"
    ops = {k: int(v) for k, v in sorted(tqc.count_ops().items())}
    par = dict(VARIANTS[(problem, variant)])
    par["method"] = spec.method
    par["product_formula_factors"] = spec.product_formula().counts()
    if variant == "anneal":
        par["kinetic_weight"] = repr(spec.kinetic_weight)
        par["potential_weight"] = repr(spec.potential_weight)
        par["hamiltonian"] = "H(t) = a(t) * (-D d^2/dx^2) + b(t) * zeta(x)"
    else:
        par["hamiltonian"] = "H = -D d^2/dx^2 + zeta(x)"
    post = None
    if spec.time_axis == "imaginary":
        post = {
            "register": "post",
            "accept_if": "every bit of post is 0 (all ancillas measured |0>)",
            "statevector": "project the qubits of register anc on |0...0>, then renormalize",
            "blocks": int(tqc.cregs[[r.name for r in tqc.cregs].index("post")].size),
            "note": "probabilities are conditional on acceptance; success_probability is "
                    "the acceptance probability P(post == 0)",
        }
    record = {
        "file": fname,
        "problem": {"name": problem, **{k: v for k, v in PROBLEMS[problem].items()}},
        "variant": variant,
        "parameters": par,
        "layout": layout(spec, tqc),
        "postselection": post,
        "num_qubits": tqc.num_qubits,
        "num_clbits": tqc.num_clbits,
        "cx_count": ops.get("cx", 0),
        "ops": ops,
        "depth": tqc.depth(),
        "expected": {
            "source": "qdq FFT emulator (same product formula), rounded to 1e-12",
            "probabilities": _rounded(ref.probabilities),
            "success_probability": float(ref.success_probability),
        },
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }
    return fname, text, record


def generate() -> dict[str, str]:
    """All library files as ``{file name: text}`` (manifest.json included)."""
    from qiskit import __version__ as qiskit_version

    files: dict[str, str] = {}
    records = []
    for problem in PROBLEMS:
        for variant in ("real", "imag", "anneal"):
            fname, text, record = entry(problem, variant)
            files[fname] = text
            records.append(record)
    manifest = {
        "format": FORMAT,
        "generator": "python circuits/generate.py",
        "export": {"basis_gates": BASIS, "optimization_level": OPTIMIZATION_LEVEL,
                   "seed_transpiler": SEED_TRANSPILER, "qasm": "OpenQASM 3 (qiskit.qasm3.dumps)",
                   "qiskit_major": int(qiskit_version.split(".")[0])},
        "conventions": {
            "grid": "N = 2**n points per dimension, x_j = low + j*h, h = (high-low)/N, periodic",
            "kinetic": "D k^2 with k = 2*pi*fftfreq(N, h); QFTGate = sqrt(N)*ifft",
            "qubit_order": "dimension d on qubits offset_d.., qubit offset_d = LSB of j_d",
            "measurement": "register m holds the grid qubits in order (m[i] = qubit i); "
                           "Qiskit count keys are big-endian strings",
            "global_phase": "not exported (irrelevant to every probability here)",
        },
        "circuits": records,
    }
    files["manifest.json"] = json.dumps(manifest, indent=1, sort_keys=False) + "\n"
    return files


_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
#: The manifest's hashes of the QASM texts: compared through the texts themselves (a last-bit
#: libm difference in an angle changes the hash, not the circuit).
_SHA = re.compile(r'"sha256": "[0-9a-f]{64}"')


def same_text(a: str, b: str, *, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    """Equal, or equal up to numeric literals within ``rtol``/``atol``."""
    if a == b:
        return True
    if _NUMBER.sub("#", a) != _NUMBER.sub("#", b):
        return False
    xs = [float(v) for v in _NUMBER.findall(a)]
    ys = [float(v) for v in _NUMBER.findall(b)]
    return len(xs) == len(ys) and bool(np.allclose(xs, ys, rtol=rtol, atol=atol))


def check(directory: Path, files: dict[str, str] | None = None) -> list[str]:
    """Files in ``directory`` that are missing, stale, or unexpected (``*.qasm`` not generated).

    ``files`` is the expected content (default: :func:`generate`).
    """
    files = generate() if files is None else files
    bad = []
    for name, text in files.items():
        path = directory / name
        if not path.exists():
            bad.append(f"{name} (missing)")
        elif not same_text(_SHA.sub('"sha256": ""', path.read_text()),
                           _SHA.sub('"sha256": ""', text)):
            bad.append(f"{name} (out of date)")
    for path in sorted(directory.glob("*.qasm")):
        if path.name not in files:
            bad.append(f"{path.name} (not generated by this script)")
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="verify that the files on disk are up to date (exit 1 if not)")
    parser.add_argument("--out", type=Path, default=HERE, help="output directory")
    args = parser.parse_args(argv)
    if args.check:
        bad = check(args.out)
        if bad:
            print("out of date: " + ", ".join(bad)
                  + "\nrun `.venv/bin/python circuits/generate.py`")
            return 1
        print(f"circuits up to date in {args.out}")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in generate().items():
        (args.out / name).write_text(text)
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
