"""Optimizers on sklearn's 8×8 digits: optax's five, QbO (Seok & Cho) and two-loop(Adam).

Tests Seok & Cho's claim that quantization-based optimization gives "2–3 % higher
accuracy" on image classification, at this small scale. For each model (logistic
regression, a 64-unit MLP, a tiny CNN; :mod:`qdq.training.digits`) and optimizer — SGD,
SGD + momentum 0.9, Adam, AdamW (weight decay 1e-4), RMSProp, ``qdq.optax.qbo`` (quantized
SGD; ``Q`` doubles every epoch, ``Q₀`` from the first update) and
``qdq.optax.two_loop(adam)`` (noise ``√(2·D·lr)``, ``D₀ = lr/2`` halved over 5 levels in
the first half of training, then plain Adam) — the learning rate is chosen from one shared
grid by the final **validation** loss (split and init seed 0), then the model is trained with
evaluation seeds 1..S (each its own split, initial weights, batch order and optimizer noise).
Every run takes the same number of minibatch gradients. Prints a Markdown table of test
accuracy and loss (mean ± 95 % t-interval over seeds) and the paired accuracy difference
of QbO and two-loop against the best optax optimizer of each model.

    .venv/bin/python bench/digits_training.py --quick                 # logistic, ~1 min
    .venv/bin/python bench/digits_training.py --models logistic,mlp    # ~8 min on 2 cores
    .venv/bin/python bench/digits_training.py                          # + the CNN
    .venv/bin/python bench/digits_training.py --curves curves.json     # + per-epoch curves
    .venv/bin/python bench/digits_training.py --plot curves.json docs/digits_curves.png

A tuned learning rate at either end of the grid is marked ``(edge)``: the grid may be too
narrow for that optimizer.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import optax

from qdq.compare.metrics import mean_interval
from qdq.files import atomic_write_json
from qdq.optax import qbo, two_loop
from qdq.training.digits import MODELS, load_digits_split, train, tune_learning_rate

GRID = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0]
OPTAX = ["sgd", "momentum", "adam", "adamw", "rmsprop"]
OURS = ["qbo", "two_loop(adam)"]


def make(name: str, lr: float, *, steps_per_epoch: int, total_steps: int, seed: int):
    """The optimizer ``name`` at learning rate ``lr`` (``seed``: its own noise, if any)."""
    if name == "sgd":
        return optax.sgd(lr)
    if name == "momentum":
        return optax.sgd(lr, momentum=0.9)
    if name == "adam":
        return optax.adam(lr)
    if name == "adamw":
        return optax.adamw(lr, weight_decay=1e-4)
    if name == "rmsprop":
        return optax.rmsprop(lr)
    if name == "qbo":
        return qbo(lr, steps_per_level=steps_per_epoch, seed=seed)
    if name == "two_loop(adam)":
        levels = 5
        return two_loop(optax.adam(lr), levels=levels,
                        steps_per_level=max(1, total_steps // (2 * levels)),
                        learning_rate=lr, seed=seed)
    raise ValueError(name)


def ci(values) -> tuple[float, float]:
    """Mean and the half-width of its 95 % t-interval (NaN for one value)."""
    mean, half = mean_interval(values)
    return mean, float("nan") if half is None else half


def run_model(model_name: str, *, seeds: int, epochs: int, batch_size: int, grid) -> list:
    model = MODELS[model_name]()
    tune_data = load_digits_split(0)
    spe = len(tune_data.y_train) // batch_size
    kw = dict(steps_per_epoch=spe, total_steps=spe * epochs)
    data = {s: load_digits_split(s) for s in range(1, seeds + 1)}
    rows = []
    for name in OPTAX + OURS:
        t0 = time.perf_counter()
        cache = {}

        def factory(lr, name=name, cache=cache):
            return cache.setdefault(lr, make(name, lr, seed=0, **kw))

        lr, scores = tune_learning_rate(model, factory, grid, tune_data, epochs=epochs,
                                        batch_size=batch_size, seed=0)
        results = []
        for s in range(1, seeds + 1):
            opt = factory(lr) if name in OPTAX else make(name, lr, seed=s, **kw)
            results.append(train(model, opt, data[s], epochs=epochs, batch_size=batch_size,
                                 seed=s))
        rows.append(dict(model=model.name, optimizer=name, lr=lr,
                         edge=lr in (min(grid), max(grid)),
                         curves={k: [r["history"][k] for r in results]
                                 for k in ("val_loss", "val_accuracy")},
                         acc=[r["test_accuracy"] for r in results],
                         loss=[r["test_loss"] for r in results],
                         grad_evals=results[0]["grad_evals"],
                         seconds=time.perf_counter() - t0))
        print(f"  {model.name:8s} {name:15s} lr={lr:<6g} acc={np.mean(rows[-1]['acc']):.4f} "
              f"({rows[-1]['seconds']:.0f} s)", flush=True)
    return rows


def table(rows: list) -> str:
    out = ["| model | optimizer | tuned lr | test accuracy | test loss | gradient evals |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        a, da = ci(r["acc"])
        lo, dl = ci(r["loss"])
        edge = " (edge)" if r.get("edge") else ""
        out.append(f"| {r['model']} | {r['optimizer']} | {r['lr']:g}{edge} | {a:.4f} ± {da:.4f} "
                   f"| {lo:.4f} ± {dl:.4f} | {r['grad_evals']} |")
    out += ["", "| model | ours | best optax (by mean acc) | paired accuracy difference |",
            "|---|---|---|---|"]
    for m in dict.fromkeys(r["model"] for r in rows):
        mine = [r for r in rows if r["model"] == m]
        best = max((r for r in mine if r["optimizer"] in OPTAX),
                   key=lambda r: np.mean(r["acc"]))
        for r in mine:
            if r["optimizer"] in OURS:
                d, dd = ci(np.subtract(r["acc"], best["acc"]))
                out.append(f"| {m} | {r['optimizer']} | {best['optimizer']} | "
                           f"{100 * d:+.2f} ± {100 * dd:.2f} points |")
    return "\n".join(out)


def plot(curves_json: str, png: str) -> None:
    """Mean validation accuracy per epoch (band: ± one standard error over seeds).

    AdamW is left out: at weight decay 1e-4 its curves are Adam's to the pixel.
    """
    import json

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(curves_json, encoding="utf-8") as fh:
        rows = json.load(fh)
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, axes = plt.subplots(1, len(models), figsize=(4.2 * len(models), 3.4), squeeze=False)
    for ax, m in zip(axes[0], models, strict=True):
        for r in (r for r in rows if r["model"] == m and r["optimizer"] != "adamw"):
            acc = np.asarray(r["curves"]["val_accuracy"], dtype=float)
            mean, se = acc.mean(0), acc.std(0, ddof=1) / np.sqrt(len(acc))
            epochs = np.arange(1, len(mean) + 1)
            style = "-" if r["optimizer"] in OURS else ":"
            ax.plot(epochs, mean, style, label=f"{r['optimizer']} ({r['lr']:g})")
            ax.fill_between(epochs, mean - se, mean + se, alpha=0.15)
        ax.set(title=f"{m} (tuned lr)", xlabel="epoch", ylim=(0.85, 1.0))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6, loc="lower right")
    seeds = len(rows[0]["curves"]["val_accuracy"])
    axes[0][0].set_ylabel(f"validation accuracy (mean ± s.e., {seeds} seeds)")
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="logistic,mlp,cnn")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--quick", action="store_true",
                    help="logistic only, 3 seeds, 5 epochs, grid {1e-2, 1e-1}")
    ap.add_argument("--curves", default=None,
                    help="write per-seed validation curves (JSON) to this file")
    ap.add_argument("--plot", nargs=2, metavar=("CURVES_JSON", "PNG"), default=None,
                    help="only plot the curves of an earlier --curves run")
    args = ap.parse_args(argv)
    if args.plot:
        plot(*args.plot)
        return
    models, seeds, epochs, grid = args.models.split(","), args.seeds, args.epochs, GRID
    if args.quick:
        models, seeds, epochs, grid = ["logistic"], 3, 5, [1e-2, 1e-1]
    t0 = time.perf_counter()
    rows = []
    for m in models:
        rows += run_model(m, seeds=seeds, epochs=epochs, batch_size=args.batch_size,
                          grid=grid)
    print(f"\ndigits (1797 images: 1077 train / 360 validation / 360 test), {epochs} "
          f"epochs, batch {args.batch_size}, {seeds} seeds, lr grid {grid} "
          f"({time.perf_counter() - t0:.0f} s)\n")
    print(table(rows))
    if args.curves:
        atomic_write_json(args.curves, [{k: r[k] for k in ("model", "optimizer", "lr",
                                                            "curves", "acc", "loss")}
                                        for r in rows])


if __name__ == "__main__":
    main()
