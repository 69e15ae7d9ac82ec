//! Composing the authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) with `oauth2`'s
//! builder, and explaining every parameter of the URL it makes.

use std::borrow::Cow;

use grantlab_shared::{AuthorizationDraft, ComposedRequest, ParameterExplained};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, ResponseType,
    Scope,
};
use openidconnect::Nonce;
use url::Url;

use super::error::ClientError;
use super::state::FlowState;

/// A fresh draft: code flow with PKCE, OpenID scopes, new state and nonce.
pub fn draft(redirect_uri: String) -> AuthorizationDraft {
    AuthorizationDraft {
        response_type: "code".into(),
        response_mode: None,
        scopes: vec!["openid".into(), "profile".into(), "email".into()],
        audience: None,
        resources: Vec::new(),
        redirect_uri,
        state: CsrfToken::new_random().secret().clone(),
        nonce: Some(Nonce::new_random().secret().clone()),
        pkce: true,
        prompt: None,
        max_age: None,
        login_hint: None,
        extra: Vec::new(),
        auto_redeem: false,
    }
}

/// Builds the URL for `draft` at `authorization_endpoint`, and the flow state to keep.
pub fn compose(
    authorization_endpoint: &str,
    client_id: &str,
    draft: &AuthorizationDraft,
) -> Result<(ComposedRequest, FlowState), ClientError> {
    // Step 1: check the fields the URL is made from.
    let auth_url =
        AuthUrl::new(authorization_endpoint.to_owned()).map_err(|error| ClientError::NotReady {
            field: "profile.endpoints.authorization_endpoint",
            expected: format!("an absolute URL, found `{authorization_endpoint}` ({error})"),
        })?;
    let redirect_uri = RedirectUrl::new(draft.redirect_uri.clone()).map_err(|error| {
        ClientError::InvalidField {
            field: "redirect_uri",
            expected: format!("an absolute URL ({error})"),
        }
    })?;
    if draft.response_type.split_whitespace().next().is_none() {
        return Err(ClientError::InvalidField {
            field: "response_type",
            expected: "one or more of `code`, `id_token`, `token`, space-separated".into(),
        });
    }
    if draft.state.is_empty() {
        return Err(ClientError::InvalidField {
            field: "state",
            expected: "a value to check at the callback (RFC 6749 §10.12)".into(),
        });
    }
    check_extra(draft)?;
    for (index, resource) in draft.resources.iter().enumerate() {
        let absolute = Url::parse(resource).is_ok_and(|url| url.fragment().is_none());
        if !absolute {
            let _ = index;
            return Err(ClientError::InvalidField {
                field: "resources",
                expected: format!(
                    "absolute URIs without a fragment (RFC 8707 §2), found `{resource}`"
                ),
            });
        }
    }

    // Step 2: let oauth2 build the standard part: response_type, client_id, state, PKCE,
    // redirect_uri and scope.
    let client = BasicClient::new(ClientId::new(client_id.to_owned())).set_auth_uri(auth_url);
    let state = draft.state.clone();
    let mut request = client
        .authorize_url(move || CsrfToken::new(state))
        .set_response_type(&ResponseType::new(draft.response_type.clone()))
        .set_redirect_uri(Cow::Owned(redirect_uri))
        .add_scopes(draft.scopes.iter().filter(|s| !s.is_empty()).map(|s| Scope::new(s.clone())));
    let mut verifier: Option<PkceCodeVerifier> = None;
    if draft.pkce {
        let (challenge, new_verifier) = PkceCodeChallenge::new_random_sha256();
        request = request.set_pkce_challenge(challenge);
        verifier = Some(new_verifier);
    }

    // Step 3: add the optional and extra parameters, in the draft's order.
    let optional = [
        ("response_mode", draft.response_mode.map(|mode| mode.as_str().to_owned())),
        ("nonce", draft.nonce.clone().filter(|nonce| !nonce.is_empty())),
        ("audience", draft.audience.clone().filter(|audience| !audience.is_empty())),
        ("prompt", draft.prompt.clone().filter(|prompt| !prompt.is_empty())),
        ("max_age", draft.max_age.map(|max_age| max_age.to_string())),
        ("login_hint", draft.login_hint.clone().filter(|hint| !hint.is_empty())),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            request = request.add_extra_param(name, value);
        }
    }
    for resource in &draft.resources {
        request = request.add_extra_param("resource", resource.clone());
    }
    for param in draft.extra.iter().filter(|param| !param.name.trim().is_empty()) {
        request = request.add_extra_param(param.name.clone(), param.value.clone());
    }
    let (url, _) = request.url();

    // Step 4: explain it, and keep what the callback and the token request will need.
    let composed = explain(url.as_str(), draft);
    let flow = FlowState {
        state: draft.state.clone(),
        nonce: draft.nonce.clone().filter(|nonce| !nonce.is_empty()),
        pkce_verifier: verifier.map(|verifier| verifier.secret().clone()),
        redirect_uri: draft.redirect_uri.clone(),
        scopes: draft.scopes.clone(),
        max_age: draft.max_age,
        auto_redeem: draft.auto_redeem,
        state_used: false,
    };
    Ok((composed, flow))
}

