//! A fitted scaler goes through JSON unchanged, and a stored one whose columns disagree
//! or that would divide by zero is refused on loading (feature `serde`).
#![cfg(feature = "serde")]

use backprop::prepare::{MinMax, Standardize};

#[test]
fn fitted_scalers_round_trip_through_json() {
    let rows = [1.0, 10.0, 0.25, 3.0, 10.0, -4.5, 2.5, 10.0, 7.0];
    let s = Standardize::fit(&rows, 3).unwrap();
    let back: Standardize<f64> = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    let m = MinMax::fit(&rows, 3).unwrap();
    let back: MinMax<f64> = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back, m);
}

#[test]
fn inconsistent_stored_scalers_are_refused() {
    let short = r#"{"mean":[1.0,2.0],"var":[1.0],"scale":[1.0,1.0]}"#;
    assert!(serde_json::from_str::<Standardize<f64>>(short).is_err());
    let zero = r#"{"mean":[1.0],"var":[1.0],"scale":[0.0]}"#;
    assert!(serde_json::from_str::<Standardize<f64>>(zero).is_err());
    let empty = r#"{"mean":[],"var":[],"scale":[]}"#;
    assert!(serde_json::from_str::<Standardize<f64>>(empty).is_err());
    let ok = r#"{"data_min":[0.0],"data_max":[2.0],"scale":[0.5],"min":[0.0]}"#;
    assert!(serde_json::from_str::<MinMax<f64>>(ok).is_ok());
    let short = r#"{"data_min":[0.0],"data_max":[2.0],"scale":[0.5, 1.0],"min":[0.0]}"#;
    assert!(serde_json::from_str::<MinMax<f64>>(short).is_err());
}
