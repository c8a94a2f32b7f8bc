r"""Tables of a binary study, and the published scaling figures to set beside them.

:func:`study_markdown` renders :class:`~qdq.compare.binary_study.BinaryStudy`: one row per
(size, method) at its best setting — success per attempt, TTS99 with its interval in the
method's own unit and in CPU seconds (classical) or CX gates (quantum) — then the fitted
bases ``b`` of ``TTS ≈ a·bⁿ`` with intervals, then :data:`PUBLISHED`.

Example:
    >>> PUBLISHED["labs"][0]["base"], PUBLISHED["labs"][0]["method"]
    (1.46, 'QAOA p = 12, fixed angles')
"""

from __future__ import annotations

import math

from qdq.compare.ttstable import number_text
from qdq.redact import printable

__all__ = ["PUBLISHED", "figure", "published_markdown", "study_markdown"]

_SHAYDULIN = ("Shaydulin et al., \"Evidence of scaling advantage for the quantum approximate "
              "optimization algorithm on a classically intractable problem\", Sci. Adv. 10, "
              "eadm6761 (2024), arXiv:2308.02342")

#: Published TTS scaling bases ``b`` (``TTS ∝ bᴺ``) per family, with their source.
PUBLISHED: dict[str, list[dict]] = {
    "labs": [
        {"method": "QAOA p = 12, fixed angles", "base": 1.46, "unit": "shots (1/p)",
         "source": _SHAYDULIN,
         "note": "noiseless simulation; angles from Fourier reparameterization averaged "
                 "over small N"},
        {"method": "QAOA p = 12 + quantum minimum finding", "base": 1.21,
         "unit": "oracle calls", "source": _SHAYDULIN,
         "note": "a fault-tolerant algorithm (Grover-type search seeded by QAOA); not "
                 "simulated by qdq"},
        {"method": "memetic tabu search (MTS)", "base": 1.34, "unit": "time to solution",
         "source": _SHAYDULIN, "note": "the best classical heuristic they compare with"},
    ],
}


def _tts(p: dict) -> str:
    if p["kind"] == "quantum":
        return number_text(p["units"]["shots"])
    if math.isinf(p["tts"]):
        return f"∞ (> {number_text(p['low'])})"
    if p["kind"] == "quantum" or p["low"] == p["high"]:
        return number_text(p["tts"])
    return f"{number_text(p['tts'])} [{number_text(p['low'])}, {number_text(p['high'])}]"


def _setting(p: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in p["setting"].items()) or "–"


def study_markdown(study) -> str:
    """Markdown: the best-setting points, the fits, and the published figures."""
    lines = ["| n | method | setting | p per attempt | TTS99 [95 % CI] | unit | "
             "TTS99 in CPU s | TTS99 in CX | TTS99 fault-tolerant s |",
             "|---|---|---|---|---|---|---|---|---|"]
    # quantum rows: TTS99 in shots (exact p: no interval), and in CX (their primary unit)
    for p in study.points():
        u = p["units"]
        lines.append(f"| {p['n']} | {printable(p['method'])} | {printable(_setting(p))} | "
                     f"{number_text(p['p'])} | {_tts(p)} | "
                     f"{'shots' if p['kind'] == 'quantum' else p['unit']} | "
                     f"{number_text(u.get('cpu_s'))} | "
                     f"{number_text(u.get('cx'))} | {number_text(u.get('ft_s'))} |")
    out = ["### Time to solution at each method's best setting", "", *lines, ""]
    fits = study.fits()
    shot_fits = study.fits("shots")
    if fits:
        out += ["### Fitted TTS99 ≈ a·bⁿ", "",
                "Each method in its own unit (quantum: CX gates, the setting chosen by gates); "
                "the quantum methods again in shots at the same settings.", "",
                "| family | method | b [95 % CI] | unit | sizes used | sizes with TTS = ∞ |",
                "|---|---|---|---|---|---|"]
        for f in fits + shot_fits:
            ci = (f"[{number_text(f['base_low'])}, {number_text(f['base_high'])}]"
                  if f["base_low"] is not None else "(no interval)")
            out.append(f"| {printable(f['family'])} | {printable(f['method'])} | "
                       f"{number_text(f['base'], '.3f')} {ci} | {f['unit']} | "
                       f"{', '.join(map(str, f['sizes']))} | "
                       f"{', '.join(map(str, f['excluded'])) or '–'} |")
        out.append("")
    out += ["### Set-up cost", "",
            "- The emulator tabulates ζ at all 2ⁿ bitstrings to evolve the state — that table "
            "is itself an exhaustive search (the `exact` row). On hardware the cost layer is "
            "the polynomial's terms (the CX column), with no table.",
            "- Each instance's optimum comes from "
            + ", ".join(sorted({printable(str(i.get("source"))) for i in study.instances}))
            + "."]
    for p_, a in sorted((study.info.get("angles") or {}).items()):
        how = (f"trained at n = {a['n_train']} (Adam on ⟨ζ⟩, state vector)" if a["trained"]
               else f"the linear ramp (JAX not installed), n = {a['n_train']}")
        out.append(f"- QAOA p = {p_}: angles {how}; every other size reuses them (γ in units "
                   "of 1/σ_ζ).")
    out.append("")
    families = {i["family"] for i in study.instances}
    for fam in sorted(families & set(PUBLISHED)):
        out += [published_markdown(fam), ""]
    return "\n".join(out)


def published_markdown(family: str) -> str:
    """The published scaling figures of ``family`` as a Markdown table.

    Example:
        >>> print(published_markdown("labs").splitlines()[2])
        | QAOA p = 12, fixed angles | 1.46 | shots (1/p) | noiseless simulation; ...
    """
    rows = PUBLISHED.get(family, [])
    out = ["| published method | b | unit | note |", "|---|---|---|---|"]
    out += [f"| {r['method']} | {r['base']} | {r['unit']} | {r['note']} |" for r in rows]
    if rows:
        out.append(f"\nSource: {rows[0]['source']}.")
    return "\n".join(out)


def figure(study, unit_key: str | None = None):
    """TTS99 vs ``n`` on a log axis, one line per method (fitted ``a·bⁿ`` dashed).

    Each method is drawn in its own unit (shots or evaluations); the legend says which.
    """
    from qdq.compare.figures import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    pts = study.points()
    fits = {(f["family"], f["method"]): f for f in study.fits()}
    for m in dict.fromkeys(p["method"] for p in pts):
        line = sorted((p for p in pts if p["method"] == m and math.isfinite(p["tts"])),
                      key=lambda p: p["n"])
        if not line:
            continue
        ns = [p["n"] for p in line]
        ys = [p["tts"] for p in line]
        err = [[y - p["low"] for y, p in zip(ys, line, strict=True)],
               [(p["high"] - y) if math.isfinite(p["high"]) else 0.0
                for y, p in zip(ys, line, strict=True)]]
        f = fits.get((line[0]["family"], m))
        label = f"{m} ({line[0]['unit']})"
        if f and f["base"] is not None:
            label += f", b = {f['base']:.2f}"
        h = ax.errorbar(ns, ys, yerr=err, marker="o", capsize=3, label=label)
        if f and f["base"] is not None and len(ns) >= 2:
            slope = math.log(f["base"])
            c = sum(math.log(y) - slope * n for n, y in zip(ns, ys, strict=True)) / len(ns)
            ax.plot(ns, [math.exp(c + slope * n) for n in ns], "--",
                    color=h.lines[0].get_color(), alpha=0.6)
    ax.set_yscale("log")
    ax.set_xlabel("n (bits)")
    ax.set_ylabel("TTS99 (each method's unit)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return fig
