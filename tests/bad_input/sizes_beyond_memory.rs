//! Counts the caller chooses (a row count, a class count, a width times a number of rows)
//! that cannot fit in memory get [`Error::TooLarge`], never a panic or an abort: each size
//! below is more than `isize::MAX` bytes or overflows `usize`, so the refusal does not
//! depend on the machine's memory.

use backprop::metrics::{
    balanced_accuracy_score, confusion_matrix, precision_recall_fscore_support,
};
use backprop::prepare::{permutation, take_rows, train_test_split};
use backprop::{Dataset, Error, Quantity};

const TOO_LARGE_INPUT: Error = Error::TooLarge {
    what: Quantity::Input,
};
const TOO_LARGE_CLASSES: Error = Error::TooLarge {
    what: Quantity::Classes,
};

#[test]
fn a_row_count_beyond_memory_is_refused() {
    assert_eq!(permutation(usize::MAX, 0), Err(TOO_LARGE_INPUT));
    assert_eq!(permutation(1 << 60, 0), Err(TOO_LARGE_INPUT)); // 2⁶³ bytes of indices
    assert_eq!(train_test_split(1 << 60, 0.5, 0), Err(TOO_LARGE_INPUT));
}

#[test]
fn rows_taken_beyond_memory_are_refused() {
    // one row of 2⁶² zero-sized values, taken four times: 2⁶⁴ values
    let wide_row = vec![(); 1 << 62];
    assert_eq!(
        take_rows(&wide_row, 1 << 62, &[0, 0, 0, 0]),
        Err(TOO_LARGE_INPUT)
    );
}

#[test]
fn a_class_count_beyond_memory_is_refused() {
    let y = [0.0, 1.0, 1.0, 0.0];
    assert_eq!(confusion_matrix(&y, &y, 1 << 32), Err(TOO_LARGE_CLASSES)); // 2⁶⁴ cells
    assert_eq!(confusion_matrix(&y, &y, 1 << 31), Err(TOO_LARGE_CLASSES)); // 2⁶⁵ bytes
                                                                           // its matrix has usize::MAX² cells, which once wrapped around to one
    assert_eq!(
        balanced_accuracy_score(&y, &y, usize::MAX),
        Err(TOO_LARGE_CLASSES)
    );
    assert_eq!(
        precision_recall_fscore_support(&y, &y, 1 << 31),
        Err(TOO_LARGE_CLASSES)
    );
    for classes in [1 << 61, usize::MAX] {
        let data = Dataset::new(vec![1.0, 2.0], 1, vec![0.0, 1.0], Some(classes));
        assert_eq!(data, Err(TOO_LARGE_CLASSES), "{classes}");
    }
}
