"""Valid example calls for thermo_helpers.report (see README.md)."""

EXAMPLES = {
    "fmt": dict(x=0.123456, digits=3),
    "table": lambda: dict(rows=[{"a": 1.0, "b": "x"}], columns=["a", "b"], digits=2),
    "agrees": dict(theory=1.0, sim=1.1, sem=0.05, k=3.0, allowance=0.0),
}
