//! The scan with windows across the lanes of vector registers (AVX-512, or AVX2 with FMA).
//!
//! Sixteen windows (eight with AVX2) share a register, so the input of step `t` for windows
//! `s .. s + 16` is the run of readings `s + t .. s + t + 16` (no gathering), and each weight is
//! broadcast once per register of windows. One call of `group_step` sums the four gates of a group
//! of hidden units for a block of windows in registers (AVX-512: 2 units × 4 gates × 3 registers of
//! 16 windows = 24 of its 32 registers; AVX2: 1 unit × 4 gates × 2 registers of 8 windows = 8 of
//! 16) and turns them into the new cell and state right there, so gates never go to memory. At the
//! first step the state is zero, so the recurrent products are skipped.
//!
//! The shapes were measured on the reference machine (a year of minutes, two threads): AVX-512
//! 2 × 3 takes 1.23–1.33 s; AVX2 1 × 2 takes 1.58–1.82 s, where 1 × 3 (12 accumulators, spilling)
//! took 2.5–2.8 s and 2 × 1 1.7–2.0 s, against 1.91–2.12 s for the tiled path in the same runs.

use super::CpuLstm;

/// The instruction set a [`LaneLstm`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Isa {
    /// 512-bit registers, 32 of them.
    Avx512,
    /// 256-bit registers with fused multiply-add, 16 of them.
    Avx2,
}

impl Isa {
    /// The widest this CPU has.
    pub(super) fn detect() -> Option<Isa> {
        if std::arch::is_x86_feature_detected!("avx512f") {
            Some(Isa::Avx512)
        } else {
            Isa::Avx2.available().then_some(Isa::Avx2)
        }
    }

    /// Whether this CPU can run it.
    pub(super) fn available(self) -> bool {
        match self {
            Isa::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            Isa::Avx2 => std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma"),
        }
    }

    /// Hidden units per `group_step` call.
    fn units(self) -> usize {
        match self {
            Isa::Avx512 => avx512::UNITS,
            Isa::Avx2 => avx2::UNITS,
        }
    }

    /// Windows per block.
    pub(super) fn block(self) -> usize {
        match self {
            Isa::Avx512 => avx512::BLOCK,
            Isa::Avx2 => avx2::BLOCK,
        }
    }
}

#[derive(Debug)]
struct LaneLayer {
    /// Rows of input: features for the first layer, the previous layer's padded units after.
    input_rows: usize,
    /// Per group of units, `(input_rows + units) × 4·group` weights; each row is
    /// `[i … | f … | g … | o …]` over the group's units.
    weights: Vec<f32>,
    /// Per group, the `4·group` summed biases in the same order.
    bias: Vec<f32>,
}

/// A network's weights laid out for `group_step`.
#[derive(Debug)]
pub(super) struct LaneLstm {
    isa: Isa,
    layers: Vec<LaneLayer>,
    /// Units per layer rounded up to whole groups; the extra units have zero weights and stay zero.
    units: usize,
    periods: usize,
    /// `periods × units`.
    head_weights: Vec<f32>,
    head_bias: Vec<f32>,
}

