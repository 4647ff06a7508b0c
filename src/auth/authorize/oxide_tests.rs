use super::*;

#[test]
fn pkce_s256_verifies_the_rfc_7636_example() {
    // RFC 7636 Appendix B.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    assert!(pkce_verifies(challenge, Some("S256"), verifier));
    assert!(!pkce_verifies(
        challenge,
        Some("S256"),
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"
    ));
    assert!(!pkce_verifies(challenge, Some("plain"), challenge));
    assert!(!pkce_verifies(challenge, None, challenge));
}

#[test]
fn pkce_values_have_the_rfc_7636_syntax() {
    assert!(is_pkce_value(&"a".repeat(43)));
    assert!(is_pkce_value(&"-._~9Z".repeat(20)));
    assert!(!is_pkce_value(&"a".repeat(42)));
    assert!(!is_pkce_value(&"a".repeat(129)));
    assert!(!is_pkce_value(&format!("{}+", "a".repeat(43))));
}
