//! Scope strings (RFC 6749 §3.3): space-delimited, order-insensitive sets of tokens.

use std::collections::BTreeSet;
use std::fmt;

use super::Error;

/// A validated set of scope tokens, kept sorted so equal sets print equally.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope(BTreeSet<String>);

impl Scope {
    /// Parses a `scope` parameter. RFC 6749 §3.3 limits tokens to printable ASCII other than
    /// space, `"` and `\`.
    pub fn parse(raw: &str) -> Result<Scope, Error> {
        let mut set = BTreeSet::new();
        for token in raw.split(' ').filter(|t| !t.is_empty()) {
            let valid = token
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
            if !valid {
                return Err(Error::InvalidScope(format!(
                    "malformed scope token `{token}`"
                )));
            }
            set.insert(token.to_owned());
        }
        Ok(Scope(set))
    }

    pub fn from_list<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Scope {
        Scope(items.into_iter().map(Into::into).collect())
    }

    pub fn contains(&self, token: &str) -> bool {
        self.0.contains(token)
    }

    pub fn is_subset(&self, other: &Scope) -> bool {
        self.0.is_subset(&other.0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The scope to grant: what was asked for if the client may have all of it, or everything the
    /// client may have when nothing was asked for.
    pub fn grant(requested: Option<Scope>, allowed: &Scope) -> Result<Scope, Error> {
        match requested {
            None => Ok(allowed.clone()),
            Some(requested) if requested.is_subset(allowed) => Ok(requested),
            Some(requested) => {
                let extra: Vec<&str> = requested.iter().filter(|t| !allowed.contains(t)).collect();
                Err(Error::InvalidScope(format!(
                    "scope not allowed for this client: {}",
                    extra.join(" ")
                )))
            }
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let joined: Vec<&str> = self.iter().collect();
        f.write_str(&joined.join(" "))
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_sorted() {
        assert_eq!(Scope::parse("b  a").unwrap().to_string(), "a b");
    }

    #[test]
    fn refuses_malformed_tokens() {
        assert!(Scope::parse("a\"b").is_err());
        assert!(Scope::parse("caf\u{e9}").is_err());
    }

    #[test]
    fn grants_subset_or_everything() {
        let allowed = Scope::parse("openid profile").unwrap();
        assert_eq!(Scope::grant(None, &allowed).unwrap(), allowed);
        let asked = Scope::parse("openid").unwrap();
        assert_eq!(Scope::grant(Some(asked.clone()), &allowed).unwrap(), asked);
        assert!(Scope::grant(Some(Scope::parse("admin").unwrap()), &allowed).is_err());
    }
}
