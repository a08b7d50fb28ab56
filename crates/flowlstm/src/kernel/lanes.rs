//! The scan with windows across the lanes of AVX-512 registers.
//!
//! Sixteen windows share a register, so the input of step `t` for windows `s .. s + 16` is the run of
//! readings `s + t .. s + t + 16` (no gathering), and each weight is broadcast once per sixteen
//! windows. One call of [`pair_step`] computes the four gates of two hidden units for 48 windows in
//! 24 registers and turns them into the new cell and state right there, so gates never go to memory.
//! At the first step the state is zero, so the recurrent products are skipped.

use std::arch::x86_64::*;

use super::CpuLstm;

/// Windows per register.
const LANES: usize = 16;
/// Registers of windows per call: 2 units × 4 gates × 3 = 24 accumulators of the 32 registers.
const VECTORS: usize = 3;
/// Windows per block.
pub(super) const BLOCK: usize = LANES * VECTORS;

#[derive(Debug)]
struct LaneLayer {
    /// Rows of input: features for the first layer, the previous layer's padded units after.
    input_rows: usize,
    /// Per pair of units, `(input_rows + units) × 8` weights: rows of `[i₀ i₁ f₀ f₁ g₀ g₁ o₀ o₁]`.
    weights: Vec<f32>,
    /// Per pair, the 8 summed biases in the same order.
    bias: Vec<f32>,
}

/// A network's weights laid out for [`pair_step`]; built only where the CPU has AVX-512F.
#[derive(Debug)]
pub(super) struct LaneLstm {
    layers: Vec<LaneLayer>,
    /// Units per layer rounded up to even; the extra unit has zero weights and stays zero.
    units: usize,
    periods: usize,
    /// `periods × units`.
    head_weights: Vec<f32>,
    head_bias: Vec<f32>,
}

