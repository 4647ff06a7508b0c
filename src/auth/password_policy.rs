//! The password policy for passwords a person chooses or an admin sets: at least eight
//! characters, not only digits, and not the username. One function, so every surface that sets a
//! password enforces the same rules.

/// Why a password was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyViolation {
    #[error("must be at least {MIN_LENGTH} characters long")]
    TooShort,
    #[error("must not consist of digits only")]
    AllDigits,
    #[error("must not be the username")]
    SameAsUsername,
}

/// The fewest characters a password may have.
pub const MIN_LENGTH: usize = 8;

/// Checks `password` for the user `username`.
pub fn check_password_policy(username: &str, password: &str) -> Result<(), PolicyViolation> {
    if password.chars().count() < MIN_LENGTH {
        return Err(PolicyViolation::TooShort);
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return Err(PolicyViolation::AllDigits);
    }
    if password.trim().to_lowercase() == username.trim().to_lowercase() {
        return Err(PolicyViolation::SameAsUsername);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_numeric_and_username_passwords() {
        assert_eq!(
            check_password_policy("alice", "short"),
            Err(PolicyViolation::TooShort)
        );
        assert_eq!(
            check_password_policy("alice", "ééééééé"),
            Err(PolicyViolation::TooShort)
        );
        assert_eq!(
            check_password_policy("alice", "12345678"),
            Err(PolicyViolation::AllDigits)
        );
        assert_eq!(
            check_password_policy("Alexander", "alexander"),
            Err(PolicyViolation::SameAsUsername)
        );
        assert_eq!(check_password_policy("alice", "éééééééé"), Ok(()));
        assert_eq!(check_password_policy("alice", "correct horse"), Ok(()));
    }
}
