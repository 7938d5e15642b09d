//! Draws the physics-informed network of examples/pinn.rs against the exact solution
//! sin(πx), and its residual u″ + π² sin(πx), on 101 points of [0, 1].
//!
//! `cargo run --release --example pinn_plot` writes docs/pinn.svg.

#[allow(dead_code)] // its `main` is not ours
#[path = "pinn.rs"]
mod pinn;

use std::f64::consts::PI;

use backprop::derivatives::input_jets;
use plotters::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let net = pinn::train(pinn::STEPS)?;
    let xs: Vec<f64> = (0..=100).map(|k| k as f64 / 100.0).collect();
    let jets = input_jets(&net, &xs, &[1.0])?;
    let u: Vec<(f64, f64)> = xs.iter().zip(&jets).map(|(&x, j)| (x, j.value)).collect();
    let exact: Vec<(f64, f64)> = xs.iter().map(|&x| (x, (PI * x).sin())).collect();
    let residual: Vec<(f64, f64)> = xs
        .iter()
        .zip(&jets)
        .map(|(&x, j)| (x, j.second + PI * PI * (PI * x).sin()))
        .collect();
    let max_error = pinn::max_error(&net)?;
    println!("max |u − sin πx| on 101 points: {max_error:.2e}");

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/pinn.svg");
    let root = SVGBackend::new(path, (800, 640)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, bottom) = root.split_vertically(400);
    let mut chart = ChartBuilder::on(&top)
        .caption(
            format!(
                "u″ = −π² sin πx, u(0) = u(1) = 0: network vs sin πx (max error {max_error:.1e})"
            ),
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..1.0, -0.05..1.1)?;
    chart.configure_mesh().x_desc("x").y_desc("u(x)").draw()?;
    chart
        .draw_series(LineSeries::new(exact, BLUE.stroke_width(6)))?
        .label("sin πx (exact)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE.stroke_width(6)));
    chart
        .draw_series(LineSeries::new(u, RED.stroke_width(2)))?
        .label("network (1-16-16-1 tanh, Adam)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerMiddle)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;

    let bound = residual.iter().map(|r| r.1.abs()).fold(1e-12, f64::max) * 1.1;
    let mut chart = ChartBuilder::on(&bottom)
        .caption("residual u″ + π² sin πx", ("sans-serif", 18))
        .margin(16)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..1.0, -bound..bound)?;
    chart
        .configure_mesh()
        .x_desc("x")
        .y_desc("residual")
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .draw()?;
    chart.draw_series(LineSeries::new(
        residual,
        RGBColor(0, 150, 60).stroke_width(2),
    ))?;
    root.present()?;
    println!("wrote {path}");
    Ok(())
}
