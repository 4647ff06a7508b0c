//! How the CLI shows long work's [`Progress`]: on a terminal an indicatif bar with rate and ETA
//! (on standard error, redrawn in place); otherwise (a pipe, a log file, systemd) a plain line every
//! [`LOG_EVERY`] and one when each phase ends, so a log shows the work is alive without filling
//! with redraws.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::progress::Progress;

/// How often a non-terminal gets a progress line.
pub const LOG_EVERY: Duration = Duration::from_secs(5);

/// The CLI's [`Progress`]: a bar on a terminal, log lines otherwise.
pub struct Reporter {
    terminal: bool,
    phase: Mutex<Option<Phase>>,
}

/// The phase being shown.
struct Phase {
    what: String,
    total: Option<u64>,
    done: u64,
    started: Instant,
    last_line: Instant,
    bar: Option<ProgressBar>,
}

impl Reporter {
    /// A bar when standard error is a terminal, log lines otherwise.
    pub fn for_stderr() -> Reporter {
        Reporter {
            terminal: std::io::stderr().is_terminal(),
            phase: Mutex::new(None),
        }
    }

    fn with_phase(&self, f: impl FnOnce(&mut Option<Phase>)) {
        // A panic elsewhere while the lock was held only cost a progress line: carry on.
        let mut phase = self
            .phase
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut phase);
    }
}

impl Progress for Reporter {
    fn wants_totals(&self) -> bool {
        true
    }

    fn start(&self, what: &str, total: Option<u64>) {
        let bar = self.terminal.then(|| bar(what, total));
        let now = Instant::now();
        self.with_phase(|phase| {
            *phase = Some(Phase {
                what: what.to_owned(),
                total,
                done: 0,
                started: now,
                last_line: now,
                bar,
            })
        });
    }

    fn advance(&self, done: u64) {
        self.with_phase(|phase| {
            let Some(phase) = phase else { return };
            phase.done += done;
            match &phase.bar {
                Some(bar) => bar.inc(done),
                None => {
                    if let Some(line) = phase.line_due(Instant::now()) {
                        eprintln!("{line}");
                    }
                }
            }
        });
    }

    fn finish(&self) {
        self.with_phase(|phase| {
            let Some(phase) = phase.take() else { return };
            if let Some(bar) = &phase.bar {
                bar.finish_and_clear();
            }
            eprintln!("{}", phase.summary(phase.started.elapsed()));
        });
    }
}

/// A bar for `what`: position, rate and ETA when the total is known, a spinner with the count
/// and rate otherwise.
fn bar(what: &str, total: Option<u64>) -> ProgressBar {
    let (bar, template) = match total {
        Some(total) => (
            ProgressBar::new(total),
            "{msg}: [{wide_bar}] {human_pos}/{human_len} ({per_sec}, ETA {eta})",
        ),
        None => (
            ProgressBar::new_spinner(),
            "{msg}: {spinner} {human_pos} ({per_sec})",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.set_message(what.to_owned());
    bar
}

impl Phase {
    /// The periodic line, when [`LOG_EVERY`] has passed since the last one (`now`: the caller's
    /// reading of the monotonic clock).
    fn line_due(&mut self, now: Instant) -> Option<String> {
        if now.duration_since(self.last_line) < LOG_EVERY {
            return None;
        }
        self.last_line = now;
        Some(self.line(now.duration_since(self.started)))
    }

    /// `importing users: 1500/200004 (300/s, ETA 11m 6s)`; without a total, the count and rate.
    fn line(&self, elapsed: Duration) -> String {
        let rate = rate(self.done, elapsed);
        match self.total {
            Some(total) => {
                let left = total.saturating_sub(self.done);
                let eta = match rate {
                    r if r > 0.0 => {
                        format!("ETA {}", human(Duration::from_secs_f64(left as f64 / r)))
                    }
                    _ => "ETA unknown".to_owned(),
                };
                format!("{}: {}/{total} ({rate:.0}/s, {eta})", self.what, self.done)
            }
            None => format!("{}: {} ({rate:.0}/s)", self.what, self.done),
        }
    }

    /// `importing users: 200004 done in 3m 20s (1000/s)`.
    fn summary(&self, elapsed: Duration) -> String {
        let rate = rate(self.done, elapsed);
        format!(
            "{}: {} done in {} ({rate:.0}/s)",
            self.what,
            self.done,
            human(elapsed)
        )
    }
}

/// Items per second; 0 before any time has passed.
fn rate(done: u64, elapsed: Duration) -> f64 {
    match elapsed.as_secs_f64() {
        secs if secs > 0.0 => done as f64 / secs,
        _ => 0.0,
    }
}

/// `2h 3m`, `3m 20s`, `4s`, `0.25s`.
fn human(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0 => format!("{:.2}s", d.as_secs_f64()),
        1..60 => format!("{secs}s"),
        60..3600 => format!("{}m {}s", secs / 60, secs % 60),
        _ => format!("{}h {}m", secs / 3600, secs % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(total: Option<u64>, started: Instant) -> Phase {
        Phase {
            what: "importing users".into(),
            total,
            done: 0,
            started,
            last_line: started,
            bar: None,
        }
    }

    #[test]
    fn a_line_every_five_seconds_with_rate_and_eta() {
        let t0 = Instant::now();
        let mut p = phase(Some(10_000), t0);
        p.done = 1_000;
        assert_eq!(p.line_due(t0 + Duration::from_secs(4)), None);
        assert_eq!(
            p.line_due(t0 + Duration::from_secs(5)).as_deref(),
            Some("importing users: 1000/10000 (200/s, ETA 45s)")
        );
        p.done = 2_000;
        assert_eq!(
            p.line_due(t0 + Duration::from_secs(9)),
            None,
            "5 s after the last line"
        );
        assert_eq!(
            p.line_due(t0 + Duration::from_secs(10)).as_deref(),
            Some("importing users: 2000/10000 (200/s, ETA 40s)")
        );
    }

    #[test]
    fn without_a_total_the_count_and_rate() {
        let t0 = Instant::now();
        let mut p = phase(None, t0);
        p.done = 0;
        assert_eq!(
            p.line_due(t0 + Duration::from_secs(6)).as_deref(),
            Some("importing users: 0 (0/s)")
        );
        let mut q = phase(Some(5), t0);
        q.done = 0;
        assert_eq!(
            q.line(Duration::from_secs(6)),
            "importing users: 0/5 (0/s, ETA unknown)"
        );
    }

    #[test]
    fn the_summary_names_the_count_time_and_rate() {
        let mut p = phase(Some(200_004), Instant::now());
        p.done = 200_004;
        assert_eq!(
            p.summary(Duration::from_secs(200)),
            "importing users: 200004 done in 3m 20s (1000/s)"
        );
        assert_eq!(human(Duration::from_millis(250)), "0.25s");
        assert_eq!(human(Duration::from_secs(7_380)), "2h 3m");
    }
}
