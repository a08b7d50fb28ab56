//! Fused CPU inference for the anomaly scan.
//!
//! libtorch's LSTM op runs each step as separate passes over memory (matrix product, then one pass
//! per element-wise operation), so at the batch sizes a year of minutes needs, the gate arithmetic
//! costs as much as the products. Fused paths replace it on the CPU, each holding the whole network to
//! 1e-4 of libtorch's output (`tests::matches_libtorch`):
//!
//! - where the CPU has AVX-512F or AVX2 with FMA, [`lanes`]: windows across vector lanes, gates
//!   kept in registers and turned into cell and state as soon as they are summed (1.25 s for a year
//!   of minutes on the 2-core reference machine with AVX-512, the products running at the FMA
//!   units' peak; 1.6–1.8 s with AVX2 there);
//! - elsewhere, the tiled path: a tile of 256 windows in cache and, per layer and step, one matrix
//!   product of `[input | h]` against the stacked weights (matrixmultiply) followed by one fused
//!   gate pass (1.8–2.1 s there).
//!
//! The gate functions use a rational approximation of tanh accurate to about 1e-7 (Eigen's float
//! `ptanh`). Blocks of windows are shared between threads.

use std::ops::Range;

#[cfg(target_arch = "x86_64")]
mod lanes;

use tch::nn::VarStore;
use tch::{Device, Kind, Tensor};

/// Windows per tile (measured: 64 → 1.82 s, 128 → 1.86 s, 256 → 1.82 s for a year of minutes);
/// the gates of 256 windows (256 × 4 × 50 floats, 200 KB) stay in L2.
const TILE: usize = 256;

/// Blocks of windows per slice of inputs the lanes path makes feature-major at a time (12,288
/// windows with AVX-512: 150 KB of inputs per feature and thread).
#[cfg(target_arch = "x86_64")]
const SLICE_BLOCKS: usize = 256;

#[derive(Debug)]
struct Layer {
    input_width: usize,
    /// `(input_width + hidden) × 4·hidden`, row-major: input weights on top of recurrent ones.
    weights: Vec<f32>,
    /// `4·hidden`: both biases summed.
    bias: Vec<f32>,
}

/// A trained network's weights, laid out for the fused pass.
#[derive(Debug)]
pub(crate) struct CpuLstm {
    layers: Vec<Layer>,
    hidden: usize,
    periods: usize,
    /// `hidden × periods`, row-major.
    head_weights: Vec<f32>,
    head_bias: Vec<f32>,
    /// The same weights for the lanes path, where the CPU has AVX-512 or AVX2.
    #[cfg(target_arch = "x86_64")]
    lanes: Option<lanes::LaneLstm>,
}

fn values(tensor: &Tensor) -> Option<Vec<f32>> {
    let flat = tensor
        .detach()
        .to_device(Device::Cpu)
        .to_kind(Kind::Float)
        .contiguous()
        .view([-1]);
    Vec::<f32>::try_from(&flat).ok()
}

impl CpuLstm {
    /// Copies the weights of a network built by `Network::new`; `None` if a tensor is missing.
    pub(crate) fn from_store(
        store: &VarStore,
        features: usize,
        hidden: usize,
        layers: usize,
        periods: usize,
    ) -> Option<CpuLstm> {
        let variables = store.variables();
        let get = |name: String| variables.get(&name).and_then(values);
        let gates = 4 * hidden;
        let mut stacked = Vec::with_capacity(layers);
        for layer in 0..layers {
            let input_width = if layer == 0 { features } else { hidden };
            let input = get(format!("lstm.weight_ih_l{layer}"))?; // gates × input_width
            let recurrent = get(format!("lstm.weight_hh_l{layer}"))?; // gates × hidden
            let bias_ih = get(format!("lstm.bias_ih_l{layer}"))?;
            let bias_hh = get(format!("lstm.bias_hh_l{layer}"))?;
            if input.len() != gates * input_width
                || recurrent.len() != gates * hidden
                || bias_ih.len() != gates
                || bias_hh.len() != gates
            {
                return None;
            }
            let width = input_width + hidden;
            let mut weights = vec![0.0; width * gates];
            for gate in 0..gates {
                for k in 0..input_width {
                    weights[k * gates + gate] = input[gate * input_width + k];
                }
                for k in 0..hidden {
                    weights[(input_width + k) * gates + gate] = recurrent[gate * hidden + k];
                }
            }
            let bias = bias_ih.iter().zip(&bias_hh).map(|(a, b)| a + b).collect();
            stacked.push(Layer {
                input_width,
                weights,
                bias,
            });
        }
        let head = get("head.weight".to_string())?; // periods × hidden
        let head_bias = get("head.bias".to_string())?;
        if head.len() != periods * hidden || head_bias.len() != periods {
            return None;
        }
        let mut head_weights = vec![0.0; hidden * periods];
        for p in 0..periods {
            for k in 0..hidden {
                head_weights[k * periods + p] = head[p * hidden + k];
            }
        }
        #[allow(unused_mut)] // assigned only on x86_64
        let mut network = CpuLstm {
            layers: stacked,
            hidden,
            periods,
            head_weights,
            head_bias,
            #[cfg(target_arch = "x86_64")]
            lanes: None,
        };
        #[cfg(target_arch = "x86_64")]
        {
            network.lanes = lanes::Isa::detect().and_then(|isa| lanes::LaneLstm::new(&network, isa));
        }
        Some(network)
    }

