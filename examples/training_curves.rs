//! Draws the training curves of the sine fit (examples/sine.rs: 1-16-16-1 tanh, shuffled
//! mini-batches of 4) for three optimizers from the same initial weights: plain SGD, SGD
//! with momentum and Adam. The loss per epoch is on a log scale.
//!
//! `cargo run --release --example training_curves` writes docs/training_curves.svg.

#[allow(dead_code)] // its `main` is not ours
#[path = "sine.rs"]
mod sine;

use backprop::{
    Adam, Control, Epochs, Error, Fit, Momentum, Mse, Optimizer, Sgd, Trainer, UpdateRule,
};
use plotters::prelude::*;

/// The loss of every epoch of the sine fit with `optimizer`.
fn curve<R: UpdateRule<f64>>(optimizer: Optimizer<f64, R>) -> Result<Vec<f64>, Error> {
    let (xs, ys) = sine::data();
    let net = sine::network()?;
    let mut trainer = Trainer::new(net, Mse, optimizer)?;
    let mut fit = Fit::new(Epochs::new(4).shuffle(2), sine::EPOCHS);
    let mut losses = Vec::with_capacity(sine::EPOCHS);
    trainer.fit_observed(&mut fit, &xs, &ys, |event| {
        if let backprop::Event::Epoch { loss, .. } = *event {
            losses.push(loss);
        }
        Control::Continue
    })?;
    Ok(losses)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs = [
        ("SGD, lr 0.02", curve(Sgd::new(0.02))?, BLUE),
        (
            "SGD with momentum 0.9, lr 0.005",
            curve(Sgd::new(0.005).momentum(Momentum::Classic(0.9)))?,
            RED,
        ),
        (
            "Adam, lr 0.001",
            curve(Adam::new(0.001))?,
            RGBColor(0, 150, 60),
        ),
    ];
    for (name, losses, _) in &runs {
        println!("{name:32} last epoch loss {:.3e}", losses[losses.len() - 1]);
    }

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/training_curves.svg");
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Fitting sin(x) with a 1-16-16-1 tanh network: loss per epoch",
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0..sine::EPOCHS, (1e-6f64..1.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("mean squared error (log scale)")
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .draw()?;
    for (name, losses, color) in &runs {
        chart
            .draw_series(LineSeries::new(
                losses.iter().copied().enumerate(),
                color.stroke_width(2),
            ))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    println!("wrote {path}");
    Ok(())
}