impl LaneLstm {
    /// `None` where the CPU cannot run `isa`.
    pub(super) fn new(network: &CpuLstm, isa: Isa) -> Option<LaneLstm> {
        if !isa.available() {
            return None;
        }
        let group = isa.units();
        let hidden = network.hidden;
        let units = hidden.div_ceil(group) * group;
        let gates = 4 * hidden;
        let layers = network
            .layers
            .iter()
            .enumerate()
            .map(|(index, layer)| {
                let input_rows = if index == 0 { layer.input_width } else { units };
                let rows = input_rows + units;
                let width = 4 * group;
                let mut weights = vec![0.0f32; units / group * rows * width];
                let mut bias = vec![0.0f32; units / group * width];
                // Source row of the stacked layout for a lane-layout row, if it is not padding.
                let source_row = |row: usize| -> Option<usize> {
                    if row < input_rows {
                        (row < layer.input_width).then_some(row)
                    } else {
                        let unit = row - input_rows;
                        (unit < hidden).then_some(layer.input_width + unit)
                    }
                };
                for unit in 0..hidden {
                    let (index, side) = (unit / group, unit % group);
                    for gate in 0..4 {
                        let column = gate * hidden + unit;
                        let lane = gate * group + side;
                        bias[index * width + lane] = layer.bias[column];
                        for row in 0..rows {
                            if let Some(source) = source_row(row) {
                                weights[(index * rows + row) * width + lane] = layer.weights[source * gates + column];
                            }
                        }
                    }
                }
                LaneLayer {
                    input_rows,
                    weights,
                    bias,
                }
            })
            .collect();
        let periods = network.periods;
        let mut head_weights = vec![0.0f32; periods * units];
        for p in 0..periods {
            for k in 0..hidden {
                head_weights[p * units + k] = network.head_weights[k * periods + p];
            }
        }
        Some(LaneLstm {
            isa,
            layers,
            units,
            periods,
            head_weights,
            head_bias: network.head_bias.clone(),
        })
    }

    /// Windows per block.
    pub(super) fn block(&self) -> usize {
        self.isa.block()
    }

    /// Runs the windows whose inputs are the columns of `inputs` (`features` rows of `stride`
    /// readings each, at least `blocks × block + window - 1` long for the blocks `out` covers) and
    /// writes their outputs, `periods` each, into `out`.
    pub(super) fn run_blocks(&self, inputs: &[f32], stride: usize, window: usize, out: &mut [f32]) {
        let (units, block) = (self.units, self.block());
        let group = self.isa.units();
        let mut states: Vec<[Vec<f32>; 2]> = self
            .layers
            .iter()
            .map(|_| [vec![0.0f32; units * block], vec![0.0f32; units * block]])
            .collect();
        let mut cells: Vec<Vec<f32>> = self.layers.iter().map(|_| vec![0.0f32; units * block]).collect();
        let mut block_out = vec![0.0f32; self.periods * block];
        for (index_of_block, chunk) in out.chunks_mut(block * self.periods).enumerate() {
            let first = index_of_block * block;
            for cell in cells.iter_mut() {
                cell.fill(0.0);
            }
            for step in 0..window {
                let current = step % 2;
                for (index, layer) in self.layers.iter().enumerate() {
                    let (below, here) = states.split_at_mut(index);
                    let [state_a, state_b] = &mut here[0];
                    let (new_state, old_state) = if current == 0 {
                        (state_a, &*state_b)
                    } else {
                        (state_b, &*state_a)
                    };
                    let input = match below.last() {
                        Some(lower) => Rows {
                            start: lower[current].as_ptr(),
                            stride: block,
                            count: layer.input_rows,
                        },
                        None => Rows {
                            // run_blocks' contract keeps first + step + block within each row.
                            start: inputs[first + step..].as_ptr(),
                            stride,
                            count: layer.input_rows,
                        },
                    };
                    let recurrent = Rows {
                        start: old_state.as_ptr(),
                        stride: block,
                        count: if step == 0 { 0 } else { units },
                    };
                    let rows = layer.input_rows + units;
                    let width = 4 * group;
                    for index_of_group in 0..units / group {
                        let weights = layer.weights[index_of_group * rows * width..].as_ptr();
                        let bias = layer.bias[index_of_group * width..].as_ptr();
                        let cell = cells[index][index_of_group * group * block..].as_mut_ptr();
                        let state = new_state[index_of_group * group * block..].as_mut_ptr();
                        // SAFETY: every row read is `block` floats inside `inputs` or a state
                        // buffer (units × block); weights hold `rows × width` per group; the cells
                        // and states written are the group's rows of units × block buffers; `new`
                        // checked that the CPU runs this instruction set.
                        unsafe {
                            match self.isa {
                                Isa::Avx512 => avx512::group_step(input, recurrent, weights, bias, cell, state),
                                Isa::Avx2 => avx2::group_step(input, recurrent, weights, bias, cell, state),
                            }
                        }
                    }
                }
            }
            let last = &states[states.len() - 1][(window - 1) % 2];
            // SAFETY: `last` is units × block, the head weights periods × units, block_out
            // periods × block; the CPU runs the instruction set (checked in `new`).
            unsafe {
                match self.isa {
                    Isa::Avx512 => avx512::head(last, units, &self.head_weights, &self.head_bias, &mut block_out),
                    Isa::Avx2 => avx2::head(last, units, &self.head_weights, &self.head_bias, &mut block_out),
                }
            }
            for (window_index, outputs) in chunk.chunks_mut(self.periods).enumerate() {
                for (p, output) in outputs.iter_mut().enumerate() {
                    *output = block_out[p * block + window_index];
                }
            }
        }
    }
}

