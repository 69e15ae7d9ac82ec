//! "Copy as curl": a recorded request as a command a learner can paste into a POSIX shell.
//!
//! The backend records requests with the client secret already replaced by a placeholder, so
//! what this renders is safe to copy; nothing here ever sees a secret.

/// A `curl` command that repeats the request: method, URL, headers and body, each quoted.
pub fn to_curl(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<&str>,
) -> String {
    let mut words = vec!["curl".to_owned()];

    // The method only when curl would not pick it by itself.
    let implied = if body.is_some() { "POST" } else { "GET" };
    if !method.eq_ignore_ascii_case(implied) {
        words.push(format!("-X {}", quote(method)));
    }

    words.push(quote(url));
    for (name, value) in headers {
        words.push(format!("-H {}", quote(&format!("{name}: {value}"))));
    }
    if let Some(body) = body {
        words.push(format!("--data-raw {}", quote(body)));
    }

    words.join(" \\\n  ")
}

/// Quotes a word for a POSIX shell: single quotes, with each `'` written as `'\''`.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn a_get_needs_no_method_flag() {
        let command = to_curl("GET", "http://127.0.0.1/idp/userinfo", &[], None);

        assert_eq!(command, "curl \\\n  'http://127.0.0.1/idp/userinfo'");
    }

    #[wasm_bindgen_test]
    fn a_form_post_keeps_headers_and_body() {
        let headers = vec![
            ("Authorization".to_owned(), "Basic <client credentials>".to_owned()),
            ("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned()),
        ];

        let command = to_curl("POST", "http://h/token", &headers, Some("grant_type=refresh_token"));

        assert!(!command.contains("-X"));
        assert!(command.contains("-H 'Authorization: Basic <client credentials>'"));
        assert!(command.ends_with("--data-raw 'grant_type=refresh_token'"));
    }

    #[wasm_bindgen_test]
    fn single_quotes_cannot_break_out_of_the_word() {
        let command = to_curl("DELETE", "http://h/x?q=it's", &[], None);

        assert_eq!(command, "curl \\\n  -X 'DELETE' \\\n  'http://h/x?q=it'\\''s'");
    }
}
