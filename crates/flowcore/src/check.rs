//! Settings checked once. A configuration is checked by [`Check::check`] before any work, and the
//! work functions take only the [`Checked`] form, so no function checks again and none can be handed
//! an unchecked value (as linfa's `check()` → valid parameters).
//!
//! ```
//! use flowcore::{Check, PreprocessConfig};
//!
//! let bad = PreprocessConfig { level_percent: -1.0, ..PreprocessConfig::default() };
//! assert!(bad.check().is_err());
//! let good = PreprocessConfig::default().check()?;
//! assert_eq!(good.level_percent, 10.0);
//! # Ok::<(), flowcore::CoreError>(())
//! ```

/// A configuration that can be checked.
pub trait Check: Sized {
    /// Its own error type, one variant per kind of invalid value.
    type Error;

    /// Every value checked; the first invalid one is the error.
    fn validate(&self) -> Result<(), Self::Error>;

    /// The configuration, checked: the only form the work functions take.
    fn check(self) -> Result<Checked<Self>, Self::Error> {
        self.validate()?;
        Ok(Checked(self))
    }
}

/// A configuration that passed [`Check::check`]. Only `check` makes one; read its fields through it.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked<T>(T);

impl<T> std::ops::Deref for Checked<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Checked<T> {
    /// The configuration itself, to change and check again.
    pub fn into_inner(self) -> T {
        self.0
    }
}