    /// Runs windows `samples` of a flat `steps × features` matrix (window `s` is rows
    /// `s .. s + window`) and returns `samples × periods` scaled outputs, using `threads` threads:
    /// on the lanes path where the CPU has AVX-512 or AVX2, else on the tiled matrix-product path.
    pub(crate) fn run(&self, matrix: &[f32], window: usize, samples: Range<usize>, threads: usize) -> Vec<f32> {
        #[cfg(target_arch = "x86_64")]
        if let Some(lanes) = &self.lanes {
            return self.run_lanes(lanes, matrix, window, samples, threads);
        }
        self.run_tiled(matrix, window, samples, threads)
    }

    #[cfg(target_arch = "x86_64")]
    fn run_lanes(
        &self,
        lanes: &lanes::LaneLstm,
        matrix: &[f32],
        window: usize,
        samples: Range<usize>,
        threads: usize,
    ) -> Vec<f32> {
        let mut out = vec![0.0f32; samples.len() * self.periods];
        let (features, periods, block) = (self.features(), self.periods, lanes.block());
        in_shares(&mut out, periods, samples.start, block, threads, |first, share| {
            // A slice at a time, made feature-major and zero-padded to whole blocks: row `f` holds
            // feature `f` of every step, so a register of windows' inputs at one step are
            // neighbours. Slicing keeps the copy to a few hundred KB per thread however long the
            // series.
            let slice_windows = SLICE_BLOCKS * block;
            let stride = slice_windows + window - 1;
            let mut inputs = vec![0.0f32; features * stride];
            for (index, slice_out) in share.chunks_mut(slice_windows * periods).enumerate() {
                let start = first + index * slice_windows;
                inputs.fill(0.0);
                let rows = matrix.get(start * features..).unwrap_or_default();
                for (step, reading) in rows.chunks_exact(features).take(stride).enumerate() {
                    for (feature, value) in reading.iter().enumerate() {
                        inputs[feature * stride + step] = *value;
                    }
                }
                lanes.run_blocks(&inputs, stride, window, slice_out);
            }
        });
        out
    }

    /// [`CpuLstm::run`] on the tiled path: per layer and step, one matrix product for a tile of
    /// windows, then one gate pass.
    fn run_tiled(&self, matrix: &[f32], window: usize, samples: Range<usize>, threads: usize) -> Vec<f32> {
        let mut out = vec![0.0f32; samples.len() * self.periods];
        in_shares(&mut out, self.periods, samples.start, TILE, threads, |first, share| {
            self.run_range(matrix, window, first, share)
        });
        out
    }

    /// Inputs per step: the first layer's input width.
    fn features(&self) -> usize {
        self.layers.first().map_or(1, |l| l.input_width)
    }

