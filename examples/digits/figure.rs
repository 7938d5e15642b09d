//! docs/digits.svg: the confusion matrix as a heat map, and the misclassified digits.

use plotters::prelude::*;

/// The heat map on the left, the misclassified digits on the right.
pub fn draw(
    matrix: &[usize],
    accuracy: f64,
    x: &[f64],
    truth: &[f64],
    predicted: &[f64],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new("docs/digits.svg", (900, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let (heat, wrong) = root.split_horizontally(420);
    let font: TextStyle = ("sans-serif", 14).into();
    let square = |x: i32, y: i32, side: i32, grey: u8, blue: u8| {
        Rectangle::new(
            [(x, y), (x + side, y + side)],
            RGBColor(grey, grey, blue).filled(),
        )
    };
    heat.draw_text(
        &format!("accuracy {accuracy:.4}; rows true, columns predicted"),
        &font,
        (20, 8),
    )?;
    let max = *matrix.iter().max().unwrap_or(&1) as f64;
    for (i, &n) in matrix.iter().enumerate() {
        let (x, y) = (30 + (i % 10) as i32 * 37, 30 + (i / 10) as i32 * 37);
        let shade = 255 - (255.0 * (n as f64 / max).sqrt()) as u8;
        heat.draw(&square(x, y, 36, shade, 255))?;
        heat.draw_text(
            &n.to_string(),
            &font.color(if shade < 128 { &WHITE } else { &BLACK }),
            (x + 10, y + 12),
        )?;
    }
    wrong.draw_text("misclassified: true → predicted", &font, (10, 8))?;
    let missed = (0..truth.len()).filter(|&i| predicted[i] != truth[i]);
    for (k, i) in missed.take(24).enumerate() {
        let (x0, y0) = (10 + (k % 6) as i32 * 78, 30 + (k / 6) as i32 * 95);
        for (p, &v) in x[i * 64..(i + 1) * 64].iter().enumerate() {
            let grey = 255 - (v * 255.0) as u8;
            wrong.draw(&square(
                x0 + (p % 8) as i32 * 8,
                y0 + (p / 8) as i32 * 8,
                8,
                grey,
                grey,
            ))?;
        }
        wrong.draw_text(
            &format!("{} → {}", truth[i], predicted[i]),
            &font,
            (x0 + 8, y0 + 68),
        )?;
    }
    Ok(root.present()?)
}
