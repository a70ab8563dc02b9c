//! `ftp://` URLs as users (or scripts, or a pasted link) give them, through
//! `fxpc::ftp::FtpUrl::parse`.
//!
//! Properties:
//! - never panics;
//! - an error never shows the password, neither verbatim nor in its
//!   `{:?}`-escaped form (the idea of url.rs's
//!   `errors_never_echo_the_password`), and neither does the `Display` or
//!   `Debug` of a URL that parsed.
//!
//! Input: split at NUL bytes. Three or more pieces `A`, `P`, `B…` make the URL
//! `A:P@B` (the rest joined back with NUL). `P` counts as the password when
//! the `url` crate itself reads `A:P@h/` as a URL whose password is exactly
//! `P`, and the check runs when `P` is distinctive: at least four bytes, once
//! in the text, and not part of any fixed message. Fewer pieces: the input is
//! the URL as it is (never-panic, and the `Display`/`Debug` check).
#![no_main]

use fxpc::ftp::FtpUrl;
use libfuzzer_sys::fuzz_target;

/// Every fixed text an error can contain besides the (redacted) input.
const FIXED: &[&str] = &[
    "is not a URL",
    "only ftp:// URLs are supported",
    "names no host",
    "empty host",
    "invalid international domain name",
    "invalid port number",
    "invalid IPv4 address",
    "invalid IPv6 address",
    "invalid domain character",
    "relative URL without a base",
    "relative URL with a cannot-be-a-base base",
    "a cannot-be-a-base URL doesn’t have a host to set",
    "URLs more than 4 GB are not supported",
    "ftp://",
    "****",
];

fn distinctive(secret: &str, text: &str) -> bool {
    // Escaping the rest of the text must not make it up either ("\0TT"
    // shows as `\\0TT`, which holds "0TT").
    let others = format!("{:?}", text.replacen(secret, "", 1));
    secret.len() >= 4
        && !secret.contains('*')
        && text.matches(secret).count() == 1
        && !others.contains(secret)
        && !others.contains(&escaped(secret))
        && !FIXED.iter().any(|f| f.contains(secret))
}

/// The secret as `{:?}` would show it, without the quotes.
fn escaped(secret: &str) -> String {
    let debug = format!("{secret:?}");
    debug[1..debug.len() - 1].to_string()
}

fn assert_hidden(shown: &str, secret: &str, text: &str) {
    assert!(
        !shown.contains(secret) && !shown.contains(&escaped(secret)),
        "password {secret:?} shown in {shown:?} (URL {text:?})"
    );
}

/// A parsed URL's Display and Debug never show its password.
fn check_parsed(url: &FtpUrl, text: &str) {
    let Some(password) = url.password.as_ref().map(|p| p.expose().to_string()) else {
        return;
    };
    let path = String::from_utf8_lossy(&url.path);
    let elsewhere = [url.host.as_str(), url.user.as_deref().unwrap_or(""), &path]
        .iter()
        .any(|field| field.contains(password.as_str()));
    // Without the separators Display writes, the password cannot be made up
    // by a user name and host side by side.
    let separator = password.contains(['@', ':', '/', '[', ']', '*']);
    if password.len() >= 4 && !separator && !elsewhere {
        assert_hidden(&url.to_string(), &password, text);
        assert_hidden(&format!("{url:?}"), &password, text);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let pieces: Vec<&str> = input.split('\0').collect();
    let (text, password) = match pieces.as_slice() {
        [a, p, rest @ ..] if !rest.is_empty() => {
            let text = format!("{a}:{p}@{}", rest.join("\0"));
            // Is P really in the password's place?
            let is_password = url::Url::parse(&format!("{a}:{p}@h/"))
                .is_ok_and(|u| u.password() == Some(*p));
            (text, is_password.then_some(*p))
        }
        _ => (input.to_string(), None),
    };
    match FtpUrl::parse(&text) {
        Ok(url) => check_parsed(&url, &text),
        Err(err) => {
            if let Some(p) = password.filter(|p| distinctive(p, &text)) {
                assert_hidden(&err.to_string(), p, &text);
                assert_hidden(&format!("{err:?}"), p, &text);
            }
        }
    }
});