impl LaneLstm {
    /// `None` where the CPU lacks AVX-512F.
    pub(super) fn new(network: &CpuLstm) -> Option<LaneLstm> {
        if !std::arch::is_x86_feature_detected!("avx512f") {
            return None;
        }
        let hidden = network.hidden;
        let units = hidden + hidden % 2;
        let gates = 4 * hidden;
        let layers = network
            .layers
            .iter()
            .enumerate()
            .map(|(index, layer)| {
                let input_rows = if index == 0 { layer.input_width } else { units };
                let rows = input_rows + units;
                let mut weights = vec![0.0f32; units / 2 * rows * 8];
                let mut bias = vec![0.0f32; units / 2 * 8];
                // Source row of the stacked layout for a lane-layout row, if it is not padding.
                let source_row = |row: usize| -> Option<usize> {
                    if row < input_rows {
                        (row < layer.input_width).then_some(row)
                    } else {
                        let unit = row - input_rows;
                        (unit < hidden).then_some(layer.input_width + unit)
                    }
                };
                for pair in 0..units / 2 {
                    for gate in 0..4 {
                        for side in 0..2 {
                            let unit = 2 * pair + side;
                            if unit >= hidden {
                                continue;
                            }
                            let column = gate * hidden + unit;
                            bias[pair * 8 + gate * 2 + side] = layer.bias[column];
                            for row in 0..rows {
                                if let Some(source) = source_row(row) {
                                    weights[(pair * rows + row) * 8 + gate * 2 + side] =
                                        layer.weights[source * gates + column];
                                }
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
            layers,
            units,
            periods,
            head_weights,
            head_bias: network.head_bias.clone(),
        })
    }

    /// Runs `count` windows whose inputs are the columns of `inputs` (`features` rows of `stride`
    /// readings each, at least `count.div_ceil(BLOCK) * BLOCK + window - 1` long) and writes
    /// `count × periods` outputs.
    pub(super) fn run_blocks(&self, inputs: &[f32], stride: usize, window: usize, out: &mut [f32]) {
        let units = self.units;
        let mut states: Vec<[Vec<f32>; 2]> = self
            .layers
            .iter()
            .map(|_| [vec![0.0f32; units * BLOCK], vec![0.0f32; units * BLOCK]])
            .collect();
        let mut cells: Vec<Vec<f32>> = self.layers.iter().map(|_| vec![0.0f32; units * BLOCK]).collect();
        let mut block_out = vec![0.0f32; self.periods * BLOCK];
        for (block, chunk) in out.chunks_mut(BLOCK * self.periods).enumerate() {
            let first = block * BLOCK;
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
                            stride: BLOCK,
                            count: layer.input_rows,
                        },
                        None => Rows {
                            // SAFETY (of the pointer): run_blocks' contract keeps first + step +
                            // BLOCK within each row of `inputs`.
                            start: inputs[first + step..].as_ptr(),
                            stride,
                            count: layer.input_rows,
                        },
                    };
                    let recurrent = Rows {
                        start: old_state.as_ptr(),
                        stride: BLOCK,
                        count: if step == 0 { 0 } else { units },
                    };
                    let rows = layer.input_rows + units;
                    for pair in 0..units / 2 {
                        // SAFETY: every row read is BLOCK floats inside `inputs` or a state
                        // buffer (units × BLOCK); weights hold `rows × 8` per pair; the cell and
                        // state written are rows 2·pair and 2·pair + 1 of units × BLOCK buffers;
                        // the CPU has AVX-512F (checked in `new`).
                        unsafe {
                            pair_step(
                                input,
                                recurrent,
                                layer.weights[pair * rows * 8..].as_ptr(),
                                layer.bias[pair * 8..].as_ptr(),
                                cells[index][2 * pair * BLOCK..].as_mut_ptr(),
                                new_state[2 * pair * BLOCK..].as_mut_ptr(),
                            );
                        }
                    }
                }
            }
            let last = &states[states.len() - 1][(window - 1) % 2];
            // SAFETY: `last` is units × BLOCK, the head weights periods × units, block_out
            // periods × BLOCK; the CPU has AVX-512F.
            unsafe { head(last, units, &self.head_weights, &self.head_bias, &mut block_out) };
            for (window_index, outputs) in chunk.chunks_mut(self.periods).enumerate() {
                for (p, output) in outputs.iter_mut().enumerate() {
                    *output = block_out[p * BLOCK + window_index];
                }
            }
        }
    }
}

/// `count` rows of BLOCK floats, `stride` floats apart.
#[derive(Clone, Copy)]
struct Rows {
    start: *const f32,
    stride: usize,
    count: usize,
}

/// `Σ_k weight[k][j] · row[k]` into the 8 × 3 accumulators.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn accumulate(accumulators: &mut [[__m512; VECTORS]; 8], rows: Rows, weights: *const f32) {
    for k in 0..rows.count {
        let row = rows.start.add(k * rows.stride);
        let x = [
            _mm512_loadu_ps(row),
            _mm512_loadu_ps(row.add(LANES)),
            _mm512_loadu_ps(row.add(2 * LANES)),
        ];
        let w = weights.add(k * 8);
        for (j, accumulator) in accumulators.iter_mut().enumerate() {
            let weight = _mm512_set1_ps(*w.add(j));
            for v in 0..VECTORS {
                accumulator[v] = _mm512_fmadd_ps(weight, x[v], accumulator[v]);
            }
        }
    }
}

/// tanh as the fraction `p / q` (the scalar `tanh_fraction`, sixteen lanes at a time).
#[inline]
#[target_feature(enable = "avx512f")]
#[allow(clippy::excessive_precision)]
fn tanh_fraction(x: __m512) -> (__m512, __m512) {
    let x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-7.905_311)), _mm512_set1_ps(7.905_311));
    let x2 = _mm512_mul_ps(x, x);
    let mut p = _mm512_set1_ps(-2.760_768_5e-16);
    for c in [
        2.000_187_9e-13_f32,
        -8.604_672e-11,
        5.122_297e-8,
        1.485_722_4e-5,
        6.372_619_3e-4,
        4.893_524_6e-3,
    ] {
        p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(c));
    }
    p = _mm512_mul_ps(p, x);
    let mut q = _mm512_set1_ps(1.198_258_4e-6);
    for c in [1.185_347_1e-4_f32, 2.268_434_6e-3, 4.893_525e-3] {
        q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(c));
    }
    (p, q)
}

