"""Theory grids behind the site's explorables, from the project's own functions.

Each explorable is a set of curves drawn in the browser from a precomputed grid, so the
page needs no kernel and no network.  This module computes the grids (only through
public ``thermo_helpers`` names), and writes each one as a plain ``<script>`` file that
sets ``window.THERMO_EXPLORABLES[name]`` (no ES module and no ``fetch``, so the page
works from ``file://``).  The Sphinx extension ``explorables`` (same folder) caches the
files and copies them into the HTML output.

Grid layout
-----------
Every numeric table is stored as little-endian float32 in base64 (``{"b64", "shape"}``);
float32 keeps 7 significant digits, far inside the 1e-3 relative accuracy the curves
need, at 4 bytes a number.  Non-finite values (a diverging variance) are stored as
``inf``/``nan`` and drawn as gaps.

* ``double_descent``: bias ``B`` and variance ``V`` of random-features ridge regression
  over (activation, psi2, lambda, N/n).  With ``F1 = 1`` and ``tau^2 = 1 / SNR`` the
  test error is ``B + V / SNR`` exactly, so the SNR control needs no grid of its own
  except for ``lambda_c``, which is tabulated over (activation, psi2, SNR).
* ``max_margin``: the limiting margin and test error over (psi2, flip, psi1) with the
  separability threshold psi1* of each (psi2, flip); psi1 runs from just above psi1* to
  100, and the psi1 -> infinity limit is evaluated at psi1 = 1e6.
* ``representation``: the RF, NT and NN limiting risks over (spectrum exponent, psi1)
  for ``B`` with eigenvalues ``k^-a``, ``k = 1..d``, at the talk's ``d = 450``.

To add a control, add its axis to the explorable's ``SPECS`` entry, loop over it in the
``_compute_*`` function (the table gains one dimension) and declare it in ``controls``;
``book/_explorables/explorables.js`` then builds the widget from ``controls`` and the
explorable's ``draw`` function reads the new index.  The cache key hashes the spec,
this file and the theory modules, so the next build recomputes the grid.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SEED = 20191121  # the talk's date; seeds the representation targets' eigenbases

#: The grid of every explorable.  Changing a value changes the cache key.
SPECS: dict[str, dict] = {
    "double_descent": {
        "activations": ["relu", "tanh", "erf"],
        "ratios": {
            "lo": 0.05,
            "hi": 20.0,
            "num": 120,
        },  # N / n, log-spaced (1 itself excluded)
        "psi2": [0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0],
        "lam_decades": {
            "lo": -6,
            "hi": 1,
            "per_decade": 4,
        },  # plus lambda = 0 (ridgeless)
        "snr_decades": {"lo": -1, "hi": 2, "per_decade": 8},
    },
    "max_margin": {
        "psi2": [0.5, 1.0, 2.0, 4.0],
        "flip": [0.0, 0.05, 0.1, 0.2, 0.3],
        "psi1_max": 100.0,
        # psi1 = 1.0005 psi1*, then num - 1 log-spaced from 1.02 psi1* to psi1_max
        "num": 20,
        "psi1_inf": 1e6,
    },
    "representation": {
        "d": 450,
        "exponents": {"lo": 0.0, "hi": 3.0, "num": 31},
        "widths": {
            "lo": 30,
            "hi": 4500,
            "num": 160,
        },  # N, log-spaced integers; psi1 = N / d
    },
}

#: Modules whose source enters each grid's cache key.
THEORY_SOURCES: dict[str, list[str]] = {
    "double_descent": [
        "thermo_helpers/double_descent/theory.py",
        "thermo_helpers/double_descent/limits.py",
        "thermo_helpers/activations.py",
    ],
    "max_margin": [
        "thermo_helpers/max_margin/theory.py",
        "thermo_helpers/max_margin/__init__.py",
        "thermo_helpers/activations.py",
    ],
    "representation": [
        "thermo_helpers/representation/theory.py",
        "thermo_helpers/representation/target.py",
    ],
}

NAMES = tuple(SPECS)


def _check_name(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if name not in SPECS:
        raise ValueError(f"name must be one of {', '.join(NAMES)}, got {name!r}")
    return name


def _pack(values) -> dict:
    """Float32 little-endian base64 of an array, with its shape."""
    arr = np.ascontiguousarray(np.asarray(values, dtype="<f4"))
    return {
        "b64": base64.b64encode(arr.tobytes()).decode("ascii"),
        "shape": list(arr.shape),
    }


def unpack(table: dict) -> np.ndarray:
    """Inverse of the packing used in the data files (for tests and benchmarks).

    Parameters
    ----------
    table : dict
        ``{"b64": str, "shape": list of int}``.

    Returns
    -------
    ndarray of float32
    """
    if not isinstance(table, dict) or "b64" not in table or "shape" not in table:
        raise ValueError("table must be a dict with keys 'b64' and 'shape'")
    raw = np.frombuffer(base64.b64decode(table["b64"]), dtype="<f4")
    return raw.reshape(table["shape"])


def _progress(iterable, *, total: int, desc: str):
    from thermo_helpers import config

    if not config.progress_enabled():
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc)


def _control(cid: str, label: str, values: list, text: list, default: int, kind="range"):
    """One control of an explorable (a slider, or a select with ``kind="select"``)."""
    return {
        "id": cid,
        "label": label,
        "kind": kind,
        "values": values,
        "text": text,
        "default": default,
    }


def _nearest(values, target: float) -> int:
    """Index of the grid value closest to ``target`` (a control's default)."""
    return int(np.argmin(np.abs(np.asarray(values, float) - target)))


def dd_axes(spec: dict | None = None) -> dict:
    """The double-descent grid axes: N/n ratios, lambdas (0 first), SNRs.

    Parameters
    ----------
    spec : dict, optional
        Default ``SPECS["double_descent"]``.

    Returns
    -------
    dict
        ``{"activations", "ratios", "psi2", "lams", "snrs"}`` as lists / arrays.
    """
    s = SPECS["double_descent"] if spec is None else spec
    r = s["ratios"]
    ratios = np.geomspace(r["lo"], r["hi"], r["num"])
    ld = s["lam_decades"]
    lams = np.r_[
        0.0,
        10.0
        ** np.linspace(
            ld["lo"], ld["hi"], (ld["hi"] - ld["lo"]) * ld["per_decade"] + 1
        ),
    ]
    sd = s["snr_decades"]
    snrs = 10.0 ** np.linspace(
        sd["lo"], sd["hi"], (sd["hi"] - sd["lo"]) * sd["per_decade"] + 1
    )
    return {
        "activations": list(s["activations"]),
        "ratios": ratios,
        "psi2": np.asarray(s["psi2"], float),
        "lams": lams,
        "snrs": snrs,
    }


def dd_activation(name: str):
    """The activation of a double-descent option: a registry name, or ``erf`` (odd).

    Parameters
    ----------
    name : str
        ``"relu"``, ``"tanh"`` or ``"erf"``.

    Returns
    -------
    str or thermo_helpers.activations.Activation
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if name == "erf":
        return _erf_activation()
    if name not in ("relu", "tanh"):
        raise ValueError(f"name must be one of relu, tanh, erf, got {name!r}")
    return name


_ERF = []


def _erf_activation():
    # One Activation object, so that its Gaussian moments are computed once and cached.
    if not _ERF:
        from scipy.special import erf

        from thermo_helpers.activations import get_activation

        _ERF.append(get_activation(erf))
    return _ERF[0]


def dd_lam_c(psi2: float, snr: float, activation: str) -> float | None:
    """``double_descent.crossover_lambda`` at ``F1 = 1`` and ``tau^2 = 1/SNR``.

    Parameters
    ----------
    psi2, snr : float
        ``n / d`` and ``F1^2 / tau^2`` (> 0).
    activation : str
        ``"relu"``, ``"tanh"`` or ``"erf"``.

    Returns
    -------
    float or None
        ``None`` where no crossover exists (high SNR: the kernel limit beats the zero
        predictor at every ridge).
    """
    import thermo_helpers.double_descent as dd

    if not (isinstance(snr, (int, float, np.floating)) and snr > 0):
        raise ValueError(f"snr must be a positive number, got {snr!r}")
    try:
        return float(
            dd.crossover_lambda(
                float(psi2),
                F1=1.0,
                tau=float(np.sqrt(1.0 / snr)),
                activation=dd_activation(activation),
            ).lam_c
        )
    except ValueError as err:
        if "does not change sign" in str(err):
            return None
        raise


def _compute_double_descent(spec: dict) -> dict:
    import thermo_helpers.double_descent as dd

    ax = dd_axes(spec)
    ratios, psi2s, lams, snrs = ax["ratios"], ax["psi2"], ax["lams"], ax["snrs"]
    acts = ax["activations"]
    shape = (len(acts), len(psi2s), len(lams), len(ratios))
    B, V = np.empty(shape), np.empty(shape)
    lam_c = np.full((len(acts), len(psi2s), len(snrs)), np.nan)
    jobs = [(a, p) for a in range(len(acts)) for p in range(len(psi2s))]
    for a, p in _progress(jobs, total=len(jobs), desc="double descent grid"):
        act = dd_activation(acts[a])
        th = dd.rf_ridge_asymptotics(
            ratios[None, :] * psi2s[p], psi2s[p], lams[:, None], activation=act
        )
        B[a, p], V[a, p] = th.bias, th.variance
        for s, snr in enumerate(snrs):
            lc = dd_lam_c(float(psi2s[p]), float(snr), acts[a])
            lam_c[a, p, s] = np.nan if lc is None else lc
    zeta = [float(dd.activation_constants(dd_activation(a))["zeta"]) for a in acts]
    controls = [
        _control(
            "activation", "activation", acts, ["ReLU", "tanh", "erf (smooth, odd)"], 0,
            kind="select",
        ),
        _control(
            "psi2", "ψ₂ = n/d", psi2s.tolist(), [f"{v:g}" for v in psi2s],
            _nearest(psi2s, 2.0),
        ),
        _control(
            "lam", "ridge λ (log scale)", lams.tolist(),
            ["0+ (ridgeless)"] + [f"{v:.3g}" for v in lams[1:]], _nearest(lams, 1e-3),
        ),
        _control(
            "snr", "SNR = F₁²/τ²", snrs.tolist(), [f"{v:.3g}" for v in snrs],
            _nearest(snrs, 4.0),
        ),
    ]
    return {
        "x": ratios.tolist(),
        "controls": controls,
        "zeta": zeta,
        "bias": _pack(B),
        "variance": _pack(V),
        "lam_c": _pack(lam_c),
    }


def mm_point(psi1: float, psi2: float, flip: float) -> tuple[float, float]:
    """``(kappa*, Err*)`` of ``max_margin.rf_max_margin_asymptotics`` (ReLU features).

    Parameters
    ----------
    psi1, psi2 : float
        ``N / d`` and ``n / d`` (> 0).
    flip : float
        Label-flip probability in [0, 0.5].

    Returns
    -------
    (float, float)
    """
    import thermo_helpers.max_margin as mm

    r = mm.rf_max_margin_asymptotics(
        float(psi1), float(psi2), activation="relu", flip=float(flip)
    )
    return float(r.kappa), float(r.test_error)


def mm_psi1_grid(threshold: float, spec: dict | None = None) -> np.ndarray:
    """The psi1 values of one max-margin curve, from just above ``threshold`` to 100.

    Parameters
    ----------
    threshold : float
        The separability threshold psi1* (> 0).
    spec : dict, optional
        Default ``SPECS["max_margin"]``.

    Returns
    -------
    ndarray
    """
    s = SPECS["max_margin"] if spec is None else spec
    if not (
        isinstance(threshold, (int, float, np.floating))
        and 0 < threshold < s["psi1_max"] / 1.02
    ):
        raise ValueError(
            f"threshold must be in (0, {s['psi1_max'] / 1.02:g}), got {threshold!r}"
        )
    return np.r_[
        1.0005 * threshold, np.geomspace(1.02 * threshold, s["psi1_max"], s["num"] - 1)
    ]


def _compute_max_margin(spec: dict) -> dict:
    import thermo_helpers.max_margin as mm
    from thermo_helpers.sweep import map_tasks

    psi2s, flips = list(spec["psi2"]), list(spec["flip"])
    combos = [(p, f) for p in psi2s for f in flips]
    thr = map_tasks(
        mm.rf_separability_threshold,
        [{"psi2": p, "activation": "relu", "flip": f} for p, f in combos],
        base_seed=None,
        desc="max-margin thresholds",
    )
    psi1 = np.array([mm_psi1_grid(t, spec) for t in thr])
    tasks = [
        {"psi1": float(x), "psi2": p, "activation": "relu", "flip": f}
        for (p, f), xs in zip(combos, psi1)
        for x in np.r_[xs, spec["psi1_inf"]]
    ]
    out = map_tasks(
        mm.rf_max_margin_asymptotics, tasks, base_seed=None, desc="max-margin curves"
    )
    kappa = np.array([r.kappa for r in out]).reshape(len(psi2s), len(flips), -1)
    err = np.array([r.test_error for r in out]).reshape(len(psi2s), len(flips), -1)
    shape = (len(psi2s), len(flips))
    controls = [
        _control(
            "psi2", "ψ₂ = n/d", psi2s, [f"{v:g}" for v in psi2s],
            psi2s.index(2.0) if 2.0 in psi2s else 0,
        ),
        _control("flip", "label-flip probability", flips, [f"{v:g}" for v in flips], 0),
    ]
    return {
        "controls": controls,
        "threshold": _pack(np.reshape(thr, shape)),
        "psi1": _pack(psi1.reshape(*shape, -1)),
        "kappa": _pack(kappa[..., :-1]),
        "test_error": _pack(err[..., :-1]),
        "kappa_inf": _pack(kappa[..., -1]),
        "test_error_inf": _pack(err[..., -1]),
        "psi1_inf": spec["psi1_inf"],
    }


def rep_axes(spec: dict | None = None) -> dict:
    """The representation grid axes: spectrum exponents and psi1 = N / d.

    Parameters
    ----------
    spec : dict, optional
        Default ``SPECS["representation"]``.

    Returns
    -------
    dict
        ``{"d", "exponents", "psi1"}``.
    """
    s = SPECS["representation"] if spec is None else spec
    e, w = s["exponents"], s["widths"]
    widths = np.unique(np.rint(np.geomspace(w["lo"], w["hi"], w["num"])).astype(int))
    return {
        "d": int(s["d"]),
        "exponents": np.linspace(e["lo"], e["hi"], e["num"]),
        "psi1": widths / float(s["d"]),
    }


def rep_target(exponent: float, index: int, d: int):
    """The target ``B``, eigenvalues ``k^-exponent`` (k = 1..d), seeded by its index.

    Parameters
    ----------
    exponent : float
        Decay exponent (>= 0).
    index : int
        Position of the exponent on the grid (seeds the Haar eigenbasis).
    d : int
        Dimension.

    Returns
    -------
    ndarray of shape (d, d)
    """
    import thermo_helpers.representation as rep

    if not (isinstance(exponent, (int, float, np.floating)) and exponent >= 0):
        raise ValueError(f"exponent must be a number >= 0, got {exponent!r}")
    spectrum = np.arange(1, d + 1, dtype=float) ** (-float(exponent))
    return rep.quadratic_target(
        d, rng=np.random.default_rng([SEED, int(index)]), spectrum=spectrum
    ).B


def _compute_representation(spec: dict) -> dict:
    import thermo_helpers.representation as rep

    ax = rep_axes(spec)
    d, exps, psi1 = ax["d"], ax["exponents"], ax["psi1"]
    risks = np.empty((3, len(exps), len(psi1)))
    share = np.empty(len(exps))
    for i in _progress(range(len(exps)), total=len(exps), desc="representation grid"):
        B = rep_target(float(exps[i]), i, d)
        share[i] = np.trace(B) ** 2 / (d * np.sum(B * B))
        for m, model in enumerate(("rf", "nt", "nn")):
            risks[m, i] = rep.asymptotic_risk(model, psi1, B)
    controls = [
        _control(
            "exponent", "spectrum decay a (eigenvalues k^−a)", exps.tolist(),
            [f"{v:.1f}" for v in exps], _nearest(exps, 1.0),  # a = 1
        )
    ]
    return {
        "controls": controls,
        "d": d,
        "x": psi1.tolist(),
        "share": share.tolist(),
        "rf": _pack(risks[0]),
        "nt": _pack(risks[1]),
        "nn": _pack(risks[2]),
    }


_COMPUTE = {
    "double_descent": _compute_double_descent,
    "max_margin": _compute_max_margin,
    "representation": _compute_representation,
}


def cache_key(name: str) -> str:
    """Hash of the grid spec, this module and the theory modules the grid calls.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.

    Returns
    -------
    str
        16 hex digits.
    """
    name = _check_name(name)
    h = hashlib.sha256(json.dumps(SPECS[name], sort_keys=True).encode())
    for rel in [Path(__file__).relative_to(ROOT).as_posix(), *THEORY_SOURCES[name]]:
        h.update(rel.encode())
        h.update((ROOT / rel).read_bytes())
    return h.hexdigest()[:16]


def compute(name: str) -> dict:
    """Compute one explorable's grid (no cache).

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.

    Returns
    -------
    dict
        JSON-serialisable payload, with ``seconds`` (wall time) and ``key``.
    """
    name = _check_name(name)
    t0 = time.perf_counter()
    payload = _COMPUTE[name](SPECS[name])
    payload["name"] = name
    payload["key"] = cache_key(name)
    payload["seconds"] = round(time.perf_counter() - t0, 2)
    return payload


def script_text(payload: dict) -> str:
    """The ``<script>`` file that sets ``window.THERMO_EXPLORABLES[name]`` to a payload.

    Parameters
    ----------
    payload : dict
        As returned by :func:`compute`.

    Returns
    -------
    str
    """
    if not isinstance(payload, dict) or "name" not in payload:
        raise ValueError("payload must be a dict returned by compute()")
    body = json.dumps(payload, separators=(",", ":"), allow_nan=False)
    return (
        "window.THERMO_EXPLORABLES = window.THERMO_EXPLORABLES || {};\n"
        f"window.THERMO_EXPLORABLES[{json.dumps(payload['name'])}] = {body};\n"
    )


def read_script(path: Path) -> dict:
    """The payload stored in a data file written by :func:`script_text`.

    Parameters
    ----------
    path : pathlib.Path
        A ``<name>.data.js`` file.

    Returns
    -------
    dict
    """
    text = Path(path).read_text()
    start = text.index("] = ") + 4
    return json.loads(text[start:].rstrip().rstrip(";"))


def cached_script(name: str, cache_dir: Path) -> Path:
    """Path of the data file for ``name``, computing and caching the grid if needed.

    The file is ``cache_dir / f"{name}-{cache_key(name)}.data.js"``; older keys of the
    same explorable are removed.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    cache_dir : pathlib.Path
        Folder of the cache (created if missing).

    Returns
    -------
    pathlib.Path
    """
    name = _check_name(name)
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{name}-{cache_key(name)}.data.js"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(script_text(compute(name)))
        tmp.replace(path)
        for old in cache_dir.glob(f"{name}-*.data.js"):
            if old != path:
                old.unlink()
    return path