    /// One thread's share: windows from `first`, as many as `out` holds.
    fn run_range(&self, matrix: &[f32], window: usize, first: usize, out: &mut [f32]) {
        let hidden = self.hidden;
        let gates_width = 4 * hidden;
        let mut inputs: Vec<Vec<f32>> = self
            .layers
            .iter()
            .map(|l| vec![0.0; TILE * (l.input_width + hidden)])
            .collect();
        let mut cells: Vec<Vec<f32>> = self.layers.iter().map(|_| vec![0.0; TILE * hidden]).collect();
        let mut gates = vec![0.0f32; TILE * gates_width];
        let features = self.features();
        for (tile, tile_out) in out.chunks_mut(TILE * self.periods).enumerate() {
            let rows = tile_out.len() / self.periods;
            let start = first + tile * TILE;
            for (input, cell) in inputs.iter_mut().zip(cells.iter_mut()) {
                input.fill(0.0);
                cell.fill(0.0);
            }
            for step in 0..window {
                for row in 0..rows {
                    let source = (start + row + step) * features;
                    let width = features + hidden;
                    inputs[0][row * width..row * width + features].copy_from_slice(&matrix[source..source + features]);
                }
                for (index, layer) in self.layers.iter().enumerate() {
                    let width = layer.input_width + hidden;
                    for row in gates.chunks_mut(gates_width).take(rows) {
                        row.copy_from_slice(&layer.bias);
                    }
                    // SAFETY: the pointers come from live slices whose lengths cover the shapes
                    // passed: inputs[index] is TILE × width, weights width × gates_width, gates
                    // TILE × gates_width, and rows ≤ TILE.
                    unsafe {
                        matrixmultiply::sgemm(
                            rows,
                            width,
                            gates_width,
                            1.0,
                            inputs[index].as_ptr(),
                            width as isize,
                            1,
                            layer.weights.as_ptr(),
                            gates_width as isize,
                            1,
                            1.0,
                            gates.as_mut_ptr(),
                            gates_width as isize,
                            1,
                        );
                    }
                    let (current, next) = inputs.split_at_mut(index + 1);
                    let own = &mut current[index];
                    let tile_gates = &gates[..rows * gates_width];
                    gate_tile(
                        tile_gates,
                        &mut cells[index][..rows * hidden],
                        &mut own[..rows * width],
                        layer.input_width,
                        hidden,
                    );
                    if let Some(next_input) = next.first_mut() {
                        let next_width = hidden + hidden;
                        for row in 0..rows {
                            let state = &own[row * width + layer.input_width..(row + 1) * width];
                            next_input[row * next_width..row * next_width + hidden].copy_from_slice(state);
                        }
                    }
                }
            }
            let last = self.layers.len() - 1;
            let width = self.layers[last].input_width + hidden;
            for (row, outputs) in tile_out.chunks_mut(self.periods).enumerate() {
                let state = &inputs[last][row * width + self.layers[last].input_width..(row + 1) * width];
                for (p, output) in outputs.iter_mut().enumerate() {
                    *output = self.head_bias[p]
                        + state
                            .iter()
                            .enumerate()
                            .map(|(k, h)| h * self.head_weights[k * self.periods + p])
                            .sum::<f32>();
                }
            }
        }
    }
}

/// Splits `out` (`periods` outputs per window, windows from `first`) into one contiguous share per
/// thread, each a whole number of `unit` windows, and runs `work(first window, share)` on each.
fn in_shares(
    out: &mut [f32],
    periods: usize,
    first: usize,
    unit: usize,
    threads: usize,
    work: impl Fn(usize, &mut [f32]) + Sync,
) {
    let units = (out.len() / periods.max(1)).div_ceil(unit.max(1));
    if units == 0 {
        return;
    }
    let per_thread = units.div_ceil(threads.clamp(1, units)) * unit.max(1);
    let work = &work;
    std::thread::scope(|scope| {
        for (part, share) in out.chunks_mut(per_thread * periods.max(1)).enumerate() {
            scope.spawn(move || work(first + part * per_thread, share));
        }
    });
}

/// tanh(x) as the fraction `p / q`, accurate to about 1e-7, using only multiplies and adds so that
/// loops over it vectorise. Coefficients: Eigen's `ptanh_float` (a 13/6 rational approximation on
/// [-7.9, 7.9]). Returning the fraction lets the gate pass combine divisions.
#[inline(always)]
#[allow(clippy::excessive_precision)] // the published coefficients, kept as published
fn tanh_fraction(x: f32) -> (f32, f32) {
    let x = x.clamp(-7.905_311, 7.905_311);
    let x2 = x * x;
    let mut p = -2.760_768_5e-16_f32;
    p = p * x2 + 2.000_187_9e-13;
    p = p * x2 - 8.604_672e-11;
    p = p * x2 + 5.122_297e-8;
    p = p * x2 + 1.485_722_4e-5;
    p = p * x2 + 6.372_619_3e-4;
    p = p * x2 + 4.893_524_6e-3;
    p *= x;
    let mut q = 1.198_258_4e-6_f32;
    q = q * x2 + 1.185_347_1e-4;
    q = q * x2 + 2.268_434_6e-3;
    q = q * x2 + 4.893_525e-3;
    (p, q)
}

#[cfg(test)]
fn tanh_approx(x: f32) -> f32 {
    let (p, q) = tanh_fraction(x);
    p / q
}