/// Refuses an extra parameter with a value and no name (it could not be sent; a row left
/// wholly blank is skipped) or one that repeats a parameter the draft composes. RFC 6749 §3.1
/// forbids sending a parameter twice, and the sandbox would check the callback and redeem with
/// the draft's value while the provider may act on the other, so a repeat is refused, not sent
/// with a warning: each composed parameter has its own field to change instead. `resource` may
/// repeat (RFC 8707 §2).
fn check_extra(draft: &AuthorizationDraft) -> Result<(), ClientError> {
    let given = |value: &Option<String>| value.as_deref().is_some_and(|value| !value.is_empty());
    let composed = [
        ("response_type", true),
        ("client_id", true),
        ("state", true),
        ("redirect_uri", true),
        ("scope", draft.scopes.iter().any(|scope| !scope.is_empty())),
        ("code_challenge", draft.pkce),
        ("code_challenge_method", draft.pkce),
        ("response_mode", draft.response_mode.is_some()),
        ("nonce", given(&draft.nonce)),
        ("audience", given(&draft.audience)),
        ("prompt", given(&draft.prompt)),
        ("max_age", draft.max_age.is_some()),
        ("login_hint", given(&draft.login_hint)),
    ];

    for (index, param) in draft.extra.iter().enumerate() {
        if param.name.trim().is_empty() && !param.value.is_empty() {
            return Err(ClientError::InvalidField {
                field: "extra",
                expected: format!(
                    "a name for extra parameter {} (value `{}`): one with no name cannot be sent",
                    index + 1,
                    param.value
                ),
            });
        }
        let earlier = draft.extra[..index].iter().any(|other| other.name == param.name);
        if earlier && !param.name.trim().is_empty() && param.name != "resource" {
            return Err(ClientError::InvalidField {
                field: "extra",
                expected: format!(
                    "one `{}` among the extra parameters: RFC 6749 §3.1 forbids a parameter \
                     twice (only `resource` may repeat, RFC 8707 §2)",
                    param.name
                ),
            });
        }
        if composed.iter().any(|(name, sent)| *sent && *name == param.name) {
            return Err(ClientError::InvalidField {
                field: "extra",
                expected: format!(
                    "no second `{}`: the request already sends it from its own field, and \
                     RFC 6749 §3.1 forbids a parameter twice; change that field instead",
                    param.name
                ),
            });
        }
    }
    Ok(())
}

