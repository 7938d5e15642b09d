//! Draws the lecture's figure: the loss of the lecture's neuron against its weight, the
//! loss's derivative, the minimum where the derivative crosses zero, and the eleven
//! gradient-descent steps of the trace as points on the curve.
//!
//! `cargo run --example lecture_plot` writes docs/lecture.svg.

use backprop::{Loss, Mse, Neuron, Sgd, Trainer};
use plotters::prelude::*;

const X: f64 = 1.2;
const Y: f64 = 0.4;

/// The loss (xw − y)² as a function of the weight, computed by the crate's `Mse`.
fn loss_at(w: f64) -> f64 {
    Mse.value(&[X * w], &[Y])
}

/// The derivative dL/dw = 2(xw − y)·x, computed by the crate's `Mse` and the chain rule.
fn derivative_at(w: f64) -> f64 {
    let mut dl_da = [0.0];
    Mse.gradient(&[X * w], &[Y], &mut dl_da);
    dl_da[0] * X
}

/// The weights before each of the lecture's eleven steps, and the last one after.
fn descent() -> Result<Vec<f64>, backprop::Error> {
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1))?;
    let mut weights = vec![0.7];
    for _ in 0..11 {
        trainer.step(&[X], &[Y])?;
        weights.push(trainer.model().weights()[0]);
    }
    Ok(weights)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/lecture.svg");
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Loss (xw − y)² and its derivative against the weight w",
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(-0.1f64..0.8, -1.3f64..1.4)?;
    chart
        .configure_mesh()
        .x_desc("weight w")
        .y_desc("loss, dloss/dw")
        .draw()?;

    let ws: Vec<f64> = (0..=180).map(|i| -0.1 + 0.9 * i as f64 / 180.0).collect();
    chart
        .draw_series(LineSeries::new(
            ws.iter().map(|&w| (w, loss_at(w))),
            BLUE.stroke_width(2),
        ))?
        .label("loss (xw − y)²")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            ws.iter().map(|&w| (w, derivative_at(w))),
            RED.stroke_width(2),
        ))?
        .label("derivative 2(xw − y)·x")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED.stroke_width(2)));
    chart.draw_series(LineSeries::new([(-0.1, 0.0), (0.8, 0.0)], BLACK.mix(0.4)))?;

    let minimum = Y / X;
    chart
        .draw_series([Circle::new((minimum, 0.0), 6, BLACK.filled())])?
        .label("minimum w = y/x = 1/3 (derivative = 0)")
        .legend(|(x, y)| Circle::new((x + 10, y), 5, BLACK.filled()));
    chart
        .draw_series(
            descent()?
                .into_iter()
                .map(|w| Circle::new((w, loss_at(w)), 5, GREEN.filled())),
        )?
        .label("gradient-descent steps from w = 0.7 (lr = 0.1)")
        .legend(|(x, y)| Circle::new((x + 10, y), 5, GREEN.filled()));

    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    println!("wrote {path}");
    Ok(())
}
