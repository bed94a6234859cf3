"""Presets: the named sets of defaults of ``glassnet train``, ``gn.train_table`` and the scikit-learn estimators.

    default  32 relu units, dropout 0.2, an ensemble of 8 networks trained together, robust scaling, label
             smoothing 0.1 (classification), Adam at 0.005, float32 arithmetic: chosen on the tabular benchmark's
             14 tables (benchmarks/TABULAR.md; docs/tabular.md shows what each ingredient buys)
    quick    one network of 16 tanh units, standard scaling, Adam at 0.01, float64: glassnet 0.1's defaults,
             several times faster (docs/tabular.md), a little less accurate

An option given by name always wins over its preset's value. Label smoothing applies to classification only:
the preset's 0.1 is dropped for a regression target (an explicit ``label_smoothing`` there is refused).
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError

PRESETS: dict[str, dict[str, Any]] = {
    "default": {"hidden": [32], "activation": "relu", "lr": 0.005, "scaling": "robust", "dropout": 0.2,
                "ensemble": 8, "label_smoothing": 0.1, "dtype": "float32"},
    "quick": {"hidden": [16], "activation": "tanh", "lr": 0.01, "scaling": "standard", "dropout": 0.0,
              "ensemble": 1, "label_smoothing": 0.0, "dtype": "float64"},
}


def with_preset(preset: str, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with each value that is None replaced by ``preset``'s (the options it sets, and no others)."""
    if not isinstance(preset, str) or preset not in PRESETS:
        raise InputError(f"--preset must be one of {', '.join(PRESETS)}; got {preset!r}")
    chosen = PRESETS[preset]
    return {k: (chosen[k] if v is None and k in chosen else v) for k, v in options.items()}


def preset_help(name: str) -> str:
    """"default: 32; --preset quick: 16" for ``--help``."""
    shown = {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in
             ((p, PRESETS[p][name]) for p in PRESETS)}
    return f"default: {shown['default']}; --preset quick: {shown['quick']}"
