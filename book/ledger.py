"""The ledger of the talk's claims, generated from the chapters' executed twins.

    python book/ledger.py write                  # ledger table, conclusion numbers, home-page gallery
    python book/ledger.py write --edition paper  # the same, with the gallery of the paper site
    python book/ledger.py check                  # exit 1 if the written ledger differs from the twins

Every chapter glues, next to the computation that decides it, one value per claim of
the talk: ``glue("ledger_<key>", {"verdict": ..., "text": ..., <numbers>})``.  This script
reads those glue outputs from the stored twins, ``notebooks/<chapter>.ipynb`` (book
scale) and ``notebooks/paper/<chapter>.ipynb`` (paper edition), and writes

* ``book/_generated/ledger_table.md``: one row per claim, in the talk's order, included
  by ``book/ledger.md``;
* ``book/_generated/conclusion_numbers.md``: the ledger's counts and numbers that answer
  the talk's conclusion slide, included by ``book/conclusion.md``;
* ``notebooks/_gallery/gallery.md`` (or the same under ``notebooks/paper/``) with the
  headline figures as PNG files beside it, included by the home page (a folder of its own,
  so that no ``notebooks/*.md`` glob takes it for a chapter; image paths are relative to the
  home page).

Nothing is typed: a claim that a twin does not glue is reported as missing (book scale:
an error; paper edition: "not in the stored paper run").  The Makefile runs ``write``
before every build (``make book``, ``site-stored``, ``student``, ``paper-site``).
"""

from __future__ import annotations

import argparse
import ast
import base64
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
NB_DIR = HERE.parent / "notebooks"
PAPER_DIR = NB_DIR / "paper"
GENERATED = HERE / "_generated"

VERDICTS = ("agrees", "disagrees", "undecided", "not reproduced")
P_LEVEL = 0.01  # the ledger's one threshold: a test at the 1% level
Z_LEVEL = 2.5758293035489004  # two-sided normal quantile of the same level
BADGE = {
    "agrees": "bdg-success",
    "disagrees": "bdg-danger",
    "undecided": "bdg-warning",
    "not reproduced": "bdg-info",
}
NOT_IN_PAPER = "not in the stored paper run"
MISSING = "–"  # a paper-edition cell whose claim is not in the stored paper run (said once, above)
GLUE_MIME = "application/papermill.record/"


@dataclass(frozen=True)
class Claim:
    """One claim of the talk.

    Attributes
    ----------
    key : str
        The chapter glues its verdict as ``ledger_<key>``.
    chapter : str
        The chapter (``notebooks/<chapter>.md``) that checks it.
    part : str
        The part of the talk it belongs to.
    slide : str
        The slide's title.
    words : str
        The talk's words, short.
    label : str
        The label of the evidence in the chapter.
    kind : str
        ``"theorem"`` (a formula of the wide limit), ``"phenomenon"`` or ``"experiment"``.
    """

    key: str
    chapter: str
    part: str
    slide: str
    words: str
    label: str
    kind: str


WIDE, CAPTURED, BEYOND, MISSED = (
    "The wide limit",
    "What is captured by linear models?",
    "Beyond square loss",
    "What is not captured by linear models?",
)
CHAPTERS = {
    "lazy_mean_field": "lmf",
    "double_descent": "dd",
    "max_margin": "mm",
    "representation": "rep",
}
TITLES = {
    "lazy_mean_field": "Lazy vs mean field",
    "double_descent": "Double descent",
    "max_margin": "Max-margin classification",
    "representation": "RF vs NT vs NN",
}
EVIDENCE = {  # link text of each evidence label: chapter, then the part of it
    "lmf-convex": "convex in ρ, not in θ",
    "lmf-particles": "networks of width N against the PDE",
    "lmf-lazy": "the lazy regime on an (N, α) design",
    "mm-threshold": "the separability threshold",
    "dd-fit-noise": "a trained network fits random labels",
    "dd-interpolating": "a trained network interpolates the digits",
    "dd-checkmarks": "the four checkmarks",
    "dd-theory-vs-sim": "theory against simulation",
    "dd-insights": "insights",
    "dd-gaussian-equivalence": "Gaussian equivalence",
    "mm-conjecture": "testing the conjecture",
    "mm-theorem": "the formula at d → ∞",
    "mm-comparison": "the comparison slide",
    "rep-identity": "an exact identity at finite d",
    "rep-nt": "neural tangent",
    "rep-comparison": "the comparison",
    "rep-sgd": "one-pass SGD",
    "rep-relu": "comparison with ReLU",
}
ALT = {  # the same descriptions as the key-result boxes of the chapters
    "lazy_mean_field": "Test error against the scale alpha_CB at fixed width on a log axis, for the ReLU network "
    "and its linearisation; the network is best at alpha_CB = 1 and its error rises towards the "
    "linearisation's as alpha_CB grows.",
    "double_descent": "Test error against N/n on log-log axes for ReLU random features at four ridge values, theory "
    "curves with simulated points on them; the ridgeless curve diverges at N/n = 1 and then "
    "decreases.",
    "max_margin": "Two panels against N/d at psi2 = 2 with ReLU, margin over the square root of N/d and test error, "
    "theory curves with simulated points of ReLU and noisy linear features on them.",
    "representation": "Risk against N/d on a log axis for RF, NT and NN with an Exp(1) spectrum, formula lines and "
    "exact finite-d points; the NN optimum is lowest, NT reaches zero at N = d, RF stays high.",
}

