"""rostray benchmarks: ``make bench`` (or ``python -m bench.run``) runs them all.

Every benchmark compares against baselines measured in the same run on the same machine and
returns a JSON-able dict; ``bench.report`` turns the collected results into
``docs/benchmarks.md`` and PNG charts. None of this is a test: nothing here asserts a speed.
"""