/// One row: gates `[i | f | g | o]` (pre-activation) update the cell and write the hidden state.
///
/// With `σ(x) = (q + p) / 2q` for `(p, q) = tanh_fraction(x / 2)`, the new cell
/// `σ(f)·c + σ(i)·tanh(g)` and the state `σ(o)·tanh(c)` take one division each (two per unit
/// instead of five). Measured: no faster than five divisions on the reference machine, but no
/// slower either, and the fewer rounding steps the better.
#[inline(always)]
fn gate_row(gates: &[f32], cell: &mut [f32], state: &mut [f32]) {
    let hidden = cell.len();
    let (input_gate, rest) = gates.split_at(hidden);
    let (forget_gate, rest) = rest.split_at(hidden);
    let (candidate, output_gate) = rest.split_at(hidden);
    for (((((c, h), i), f), g), o) in cell
        .iter_mut()
        .zip(state.iter_mut())
        .zip(input_gate)
        .zip(forget_gate)
        .zip(candidate)
        .zip(output_gate)
    {
        let (pi, qi) = tanh_fraction(0.5 * *i);
        let (pf, qf) = tanh_fraction(0.5 * *f);
        let (pg, qg) = tanh_fraction(*g);
        let (po, qo) = tanh_fraction(0.5 * *o);
        let input_times_candidate = (qi + pi) * pg; // over 2·qi·qg
        let forget_times_cell = (qf + pf) * *c; // over 2·qf
        let new_cell = (forget_times_cell * qi * qg + input_times_candidate * qf) / (2.0 * qf * qi * qg);
        let (pc, qc) = tanh_fraction(new_cell);
        *c = new_cell;
        *h = (qo + po) * pc / (2.0 * qo * qc);
    }
}

/// The gate pass over a whole tile: `gates` is rows × 4·hidden, `cells` rows × hidden, and each
/// row of `inputs` (rows × (input_width + hidden)) receives its new state after `input_width`.
fn gate_tile(gates: &[f32], cells: &mut [f32], inputs: &mut [f32], input_width: usize, hidden: usize) {
    let width = input_width + hidden;
    for ((gate_row_values, cell), input_row) in gates
        .chunks_exact(4 * hidden)
        .zip(cells.chunks_exact_mut(hidden))
        .zip(inputs.chunks_exact_mut(width))
    {
        gate_row(gate_row_values, cell, &mut input_row[input_width..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Network;
    use tch::nn;

    #[test]
    fn tanh_is_close() {
        for i in -1000..=1000 {
            let x = i as f32 / 50.0;
            assert!((tanh_approx(x) - x.tanh()).abs() < 2e-6, "{x}");
        }
    }

    /// Every CPU path against libtorch's own LSTM: odd unit counts (padded on the lanes paths),
    /// window counts that do not fill a block or a tile, several slices of inputs (30,000 windows),
    /// one to three layers, several outputs.
    #[test]
    fn matches_libtorch() {
        for (features, hidden, layers, periods, samples) in [
            (1, 20, 2, 1, 300),
            (3, 21, 1, 2, 65),
            (5, 20, 3, 1, 7),
            (3, 50, 2, 1, 1000),
            (2, 8, 1, 1, 30_000),
        ] {
            tch::manual_seed(11);
            let store = nn::VarStore::new(Device::Cpu);
            let network = Network::new(&store.root(), features, hidden, layers, periods);
            let kernel = CpuLstm::from_store(&store, features, hidden, layers, periods).unwrap();
            let window = 7;
            let steps = samples + window - 1;
            let matrix: Vec<f32> = (0..steps * features)
                .map(|k| ((k * 37 % 101) as f32 / 50.0) - 1.0)
                .collect();
            let inputs = crate::model::window_tensor(&matrix, features, window, Device::Cpu);
            let expected: Vec<f32> =
                Vec::try_from(&tch::no_grad(|| network.forward(&inputs)).contiguous().view([-1])).unwrap();
            let mut paths = vec![
                ("dispatched", kernel.run(&matrix, window, 0..samples, 2)),
                ("tiled", kernel.run_tiled(&matrix, window, 0..samples, 2)),
            ];
            #[cfg(target_arch = "x86_64")]
            for (name, isa) in [("avx512 lanes", lanes::Isa::Avx512), ("avx2 lanes", lanes::Isa::Avx2)] {
                if let Some(lanes) = lanes::LaneLstm::new(&kernel, isa) {
                    paths.push((name, kernel.run_lanes(&lanes, &matrix, window, 0..samples, 2)));
                }
            }
            for (path, got) in paths {
                assert_eq!(got.len(), expected.len());
                let worst = got
                    .iter()
                    .zip(&expected)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0f32, f32::max);
                assert!(
                    worst < 1e-4,
                    "{path}: features {features} hidden {hidden} layers {layers}: {worst}"
                );
            }
        }
    }

    /// The widest lanes path the CPU has must be the one it runs, or the test above proves less
    /// than it seems.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_widest_lanes_path_is_taken() {
        let store = nn::VarStore::new(Device::Cpu);
        let _network = Network::new(&store.root(), 1, 4, 1, 1);
        let kernel = CpuLstm::from_store(&store, 1, 4, 1, 1).unwrap();
        let expected = if std::arch::is_x86_feature_detected!("avx512f") {
            Some(lanes::Isa::Avx512.block())
        } else if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            Some(lanes::Isa::Avx2.block())
        } else {
            None
        };
        assert_eq!(kernel.lanes.as_ref().map(|l| l.block()), expected);
    }
}
