//! Parameter groups: ranges of the flat parameters with their own rule and learning rate.

use alloc::vec::Vec;
use core::ops::Range;
use num_traits::Float;

use crate::error::Error;

/// Ranges of the parameters updated with their own rule value (weight decay, momentum,
/// betas…) and learning rate: PyTorch's `param_groups`. Built with
/// [`Optimizer::group`](crate::Optimizer::group).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Group<T, R> {
    pub(crate) ranges: Vec<Range<usize>>,
    pub(crate) rule: R,
    pub(crate) lr: T,
    /// The rate a schedule scales (PyTorch's `initial_lr`), set when one is attached.
    pub(crate) initial_lr: T,
}

impl<T: Float, R> Group<T, R> {
    /// The ranges of the flat parameters in the group.
    pub fn ranges(&self) -> &[Range<usize>] {
        &self.ranges
    }

    /// The group's rule, with its hyper-parameters.
    pub fn rule(&self) -> &R {
        &self.rule
    }

    /// The group's learning rate in force.
    pub fn learning_rate(&self) -> T {
        self.lr
    }
}

/// One run of parameters updated alike: a group's range, or a stretch in no group.
pub(crate) struct Segment<'o, T, R> {
    pub range: Range<usize>,
    pub rule: &'o R,
    pub lr: T,
}

/// The parameters `0..len` cut into segments in order: each group's ranges, and the
/// stretches between them with the optimizer's own rule and rate. Walks the groups
/// afresh at every segment, so it allocates nothing; groups are few.
pub(crate) struct Segments<'o, T, R> {
    pub groups: &'o [Group<T, R>],
    pub rule: &'o R,
    pub lr: T,
    pub position: usize,
    pub len: usize,
}

impl<'o, T: Float, R> Iterator for Segments<'o, T, R> {
    type Item = Segment<'o, T, R>;

    fn next(&mut self) -> Option<Self::Item> {
        let at = self.position;
        if at >= self.len {
            return None;
        }
        let ranges = || {
            self.groups
                .iter()
                .flat_map(|g| g.ranges.iter().map(move |r| (r, g)))
        };
        let segment = match ranges().find(|(r, _)| r.start == at) {
            Some((range, group)) => Segment {
                range: range.clone(),
                rule: &group.rule,
                lr: group.lr,
            },
            None => {
                let next = ranges().map(|(r, _)| r.start).filter(|&s| s > at).min();
                Segment {
                    range: at..next.unwrap_or(self.len).min(self.len),
                    rule: self.rule,
                    lr: self.lr,
                }
            }
        };
        self.position = segment.range.end;
        Some(segment)
    }
}

/// Refuses a group range that is empty, ends beyond `len` parameters or overlaps a
/// range of any group (its own included).
pub(crate) fn check_ranges<T, R>(groups: &[Group<T, R>], len: usize) -> Result<(), Error> {
    let all = || {
        groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| group.ranges.iter().map(move |r| (g, r)))
    };
    for (i, (group, range)) in all().enumerate() {
        let overlaps = all()
            .enumerate()
            .any(|(j, (_, other))| j != i && range.start < other.end && other.start < range.end);
        if range.start >= range.end || range.end > len || overlaps {
            return Err(Error::InvalidGroup {
                group,
                start: range.start,
                end: range.end,
                params: len,
            });
        }
    }
    Ok(())
}
