//! A `Dataset` refuses rows that do not fit together and class indices that are not
//! whole numbers below the class count.

use backprop::{Dataset, Error, Quantity};

#[test]
fn rows_must_fit_the_targets() {
    let refused = Dataset::new(vec![1.0, 2.0, 3.0], 2, vec![0.0, 1.0], Some(2));
    let expected = Error::LengthMismatch {
        what: Quantity::Input,
        expected: 4,
        actual: 3,
    };
    assert_eq!(refused.unwrap_err(), expected);
    assert_eq!(
        Dataset::new(vec![1.0], 0, vec![], None).unwrap_err(),
        Error::NoInputs
    );
}

#[test]
fn values_must_be_finite() {
    let refused = Dataset::new(vec![1.0, f64::NAN], 1, vec![0.0, 1.0], None);
    assert_eq!(
        refused.unwrap_err(),
        Error::NonFinite {
            what: Quantity::Input,
            index: 1
        }
    );
    let refused = Dataset::new(vec![1.0, 2.0], 1, vec![0.0, f64::INFINITY], None);
    assert_eq!(
        refused.unwrap_err(),
        Error::NonFinite {
            what: Quantity::Target,
            index: 1
        }
    );
}

#[test]
fn class_indices_must_be_whole_numbers_below_the_class_count() {
    for (bad, value) in [(2.0, 2.0), (0.5, 0.5), (-1.0, -1.0)] {
        let refused = Dataset::new(vec![1.0, 2.0], 1, vec![0.0, bad], Some(2));
        assert_eq!(
            refused.unwrap_err(),
            Error::InvalidClass {
                what: Quantity::Target,
                index: 1,
                value,
                classes: Some(2)
            }
        );
    }
    let regression = Dataset::new(vec![1.0, 2.0], 1, vec![0.0, 0.5], None).unwrap();
    assert_eq!(regression.class_counts(), None);
}
