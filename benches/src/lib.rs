//! Criterion benchmarks of the flow pipeline; see `benches/benches/`.
