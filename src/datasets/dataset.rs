//! A data set in memory: row-major inputs, one target per row, and their names.

use alloc::string::String;
use alloc::vec::Vec;
use num_traits::Float;

use crate::error::{Error, Quantity};
use crate::fallible;
use crate::finite::ensure_finite;
use crate::prepare::{shuffle_whole_rows, take_rows};

/// Rows of inputs with one target each: a class index for classification, a value for
/// regression. Inputs are row-major, `len() × input_len()`, as a [`Trainer`](crate::Trainer)
/// takes them.
///
/// A class index is a whole number of `T` (`0`, `1`, …), so that the targets go to a
/// loss or a metric as they are.
///
/// ```
/// use backprop::Dataset;
///
/// let data = Dataset::new(vec![0.5, 1.0, 1.5, 2.0, 2.5, 3.0], 2, vec![0.0, 1.0, 1.0], Some(2))?;
/// assert_eq!((data.len(), data.input_len(), data.classes()), (3, 2, Some(2)));
/// assert_eq!(data.class_counts(), Some(vec![1, 2]));
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset<T> {
    inputs: Vec<T>,
    targets: Vec<T>,
    input_len: usize,
    /// Rows per class, one count per class; `None` for regression.
    class_counts: Option<Vec<usize>>,
    feature_names: Vec<String>,
    target_names: Vec<String>,
}

impl<T: Float> Dataset<T> {
    /// A data set of `targets.len()` rows of `input_len` inputs each; `classes` is the
    /// number of classes for classification, `None` for regression. Names start empty
    /// ([`with_names`](Self::with_names) sets them).
    ///
    /// # Errors
    ///
    /// Nothing is built when this returns an error:
    /// - [`Error::NoInputs`] if `input_len` is 0;
    /// - [`Error::LengthMismatch`] ([`Quantity::Input`]) unless `inputs` holds
    ///   `targets.len() · input_len` values;
    /// - [`Error::NonFinite`] for a NaN or infinite input or target;
    /// - [`Error::InvalidClass`] for a class index that is not a whole number below
    ///   `classes`;
    /// - [`Error::TooLarge`] ([`Quantity::Classes`]) if `classes` counts do not fit in
    ///   memory.
    pub fn new(
        inputs: Vec<T>,
        input_len: usize,
        targets: Vec<T>,
        classes: Option<usize>,
    ) -> Result<Self, Error> {
        if input_len == 0 {
            return Err(Error::NoInputs);
        }
        let expected = targets
            .len()
            .checked_mul(input_len)
            .ok_or(Error::TooLarge {
                what: Quantity::Input,
            })?;
        if inputs.len() != expected {
            return Err(Error::LengthMismatch {
                what: Quantity::Input,
                expected,
                actual: inputs.len(),
            });
        }
        ensure_finite(&inputs, Quantity::Input)?;
        ensure_finite(&targets, Quantity::Target)?;
        let class_counts = classes.map(|c| count_classes(&targets, c)).transpose()?;
        Ok(Self {
            inputs,
            targets,
            input_len,
            class_counts,
            feature_names: Vec::new(),
            target_names: Vec::new(),
        })
    }

    /// Names the inputs' columns and the targets (the classes, or the regression
    /// target).
    pub fn with_names(mut self, feature_names: Vec<String>, target_names: Vec<String>) -> Self {
        self.feature_names = feature_names;
        self.target_names = target_names;
        self
    }

    /// The inputs, row-major: `len() × input_len()` values.
    pub fn inputs(&self) -> &[T] {
        &self.inputs
    }

    /// The targets, one per row: class indices for classification.
    pub fn targets(&self) -> &[T] {
        &self.targets
    }

    /// The number of inputs per row (features).
    pub fn input_len(&self) -> usize {
        self.input_len
    }

    /// The number of classes; `None` for a regression data set.
    pub fn classes(&self) -> Option<usize> {
        self.class_counts.as_ref().map(Vec::len)
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The names of the input columns, as scikit-learn's `feature_names`.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The names of the classes (scikit-learn's `target_names`), or of the regression
    /// target.
    pub fn target_names(&self) -> &[String] {
        &self.target_names
    }

    /// How many rows each class has; `None` for regression.
    pub fn class_counts(&self) -> Option<Vec<usize>> {
        self.class_counts.clone()
    }

