//! Splits and scalers refuse bad input with a typed error and change nothing.

use backprop::prepare::{
    shuffle_rows, stratified_train_test_split, take_rows, train_test_split, MinMax, Standardize,
};
use backprop::{Error, Quantity};

fn refused_fraction(result: Result<(Vec<usize>, Vec<usize>), Error>) -> bool {
    matches!(
        result,
        Err(Error::InvalidHyperparameter {
            name: "test_size",
            ..
        })
    )
}

#[test]
fn a_fraction_outside_the_open_unit_interval_or_leaving_a_side_empty_is_refused() {
    for f in [0.0, 1.0, -0.1, 1.5, f64::NAN, f64::INFINITY] {
        assert!(refused_fraction(train_test_split(10, f, 0)), "{f}");
        assert!(refused_fraction(stratified_train_test_split(
            &[0.0, 0.0, 1.0, 1.0],
            f,
            0
        )));
    }
    assert!(refused_fraction(train_test_split(2, 0.9, 0))); // ⌈1.8⌉ = 2 test rows, no train
    assert!(refused_fraction(train_test_split(0, 0.5, 0)));
    // one test row cannot hold both classes
    assert!(refused_fraction(stratified_train_test_split(
        &[0.0, 0.0, 1.0, 1.0],
        0.2,
        0
    )));
}

#[test]
fn stratifying_a_class_of_one_row_is_refused_naming_it() {
    let classes = [0.0, 0.0, 4.0, 2.0, 2.0];
    let refused = stratified_train_test_split(&classes, 0.5, 0).unwrap_err();
    assert_eq!(
        refused,
        Error::TooFewRows {
            class: 4,
            rows: 1,
            needed: 2
        }
    );
    assert!(refused
        .to_string()
        .starts_with("class 4 has 1 row(s), expected at least 2"));
    for bad in [0.5, -1.0, f64::NAN] {
        let refused = stratified_train_test_split(&[0.0, 0.0, bad, 1.0], 0.5, 0);
        assert!(
            matches!(
                refused,
                Err(Error::InvalidClass {
                    what: Quantity::Target,
                    index: 2,
                    classes: None,
                    ..
                })
            ),
            "{bad}"
        );
    }
}

#[test]
fn rows_must_be_whole() {
    let mut rows = [1.0, 2.0, 3.0];
    let expected = Error::LengthMismatch {
        what: Quantity::Input,
        expected: 2,
        actual: 3,
    };
    assert_eq!(shuffle_rows(&mut rows, 2, 0).unwrap_err(), expected);
    assert_eq!(rows, [1.0, 2.0, 3.0]);
    assert_eq!(take_rows(&rows, 2, &[0]).unwrap_err(), expected);
    let beyond = take_rows(&rows, 1, &[0, 3]).unwrap_err();
    assert_eq!(beyond, Error::RowOutOfRange { index: 3, rows: 3 });
    assert_eq!(
        beyond.to_string(),
        "row index 3 is out of range: expected an index below 3, the number of rows"
    );
    let zero_width = shuffle_rows(&mut rows, 0, 0).unwrap_err();
    assert_eq!(
        zero_width.to_string(),
        "input has length 3, expected 0 (rows of width 0 hold no values: a width is at least 1)"
    );
    assert_eq!(take_rows(&rows, 0, &[0]).unwrap_err(), zero_width);
}

#[test]
fn scalers_refuse_no_rows_other_widths_and_non_finite_values() {
    assert_eq!(
        Standardize::<f64>::fit(&[], 2).unwrap_err(),
        Error::EmptyBatch
    );
    assert_eq!(MinMax::<f64>::fit(&[], 2).unwrap_err(), Error::EmptyBatch);
    let nan = Error::NonFinite {
        what: Quantity::Input,
        index: 1,
    };
    assert_eq!(Standardize::fit(&[1.0, f64::NAN], 2).unwrap_err(), nan);
    assert_eq!(MinMax::fit(&[1.0, f64::NAN], 2).unwrap_err(), nan);
    let (s, m) = (
        Standardize::fit(&[1.0, 2.0, 3.0, 5.0], 2).unwrap(),
        MinMax::fit(&[1.0, 2.0, 3.0, 5.0], 2).unwrap(),
    );
    let mut rows = [1.0, 2.0, 3.0];
    let expected = Error::LengthMismatch {
        what: Quantity::Input,
        expected: 2,
        actual: 3,
    };
    assert_eq!(s.transform(&mut rows).unwrap_err(), expected);
    assert_eq!(s.inverse_transform(&mut rows).unwrap_err(), expected);
    assert_eq!(m.transform(&mut rows).unwrap_err(), expected);
    assert_eq!(m.inverse_transform(&mut rows).unwrap_err(), expected);
    assert_eq!(rows, [1.0, 2.0, 3.0]);
}

#[test]
fn a_column_whose_statistics_overflow_is_refused_naming_it() {
    // finite values whose variance (Standardize) or range (MinMax) is beyond f64
    let rows = [1.0, 0.0, 2.0, 1e300, 3.0, 0.0, 4.0, 0.0];
    let refused = Standardize::fit(&rows, 2).unwrap_err();
    assert_eq!(refused, Error::ColumnOverflow { column: 1 });
    assert!(refused.to_string().contains("column 1"), "{refused}");
    let wide = [0.0, -1e308, 1.0, 1e308];
    assert_eq!(
        MinMax::fit(&wide, 2).unwrap_err(),
        Error::ColumnOverflow { column: 1 }
    );
    // scaled down by a power of two, exactly, the same data fit
    let halved: Vec<f64> = rows.iter().map(|v| v * 2f64.powi(-600)).collect();
    assert!(Standardize::fit(&halved, 2).is_ok());
    assert!(MinMax::fit(&[0.0, -0.5e308, 1.0, 0.5e308], 2).is_ok());
}