/// Four gates of units `2·pair` and `2·pair + 1` for BLOCK windows, then their new cells and states
/// (the same algebra as the scalar `gate_row`: two divisions per unit).
#[target_feature(enable = "avx512f")]
#[allow(clippy::needless_range_loop)] // `v` indexes four gate arrays and the cell together
unsafe fn pair_step(
    input: Rows,
    recurrent: Rows,
    weights: *const f32,
    bias: *const f32,
    cell: *mut f32,
    state: *mut f32,
) {
    let mut accumulators = [[_mm512_setzero_ps(); VECTORS]; 8];
    for (j, accumulator) in accumulators.iter_mut().enumerate() {
        *accumulator = [_mm512_set1_ps(*bias.add(j)); VECTORS];
    }
    accumulate(&mut accumulators, input, weights);
    accumulate(&mut accumulators, recurrent, weights.add(input.count * 8));
    let half = _mm512_set1_ps(0.5);
    let two = _mm512_set1_ps(2.0);
    for side in 0..2 {
        for v in 0..VECTORS {
            let offset = side * BLOCK + v * LANES;
            let (pi, qi) = tanh_fraction(_mm512_mul_ps(half, accumulators[side][v]));
            let (pf, qf) = tanh_fraction(_mm512_mul_ps(half, accumulators[2 + side][v]));
            let (pg, qg) = tanh_fraction(accumulators[4 + side][v]);
            let (po, qo) = tanh_fraction(_mm512_mul_ps(half, accumulators[6 + side][v]));
            let c = _mm512_loadu_ps(cell.add(offset));
            let input_times_candidate = _mm512_mul_ps(_mm512_add_ps(qi, pi), pg);
            let forget_times_cell = _mm512_mul_ps(_mm512_add_ps(qf, pf), c);
            let qiqg = _mm512_mul_ps(qi, qg);
            let numerator = _mm512_fmadd_ps(forget_times_cell, qiqg, _mm512_mul_ps(input_times_candidate, qf));
            let new_cell = _mm512_div_ps(numerator, _mm512_mul_ps(two, _mm512_mul_ps(qf, qiqg)));
            _mm512_storeu_ps(cell.add(offset), new_cell);
            let (pc, qc) = tanh_fraction(new_cell);
            let h = _mm512_div_ps(
                _mm512_mul_ps(_mm512_add_ps(qo, po), pc),
                _mm512_mul_ps(two, _mm512_mul_ps(qo, qc)),
            );
            _mm512_storeu_ps(state.add(offset), h);
        }
    }
}

/// The linear head over the last layer's final states.
#[target_feature(enable = "avx512f")]
unsafe fn head(state: &[f32], units: usize, weights: &[f32], bias: &[f32], out: &mut [f32]) {
    for (p, out_row) in out.chunks_exact_mut(BLOCK).enumerate() {
        let mut sums = [_mm512_set1_ps(bias[p]); VECTORS];
        for k in 0..units {
            let weight = _mm512_set1_ps(weights[p * units + k]);
            for (v, sum) in sums.iter_mut().enumerate() {
                *sum = _mm512_fmadd_ps(weight, _mm512_loadu_ps(state[k * BLOCK + v * LANES..].as_ptr()), *sum);
            }
        }
        for (v, sum) in sums.iter().enumerate() {
            _mm512_storeu_ps(out_row[v * LANES..].as_mut_ptr(), *sum);
        }
    }
}
