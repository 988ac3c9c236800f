"""Valid example calls for thermo_helpers.data (see README.md)."""

EXAMPLES = {
    "sample_sphere": dict(n=3, d=2, rng=0, radius=1.0),
    "sample_gaussian": dict(n=3, d=2, rng=0, scale=2.0),
}
