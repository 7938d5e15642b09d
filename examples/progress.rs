//! A progress bar while the sine network trains: `Trainer::fit` reports every step to an
//! observer, which moves an `indicatif` bar and shows the running loss.
//!
//! The network, data and optimizer are examples/sine.rs's (1-16-16-1 tanh, SGD lr 0.02,
//! shuffled mini-batches of 4); every eighth sample is held out for validation, and
//! training stops early once the validation loss has not improved for 100 epochs,
//! restoring the best parameters.
//!
//! `cargo run --release --example progress`

#[allow(dead_code)] // its `main` is not ours
#[path = "sine.rs"]
mod sine;

use std::time::Duration;

use backprop::{Control, EarlyStopping, Epochs, Event, Fit, Mse, Sgd, Trainer};
use indicatif::{ProgressBar, ProgressStyle};

/// Splits the samples: every eighth one to validation, the rest to training.
fn split(xs: &[f64], ys: &[f64]) -> [Vec<f64>; 4] {
    let (mut train_x, mut train_y, mut val_x, mut val_y) = (vec![], vec![], vec![], vec![]);
    for (i, (&x, &y)) in xs.iter().zip(ys).enumerate() {
        let (to_x, to_y) = if i % 8 == 3 {
            (&mut val_x, &mut val_y)
        } else {
            (&mut train_x, &mut train_y)
        };
        to_x.push(x);
        to_y.push(y);
    }
    [train_x, train_y, val_x, val_y]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (xs, ys) = sine::data();
    let [train_x, train_y, val_x, val_y] = split(&xs, &ys);
    let net = sine::network()?;
    let mut trainer = Trainer::new(net, Mse, Sgd::new(0.02))?;
    let batch_size = 4;
    let mut fit = Fit::new(Epochs::new(batch_size).shuffle(2), sine::EPOCHS)
        .validation(&val_x, &val_y)
        .early_stopping(EarlyStopping::new(100).restore_best(true));

    let steps_per_epoch = train_x.len().div_ceil(batch_size);
    let bar = ProgressBar::new((sine::EPOCHS * steps_per_epoch) as u64);
    bar.set_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} steps, {elapsed} {msg}",
    )?);
    // The running loss: an exponential moving average of the step losses.
    let mut running = None;
    let summary = trainer.fit_observed(&mut fit, &train_x, &train_y, |event| {
        match *event {
            Event::Step { loss, .. } => {
                let average = running.map_or(loss, |r: f64| 0.98 * r + 0.02 * loss);
                running = Some(average);
                bar.inc(1);
            }
            Event::Epoch {
                epoch,
                validation_loss,
                lr,
                ..
            } => {
                let validation = validation_loss.unwrap_or(f64::NAN);
                bar.set_message(format!(
                    "epoch {epoch}, loss {:.2e}, validation {validation:.2e}, lr {lr}",
                    running.unwrap_or(f64::NAN)
                ));
                // Slow enough to watch; the whole run takes a few seconds.
                std::thread::sleep(Duration::from_millis(2));
            }
            _ => {}
        }
        Control::Continue
    })?;
    bar.finish();
    println!(
        "stopped after {} epochs ({:?}); best validation loss {:.3e} at epoch {}{}",
        summary.epochs,
        summary.stopped,
        summary.best_validation_loss.unwrap_or(f64::NAN),
        summary.best_epoch.unwrap_or(0),
        if summary.restored_best {
            ", parameters restored"
        } else {
            ""
        },
    );
    println!("MSE on all 64 samples: {:.3e}", sine::mse(trainer.model())?);
    Ok(())
}
