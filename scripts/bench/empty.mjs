// An empty step: the cost of spawning Node itself, for reference in the benchmark.
