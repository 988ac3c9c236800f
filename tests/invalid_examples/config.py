"""Valid example calls for thermo_helpers.config (see README.md)."""

EXAMPLES = {
    "setup": dict(verbose=False),
}
