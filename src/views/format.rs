//! Times, numbers and durations in the reader's language, by CLDR's rules: ICU4X's formatters with
//! their compiled-in data (`icu_datetime`, `icu_decimal`), so "2026年12月1日 14:05" and
//! "Dec 1, 2026, 2:05 PM", and digit grouping, are CLDR's, not ours. Fluent's own `NUMBER()`
//! does not group digits by locale, hence ICU4X here and Fluent only for the words around.
//!
//! Times are shown in UTC and say so: the server knows no reader's time zone.

use std::sync::LazyLock;
use std::time::Duration;

use chrono::{DateTime, Datelike, Timelike, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use icu_datetime::DateTimeFormatter;
use icu_datetime::fieldsets::{YMD, YMDT};
use icu_datetime::input::{Date, DateTime as IcuDateTime, Time};
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_locale_core::Locale;

use super::PageLanguage;

/// One language's formatters, made once: building one loads and resolves CLDR data.
struct Formatters {
    /// Year, month, day, hour and minute, medium length.
    datetime: Option<DateTimeFormatter<YMDT>>,
    decimal: Option<DecimalFormatter>,
}

impl Formatters {
    fn new(tag: &str) -> Formatters {
        let Ok(locale) = Locale::try_from_str(tag) else {
            return Formatters {
                datetime: None,
                decimal: None,
            };
        };
        let minutes = YMD::medium().with_time_hm();
        Formatters {
            datetime: DateTimeFormatter::try_new(locale.clone().into(), minutes).ok(),
            decimal: DecimalFormatter::try_new(locale.into(), Default::default()).ok(),
        }
    }
}

static ENGLISH: LazyLock<Formatters> = LazyLock::new(|| Formatters::new("en"));
static CHINESE: LazyLock<Formatters> = LazyLock::new(|| Formatters::new("zh-CN"));

impl PageLanguage {
    fn formatters(self) -> &'static Formatters {
        match self {
            PageLanguage::En => &ENGLISH,
            PageLanguage::ZhCn => &CHINESE,
        }
    }

    /// A UTC time to the minute, in CLDR's medium pattern for this language, with the zone named:
    /// `Dec 1, 2026, 2:05 PM UTC`, `2026年12月1日 14:05 UTC`.
    pub fn datetime(self, at: DateTime<Utc>) -> String {
        let date = Date::try_new_iso(at.year(), small(at.month()), small(at.day()));
        let time = Time::try_new(small(at.hour()), small(at.minute()), 0, 0);
        let formatted = match (self.formatters().datetime.as_ref(), date, time) {
            (Some(formatter), Ok(date), Ok(time)) => {
                formatter.format(&IcuDateTime { date, time }).to_string()
            }
            // Out of ICU4X's range (or no data): the unambiguous form.
            _ => at.format("%Y-%m-%d %H:%M").to_string(),
        };
        self.text("format-utc", &[("time", &formatted)])
    }

    /// A time, or this language's "never".
    pub fn datetime_or_never(self, at: Option<DateTime<Utc>>) -> String {
        at.map_or_else(|| self.t("format-never"), |at| self.datetime(at))
    }

    /// A whole number with this language's digit grouping (`12,345`).
    pub fn number(self, n: u64) -> String {
        match &self.formatters().decimal {
            Some(formatter) => formatter.format(&Decimal::from(n)).to_string(),
            None => n.to_string(),
        }
    }

    /// A duration in its largest whole unit (days, hours, minutes, else seconds), in words:
    /// `5 minutes`, `5 分钟`, `90 seconds`.
    pub fn duration(self, duration: Duration) -> String {
        let secs = duration.as_secs();
        let (key, n) = [
            ("format-days", 86_400),
            ("format-hours", 3600),
            ("format-minutes", 60),
        ]
        .into_iter()
        .find(|(_, unit)| secs >= *unit && secs.is_multiple_of(*unit))
        .map_or(("format-seconds", secs), |(key, unit)| (key, secs / unit));
        self.t_with(
            key,
            &[
                ("n", FluentValue::from(n)),
                ("count", FluentValue::from(self.number(n))),
            ],
        )
    }
}

/// A chrono component (month, day, hour, minute: all small) as ICU4X takes it.
fn small(n: u32) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}