CLAIMS = (
    Claim(
        "mf_convex",
        "lazy_mean_field",
        WIDE,
        "Mean-field limit",
        "The risk over $\\rho$: good news, convex; bad news, infinite dimensional.",
        "lmf-convex",
        "phenomenon",
    ),
    Claim(
        "mean_field",
        "lazy_mean_field",
        WIDE,
        "Mean-field limit",
        "Can we optimize it efficiently? E.g. approximate $\\rho$ by finitely many points.",
        "lmf-particles",
        "theorem",
    ),
    Claim(
        "lazy",
        "lazy_mean_field",
        WIDE,
        "Another approach: lazy limit / Neural tangent",
        "Linearize around a random initialization; a good approximation when (i) $N \\gg n$, (ii) the parameters "
        "are scaled right.",
        "lmf-lazy",
        "theorem",
    ),
    Claim(
        "interp_threshold",
        "max_margin",
        CAPTURED,
        "What is captured by linear models?",
        "Interpolation phase transition.",
        "mm-threshold",
        "phenomenon",
    ),
    Claim(
        "fit_noise",
        "double_descent",
        CAPTURED,
        "Using deep nets to fit noise",
        "Deep networks fit random labels [Zhang, Bengio, Hardt, Recht, Vinyals 2016].",
        "dd-fit-noise",
        "experiment",
    ),
    Claim(
        "interpolating",
        "double_descent",
        CAPTURED,
        "Interpolating, yet not overfitting",
        "Networks that interpolate MNIST still generalise [Belkin et al. 2018; Spigler et al. 2018].",
        "dd-interpolating",
        "experiment",
    ),
    Claim(
        "dd_peak",
        "double_descent",
        CAPTURED,
        "The double-descent curve",
        "✓ Peak at the interpolation threshold.",
        "dd-checkmarks",
        "phenomenon",
    ),
    Claim(
        "dd_global_min",
        "double_descent",
        CAPTURED,
        "The double-descent curve",
        "✓ Global minimum in the overparametrized regime.",
        "dd-checkmarks",
        "phenomenon",
    ),
    Claim(
        "dd_monotone",
        "double_descent",
        CAPTURED,
        "The double-descent curve",
        "✓ Monotone decreasing in the overparametrized regime.",
        "dd-checkmarks",
        "phenomenon",
    ),
    Claim(
        "dd_opt_reg",
        "double_descent",
        CAPTURED,
        "The double-descent curve",
        "✓ Optimal regularization → 0.",
        "dd-checkmarks",
        "phenomenon",
    ),
    Claim(
        "rf_theorem",
        "double_descent",
        CAPTURED,
        "Precise asymptotics",
        "Theorem (Mei, M. 2019): the test error of random-features ridge regression is "
        "‖β₀‖² 𝓑 + τ² 𝓥 + o(1), with 𝓑 and 𝓥 explicit.",
        "dd-theory-vs-sim",
        "theorem",
    ),
    Claim(
        "singularity",
        "double_descent",
        CAPTURED,
        "Insights",
        "Singularity at the interpolation threshold.",
        "dd-insights",
        "phenomenon",
    ),
    Claim(
        "min_at_infinity",
        "double_descent",
        CAPTURED,
        "Insights",
        "Minimum risk at extreme overparametrization $N/n \\to \\infty$.",
        "dd-insights",
        "phenomenon",
    ),
    Claim(
        "min_fixed_lambda",
        "double_descent",
        CAPTURED,
        "Insights",
        "Same at $\\lambda > 0$ fixed: minimum at $N/n \\to \\infty$.",
        "dd-insights",
        "phenomenon",
    ),
    Claim(
        "high_snr",
        "double_descent",
        CAPTURED,
        "Insights",
        "High SNR: minimum at $\\lambda = 0+$.",
        "dd-insights",
        "phenomenon",
    ),
    Claim(
        "low_snr",
        "double_descent",
        CAPTURED,
        "Insights",
        "Low SNR: minimum at $\\lambda > 0$.",
        "dd-insights",
        "phenomenon",
    ),
    Claim(
        "ridge_equivalence",
        "double_descent",
        BEYOND,
        "Asymptotic equivalence",
        "Theorem (Mei, M. 2019): for ridge regression, nonlinear and noisy linear features are asymptotically "
        "equivalent.",
        "dd-gaussian-equivalence",
        "theorem",
    ),
    Claim(
        "mm_conjecture",
        "max_margin",
        BEYOND,
        "Asymptotic equivalence",
        "Conjecture: for max-margin classification, nonlinear and noisy linear features are asymptotically "
        "equivalent.",
        "mm-conjecture",
        "theorem",
    ),
    Claim(
        "mm_theorem",
        "max_margin",
        BEYOND,
        "Asymptotics of max-margin classification",
        "Theorem (M., Ruan, Sohn, Yan 2019): $\\kappa_n \\to \\kappa_*$, $\\mathrm{Err}_n \\to \\mathrm{Err}_*$ "
        "for noisy features.",
        "mm-theorem",
        "theorem",
    ),
    Claim(
        "mm_comparison",
        "max_margin",
        BEYOND,
        "Comparison",
        "Theory against simulation, $\\psi_2 = 2$, $d = 200, 400$, ReLU.",
        "mm-comparison",
        "experiment",
    ),
    Claim(
        "rf_theorem_quad",
        "representation",
        MISSED,
        "RF model",
        "Theorem (Ghorbani, Mei, Misiakiewicz, M. 2019): $R_{\\mathsf{RF},N}$ for $\\sigma(x) = x^2 - 1$.",
        "rep-identity",
        "theorem",
    ),
    Claim(
        "nt_theorem",
        "representation",
        MISSED,
        "NT model",
        "Theorem (Ghorbani, Mei, Misiakiewicz, M. 2019): the NT risk over E f\\*² is "
        "(1 − ψ₁)₊² + ψ₁ (1 − ψ₁)₊ Tr(B)² / (d ‖B‖²) + o(1).",
        "rep-nt",
        "theorem",
    ),
    Claim(
        "nn_theorem",
        "representation",
        MISSED,
        "NN model; Comparison",
        "The NN risk over E f\\*² is 1 − Σ λᵢ(B)² / ‖B‖² (sum over i ≤ min(d, N)); "
        "does gradient descent converge to this value?",
        "rep-comparison",
        "theorem",
    ),
    Claim(
        "sgd_theorem",
        "representation",
        MISSED,
        "NN with gradient descent",
        "Theorem: one-pass SGD reaches $\\inf R$ as $\\varepsilon \\to 0$, then $t \\to \\infty$.",
        "rep-sgd",
        "theorem",
    ),
    Claim(
        "relu_comparison",
        "representation",
        MISSED,
        "Comparison with ReLU",
        "The same picture with ReLU activations.",
        "rep-relu",
        "experiment",
    ),
)


