//! Numbers from the text of the compiled-in files, exactly.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use num_traits::Float;

use super::Dataset;
use crate::cast::cast;

/// The number a field of a file spells, correctly rounded to `f64` by `str::parse`, then
/// converted to `T` (rounded once more for `f32`; see the module docs).
///
/// # Panics
///
/// On a field that is not a number: the files are the crate's own, and a test parses
/// every one of them.
fn number<T: Float>(field: &str) -> T {
    let value: f64 = field
        .trim()
        .parse()
        .expect("a number in a compiled-in data file");
    cast(value)
}

/// The rows of `text`, each split into fields by `separator` (`None`: whitespace).
fn rows(text: &str, separator: Option<char>) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(move |line| match separator {
            Some(c) => line.split(c).collect(),
            None => line.split_whitespace().collect(),
        })
}

/// A scikit-learn `load_csv_data` file: a header `n_samples,n_features,class names…`, then
/// rows of the features and the class index last.
pub(super) fn labelled_csv<T: Float>(text: &str, feature_names: &[&str]) -> Dataset<T> {
    let mut lines = csv_rows(text);
    let header = lines.next().expect("a header");
    let class_names = owned(&header[2..]);
    let data = last_column_as_target(lines, feature_names.len(), class_names.len());
    data.with_names(owned(feature_names), class_names)
}

/// Rows whose last field is the class index and the others the inputs.
pub(super) fn last_column_as_target<'a, T: Float>(
    lines: impl Iterator<Item = Vec<&'a str>>,
    input_len: usize,
    classes: usize,
) -> Dataset<T> {
    let (mut inputs, mut targets) = (Vec::new(), Vec::new());
    for fields in lines {
        assert_eq!(fields.len(), input_len + 1, "a row of the data file");
        inputs.extend(fields[..input_len].iter().map(|f| number::<T>(f)));
        targets.push(number::<T>(fields[input_len]));
    }
    Dataset::new(inputs, input_len, targets, Some(classes)).expect("a consistent data file")
}

/// Every row of a comma-separated file of whole rows.
pub(super) fn csv_rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    rows(text, Some(','))
}

/// Every number of a whitespace-separated file, row after row.
pub(super) fn whitespace_numbers<T: Float>(text: &str) -> Vec<T> {
    rows(text, None).flatten().map(|f| number::<T>(f)).collect()
}

/// The names as owned strings.
pub(super) fn owned(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.trim().to_string()).collect()
}
