"""Valid example calls for thermo_helpers.report (see README.md)."""

EXAMPLES = {
    "fmt": dict(x=0.123456, digits=3),
    "table": lambda: dict(rows=[{"a": 1.0, "b": "x"}], columns=["a", "b"], digits=2),
    "agrees": dict(theory=1.0, sim=1.1, sem=0.05, k=3.0, allowance=0.0),
    "verdict_z": dict(z=1.0),
    "verdict_p": dict(p=0.5),
    "verdict_interval": dict(lo=0.0, hi=1.0, target=0.5),
    "reference_table": lambda: dict(
        rows=[{"quantity": "q", "theory": 1.0, "verdict": "agrees"}],
        columns=["quantity", "theory", "verdict"],
        digits=2,
        labels={"theory": "th"},
        why={"q": "#why"},
        verdict_column="verdict",
    ),
}
