//! Learning rates against PyTorch 2.15's `torch.optim.lr_scheduler`, stepped once per
//! epoch. The numbers are in `tests/data/schedules.json`, made by
//! `tools/reference_schedules.py` (float64, `ATEN_CPU_CAPABILITY=default`).
//!
//! Tolerances: f64 agrees within `1e-12 · |torch| + 1e-15` (the absolute floor covers
//! rates that PyTorch's recursive forms leave at 1e-18 where the closed form gives 0);
//! f32 within `1e-5 · |torch| + 1e-7` (f32 rounding of the hyper-parameters compounds
//! over 40 epochs: `gamma⁴⁰` carries 40 roundings of `gamma`).

use backprop::{
    CosineAnnealingLr, ExponentialLr, LinearLr, LrSchedule, PlateauMode, ReduceLrOnPlateau, StepLr,
    ThresholdMode,
};
use num_traits::Float;
use serde_json::Value;

const F64_REL: f64 = 1e-12;
const F64_ABS: f64 = 1e-15;
const F32_REL: f64 = 1e-5;
const F32_ABS: f64 = 1e-7;

fn data() -> Value {
    serde_json::from_str(include_str!("../data/schedules.json")).expect("valid JSON")
}

fn num(case: &Value, key: &str) -> f64 {
    case[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} in {case}"))
}

fn count(case: &Value, key: &str) -> usize {
    case[key].as_u64().unwrap_or_else(|| panic!("{key}")) as usize
}

fn floats(case: &Value, key: &str) -> Vec<f64> {
    case[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key}"))
        .iter()
        .map(|v| v.as_f64().expect("a number"))
        .collect()
}

fn assert_close(ours: f64, torch: f64, rel: f64, abs: f64, what: &str) {
    assert!(
        (ours - torch).abs() <= rel * torch.abs() + abs,
        "{what}: ours {ours:e}, torch {torch:e}"
    );
}

fn t<T: Float>(x: f64) -> T {
    T::from(x).unwrap()
}

/// The schedule a JSON case describes, in `T`.
fn schedule<T: Float + 'static>(case: &Value) -> Box<dyn LrSchedule<T>> {
    match case["kind"].as_str().unwrap() {
        "StepLR" => Box::new(StepLr::new(count(case, "step_size"), t(num(case, "gamma")))),
        "ExponentialLR" => Box::new(ExponentialLr::new(t::<T>(num(case, "gamma")))),
        "CosineAnnealingLR" => Box::new(CosineAnnealingLr::new(
            count(case, "T_max"),
            t(num(case, "eta_min")),
        )),
        "LinearLR" => Box::new(LinearLr::new(
            t(num(case, "start_factor")),
            t(num(case, "end_factor")),
            count(case, "total_iters"),
        )),
        other => panic!("unknown schedule {other}"),
    }
}

fn check_schedules<T: Float + 'static>(rel: f64, abs: f64) {
    let data = data();
    let cases = data["schedules"].as_array().unwrap();
    assert_eq!(cases.len(), 18);
    for case in cases {
        let schedule = schedule::<T>(case);
        schedule.validate().unwrap();
        let base: T = t(num(case, "base_lr"));
        let lrs = floats(case, "lrs");
        assert!(lrs.len() > 30);
        for (epoch, &torch) in lrs.iter().enumerate() {
            let ours = schedule.learning_rate(base, epoch).to_f64().unwrap();
            assert_close(ours, torch, rel, abs, &format!("{case:.0} epoch {epoch}"));
        }
    }
}

#[test]
fn epoch_schedules_match_pytorch_stepped_in_f64() {
    check_schedules::<f64>(F64_REL, F64_ABS);
}

#[test]
fn epoch_schedules_match_pytorch_stepped_in_f32() {
    check_schedules::<f32>(F32_REL, F32_ABS);
}

/// The crate implements PyTorch's closed form: it agrees with it to a few ulps (the same
/// formula in the same order; only `cos` of the platform's libm may round differently).
#[test]
fn cosine_annealing_is_torchs_closed_form() {
    let data = data();
    let cosines = data["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "CosineAnnealingLR");
    for case in cosines {
        let schedule = schedule::<f64>(case);
        let base = num(case, "base_lr");
        for (epoch, &closed) in floats(case, "closed_form").iter().enumerate() {
            let ours = schedule.learning_rate(base, epoch);
            assert_close(ours, closed, 1e-15, 1e-18, &format!("epoch {epoch}"));
        }
        // What the docs of CosineAnnealingLr state about the stepped recursion.
        assert!(num(case, "stepped_vs_closed_max_rel") < 1e-14);
        assert!(num(case, "stepped_vs_closed_max_abs") < 1e-14);
    }
}

fn plateau<T: Float>(case: &Value) -> ReduceLrOnPlateau<T> {
    let mut p = ReduceLrOnPlateau::new();
    p = p.mode(match case["mode"].as_str().unwrap() {
        "min" => PlateauMode::Min,
        _ => PlateauMode::Max,
    });
    if let Some(mode) = case.get("threshold_mode") {
        p = p.threshold_mode(match mode.as_str().unwrap() {
            "rel" => ThresholdMode::Rel,
            _ => ThresholdMode::Abs,
        });
    }
    for key in ["factor", "threshold", "min_lr", "eps"] {
        if case.get(key).is_some() {
            let v = t(num(case, key));
            p = match key {
                "factor" => p.factor(v),
                "threshold" => p.threshold(v),
                "min_lr" => p.min_lr(v),
                _ => p.eps(v),
            };
        }
    }
    if case.get("patience").is_some() {
        p = p.patience(count(case, "patience"));
    }
    if case.get("cooldown").is_some() {
        p = p.cooldown(count(case, "cooldown"));
    }
    p
}

fn check_plateaus<T: Float>(rel: f64, abs: f64) {
    let data = data();
    let cases = data["plateaus"].as_array().unwrap();
    assert_eq!(cases.len(), 20);
    let mut reductions = 0;
    for case in cases {
        let mut plateau = plateau::<T>(case);
        let lrs = floats(case, "lrs");
        let mut lr: T = t(lrs[0]);
        for (epoch, (&metric, &torch)) in floats(case, "metrics").iter().zip(&lrs[1..]).enumerate()
        {
            let next = plateau.step(t(metric), lr).unwrap();
            reductions += usize::from(next < lr);
            lr = next;
            let what = format!("{case:.0} after epoch {epoch}");
            assert_close(lr.to_f64().unwrap(), torch, rel, abs, &what);
        }
    }
    assert!(
        reductions > 100,
        "the cases exercise reductions: {reductions}"
    );
}

#[test]
fn reduce_lr_on_plateau_matches_pytorch_in_f64() {
    check_plateaus::<f64>(F64_REL, F64_ABS);
}

#[test]
fn reduce_lr_on_plateau_matches_pytorch_in_f32() {
    check_plateaus::<f32>(F32_REL, F32_ABS);
}

#[test]
fn the_reference_names_its_provenance() {
    let data = data();
    assert!(data["torch_version"].as_str().unwrap().starts_with("2."));
    assert_eq!(data["dtype"], "float64");
}
