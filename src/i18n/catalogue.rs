//! The shipped catalogues, parsed once from the `.po` text compiled into the binary.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::plural::PluralRule;
use super::{Language, Package, shipped};

/// One package's messages in one locale.
#[derive(Debug, Default)]
pub struct Catalogue {
    singular: HashMap<String, String>,
    plural: HashMap<String, Vec<String>>,
    rule: PluralRule,
}

impl Catalogue {
    /// Parses a `.po` file; an entry without a translation is left out, as `msgfmt` does.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let parsed =
            polib::po_file::parse_from_reader(text.as_bytes()).map_err(|err| err.to_string())?;
        let rule = PluralRule::parse(&parsed.metadata.plural_rules.expr)?;
        let mut catalogue = Catalogue {
            rule,
            ..Catalogue::default()
        };
        for message in parsed.messages() {
            if !message.is_translated() || message.is_fuzzy() {
                continue;
            }
            if let Ok(forms) = message.msgstr_plural() {
                catalogue
                    .plural
                    .insert(message.msgid().to_owned(), forms.clone());
            } else if let Ok(msgstr) = message.msgstr() {
                catalogue
                    .singular
                    .insert(message.msgid().to_owned(), msgstr.to_owned());
            }
        }
        Ok(catalogue)
    }
}

type Catalogues = HashMap<(Package, &'static str), Catalogue>;

/// Every shipped catalogue. They are compiled in and a test parses each one, so a failure here
/// is logged and that catalogue answers nothing (its messages stay English).
fn catalogues() -> &'static Catalogues {
    static ALL: OnceLock<Catalogues> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = Catalogues::new();
        for (package, dir, text) in shipped::CATALOGUES {
            match Catalogue::parse(text) {
                Ok(catalogue) => {
                    all.insert((*package, *dir), catalogue);
                }
                Err(err) => tracing::error!(?package, dir, %err, "unreadable catalogue"),
            }
        }
        all
    })
}

fn in_order(language: Language) -> impl Iterator<Item = &'static Catalogue> {
    let all = catalogues();
    language
        .directories()
        .into_iter()
        .filter_map(move |(package, dir)| all.get(&(package, dir)))
}

/// The first translation of `msgid` among `language`'s catalogues.
pub fn singular(language: Language, msgid: &str) -> Option<&'static str> {
    in_order(language).find_map(|c| c.singular.get(msgid).map(String::as_str))
}

/// The form for `n` of the first plural entry `singular` among `language`'s catalogues.
pub fn plural(language: Language, singular: &str, n: u64) -> Option<&'static str> {
    in_order(language).find_map(|c| {
        let forms = c.plural.get(singular)?;
        forms.get(c.rule.index(n)).map(String::as_str)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_catalogue_parses_and_has_messages() {
        for (package, dir, text) in shipped::CATALOGUES {
            let catalogue =
                Catalogue::parse(text).unwrap_or_else(|err| panic!("{package:?}/{dir}: {err}"));
            assert!(
                !catalogue.singular.is_empty() || !catalogue.plural.is_empty(),
                "{package:?}/{dir} is empty"
            );
        }
    }
}
