//! Shuffling and train/test splits of row-major data, with scikit-learn's sizes.

use alloc::vec::Vec;
use num_traits::Float;

use crate::datasets::check_class_indices;
use crate::error::{Error, Quantity};
use crate::fallible;
use crate::rng::{self, Stream};

/// A permutation of `0..rows`, drawn by Fisher–Yates from the crate's stream for `seed`
/// (the shuffle of [`Epochs`](crate::Epochs)).
///
/// # Errors
///
/// [`Error::TooLarge`] ([`Quantity::Input`]) if `rows` indices do not fit in memory.
///
/// ```
/// use backprop::prepare::permutation;
///
/// let mut order = permutation(5, 7)?;
/// order.sort();
/// assert_eq!(order, [0, 1, 2, 3, 4]);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn permutation(rows: usize, seed: u64) -> Result<Vec<usize>, Error> {
    let mut order = fallible::with_capacity(rows, Quantity::Input)?;
    order.extend(0..rows);
    fisher_yates(&mut order, 1, &mut rng::stream(seed));
    Ok(order)
}

/// Fisher–Yates over the rows of `values` (`width` values each): row `i`, from the last
/// down, trades places with a row `j ≤ i` drawn from `stream`. The same swaps applied to
/// `0..n` give [`permutation`], so row `k` of the result is the old row
/// `permutation(n, seed)[k]`.
fn fisher_yates<T>(values: &mut [T], width: usize, stream: &mut Stream) {
    let rows = values.len().checked_div(width).unwrap_or(0);
    for i in (1..rows).rev() {
        let j = rng::below(stream, i as u64 + 1) as usize;
        if j != i {
            let (before, from_i) = values.split_at_mut(i * width);
            before[j * width..(j + 1) * width].swap_with_slice(&mut from_i[..width]);
        }
    }
}

/// [`shuffle_rows`] on rows known to be whole: in place, nothing allocated.
pub(crate) fn shuffle_whole_rows<T>(values: &mut [T], width: usize, seed: u64) {
    fisher_yates(values, width, &mut rng::stream(seed));
}

/// Shuffles the rows of `rows` (row-major, `width` values per row) in place: row `k`
/// becomes the old row `permutation(n, seed)[k]`.
///
/// The order depends on the row count and the seed alone, so shuffling the inputs and
/// the targets of the same rows with the same seed keeps them together.
///
/// # Errors
///
/// [`Error::LengthMismatch`] ([`Quantity::Input`]) if `rows` is not whole rows of
/// `width` values (or `width` is 0); nothing is moved then.
///
/// ```
/// use backprop::prepare::shuffle_rows;
///
/// let (mut inputs, mut targets) = ([1.0, 10.0, 2.0, 20.0, 3.0, 30.0], [1.0, 2.0, 3.0]);
/// shuffle_rows(&mut inputs, 2, 7)?;
/// shuffle_rows(&mut targets, 1, 7)?;
/// for (row, y) in inputs.chunks(2).zip(targets) {
///     assert_eq!(row, [y, 10.0 * y]); // still together
/// }
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn shuffle_rows<T>(rows: &mut [T], width: usize, seed: u64) -> Result<(), Error> {
    row_count(rows, width)?;
    shuffle_whole_rows(rows, width, seed);
    Ok(())
}

/// The rows `indices` of `rows` (row-major, `width` values per row), in that order.
///
/// # Errors
///
/// - [`Error::LengthMismatch`] ([`Quantity::Input`]) if `rows` is not whole rows of
///   `width` values;
/// - [`Error::RowOutOfRange`] for the first index that is not below the row count;
/// - [`Error::TooLarge`] ([`Quantity::Input`]) if the rows taken do not fit in memory.
pub fn take_rows<T: Copy>(rows: &[T], width: usize, indices: &[usize]) -> Result<Vec<T>, Error> {
    let n = row_count(rows, width)?;
    if let Some(&index) = indices.iter().find(|&&i| i >= n) {
        return Err(Error::RowOutOfRange { index, rows: n });
    }
    take(rows, width, indices)
}

/// The rows `indices` (each below the row count) of `rows`, in that order.
fn take<T: Copy>(rows: &[T], width: usize, indices: &[usize]) -> Result<Vec<T>, Error> {
    let len = fallible::product(indices.len(), width, Quantity::Input)?;
    let mut out = fallible::with_capacity(len, Quantity::Input)?;
    for &i in indices {
        out.extend_from_slice(&rows[i * width..(i + 1) * width]);
    }
    Ok(out)
}

