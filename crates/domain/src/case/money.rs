//! Money in fen (分, 1/100 yuan), as an integer that cannot be negative.
//!
//! Fines, confiscated amounts, surcharges and payments are all [`Fen`]. The
//! type is parsed, not validated: a negative amount cannot be built, and
//! deserialising one fails.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Error;

/// An amount of money in fen, never negative.
///
/// Serialised as a plain integer number of fen.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct Fen(i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// An amount in fen; refuses a negative one (`case.money_negative`).
    pub fn new(fen: i64) -> Result<Fen, Error> {
        if fen < 0 {
            return Err(Error::invalid(
                "case.money_negative",
                "amount",
                format!("金额不能为负数：{fen} 分"),
                format!("an amount cannot be negative: {fen} fen"),
            ));
        }
        Ok(Fen(fen))
    }

    /// A whole number of yuan; refuses a negative amount or an overflow.
    pub fn from_yuan(yuan: i64) -> Result<Fen, Error> {
        let fen = yuan.checked_mul(100).ok_or_else(|| {
            Error::invalid(
                "case.money_range",
                "amount",
                format!("金额过大：{yuan} 元"),
                format!("amount out of range: {yuan} yuan"),
            )
        })?;
        Fen::new(fen)
    }

    /// A whole number of yuan known at compile time (thresholds, tests).
    /// Panics on a negative or overflowing constant.
    pub const fn yuan(yuan: i64) -> Fen {
        assert!(
            yuan >= 0 && yuan <= i64::MAX / 100,
            "yuan constant out of range"
        );
        Fen(yuan * 100)
    }

    /// The amount in fen.
    pub const fn fen(self) -> i64 {
        self.0
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The sum, saturating at the largest amount.
    pub fn saturating_add(self, other: Fen) -> Fen {
        Fen(self.0.saturating_add(other.0))
    }

    /// The difference, or zero when `other` is larger.
    pub fn saturating_sub(self, other: Fen) -> Fen {
        Fen((self.0 - other.0).max(0))
    }

    /// `self × numerator / denominator`, rounded down to the fen (in the
    /// party's favour), saturating. `denominator` must not be zero.
    pub fn mul_div_floor(self, numerator: i64, denominator: i64) -> Fen {
        assert!(denominator > 0, "denominator must be positive");
        let v = i128::from(self.0) * i128::from(numerator.max(0)) / i128::from(denominator);
        Fen(i64::try_from(v).unwrap_or(i64::MAX))
    }

    /// The amount in yuan with two decimals, e.g. `1234.50`.
    pub fn yuan_string(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl TryFrom<i64> for Fen {
    type Error = Error;
    fn try_from(v: i64) -> Result<Fen, Error> {
        Fen::new(v)
    }
}

impl From<Fen> for i64 {
    fn from(f: Fen) -> i64 {
        f.0
    }
}

impl fmt::Display for Fen {
    /// `1234.50 元`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 元", self.yuan_string())
    }
}

impl std::iter::Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, Fen::saturating_add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_negative_amount_cannot_be_built_or_deserialised() {
        assert_eq!(Fen::new(-1).unwrap_err().code, "case.money_negative");
        assert_eq!(Fen::from_yuan(-5).unwrap_err().code, "case.money_negative");
        assert!(serde_json::from_str::<Fen>("-100").is_err());
        assert_eq!(
            serde_json::from_str::<Fen>("20000").unwrap(),
            Fen::yuan(200)
        );
        assert_eq!(serde_json::to_string(&Fen::yuan(3)).unwrap(), "300");
        assert_eq!(
            Fen::from_yuan(i64::MAX).unwrap_err().code,
            "case.money_range"
        );
    }

    #[test]
    fn shown_in_yuan_with_two_decimals() {
        assert_eq!(Fen::new(123_450).unwrap().to_string(), "1234.50 元");
        assert_eq!(Fen::new(7).unwrap().yuan_string(), "0.07");
    }

    #[test]
    fn arithmetic_never_goes_below_zero() {
        assert_eq!(Fen::yuan(1).saturating_sub(Fen::yuan(2)), Fen::ZERO);
        assert_eq!(Fen::new(1001).unwrap().mul_div_floor(3, 100).fen(), 30);
    }

    proptest! {
        #[test]
        fn any_non_negative_amount_round_trips_through_json(v in 0i64..i64::MAX) {
            let f = Fen::new(v).unwrap();
            let json = serde_json::to_string(&f).unwrap();
            prop_assert_eq!(serde_json::from_str::<Fen>(&json).unwrap(), f);
        }
    }
}
