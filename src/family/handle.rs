//! [`FamilyHandle`]: a family as the code holds it — a registered static, or one built for the
//! data.
//!
//! Most families are stateless statics in the registry. A few are built at run time: a
//! categorical specialised to the levels a sample has (or a saved model names), a mixture with
//! its number of components. Code that takes a `&dyn Family` and may need the specialised one
//! holds a `FamilyHandle`, which dereferences to `dyn Family` either way, instead of an
//! `Option<Box<dyn Family>>` beside the family it might replace.

use std::ops::Deref;

use super::Family;
use crate::data::Sample;
use crate::error::Result;

/// A family borrowed (a registered static, or one the caller owns) or owned (built for the
/// data). Dereferences to `dyn Family`.
pub enum FamilyHandle<'a> {
    /// The family as given.
    Borrowed(&'a dyn Family),
    /// A family built for the data.
    Owned(Box<dyn Family>),
}

impl<'a> FamilyHandle<'a> {
    /// `family` specialised to `sample` when its parameters depend on the data (see
    /// [`Family::specialise`]), else `family` itself.
    ///
    /// # Errors
    /// The specialisation's degenerate-data error (a categorical with a single level).
    pub fn for_sample(family: &'a dyn Family, sample: &Sample) -> Result<FamilyHandle<'a>> {
        Ok(match family.specialise(sample)? {
            Some(owned) => FamilyHandle::Owned(owned),
            None => FamilyHandle::Borrowed(family),
        })
    }

    /// As [`Self::for_sample`], falling back to `family` itself where no specialisation
    /// exists (a caller that reports the failure elsewhere).
    pub fn for_sample_or_given(family: &'a dyn Family, sample: &Sample) -> FamilyHandle<'a> {
        Self::for_sample(family, sample).unwrap_or(FamilyHandle::Borrowed(family))
    }

    /// `family` specialised to a saved model's parameter names (see
    /// [`Family::specialise_to_names`]), else `family` itself.
    ///
    /// # Errors
    /// The specialisation's error when the names cannot define the family.
    pub fn for_names(family: &'a dyn Family, names: &[String]) -> Result<FamilyHandle<'a>> {
        Ok(match family.specialise_to_names(names)? {
            Some(owned) => FamilyHandle::Owned(owned),
            None => FamilyHandle::Borrowed(family),
        })
    }
}

impl Deref for FamilyHandle<'_> {
    type Target = dyn Family;

    fn deref(&self) -> &Self::Target {
        match self {
            FamilyHandle::Borrowed(f) => *f,
            FamilyHandle::Owned(f) => f.as_ref(),
        }
    }
}

impl std::fmt::Debug for FamilyHandle<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::categorical::CATEGORICAL;
    use crate::family::normal::Normal;

    #[test]
    fn a_family_without_data_dependent_parameters_is_borrowed() {
        let s = Sample::new(vec![1.0, 2.0, 3.0]).unwrap();
        let h = FamilyHandle::for_sample(&Normal, &s).unwrap();
        assert!(matches!(h, FamilyHandle::Borrowed(_)));
        assert_eq!(h.name(), "normal");
    }

    #[test]
    fn a_categorical_is_specialised_to_its_levels_or_refused() {
        let s = Sample::new(vec![0.0, 1.0, 1.0, 2.0]).unwrap();
        let h = FamilyHandle::for_sample(&CATEGORICAL, &s).unwrap();
        assert!(matches!(h, FamilyHandle::Owned(_)));
        assert_eq!(h.params().len(), 3);
        let one_level = Sample::new(vec![1.0, 1.0]).unwrap();
        assert!(FamilyHandle::for_sample(&CATEGORICAL, &one_level).is_err());
        let fallback = FamilyHandle::for_sample_or_given(&CATEGORICAL, &one_level);
        assert!(matches!(fallback, FamilyHandle::Borrowed(_)));
    }
}