    /// Shuffles the rows in place, inputs and targets together
    /// ([`prepare::shuffle_rows`](crate::prepare::shuffle_rows) with `seed`).
    pub fn shuffle(&mut self, seed: u64) {
        // the same seed draws the same swaps for both, so each row keeps its target
        shuffle_whole_rows(&mut self.inputs, self.input_len, seed);
        shuffle_whole_rows(&mut self.targets, 1, seed);
    }

    /// A random train/test split with scikit-learn's sizes: `⌈test_fraction · len⌉` test
    /// rows ([`prepare::train_test_split`](crate::prepare::train_test_split)). Returns
    /// `(train, test)`; `self` is unchanged.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] (`test_size`) for a fraction outside `(0, 1)` or
    /// one that leaves a side empty.
    pub fn split(&self, test_fraction: f64, seed: u64) -> Result<(Self, Self), Error> {
        let (train, test) = crate::prepare::train_test_split(self.len(), test_fraction, seed)?;
        Ok((self.select(&train)?, self.select(&test)?))
    }

    /// A train/test split keeping each class's share, with scikit-learn's per-class
    /// counts for `stratify=y`
    /// ([`prepare::stratified_train_test_split`](crate::prepare::stratified_train_test_split)).
    /// Returns `(train, test)`; `self` is unchanged. A regression data set is split by
    /// its target values as classes only if they are whole numbers; use
    /// [`split`](Self::split) for it.
    ///
    /// # Errors
    ///
    /// As `stratified_train_test_split`: [`Error::TooFewRows`] for a class of one row,
    /// [`Error::InvalidHyperparameter`] (`test_size`) for a fraction outside `(0, 1)` or
    /// one that leaves a side fewer rows than classes, [`Error::InvalidClass`] for a
    /// target that is not a class index.
    ///
    /// ```
    /// # #[cfg(feature = "datasets")] {
    /// let (train, test) = backprop::datasets::iris::<f64>().stratified_split(0.2, 42)?;
    /// assert_eq!(train.class_counts(), Some(vec![40, 40, 40]));
    /// assert_eq!(test.class_counts(), Some(vec![10, 10, 10]));
    /// # }
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn stratified_split(&self, test_fraction: f64, seed: u64) -> Result<(Self, Self), Error> {
        let (train, test) =
            crate::prepare::stratified_train_test_split(&self.targets, test_fraction, seed)?;
        Ok((self.select(&train)?, self.select(&test)?))
    }

    /// The rows `indices`, in that order, with the same names and classes.
    ///
    /// # Errors
    ///
    /// - [`Error::LengthMismatch`] ([`Quantity::Input`]) for an index not below
    ///   [`len`](Self::len) (`expected` the row count, `actual` the index);
    /// - [`Error::TooLarge`] ([`Quantity::Input`]) if the rows taken do not fit in memory.
    pub fn select(&self, indices: &[usize]) -> Result<Self, Error> {
        let targets = take_rows(&self.targets, 1, indices)?;
        let classes = self.classes();
        Ok(Self {
            inputs: take_rows(&self.inputs, self.input_len, indices)?,
            class_counts: classes.map(|c| count_classes(&targets, c)).transpose()?,
            targets,
            input_len: self.input_len,
            feature_names: self.feature_names.clone(),
            target_names: self.target_names.clone(),
        })
    }

    /// The inputs and the targets, taken out.
    pub fn into_parts(self) -> (Vec<T>, Vec<T>) {
        (self.inputs, self.targets)
    }
}

/// Rows per class of `targets`, after refusing the first class index that is not a whole
/// number in `[0, classes)`.
fn count_classes<T: Float>(targets: &[T], classes: usize) -> Result<Vec<usize>, Error> {
    check_class_indices(targets, Quantity::Target, Some(classes))?;
    let mut counts = fallible::filled(classes, 0, Quantity::Classes)?;
    for &y in targets {
        counts[y.to_usize().unwrap_or(0)] += 1; // checked just above: below `classes`
    }
    Ok(counts)
}

/// Refuses the first of `what`'s class indices that is not a whole number in
/// `[0, classes)` (with no `classes`: any whole number that fits a `usize`).
pub(crate) fn check_class_indices<T: Float>(
    values: &[T],
    what: Quantity,
    classes: Option<usize>,
) -> Result<(), Error> {
    let below = |c: usize| classes.is_none_or(|classes| c < classes);
    let valid = |y: T| y.fract() == T::zero() && y.to_usize().is_some_and(below);
    match values.iter().position(|&y| !valid(y)) {
        None => Ok(()),
        Some(index) => Err(Error::InvalidClass {
            what,
            index,
            value: values[index].to_f64().unwrap_or(f64::NAN),
            classes,
        }),
    }
}
