"""Prototypes of the fixes the benchmarks recommend, kept here (not in rostray/) so the numbers
can show before and after in the same run. Each module names the rostray function it stands
in for; none of it is imported by rostray."""