fn row_count<T>(rows: &[T], width: usize) -> Result<usize, Error> {
    if width == 0 || !rows.len().is_multiple_of(width) {
        return Err(Error::LengthMismatch {
            what: Quantity::Input,
            expected: width,
            actual: rows.len(),
        });
    }
    Ok(rows.len() / width)
}

/// scikit-learn's sizes for a split of `rows` rows: `n_test = ⌈fraction · rows⌉`,
/// `n_train = rows − n_test`, both at least `at_least`.
fn sizes(rows: usize, test_fraction: f64, at_least: usize) -> Result<(usize, usize), Error> {
    let refuse = |expected| Error::InvalidHyperparameter {
        name: "test_size",
        value: test_fraction,
        expected,
    };
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(refuse("a fraction in (0, 1)"));
    }
    let n_test = (test_fraction * rows as f64).ceil() as usize;
    let n_train = rows.saturating_sub(n_test);
    if n_train < at_least.max(1) || n_test < at_least {
        return Err(refuse(
            "a fraction that leaves rows on both sides (one per class to stratify)",
        ));
    }
    Ok((n_train, n_test))
}

/// Row indices for a random train/test split of `rows` rows, as scikit-learn's
/// `train_test_split(…, test_size=test_fraction)`: `⌈test_fraction · rows⌉` test rows, the
/// rest for training. Returns `(train, test)`.
///
/// # Errors
///
/// - [`Error::InvalidHyperparameter`] (`test_size`) for a fraction outside `(0, 1)`, or
///   one that leaves no training row;
/// - [`Error::TooLarge`] ([`Quantity::Input`]) if `rows` indices do not fit in memory.
///
/// ```
/// use backprop::prepare::train_test_split;
///
/// let (train, test) = train_test_split(150, 0.2, 42)?;
/// assert_eq!((train.len(), test.len()), (120, 30));
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn train_test_split(
    rows: usize,
    test_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), Error> {
    let (n_train, n_test) = sizes(rows, test_fraction, 1)?;
    let mut test = permutation(rows, seed)?;
    let mut train = fallible::with_capacity(n_train, Quantity::Input)?;
    train.extend_from_slice(&test[n_test..]);
    test.truncate(n_test);
    Ok((train, test))
}

/// Row indices for a train/test split that keeps each class's share, as scikit-learn's
/// `train_test_split(…, test_size=test_fraction, stratify=y)`: the same sizes as
/// [`train_test_split`], and each class split as scikit-learn splits it (its
/// `_approximate_mode`: the classes' shares rounded down, the rows left over given to
/// the largest remainders, a tie broken at random). Returns `(train, test)`.
///
/// `classes` holds a class index per row; only classes that occur count.
///
/// # Errors
///
/// Nothing is drawn when this returns an error:
/// - [`Error::InvalidClass`] for a class index that is not a whole number ≥ 0;
/// - [`Error::TooFewRows`] for a class with a single row (as scikit-learn refuses it);
/// - [`Error::InvalidHyperparameter`] (`test_size`) for a fraction outside `(0, 1)` or
///   one that leaves either side fewer rows than there are classes;
/// - [`Error::TooLarge`] ([`Quantity::Target`]) if the rows grouped by class do not fit
///   in memory.
///
/// ```
/// use backprop::prepare::stratified_train_test_split;
///
/// let classes = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
/// let (train, test) = stratified_train_test_split(&classes, 0.5, 1)?;
/// let ones = test.iter().filter(|&&i| classes[i] == 1.0).count();
/// assert_eq!((train.len(), test.len(), ones), (5, 5, 3));
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn stratified_train_test_split<T: Float>(
    classes: &[T],
    test_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), Error> {
    check_class_indices(classes, Quantity::Target, None)?;
    let ByClass {
        mut rows,
        classes: by_class,
    } = ByClass::of(classes)?;
    if let Some(&(class, _)) = by_class.iter().find(|&&(_, count)| count == 1) {
        return Err(Error::TooFewRows {
            class,
            rows: 1,
            needed: 2,
        });
    }
    let (n_train, n_test) = sizes(classes.len(), test_fraction, by_class.len())?;
    let mut stream = rng::stream(seed);
    let counts: Vec<usize> = by_class.iter().map(|&(_, count)| count).collect();
    let train_counts = approximate_mode(&counts, n_train, &mut stream);
    let left: Vec<usize> = counts
        .iter()
        .zip(&train_counts)
        .map(|(c, t)| c - t)
        .collect();
    let test_counts = approximate_mode(&left, n_test, &mut stream);
    let mut train = fallible::with_capacity(n_train, Quantity::Target)?;
    let mut test = fallible::with_capacity(n_test, Quantity::Target)?;
    let mut rest = rows.as_mut_slice();
    for ((&count, &n), &t) in counts.iter().zip(&train_counts).zip(&test_counts) {
        let (class_rows, after) = core::mem::take(&mut rest).split_at_mut(count);
        shuffle(class_rows, &mut stream);
        train.extend_from_slice(&class_rows[..n]);
        test.extend_from_slice(&class_rows[n..n + t]);
        rest = after;
    }
    shuffle(&mut train, &mut stream);
    shuffle(&mut test, &mut stream);
    Ok((train, test))
}