/// The breakdown of an authorization URL, parameter by parameter.
pub fn explain(url: &str, draft: &AuthorizationDraft) -> ComposedRequest {
    let parameters = Url::parse(url)
        .map(|parsed| {
            parsed
                .query_pairs()
                .map(|(name, value)| {
                    let (meaning, spec) = meaning(&name);
                    ParameterExplained {
                        name: name.into_owned(),
                        value: value.into_owned(),
                        meaning: meaning.into(),
                        spec: spec.into(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    ComposedRequest { url: url.to_owned(), parameters, warnings: warnings(draft) }
}

/// Advice about the draft as a whole.
fn warnings(draft: &AuthorizationDraft) -> Vec<String> {
    let mut warnings = Vec::new();
    let types: Vec<&str> = draft.response_type.split_whitespace().collect();
    let openid = draft.scopes.iter().any(|scope| scope == "openid");
    if !openid {
        warnings.push("no `openid` scope: this is plain OAuth 2.0, no ID token will come".into());
    }
    if openid && draft.nonce.as_deref().is_none_or(str::is_empty) && types.contains(&"id_token") {
        warnings.push(
            "`nonce` is REQUIRED when an ID token comes from the authorization endpoint (OIDC \
             Core §3.2.2.1)"
                .into(),
        );
    }
    if !draft.pkce {
        warnings.push(
            "PKCE is off: a stolen code could be redeemed (RFC 9700 §2.1.1 wants PKCE)".into(),
        );
    }
    if types.contains(&"token") {
        warnings.push(
            "`token` in the response type is the implicit grant, which RFC 9700 §2.1.2 says \
             not to use"
                .into(),
        );
    }
    if types.len() > 1 && draft.response_mode == Some(grantlab_shared::ResponseMode::Query) {
        warnings.push(
            "tokens in a query string: OAuth 2.0 Multiple Response Types §5 forbids `query` here"
                .into(),
        );
    }
    warnings
}

/// What a parameter does, and where it is defined.
fn meaning(name: &str) -> (&'static str, &'static str) {
    match name {
        "response_type" => (
            "Which grant: `code` asks for an authorization code; `id_token` and `token` ask \
             for tokens right in the redirect.",
            "RFC 6749 §3.1.1; OIDC Core §3",
        ),
        "client_id" => {
            ("Who is asking: the id the provider gave this application.", "RFC 6749 §2.2")
        }
        "state" => (
            "A value the client checks when the response comes back, tying it to this browser \
             (CSRF protection).",
            "RFC 6749 §10.12",
        ),
        "code_challenge" => (
            "The SHA-256 of a secret verifier kept server-side; the token request must show \
             the verifier.",
            "RFC 7636 §4.2",
        ),
        "code_challenge_method" => {
            ("How the challenge was made from the verifier: S256.", "RFC 7636 §4.3")
        }
        "redirect_uri" => (
            "Where the provider sends the browser back; it must match a registered URI exactly.",
            "RFC 6749 §3.1.2; RFC 9700 §4.1",
        ),
        "scope" => (
            "What access is asked for, space-separated. `openid` makes this an OpenID Connect \
             request.",
            "RFC 6749 §3.3; OIDC Core §3.1.2.1",
        ),
        "response_mode" => (
            "How the response travels back: query, fragment or an auto-posted form.",
            "OAuth 2.0 Multiple Response Types §2.1; Form Post Response Mode §2",
        ),
        "nonce" => (
            "A value the provider copies into the ID token, so a replayed token is caught.",
            "OIDC Core §3.1.2.1, §15.5.2",
        ),
        "audience" => (
            "Which API the access token is for (a vendor extension, as at Auth0).",
            "not standard; compare RFC 8707",
        ),
        "resource" => ("An API the token is meant for, by its URI; may repeat.", "RFC 8707 §2"),
        "prompt" => (
            "Whether the provider must (re)show login or consent, or show nothing at all (`none`).",
            "OIDC Core §3.1.2.1",
        ),
        "max_age" => (
            "How many seconds ago the user may have last logged in; older means log in again.",
            "OIDC Core §3.1.2.1",
        ),
        "login_hint" => ("Who is expected to log in, to prefill the form.", "OIDC Core §3.1.2.1"),
        "claims" => (
            "Single claims asked for by name, as JSON: `id_token` members go into the ID token, \
             `userinfo` members to the userinfo answer, on top of what the scopes give.",
            "OIDC Core §5.5",
        ),
        _ => ("An extra parameter, sent as given; unknown ones are ignored.", "RFC 6749 §3.1"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_of(draft: &AuthorizationDraft) -> Url {
        let (composed, _) = compose("https://id.example/authorize", "app", draft).unwrap();
        Url::parse(&composed.url).unwrap()
    }

    #[test]
    fn pkce_sends_an_s256_challenge_and_keeps_the_verifier() {
        let draft = draft("https://lab.example/callback".into());

        let (composed, flow) = compose("https://id.example/authorize", "app", &draft).unwrap();

        let verifier = PkceCodeVerifier::new(flow.pkce_verifier.unwrap());
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
        let url = Url::parse(&composed.url).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert!(pairs.contains(&("code_challenge".into(), challenge.as_str().into())));
        assert!(pairs.contains(&("code_challenge_method".into(), "S256".into())));
    }

    #[test]
    fn resources_repeat_and_extras_come_last() {
        let mut draft = draft("https://lab.example/callback".into());
        draft.resources = vec!["https://a.example/".into(), "https://b.example/".into()];
        draft.extra =
            vec![grantlab_shared::Param { name: "ui_locales".into(), value: "fr".into() }];

        let url = url_of(&draft);

        let names: Vec<String> = url.query_pairs().map(|(name, _)| name.into_owned()).collect();
        assert_eq!(names.iter().filter(|name| *name == "resource").count(), 2);
        assert_eq!(names.last().map(String::as_str), Some("ui_locales"));
    }

    #[test]
    fn a_claims_extra_is_sent_as_given_and_explained_by_oidc_core_5_5() {
        let mut draft = draft("https://lab.example/callback".into());
        let claims = r#"{"userinfo":{"email":null}}"#;
        draft.extra = vec![grantlab_shared::Param { name: "claims".into(), value: claims.into() }];

        let (composed, _) = compose("https://id.example/authorize", "app", &draft).unwrap();

        let sent = composed.parameters.iter().find(|parameter| parameter.name == "claims");
        let sent = sent.expect("the claims parameter is in the URL");
        assert_eq!((sent.value.as_str(), sent.spec.as_str()), (claims, "OIDC Core §5.5"));
    }

    #[test]
    fn every_parameter_is_explained_with_a_spec() {
        let draft = draft("https://lab.example/callback".into());

        let (composed, _) = compose("https://id.example/authorize", "app", &draft).unwrap();

        assert!(composed.parameters.len() >= 8);
        assert!(composed.parameters.iter().all(|parameter| !parameter.spec.is_empty()));
    }

    #[test]
    fn an_extra_repeating_a_composed_parameter_is_refused_naming_it() {
        for name in ["state", "redirect_uri", "client_id", "code_challenge_method", "nonce"] {
            let mut draft = draft("https://lab.example/callback".into());
            draft.extra = vec![grantlab_shared::Param { name: name.into(), value: "x".into() }];

            let error = compose("https://id.example/authorize", "app", &draft).unwrap_err();

            let text = error.to_string();
            assert!(text.contains("`extra`") && text.contains(&format!("`{name}`")), "{text}");
        }
    }

    #[test]
    fn an_extra_with_no_name_is_refused_and_an_unsent_optional_one_is_allowed() {
        let mut draft = draft("https://lab.example/callback".into());
        draft.extra = vec![grantlab_shared::Param { name: " ".into(), value: "fr".into() }];

        let error = compose("https://id.example/authorize", "app", &draft).unwrap_err();

        assert!(error.to_string().contains("no name"), "{error}");
        draft.extra = vec![grantlab_shared::Param { name: "prompt".into(), value: "none".into() }];
        draft.extra.push(grantlab_shared::Param { name: String::new(), value: String::new() });
        draft.extra.push(grantlab_shared::Param { name: "resource".into(), value: "a".into() });
        assert!(compose("https://id.example/authorize", "app", &draft).is_ok());
    }

    #[test]
    fn an_extra_named_twice_is_refused_but_resource_and_blank_rows_may_repeat() {
        let param = |name: &str| grantlab_shared::Param { name: name.into(), value: "v".into() };
        let blank = || grantlab_shared::Param { name: String::new(), value: String::new() };
        let mut draft = draft("https://lab.example/callback".into());
        draft.extra = vec![param("resource"), param("resource"), blank(), blank()];
        assert!(compose("https://id.example/authorize", "app", &draft).is_ok());

        draft.extra = vec![param("claims"), param("ui_locales"), param("claims")];
        let error = compose("https://id.example/authorize", "app", &draft).unwrap_err();

        assert!(error.to_string().contains("one `claims`"), "{error}");
    }

    #[test]
    fn a_relative_resource_is_refused_naming_the_field() {
        let mut draft = draft("https://lab.example/callback".into());
        draft.resources = vec!["expenses".into()];

        let error = compose("https://id.example/authorize", "app", &draft).unwrap_err();

        assert!(matches!(error, ClientError::InvalidField { field: "resources", .. }));
    }
}
