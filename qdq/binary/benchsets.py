r"""Benchmark instances with known optima, by name: one entry point for comparisons.

``instance(name)`` returns ``(problem, metadata)``; ``metadata["optimum"]`` is in qdq's
convention (the minimum of ζ; for TSPLIB the optimal tour length), with
``metadata["optimum_source"]`` and ``metadata["proven"]`` beside it. Names:

============================  =================================================================
``labs:N``                    LABS, ``E*(N)`` of Packebusch & Mertens (2016), ``N = 3 … 66``
``maxcut3:n[:seed=s]``        Max-Cut of a seeded random 3-regular graph (any ``maxcutD``)
``sk:n[:seed=s]``             Sherrington–Kirkpatrick, Gaussian (``:couplings=pm1`` for ±1)
``bqp50.k``                   Beasley's OR-Library bqp50 instance ``k = 1 … 10`` (n = 50)
``gset:Gk``                   a G-set Max-Cut graph (``G11`` ships; others: ``gset_dir``)
``tsplib:name``               a small TSPLIB instance (burma14, ulysses16, gr17, …)
============================  =================================================================

Random families (``maxcutD``, ``sk``, LABS outside the table) get their optimum by brute
force (:mod:`qdq.binary.exact`) when ``n <= BRUTE_FORCE_MAX_BITS``; nothing is cached on disk.
Sign conventions: OR-Library bqp *maximizes* ``xᵀQx`` and G-set's best values are cuts, so
the qdq problems are ``ζ = −xᵀQx`` and ``ζ = −cut`` and their optima are the negated
published values. Data files and their sources: ``qdq/binary/data/README.md``.

Example:
    >>> problem, meta = instance("labs:8")
    >>> meta["optimum"], meta["optimum_source"], meta["proven"]
    (8.0, 'Packebusch & Mertens 2016', True)
    >>> labs_optimum(13), round(labs_merit_factor(13), 3)      # the Barker sequence
    (6.0, 14.083)
    >>> _, meta = instance("bqp50.1")
    >>> meta["optimum"], meta["orlib_maximum"]
    (-2098.0, 2098)
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

from qdq.errors import ParameterError, ProblemError

#: Folder of the shipped data files.
DATA_DIR = Path(__file__).resolve().parent / "data"
#: Random instances up to this many bits get their optimum by brute force.
BRUTE_FORCE_MAX_BITS = 28
#: Environment variable naming a folder of downloaded G-set files (``G1``, ``G1.rud``, …).
GSET_DIR_ENV = "QDQ_GSET_DIR"
#: Where G-set files can be downloaded.
GSET_URL = "https://web.stanford.edu/~yyye/yyye/Gset/"
#: Largest LABS length built (its polynomial has ~N³/3 terms; N = 100 builds in seconds).
MAX_LABS_N = 128
#: Largest SK instance built (n²/2 couplings).
MAX_SK_N = 1024
_MAX_DATA_BYTES = 1 << 20
_LABS_SOURCE = "Packebusch & Mertens 2016"
_BRUTE = "brute force"


@cache
def _data(name: str) -> dict:
    path = DATA_DIR / name
    try:
        if path.stat().st_size > _MAX_DATA_BYTES:
            raise ProblemError(f"{path} is larger than {_MAX_DATA_BYTES} bytes; reinstall qdq")
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProblemError(f"cannot read qdq's benchmark data {path}: {exc}; reinstall qdq "
                           "(the package data may be missing)") from exc


def _count(what: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ParameterError(f"{what} must be an integer >= {low}, got {value!r}")
    return value


# ----------------------------------------------------------------------------------- LABS
def labs_optimum(N: int) -> float:
    """The optimal LABS energy ``E*(N) = min_s Σ_{k=1}^{N−1} C_k(s)²`` for ``3 ≤ N ≤ 66``.

    ``C_k = Σ_i s_i s_{i+k}``, ``s ∈ {±1}^N``; the values are Table 1 of Packebusch &
    Mertens, "Low autocorrelation binary sequences", J. Phys. A 49 (2016) 165001
    (arXiv:1512.02475), proven optimal by exhaustive branch and bound. This is the minimum
    of :func:`qdq.binary.instances.labs` ``(N)``.

    Raises:
        ParameterError: ``N`` outside ``3 … 66`` (use ``labs(N).exact()`` for small ``N``).

    Example:
        >>> labs_optimum(3), labs_optimum(66)
        (1.0, 257.0)
    """
    table = _data("labs_optima.json")["energies"]
    if isinstance(N, bool) or not isinstance(N, int) or str(N) not in table:
        raise ParameterError(f"the LABS optimum is tabulated for N in 3..66 ({_LABS_SOURCE}), "
                             f"got N={N!r}; compute small cases with "
                             "qdq.binary.instances.labs(N).exact()")
    return float(table[str(N)])


def labs_merit_factor(N: int) -> float:
    """Golay's merit factor of the optimal sequence, ``F*(N) = N² / (2 E*(N))``.

    Example:
        >>> labs_merit_factor(4)
        4.0
    """
    return N * N / (2.0 * labs_optimum(N))


# ------------------------------------------------------------------------------- parsing
_RANDOM = re.compile(r"^(maxcut(?P<d>\d+)|sk):(?P<n>\d+)(?P<opts>(:[a-z]+=[a-z0-9]+)*)$")
_OPTION_KEYS = {"maxcut": ("seed",), "sk": ("seed", "couplings")}


def _options(family: str, text: str, name: str) -> dict[str, str]:
    opts: dict[str, str] = {}
    for part in filter(None, text.split(":")):
        key, value = part.split("=", 1)
        if key not in _OPTION_KEYS[family] or key in opts:
            raise ParameterError(f"{name!r}: option {key!r} is unknown or repeated; "
                                 f"{family} takes {', '.join(_OPTION_KEYS[family])}")
        opts[key] = value
    return opts


def _seed(opts: dict[str, str], name: str) -> int:
    text = opts.get("seed", "0")
    if not text.isdigit():
        raise ParameterError(f"{name!r}: seed must be a non-negative integer, got {text!r}")
    return int(text)


def _brute(problem, compute: bool) -> tuple[float | None, str | None, bool]:
    if not compute:
        return None, "not computed", False
    if problem.num_bits > BRUTE_FORCE_MAX_BITS:
        return None, None, False
    return float(problem.exact().energy), _BRUTE, True


# ------------------------------------------------------------------------------ families
def _labs(N: int, compute: bool):
    from qdq.binary.instances import labs

    problem = labs(N)
    if str(N) in _data("labs_optima.json")["energies"]:
        optimum, source, proven = labs_optimum(N), _LABS_SOURCE, True
    else:
        optimum, source, proven = _brute(problem, compute)
    return problem, {"name": f"labs:{N}", "family": "labs", "num_bits": N, "optimum": optimum,
                     "optimum_source": source, "proven": proven,
                     "merit_factor": None if not optimum else N * N / (2 * optimum)}


def _random(match: re.Match, name: str, compute: bool):
    from qdq.binary.instances import random_regular_maxcut, sk

    n = int(match["n"])
    if match["d"] is not None:
        d = int(match["d"])
        opts = _options("maxcut", match["opts"], name)
        seed = _seed(opts, name)
        problem = random_regular_maxcut(n, d, seed=seed)
        canonical, family, extra = f"maxcut{d}:{n}:seed={seed}", f"maxcut{d}", {"degree": d}
    else:
        if n > MAX_SK_N:
            raise ParameterError(f"{name!r}: SK is built up to n={MAX_SK_N} (n^2/2 couplings), "
                                 f"got n={n}")
        opts = _options("sk", match["opts"], name)
        seed = _seed(opts, name)
        couplings = {"gaussian": "gaussian", "pm1": "pm1"}.get(opts.get("couplings", "gaussian"))
        if couplings is None:
            raise ParameterError(f"{name!r}: couplings must be gaussian or pm1, "
                                 f"got {opts['couplings']!r}")
        problem = sk(n, seed=seed, couplings=couplings)
        canonical = f"sk:{n}:seed={seed}" + ("" if couplings == "gaussian" else ":couplings=pm1")
        family, extra = "sk", {"couplings": couplings}
    optimum, source, proven = _brute(problem, compute)
    return problem, {"name": canonical, "family": family, "num_bits": n, "seed": seed,
                     "optimum": optimum, "optimum_source": source, "proven": proven, **extra}


def _bqp(k: int):
    from qdq.binary.io import read_qubo_file
    from qdq.binary.problem import BinaryProblem

    table = _data("bqp50_optima.json")["maximum"]
    if str(k) not in table:
        raise ParameterError(f"bqp50 has instances 1..10, got {k}")
    # OR-Library maximizes xᵀQx; read_qubo_file already returns ζ = −xᵀQx.
    poly = read_qubo_file(DATA_DIR / "bqp50.txt", instance=k)
    problem = BinaryProblem(poly, num_bits=50, name=f"bqp50.{k}")
    return problem, {"name": f"bqp50.{k}", "family": "bqp50", "num_bits": 50,
                     "optimum": -float(table[str(k)]), "orlib_maximum": int(table[str(k)]),
                     "optimum_source": "OR-Library (Beasley 1998)", "proven": True}


def _gset_dirs(gset_dir) -> list[Path]:
    dirs = [Path(gset_dir)] if gset_dir is not None else []
    if os.environ.get(GSET_DIR_ENV):
        dirs.append(Path(os.environ[GSET_DIR_ENV]))
    return dirs + [DATA_DIR]


def _gset_file(k: int, gset_dir) -> Path | None:
    for folder in _gset_dirs(gset_dir):
        for stem in (f"G{k}", f"g{k}"):
            for suffix in (".rud", "", ".txt"):
                path = folder / f"{stem}{suffix}"
                if path.is_file():
                    return path
    return None


def _gset(k: int, gset_dir):
    from qdq.binary.gset import read_gset

    path = _gset_file(k, gset_dir)
    if path is None:
        raise ParameterError(
            f"the G-set file G{k} is not installed (qdq ships only G11); download G{k} from "
            f"{GSET_URL} and pass gset_dir= or set {GSET_DIR_ENV} to its folder")
    problem, meta = read_gset(path)
    data = _data("gset_best_known.json")
    shape = data["graphs"].get(f"G{k}")
    if shape and [meta["num_nodes"], meta["num_edges"]] != shape:
        raise ProblemError(f"{path} is not the G-set graph G{k}: it has n={meta['num_nodes']}, "
                           f"m={meta['num_edges']}, G{k} has n={shape[0]}, m={shape[1]}")
    best = data["best_known_cut"].get(f"G{k}")
    meta.update({"name": f"gset:G{k}", "family": "gset", "num_bits": meta["num_nodes"],
                 "optimum": None if best is None else -float(best), "best_known_cut": best,
                 "optimum_source": None if best is None else "Benlic & Hao 2013 (best known)",
                 "proven": False})
    problem.name = f"gset-G{k}"
    return problem, meta


def _tsplib(label: str):
    from qdq.binary.tsp import read_tsplib

    data = _data("tsplib_optima.json")
    if label not in data["optimum"]:
        raise ParameterError(f"unknown TSPLIB instance {label!r}; qdq ships "
                             f"{', '.join(sorted(data['optimum']))}")
    inst = read_tsplib(DATA_DIR / f"{label}.tsp")
    tour = data["tours"].get(label)
    n = inst.dimension
    return inst, {"name": f"tsplib:{label}", "family": "tsplib", "num_cities": n,
                  "num_bits": (n - 1) ** 2, "edge_weight_type": inst.edge_weight_type,
                  "optimum": float(data["optimum"][label]), "optimum_source": "TSPLIB",
                  "proven": True,
                  "optimal_tour": None if tour is None else [c - 1 for c in tour]}


# ------------------------------------------------------------------------------ entry points
def instance(name: str, *, compute_optimum: bool = True, gset_dir=None):
    """A benchmark instance and what is known about its optimum.

    Args:
        name: See the module table, e.g. ``"labs:12"``, ``"maxcut3:16:seed=3"``,
            ``"sk:12:seed=0"``, ``"bqp50.1"``, ``"gset:G11"``, ``"tsplib:burma14"``.
        compute_optimum: For random instances, run brute force (``n <= 28``); ``False``
            skips it (``optimum`` is then ``None``).
        gset_dir: A folder holding downloaded G-set files (also ``$QDQ_GSET_DIR``).

    Returns:
        ``(problem, metadata)``: a :class:`~qdq.BinaryProblem` (a
        :class:`~qdq.binary.tsp.TSPLIBInstance` for ``tsplib:``; build its bits with
        :func:`qdq.binary.tsp.tsp`), and a dict with ``name`` (canonical), ``family``,
        ``num_bits``, ``optimum`` (min ζ; TSP: tour length; ``None`` if unknown),
        ``optimum_source`` (``"brute force"``, ``"Packebusch & Mertens 2016"``,
        ``"OR-Library (Beasley 1998)"``, ``"Benlic & Hao 2013 (best known)"``, ``"TSPLIB"``)
        and ``proven``.

    Raises:
        ParameterError: An unknown name (close matches are suggested) or a G-set file that
            is not installed (with the download address).

    Example:
        >>> p, meta = instance("maxcut3:8:seed=1")
        >>> meta["name"], meta["optimum"] == float(p.values.min()), meta["optimum_source"]
        ('maxcut3:8:seed=1', True, 'brute force')
    """
    if not isinstance(name, str):
        raise ParameterError(f"an instance name is a string like 'labs:12', got {name!r}")
    text = name.strip()
    low = text.lower()
    if m := re.fullmatch(r"labs:(\d+)", low):
        N = _count("LABS length N", int(m[1]), 2)
        if N > MAX_LABS_N:
            raise ParameterError(f"labs:{N} is longer than the {MAX_LABS_N} built here (its "
                                 f"polynomial has ~N^3/3 terms); use N <= {MAX_LABS_N}")
        return _labs(N, compute_optimum)
    if m := _RANDOM.fullmatch(low):
        return _random(m, text, compute_optimum)
    if m := re.fullmatch(r"bqp50[.-](\d+)", low):
        return _bqp(int(m[1]))
    if m := re.fullmatch(r"gset:g(\d+)", low):
        return _gset(int(m[1]), gset_dir)
    if m := re.fullmatch(r"tsplib:([a-z0-9]+)", low):
        return _tsplib(m[1])
    choices = list_instances(gset_dir=gset_dir) + ["maxcut3:16:seed=0", "sk:12:seed=0"]
    close = difflib.get_close_matches(low, choices, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    raise ParameterError(f"unknown benchmark instance {name!r}{hint} Names look like "
                         "'labs:12', 'maxcut3:16:seed=3', 'sk:12:seed=0', 'bqp50.1', "
                         "'gset:G11', 'tsplib:burma14' (qdq.binary.benchsets.list_instances())")


def family(name: str, sizes: Sequence[int], *, seed: int = 0, compute_optimum: bool = True
           ) -> Iterator[tuple[object, dict]]:
    """Instances of one family at growing sizes, for scaling studies (lazily, in order).

    ``name`` is ``"labs"``, ``"maxcutD"`` (e.g. ``"maxcut3"``) or ``"sk"``; every size uses
    the same ``seed`` (LABS has none). Each item is :func:`instance`'s ``(problem, meta)``.

    Example:
        >>> [m["optimum"] for _, m in family("labs", [5, 6, 7])]
        [2.0, 7.0, 3.0]
    """
    low = str(name).strip().lower()
    if not re.fullmatch(r"labs|sk|maxcut\d+", low):
        raise ParameterError(f"family must be 'labs', 'maxcutD' (e.g. 'maxcut3') or 'sk', got "
                             f"{name!r}; fixed instances are listed by list_instances()")
    seed = _count("seed", seed, 0)
    sizes = [_count("size", s, 2) for s in sizes]
    for size in sizes:
        label = f"{low}:{size}" if low == "labs" else f"{low}:{size}:seed={seed}"
        yield instance(label, compute_optimum=compute_optimum)


def list_instances(*, gset_dir=None) -> list[str]:
    """Names of the fixed instances available here.

    Random families are not listed: ``maxcutD:n:seed=s`` and ``sk:n:seed=s`` take any size.

    Example:
        >>> names = list_instances()
        >>> names[:2], "bqp50.10" in names, "gset:G11" in names, "tsplib:burma14" in names
        (['labs:3', 'labs:4'], True, True, True)
    """
    labs = sorted(int(n) for n in _data("labs_optima.json")["energies"])
    bqp = sorted(int(k) for k in _data("bqp50_optima.json")["maximum"])
    known = sorted(int(g[1:]) for g in _data("gset_best_known.json")["best_known_cut"])
    gset = [k for k in known if _gset_file(k, gset_dir) is not None]
    tsp = sorted(_data("tsplib_optima.json")["optimum"])
    return ([f"labs:{n}" for n in labs] + [f"bqp50.{k}" for k in bqp]
            + [f"gset:G{k}" for k in gset] + [f"tsplib:{t}" for t in tsp])