# ---------------------------------------------------------------- reading the twins
def read_glue(path: Path) -> dict:
    """Every glued value of an executed notebook, by name.

    Parameters
    ----------
    path : Path
        An executed ``.ipynb``.

    Returns
    -------
    dict
        ``name -> value``: Python literals (numbers, strings, dicts) are parsed, other
        text stays a string, and a glued figure is returned as its PNG bytes.  Empty if
        the file does not exist.
    """
    if not isinstance(path, Path):
        raise TypeError(f"path must be a pathlib.Path, got {type(path).__name__}")
    if not path.exists():
        return {}
    nb = json.loads(path.read_text())
    found = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            data = out.get("data", {})
            if GLUE_MIME + "image/png" in data:
                found[name] = base64.b64decode(data[GLUE_MIME + "image/png"])
            elif GLUE_MIME + "text/markdown" in data:
                found[name] = "".join(data[GLUE_MIME + "text/markdown"])
            elif GLUE_MIME + "text/plain" in data:
                text = "".join(data[GLUE_MIME + "text/plain"])
                try:
                    found[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    found[name] = text
    return found


def expected_verdict(entry: dict) -> str | None:
    """The verdict that the ledger's rule gives for a glued entry's numbers.

    Every number present must pass: ``p >= 0.01``, ``|z| <= 2.576`` (the same level),
    ``lo <= target <= hi``, and ``check`` true.  ``None`` for the verdicts the rule does
    not decide (undecided, not reproduced).
    """
    if not isinstance(entry, dict):
        raise TypeError(f"entry must be a dict, got {type(entry).__name__}")
    if entry.get("verdict") in ("undecided", "not reproduced"):
        return None
    tests = []
    if "p" in entry:
        tests.append(entry["p"] >= P_LEVEL)
    if "z" in entry:
        tests.append(abs(entry["z"]) <= Z_LEVEL)
    if {"lo", "hi", "target"} <= set(entry):
        tests.append(entry["lo"] <= entry["target"] <= entry["hi"])
    if "check" in entry:
        tests.append(bool(entry["check"]))
    if not tests:
        raise ValueError(
            f"entry has no deciding number (p, z, lo/hi/target or check): {entry!r}"
        )
    return (
        "agrees"
        if all(tests)
        and not any(isinstance(v, float) and math.isnan(v) for v in entry.values())
        else "disagrees"
    )


def ledger_rows(nb_dir: Path = NB_DIR, paper_dir: Path = PAPER_DIR) -> list[dict]:
    """One row per claim: the claim, and the glued entries of the book and paper twins.

    Raises
    ------
    ValueError
        If a book-scale twin lacks a claim's entry or glues a verdict outside the vocabulary.
    """
    book = {c: read_glue(nb_dir / f"{c}.ipynb") for c in CHAPTERS}
    paper = {c: read_glue(paper_dir / f"{c}.ipynb") for c in CHAPTERS}
    rows = []
    for claim in CLAIMS:
        entry = book[claim.chapter].get(f"ledger_{claim.key}")
        if entry is None:
            raise ValueError(
                f"notebooks/{claim.chapter}.ipynb glues no ledger_{claim.key}: "
                f"run `make notebook NB={claim.chapter}`"
            )
        p_entry = paper[claim.chapter].get(f"ledger_{claim.key}")
        for e in (entry, p_entry):
            if e is not None and e.get("verdict") not in VERDICTS:
                raise ValueError(
                    f"ledger_{claim.key}: verdict {e.get('verdict')!r} is not one of {VERDICTS}"
                )
        rows.append({"claim": claim, "book": entry, "paper": p_entry})
    return rows


# ---------------------------------------------------------------- writing
def _esc(text: str) -> str:
    """Plain text (from a chapter's sentence) made safe for a MyST table cell."""
    for ch in ("\\", "|", "*", "_", "`", "<", ">", "[", "]", "$"):
        text = text.replace(ch, "\\" + ch)
    return text


def badge(verdict: str) -> str:
    """The coloured badge of a verdict (sphinx-design)."""
    if verdict not in BADGE:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    return f"{{{BADGE[verdict]}}}`{verdict}`"


def counts(rows: list[dict], edition: str) -> dict[str, int]:
    """How many rows have each verdict in ``edition`` (``"book"`` or ``"paper"``); missing entries are left out."""
    if edition not in ("book", "paper"):
        raise ValueError(f"edition must be 'book' or 'paper', got {edition!r}")
    out = {v: 0 for v in VERDICTS}
    for r in rows:
        if r[edition] is not None:
            out[r[edition]["verdict"]] += 1
    return out


def _summary(c: dict[str, int]) -> str:
    words = {
        "agrees": "agree",
        "disagrees": "disagree",
        "undecided": "undecided",
        "not reproduced": "not reproduced",
    }
    return ", ".join(f"{n} {words[v] if n > 1 else v}" for v, n in c.items() if n)


def render_table(rows: list[dict]) -> str:
    """The ledger page's generated part: a summary and the table, in MyST markdown."""
    book_c, paper_c = counts(rows, "book"), counts(rows, "paper")
    n_paper = sum(paper_c.values())
    lines = [
        "<!-- generated by book/ledger.py from the executed twins: do not edit -->",
        "",
        f"**{len(rows)} claims.** Book scale: {_summary(book_c)}. Paper edition: "
        + (f"{_summary(paper_c)}; " if n_paper else "")
        + f"{len(rows) - n_paper} of {len(rows)} {NOT_IN_PAPER} (shown as {MISSING}).",
        "",
    ]
    part = None
    for i, r in enumerate(rows, 1):
        c = r["claim"]
        if c.part != part:
            part = c.part
            lines += [
                "",
                f"## {part}",
                "",
                "```{list-table}",
                ":header-rows: 1",
                ":widths: 5 24 10 11 35 15",
                "",
                "* - #",
                "  - the talk (slide)",
                "  - book scale",
                "  - paper edition",
                "  - deciding numbers",
                "  - evidence",
            ]
        paper = badge(r["paper"]["verdict"]) if r["paper"] else MISSING
        numbers = _esc(r["book"]["text"])
        if r["paper"]:
            numbers += " Paper edition: " + _esc(r["paper"]["text"])
        lines += [
            f"* - {i}",
            f"  - {c.words} (*{c.slide}*)",
            f"  - {badge(r['book']['verdict'])}",
            f"  - {paper}",
            f"  - {numbers}",
            f"  - {{ref}}`{TITLES[c.chapter]}: {EVIDENCE[c.label]} <{c.label}>`",
        ]
        if i == len(rows) or rows[i]["claim"].part != part:
            lines += ["```"]
    return "\n".join(lines) + "\n"


def _glue_value(chapter: str, name: str, nb_dir: Path = NB_DIR):
    value = read_glue(nb_dir / f"{chapter}.ipynb").get(name)
    if value is None:
        raise ValueError(f"notebooks/{chapter}.ipynb glues no {name}")
    return value


def render_conclusion(rows: list[dict], nb_dir: Path = NB_DIR) -> str:
    """Numbers from the ledger (and the chapters' glue) that answer the conclusion slide."""
    by_key = {r["claim"].key: r for r in rows}
    theorems = [r for r in rows if r["claim"].kind == "theorem"]
    th_c = counts(theorems, "book")
    links = lambda rs: ", ".join(f"{{ref}}`{r['claim'].label}`" for r in rs)  # noqa: E731
    off = [r for r in theorems if r["book"]["verdict"] != "agrees"]
    test_mf, test_lazy, test_lin = (
        _glue_value("lazy_mean_field", k, nb_dir)
        for k in ("test_mf", "test_lazy", "test_lin")
    )
    captured = [
        r
        for r in rows
        if r["claim"].part == CAPTURED and r["claim"].kind == "phenomenon"
    ]
    cap_c = counts(captured, "book")
    gap_n, gap_nt, gap_nn = (
        _glue_value("representation", k, nb_dir)
        for k in ("rep_gap_N", "rep_gap_nt", "rep_gap_nn")
    )
    missed = [r for r in rows if r["claim"].part == MISSED]
    lines = [
        "<!-- generated by book/ledger.py from the executed twins: do not edit -->",
        "",
        "**Thermodynamic/wide limit: a useful concept.** Of the "
        f"{len(theorems)} rows of the ledger that test a formula or theorem of the wide limit, at book scale "
        f"{_summary(th_c)}" + (f" (not agreeing: {links(off)})" if off else "") + ".",
        "",
        "**Different regimes (depends on training).** The same ReLU network, on the same data, has a test error of "
        f"{test_mf:.3f} in the mean-field regime and {test_lazy:.3f} when lazy, next to {test_lin:.3f} for its "
        "linearisation ({numref}`lmf-headline`). Networks approach the mean-field PDE: "
        f"{badge(by_key['mean_field']['book']['verdict'])}; the lazy network approaches its linearisation: "
        f"{badge(by_key['lazy']['book']['verdict'])}.",
        "",
        "**Linearized regime captures certain phenomena.** Of the "
        f"{len(captured)} phenomena that the talk lists under what linear models capture (the checkmarks, the "
        f"insights and the interpolation threshold), {_summary(cap_c)} in the random-features model "
        f"({{numref}}`dd-headline`)"
        + "".join(
            f"; {badge(r['book']['verdict'])} {r['claim'].words.rstrip('.')} ({{ref}}`{r['claim'].label}`)"
            for r in captured
            if r["book"]["verdict"] != "agrees"
        )
        + ". What it misses: with $B$ a projection on "
        f"a few directions, at $N =$ {gap_n} the NN optimum is {gap_nn:.3f} and NT's risk {gap_nt:.3f} "
        f"({{numref}}`rep-headline`); the rows of that part: "
        + ", ".join(
            f"{badge(r['book']['verdict'])} {{ref}}`{r['claim'].label}`" for r in missed
        )
        + ".",
        "",
    ]
    return "\n".join(lines)


def render_gallery(
    edition: str, nb_dir: Path = NB_DIR, paper_dir: Path = PAPER_DIR
) -> tuple[str, dict]:
    """The home page's gallery of headline figures (MyST) and the PNG files it shows.

    Returns
    -------
    text, images
        The markdown, and ``{file name: PNG bytes}`` to write into ``_gallery/`` beside it.
    """
    if edition not in ("book", "paper"):
        raise ValueError(f"edition must be 'book' or 'paper', got {edition!r}")
    src = nb_dir if edition == "book" else paper_dir
    lines = [
        "<!-- generated by book/ledger.py from the executed twins: do not edit -->",
        "",
        "::::{grid} 1",
        ":gutter: 3",
        "",
    ]  # one column: thumbnails would blur the ink
    images = {}
    for chapter, prefix in CHAPTERS.items():
        glued = read_glue(src / f"{chapter}.ipynb")
        png, verdict = glued.get(f"{prefix}_headline"), glued.get(f"{prefix}_verdict")
        lines += [f":::{{grid-item-card}} {TITLES[chapter]}"]
        if edition == "book" and png is not None:
            lines += [f":link: {prefix}-headline", ":link-type: ref"]
        else:
            lines += [f":link: {chapter}", ":link-type: doc"]
        if png is not None:
            images[f"{chapter}.png"] = png
            lines += [f":img-top: _gallery/{chapter}.png", f":img-alt: {ALT[chapter]}"]
        lines += [""]
        lines += [
            verdict.strip()
            if isinstance(verdict, str)
            else "*Headline figure not in the stored paper run.*"
        ]
        lines += [":::", ""]
    lines += ["::::", ""]
    if edition == "book":
        lines += [
            "Every claim of the talk, with its verdict at book scale and in the paper edition: {doc}`/ledger`. "
            "What they add up to: {doc}`/conclusion`.",
            "",
        ]
    return "\n".join(lines), images


def outputs(
    edition: str = "book", nb_dir: Path = NB_DIR, paper_dir: Path = PAPER_DIR
) -> dict[Path, bytes]:
    """Every file that ``write`` produces, by path."""
    rows = ledger_rows(nb_dir, paper_dir)
    files = {
        GENERATED / "ledger_table.md": render_table(rows).encode(),
        GENERATED / "conclusion_numbers.md": render_conclusion(rows, nb_dir).encode(),
    }
    gallery, images = render_gallery(edition, nb_dir, paper_dir)
    where = nb_dir if edition == "book" else paper_dir
    files[where / "_gallery" / "gallery.md"] = gallery.encode()
    for name, png in images.items():
        files[where / "_gallery" / name] = png
    return files


def write(edition: str = "book") -> list[Path]:
    """Write the generated files; returns their paths."""
    files = outputs(edition)
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)
    return list(files)


def check(edition: str = "book") -> list[Path]:
    """The generated files that are missing or differ from what the twins give now."""
    return [
        p for p, c in outputs(edition).items() if not p.exists() or p.read_bytes() != c
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["write", "check"])
    parser.add_argument("--edition", choices=["book", "paper"], default="book")
    args = parser.parse_args(argv)
    if args.command == "write":
        paths = write(args.edition)
        print(f"[ledger] wrote {len(paths)} files ({args.edition} edition gallery)")
        return 0
    stale = check(args.edition)
    for p in stale:
        print(
            f"[ledger] {p} is missing or out of date: run `python book/ledger.py write`"
        )
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
