//! Data sets: [`Dataset`], and (feature `datasets`) five classic ones compiled in.
//!
//! The five are the small data sets scikit-learn ships inside its package, copied
//! unchanged from scikit-learn 1.9.1 into the repository's `data/sklearn/` (BSD-3-Clause,
//! with its licence and a note of their source beside them) and compiled in with
//! `include_bytes!`: no file is read at run time, and they work without std. Each call
//! parses its file anew (and, for digits and diabetes, inflates it with `miniz_oxide`).
//!
//! | loader | rows | inputs | targets |
//! | --- | --- | --- | --- |
//! | `iris` | 150 | 4 | 3 classes |
//! | `wine` | 178 | 13 | 3 classes |
//! | `breast_cancer` | 569 | 30 | 2 classes (0 malignant, 1 benign) |
//! | `digits` | 1797 | 64 (8×8 images, 0–16) | 10 classes |
//! | `diabetes` | 442 | 10 (raw, unscaled) | disease progression (regression) |
//!
//! The rows, inputs, targets and names are those of scikit-learn's loaders
//! (`load_iris()`, …, `load_diabetes(scaled=False)`).
//!
//! # Exact values
//!
//! Every field is parsed by `str::parse::<f64>`, which rounds the file's decimal
//! correctly to the nearest `f64`, and then converted to `T`. For `f64` the value is the
//! correctly rounded decimal; for `f32` it is that `f64` rounded again to `f32`, which
//! for a decimal in general may differ by one unit in the last place from rounding the
//! decimal to `f32` directly (double rounding). For these five files it never does: a
//! test compares every value with `str::parse::<f32>`.
//!
//! ```
//! # #[cfg(feature = "datasets")] {
//! let iris = backprop::datasets::iris::<f64>();
//! assert_eq!((iris.len(), iris.input_len(), iris.classes()), (150, 4, Some(3)));
//! assert_eq!(&iris.inputs()[..4], &[5.1, 3.5, 1.4, 0.2]);
//! assert_eq!(iris.target_names(), ["setosa", "versicolor", "virginica"]);
//! # }
//! ```

mod dataset;
#[cfg(feature = "datasets")]
mod gzip;
#[cfg(feature = "datasets")]
mod parse;

pub(crate) use dataset::check_class_indices;
pub use dataset::Dataset;

#[cfg(feature = "datasets")]
pub use loaders::{breast_cancer, diabetes, digits, iris, wine};

#[cfg(feature = "datasets")]
mod loaders {
    use alloc::format;
    use alloc::vec::Vec;
    use core::str::from_utf8;
    use num_traits::Float;

    use super::gzip::gunzip;
    use super::parse::{csv_rows, labelled_csv, last_column_as_target, owned, whitespace_numbers};
    use super::Dataset;

    const IRIS: &[u8] = include_bytes!("../../data/sklearn/iris.csv");
    const WINE: &[u8] = include_bytes!("../../data/sklearn/wine_data.csv");
    const BREAST_CANCER: &[u8] = include_bytes!("../../data/sklearn/breast_cancer.csv");
    const DIGITS: &[u8] = include_bytes!("../../data/sklearn/digits.csv.gz");
    const DIABETES: &[u8] = include_bytes!("../../data/sklearn/diabetes_data_raw.csv.gz");
    const DIABETES_TARGET: &[u8] = include_bytes!("../../data/sklearn/diabetes_target.csv.gz");

    fn text(bytes: &[u8]) -> &str {
        from_utf8(bytes).expect("a compiled-in data file is ASCII")
    }

    /// Fisher's iris flowers: 150 rows of sepal and petal length and width (cm), 3
    /// classes of 50 (setosa, versicolor, virginica).
    pub fn iris<T: Float>() -> Dataset<T> {
        let features = [
            "sepal length (cm)",
            "sepal width (cm)",
            "petal length (cm)",
            "petal width (cm)",
        ];
        labelled_csv(text(IRIS), &features)
    }

    /// Wines of three cultivars: 178 rows of 13 chemical measurements, classes of 59, 71
    /// and 48 rows.
    pub fn wine<T: Float>() -> Dataset<T> {
        let features = [
            "alcohol",
            "malic_acid",
            "ash",
            "alcalinity_of_ash",
            "magnesium",
            "total_phenols",
            "flavanoids",
            "nonflavanoid_phenols",
            "proanthocyanins",
            "color_intensity",
            "hue",
            "od280/od315_of_diluted_wines",
            "proline",
        ];
        labelled_csv(text(WINE), &features)
    }

    /// Wisconsin diagnostic breast cancer: 569 rows of 30 measurements of cell nuclei,
    /// class 0 malignant (212 rows), 1 benign (357).
    pub fn breast_cancer<T: Float>() -> Dataset<T> {
        let mut features = Vec::new();
        for prefix in ["mean ", "", "worst "] {
            for name in [
                "radius",
                "texture",
                "perimeter",
                "area",
                "smoothness",
                "compactness",
                "concavity",
                "concave points",
                "symmetry",
                "fractal dimension",
            ] {
                let suffix = if prefix.is_empty() { " error" } else { "" };
                features.push(format!("{prefix}{name}{suffix}"));
            }
        }
        let names: Vec<&str> = features.iter().map(|s| s.as_str()).collect();
        labelled_csv(text(BREAST_CANCER), &names)
    }

    /// Handwritten digits: 1797 rows of 8×8 images, row after row, each pixel a whole
    /// number from 0 to 16; 10 classes, the digit.
    pub fn digits<T: Float>() -> Dataset<T> {
        let bytes = gunzip(DIGITS);
        let classes: Vec<_> = (0..10).map(|d| format!("{d}")).collect();
        let features = (0..64)
            .map(|i| format!("pixel_{}_{}", i / 8, i % 8))
            .collect();
        last_column_as_target(csv_rows(text(&bytes)), 64, classes.len())
            .with_names(features, classes)
    }

    /// Diabetes: 442 patients' age, sex, body mass index, blood pressure and six blood
    /// serum measurements (`s1`–`s6`), raw and unscaled (`load_diabetes(scaled=False)`);
    /// the target is a measure of disease progression one year later (25 to 346).
    pub fn diabetes<T: Float>() -> Dataset<T> {
        let inputs = whitespace_numbers(text(&gunzip(DIABETES)));
        let targets = whitespace_numbers(text(&gunzip(DIABETES_TARGET)));
        let features = [
            "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
        ];
        Dataset::new(inputs, features.len(), targets, None)
            .expect("a consistent data file")
            .with_names(owned(&features), owned(&["target"]))
    }
}
