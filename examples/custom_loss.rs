//! A loss of your own: implement `Loss` and hand it to the trainer.
//!
//! The log-cosh loss, L = (1/n) Σ ln(cosh(ŷ − y)), behaves like the squared error near
//! the target and like the absolute error far from it. Its gradient is tanh(ŷ − y) / n.

use backprop::{Activation, Error, Loss, Neuron, Sgd, Trainer};

/// `L = (1/n) Σᵢ ln cosh(ŷᵢ − yᵢ)`, `∂L/∂ŷᵢ = tanh(ŷᵢ − yᵢ) / n`.
struct LogCosh;

impl Loss<f64> for LogCosh {
    fn value(&self, prediction: &[f64], target: &[f64]) -> f64 {
        let sum: f64 = prediction
            .iter()
            .zip(target)
            .map(|(p, y)| (p - y).cosh().ln())
            .sum();
        sum / prediction.len() as f64
    }

    fn gradient(&self, prediction: &[f64], target: &[f64], grad: &mut [f64]) -> f64 {
        let n = prediction.len() as f64;
        for ((g, p), y) in grad.iter_mut().zip(prediction).zip(target) {
            *g = (p - y).tanh() / n;
        }
        self.value(prediction, target)
    }
}

fn main() -> Result<(), Error> {
    // Fit y = tanh(2x − 1) with one tanh neuron: weight 2 and bias −1 are the answer.
    let xs: Vec<f64> = (0..32).map(|i| -1.5 + 3.0 * i as f64 / 31.0).collect();
    let ys: Vec<f64> = xs.iter().map(|x| (2.0 * x - 1.0).tanh()).collect();
    let neuron = Neuron::from_weights(vec![0.1])
        .with_bias(0.0)
        .with_activation(Activation::Tanh);
    let mut trainer = Trainer::new(neuron, LogCosh, Sgd::new(0.5))?;
    for epoch in 0..=2000 {
        let step = trainer.step_batch(&xs, &ys)?;
        if epoch % 500 == 0 {
            println!("epoch {epoch:4}  log-cosh loss {:.3e}", step.loss);
        }
    }
    let p = trainer.model().weights()[0];
    let b = trainer.model().bias().unwrap_or(0.0);
    println!("learned weight {p:.4}, bias {b:.4} (true: 2, -1)");
    Ok(())
}