fn shuffle(values: &mut [usize], stream: &mut Stream) {
    fisher_yates(values, 1, stream);
}

/// The rows grouped by class (sorting rather than indexing by class, so a huge class
/// index allocates nothing).
struct ByClass {
    /// Every row, class after class in increasing order, in row order within a class.
    rows: Vec<usize>,
    /// Each class that occurs, in increasing order, with its number of rows.
    classes: Vec<(usize, usize)>,
}

impl ByClass {
    /// `classes` (whole numbers ≥ 0, checked) grouped, or [`Error::TooLarge`]
    /// ([`Quantity::Target`]) where the groups do not fit in memory.
    fn of<T: Float>(classes: &[T]) -> Result<Self, Error> {
        let what = Quantity::Target;
        let mut pairs: Vec<(usize, usize)> = fallible::with_capacity(classes.len(), what)?;
        let class_of = |c: &T| c.to_usize().unwrap_or(0); // checked: a whole number ≥ 0
        pairs.extend(classes.iter().map(class_of).zip(0..));
        pairs.sort_unstable();
        let distinct = 1 + pairs.windows(2).filter(|w| w[0].0 != w[1].0).count();
        let mut grouped = Self {
            rows: fallible::with_capacity(pairs.len(), what)?,
            classes: fallible::with_capacity(distinct.min(pairs.len()), what)?,
        };
        for (class, row) in pairs {
            grouped.rows.push(row);
            match grouped.classes.last_mut() {
                Some((last, count)) if *last == class => *count += 1,
                _ => grouped.classes.push((class, 1)),
            }
        }
        Ok(grouped)
    }
}

/// scikit-learn's `_approximate_mode(class_counts, n_draws, rng)`: each class's share
/// `count / total · n_draws` rounded down, then one more row for the classes with the
/// largest remainders until `n_draws` rows are drawn; among equal remainders the classes
/// that get one are chosen at random.
fn approximate_mode(counts: &[usize], draws: usize, stream: &mut Stream) -> Vec<usize> {
    let total: usize = counts.iter().sum();
    let share = |c: usize| c as f64 / total as f64 * draws as f64; // numpy's order
    let mut drawn: Vec<usize> = counts.iter().map(|&c| share(c).floor() as usize).collect();
    let mut need = draws - drawn.iter().sum::<usize>();
    let remainders: Vec<f64> = counts
        .iter()
        .map(|&c| share(c) - share(c).floor())
        .collect();
    let mut values = remainders.clone();
    values.sort_by(|a, b| b.total_cmp(a));
    values.dedup();
    for value in values {
        if need == 0 {
            break;
        }
        let mut tied: Vec<usize> = (0..counts.len())
            .filter(|&i| remainders[i] == value)
            .collect();
        shuffle(&mut tied, stream);
        for &i in tied.iter().take(need) {
            drawn[i] += 1;
        }
        need -= need.min(tied.len());
    }
    drawn
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::Dataset;

    /// Shuffling in place swaps rows as `permutation` swaps indices, so row `k` becomes
    /// the old row `permutation(n, seed)[k]`, as `shuffle_rows` promises.
    #[test]
    fn shuffling_in_place_takes_the_rows_of_the_permutation() {
        for (n, width, seed) in [(1, 3, 0), (2, 1, 5), (7, 3, 42), (50, 2, 7), (33, 5, 1)] {
            let rows: Vec<f64> = (0..n * width).map(|v| v as f64).collect();
            let order = permutation(n, seed).unwrap();
            let expected = take_rows(&rows, width, &order).unwrap();
            let mut shuffled = rows.clone();
            shuffle_rows(&mut shuffled, width, seed).unwrap();
            assert_eq!(
                shuffled, expected,
                "n = {n}, width = {width}, seed = {seed}"
            );

            let targets: Vec<f64> = (0..n).map(|r| (r % 3) as f64).collect();
            let mut data = Dataset::new(rows, width, targets, Some(3)).unwrap();
            let selected = data.select(&order).unwrap();
            data.shuffle(seed);
            assert_eq!(data, selected);
        }
        assert!(permutation(0, 3).unwrap().is_empty());
    }
}