/// `count` rows of one block of windows each, `stride` floats apart.
#[derive(Clone, Copy)]
struct Rows {
    start: *const f32,
    stride: usize,
    count: usize,
}

/// The per-instruction-set kernels: the same code over registers of `lanes` floats.
macro_rules! lane_kernels {
    (
        $module:ident, feature: $feature:literal, register: $register:ty, lanes: $lanes:literal,
        units: $units:literal, vectors: $vectors:literal,
        load: $load:ident, store: $store:ident, splat: $splat:ident, fmadd: $fmadd:ident,
        mul: $mul:ident, add: $add:ident, min: $min:ident, max: $max:ident, div: $div:ident $(,)?
    ) => {
        mod $module {
            use std::arch::x86_64::*;

            use super::Rows;

            /// Windows per register.
            const LANES: usize = $lanes;
            /// Hidden units per call.
            pub(super) const UNITS: usize = $units;
            /// Registers of windows per call.
            const VECTORS: usize = $vectors;
            /// Windows per block.
            pub(super) const BLOCK: usize = LANES * VECTORS;
            /// Gate pre-activations per window and call.
            const GATES: usize = 4 * UNITS;

            /// `Σ_k weight[k][j] · row[k]` into the accumulators.
            #[inline]
            #[target_feature(enable = $feature)]
            #[allow(clippy::needless_range_loop)] // `v` indexes the inputs and accumulators together
            unsafe fn accumulate(accumulators: &mut [[$register; VECTORS]; GATES], rows: Rows, weights: *const f32) {
                for k in 0..rows.count {
                    let row = rows.start.add(k * rows.stride);
                    let mut x = [$splat(0.0); VECTORS];
                    for v in 0..VECTORS {
                        x[v] = $load(row.add(v * LANES));
                    }
                    let w = weights.add(k * GATES);
                    for (j, accumulator) in accumulators.iter_mut().enumerate() {
                        let weight = $splat(*w.add(j));
                        for v in 0..VECTORS {
                            accumulator[v] = $fmadd(weight, x[v], accumulator[v]);
                        }
                    }
                }
            }

            /// tanh as the fraction `p / q` (the scalar `tanh_fraction`, a register at a time).
            #[inline]
            #[target_feature(enable = $feature)]
            #[allow(clippy::excessive_precision)] // the published coefficients, kept as published
            fn tanh_fraction(x: $register) -> ($register, $register) {
                let x = $min($max(x, $splat(-7.905_311)), $splat(7.905_311));
                let x2 = $mul(x, x);
                let mut p = $splat(-2.760_768_5e-16);
                for c in [
                    2.000_187_9e-13_f32,
                    -8.604_672e-11,
                    5.122_297e-8,
                    1.485_722_4e-5,
                    6.372_619_3e-4,
                    4.893_524_6e-3,
                ] {
                    p = $fmadd(p, x2, $splat(c));
                }
                p = $mul(p, x);
                let mut q = $splat(1.198_258_4e-6);
                for c in [1.185_347_1e-4_f32, 2.268_434_6e-3, 4.893_525e-3] {
                    q = $fmadd(q, x2, $splat(c));
                }
                (p, q)
            }

            /// The four gates of `UNITS` units for a block of windows, then their new cells and
            /// states (the algebra of the scalar `gate_row`: two divisions per unit). `cell` and
            /// `state` point at the group's first unit row of units × BLOCK buffers.
            #[target_feature(enable = $feature)]
            #[allow(clippy::needless_range_loop)] // `v` indexes four gate arrays and the cell together
            pub(super) unsafe fn group_step(
                input: Rows,
                recurrent: Rows,
                weights: *const f32,
                bias: *const f32,
                cell: *mut f32,
                state: *mut f32,
            ) {
                let mut accumulators = [[$splat(0.0); VECTORS]; GATES];
                for (j, accumulator) in accumulators.iter_mut().enumerate() {
                    *accumulator = [$splat(*bias.add(j)); VECTORS];
                }
                accumulate(&mut accumulators, input, weights);
                accumulate(&mut accumulators, recurrent, weights.add(input.count * GATES));
                let half = $splat(0.5);
                let two = $splat(2.0);
                for side in 0..UNITS {
                    for v in 0..VECTORS {
                        let offset = side * BLOCK + v * LANES;
                        let (pi, qi) = tanh_fraction($mul(half, accumulators[side][v]));
                        let (pf, qf) = tanh_fraction($mul(half, accumulators[UNITS + side][v]));
                        let (pg, qg) = tanh_fraction(accumulators[2 * UNITS + side][v]);
                        let (po, qo) = tanh_fraction($mul(half, accumulators[3 * UNITS + side][v]));
                        let c = $load(cell.add(offset));
                        let input_times_candidate = $mul($add(qi, pi), pg);
                        let forget_times_cell = $mul($add(qf, pf), c);
                        let qiqg = $mul(qi, qg);
                        let numerator = $fmadd(forget_times_cell, qiqg, $mul(input_times_candidate, qf));
                        let new_cell = $div(numerator, $mul(two, $mul(qf, qiqg)));
                        $store(cell.add(offset), new_cell);
                        let (pc, qc) = tanh_fraction(new_cell);
                        let h = $div($mul($add(qo, po), pc), $mul(two, $mul(qo, qc)));
                        $store(state.add(offset), h);
                    }
                }
            }

            /// The linear head over the last layer's final states (units × BLOCK).
            #[target_feature(enable = $feature)]
            pub(super) unsafe fn head(state: &[f32], units: usize, weights: &[f32], bias: &[f32], out: &mut [f32]) {
                for (p, out_row) in out.chunks_exact_mut(BLOCK).enumerate() {
                    let mut sums = [$splat(bias[p]); VECTORS];
                    for k in 0..units {
                        let weight = $splat(weights[p * units + k]);
                        for (v, sum) in sums.iter_mut().enumerate() {
                            *sum = $fmadd(weight, $load(state[k * BLOCK + v * LANES..].as_ptr()), *sum);
                        }
                    }
                    for (v, sum) in sums.iter().enumerate() {
                        $store(out_row[v * LANES..].as_mut_ptr(), *sum);
                    }
                }
            }
        }
    };
}

lane_kernels!(
    avx512, feature: "avx512f", register: __m512, lanes: 16, units: 2, vectors: 3,
    load: _mm512_loadu_ps, store: _mm512_storeu_ps, splat: _mm512_set1_ps, fmadd: _mm512_fmadd_ps,
    mul: _mm512_mul_ps, add: _mm512_add_ps, min: _mm512_min_ps, max: _mm512_max_ps, div: _mm512_div_ps,
);

lane_kernels!(
    avx2, feature: "avx2,fma", register: __m256, lanes: 8, units: 1, vectors: 2,
    load: _mm256_loadu_ps, store: _mm256_storeu_ps, splat: _mm256_set1_ps, fmadd: _mm256_fmadd_ps,
    mul: _mm256_mul_ps, add: _mm256_add_ps, min: _mm256_min_ps, max: _mm256_max_ps, div: _mm256_div_ps,
);
