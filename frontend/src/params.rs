//! The authorization URL taken apart: each query parameter, raw and decoded, with what it does.

/// One `name=value` pair of a URL's query, as written and as decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryPart {
    /// The pair exactly as it stands in the URL.
    pub raw: String,
    /// The decoded name.
    pub name: String,
    /// The decoded value.
    pub value: String,
}

/// Splits `url` into what comes before the query (with its `?`) and the query's pairs.
pub fn split_query(url: &str) -> (String, Vec<QueryPart>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), Vec::new());
    };
    let query = query.split('#').next().unwrap_or_default();

    let parts = query
        .split('&')
        .filter(|raw| !raw.is_empty())
        .map(|raw| {
            let (name, value) = form_urlencoded::parse(raw.as_bytes())
                .next()
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .unwrap_or_default();
            QueryPart { raw: raw.to_owned(), name, value }
        })
        .collect();
    (format!("{base}?"), parts)
}

/// Builds a URL from an endpoint and parameters, form-encoding each value.
pub fn build_url(endpoint: &str, parameters: &[(String, String)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in parameters {
        query.append_pair(name, value);
    }
    let query = query.finish();

    let joiner = if endpoint.contains('?') { '&' } else { '?' };
    if query.is_empty() { endpoint.to_owned() } else { format!("{endpoint}{joiner}{query}") }
}

/// What an authorization request parameter does, and which spec defines it.
pub fn explain(name: &str) -> Option<(&'static str, &'static str)> {
    let explained = match name {
        "response_type" => (
            "What the provider sends back: code for the code flow, code id_token for hybrid.",
            "RFC 6749 §3.1.1, OIDC Core §3.3.2.1",
        ),
        "client_id" => ("Which registered application is asking.", "RFC 6749 §2.2"),
        "redirect_uri" => (
            "Where the provider sends the browser back; must match a registered URI exactly.",
            "RFC 6749 §3.1.2",
        ),
        "scope" => (
            "What access is asked for: openid for an ID token, plus an API's permissions.",
            "RFC 6749 §3.3",
        ),
        "state" => (
            "A random value the client checks on return, so a forged response is refused.",
            "RFC 6749 §10.12",
        ),
        "nonce" => (
            "A random value the ID token must carry back, so a replayed token is refused.",
            "OIDC Core §3.1.2.1",
        ),
        "response_mode" => (
            "How the response travels: in the query, the fragment, or a form POST.",
            "OAuth 2.0 Multiple Response Types §2.1",
        ),
        "code_challenge" => (
            "The hash of a secret verifier; the token request must present the verifier.",
            "RFC 7636 §4.3",
        ),
        "code_challenge_method" => {
            ("How the challenge was made from the verifier.", "RFC 7636 §4.3")
        }
        "audience" => ("Which API the access token is for (an Auth0 extension).", "Auth0"),
        "resource" => ("Which API the access token is for.", "RFC 8707 §2"),
        "prompt" => {
            ("Whether to force a login or consent screen, or show none.", "OIDC Core §3.1.2.1")
        }
        "max_age" => (
            "How many seconds since the last login are acceptable before asking again.",
            "OIDC Core §3.1.2.1",
        ),
        "login_hint" => ("Who is expected to log in, to prefill the form.", "OIDC Core §3.1.2.1"),
        _ => return None,
    };
    Some(explained)
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn split_query_decodes_each_pair_and_keeps_it_raw() {
        let url = "http://h/idp/authorize?response_type=code&scope=openid+read%3Areports&state=x";

        let (base, parts) = split_query(url);

        assert_eq!(base, "http://h/idp/authorize?");
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[1].raw, "scope=openid+read%3Areports");
        assert_eq!(parts[1].value, "openid read:reports");
    }

    #[wasm_bindgen_test]
    fn split_query_without_a_query_has_no_parts() {
        assert_eq!(split_query("http://h/x"), ("http://h/x".to_owned(), vec![]));
    }

    #[wasm_bindgen_test]
    fn build_url_round_trips_through_split_query() {
        let parameters = vec![
            ("scope".to_owned(), "openid profile".to_owned()),
            ("redirect_uri".to_owned(), "http://h/callback".to_owned()),
        ];

        let url = build_url("http://h/idp/authorize", &parameters);
        let (_, parts) = split_query(&url);

        assert_eq!(parts[0].value, "openid profile");
        assert_eq!(parts[1].value, "http://h/callback");
    }

    #[wasm_bindgen_test]
    fn the_core_parameters_are_explained() {
        for name in ["response_type", "client_id", "redirect_uri", "scope", "state", "nonce"] {
            assert!(explain(name).is_some(), "{name} has no explanation");
        }
    }
}
