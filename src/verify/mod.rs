//! Checking derivatives: finite differences of any model and loss ([`gradcheck`]), and
//! dual numbers that carry exact derivatives through any `Float` code ([`Dual`]).

mod dual;
pub mod gradcheck;

pub use dual::Dual;
