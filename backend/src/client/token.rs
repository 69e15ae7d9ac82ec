//! The token endpoint, through `oauth2`: redeeming the code (RFC 6749 §4.1.3), refreshing
//! (§6, naming the API again if asked), client credentials (§4.4); and revocation (RFC 7009)
//! and introspection (RFC 7662).
//!
//! Every answer is also read leniently from the raw body the recorder kept, so a provider that
//! bends the spec is explained instead of ending in a parse error.

use std::borrow::Cow;

use grantlab_shared::{
    ClientAuthMethod, ClientCredentialsRequest, FlowStatus, GrantClient, Outcome, Param,
    ProviderError, RedeemRequest, RefreshRequest, TokenKind, TokenRequest,
};
use oauth2::basic::BasicClient;
use oauth2::{
    AccessToken, AuthType, AuthorizationCode, ClientId, ClientSecret, EndpointNotSet, EndpointSet,
    IntrospectionUrl, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope, TokenUrl,
};
use serde_json::Value;
use tower_sessions::Session;

use super::ClientState;
use super::error::ClientError;
use super::http::{BODY_CAP, Recorder, unix_ms};
use super::lenient;
use super::state::{ClientSession, Tokens};

/// The profile field naming the token endpoint.
const TOKEN_ENDPOINT: &str = "profile.endpoints.token_endpoint";

/// A client that can reach the token endpoint.
type TokenClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Which grant a token answer came from; a refresh keeps the old refresh token when no new
/// one comes (RFC 6749 §6).
#[derive(Clone, Copy, PartialEq)]
enum Grant {
    Code,
    Refresh,
    ClientCredentials,
}

/// `oauth2`'s client for the current profile, authenticating as `method` says.
fn token_client(
    token_endpoint: &str,
    client_id: &str,
    secret: Option<&str>,
    method: ClientAuthMethod,
) -> Result<TokenClient, ClientError> {
    let token_url =
        TokenUrl::new(token_endpoint.to_owned()).map_err(|error| ClientError::NotReady {
            field: "profile.endpoints.token_endpoint",
            expected: format!("an absolute URL, found `{token_endpoint}` ({error})"),
        })?;
    let client = BasicClient::new(ClientId::new(client_id.to_owned())).set_token_uri(token_url);

    // RFC 6749 §2.3.1: Basic is the default every server supports; post is the option.
    Ok(match (method, secret) {
        (ClientAuthMethod::ClientSecretBasic, Some(secret)) => {
            client.set_client_secret(ClientSecret::new(secret.to_owned()))
        }
        (ClientAuthMethod::ClientSecretPost, Some(secret)) => client
            .set_client_secret(ClientSecret::new(secret.to_owned()))
            .set_auth_type(AuthType::RequestBody),
        _ => client.set_auth_type(AuthType::RequestBody),
    })
}

/// RFC 6749 §4.1.3: exchanges the code from the callback, with the PKCE verifier.
#[tracing::instrument(skip_all, fields(grant_type = "authorization_code"))]
pub async fn redeem(
    state: &ClientState,
    session: &Session,
    request: RedeemRequest,
) -> Result<Outcome, ClientError> {
    // Step 1: take the code and the flow's secrets from the session.
    let mut data = ClientSession::load(session).await?;
    let recorder = state.recorder(&data);
    let (profile, secret) = state.current(&data, &recorder).await?;
    let code = match request.replay_previous {
        true => data.previous_code.clone().ok_or(ClientError::NotReady {
            field: "replay_previous",
            expected: "a code redeemed before: redeem one first".into(),
        })?,
        false => data.code.clone().ok_or(ClientError::NotReady {
            field: "code",
            expected: "an authorization code: compose a request and come back through the \
                       callback"
                .into(),
        })?,
    };
    let flow = data.flow.clone().ok_or(ClientError::NotReady {
        field: "flow",
        expected: "a composed authorization request".into(),
    })?;

    // MISCHIEF (issue 6): a broken scenario's switches for this learner session.
    let mischief = crate::lessons::mischief::current(session).await;
    let secret = match mischief.wrong_client_secret {
        true => Some(crate::lessons::mischief::WRONG_CLIENT_SECRET.to_owned()),
        false => secret,
    };

    // Step 2: send the token request through the recorder.
    let client = token_client(
        &profile.endpoints.token_endpoint,
        &profile.client_id,
        secret.as_deref(),
        request.client_auth,
    )?;
    let redirect_uri = RedirectUrl::new(flow.redirect_uri.clone()).map_err(anyhow::Error::from)?;
    let mut exchange = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .set_redirect_uri(Cow::Owned(redirect_uri));
    if let Some(verifier) = &flow.pkce_verifier {
        // MISCHIEF (issue 6): the PKCE scenario sends a verifier of another flow.
        let verifier = match mischief.wrong_pkce_verifier {
            true => oauth2::PkceCodeChallenge::new_random_sha256().1,
            false => PkceCodeVerifier::new(verifier.clone()),
        };
        exchange = exchange.set_pkce_verifier(verifier);
    }
    recorder.label(match request.replay_previous {
        true => "token request (authorization_code, replayed)",
        false => "token request (authorization_code)",
    });
    let typed = exchange.request_async(&recorder).await.err().map(|error| error.to_string());
    refused(&recorder, TOKEN_ENDPOINT)?;

    // Step 3: a code is used once, whatever the answer (RFC 6749 §4.1.2); it is kept apart
    // only for the learner's deliberate replay.
    data.code = None;
    data.previous_code = Some(code.clone());
    let mut outcome = absorb(&mut data.tokens, &recorder, typed, Grant::Code, &flow.scopes);

    // Step 4: validate the ID token step by step (OIDC Core §3.1.3.7).
    let id_token = data.tokens.as_ref().filter(|_| outcome.ok).and_then(|t| t.id_token.clone());
    if let (Some(id_token), Some(tokens)) = (id_token, data.tokens.as_mut()) {
        // MISCHIEF (issue 6): the nonce and clock-skew scenarios.
        let nonce = flow
            .nonce
            .as_deref()
            .map(|nonce| crate::lessons::mischief::expected(nonce, mischief.tamper_nonce));
        let context = super::idtoken::Context {
            profile: &profile,
            secret: secret.as_deref(),
            nonce: nonce.as_deref(),
            max_age: flow.max_age,
            clock_behind: u64::from(mischief.clock_behind_seconds),
            access_token: tokens.access_token.as_deref(),
            code: Some(&code),
        };
        tokens.id_token_checks = super::idtoken::validate(&recorder, &context, &id_token).await;

        // OIDC Core §3.3.2.12: in the hybrid flow the front-channel ID token is checked too,
        // its c_hash binding the code; both tokens must name the same `sub`.
        let front = data.front_tokens.iter().find(|param| param.name == "id_token");
        if let Some(front) = front {
            let context = super::idtoken::Context { access_token: None, ..context };
            let checks = super::idtoken::validate(&recorder, &context, &front.value).await;
            tokens.id_token_checks.extend(checks.into_iter().map(|mut check| {
                check.id = format!("front_channel.{}", check.id);
                check
            }));
            tokens.id_token_checks.push(super::idtoken::same_subject(&front.value, &id_token));
        }
        let failed = tokens.id_token_checks.iter().filter(|check| !check.passed).count();
        if failed > 0 {
            outcome.summary.push_str(&format!("; {failed} ID token check(s) failed"));
        }
    }
    data.status = if outcome.ok { FlowStatus::TokensReceived } else { FlowStatus::CallbackFailed };
    outcome.entries = data.record(with_deviations(&recorder, &mut outcome));
    data.save(session).await?;
    Ok(outcome)
}

/// RFC 6749 §6: trades the refresh token for new tokens, or replays the previous one.
#[tracing::instrument(skip_all, fields(grant_type = "refresh_token"))]
pub async fn refresh(
    state: &ClientState,
    session: &Session,
    request: RefreshRequest,
) -> Result<Outcome, ClientError> {
    // Step 1: pick the refresh token to send.
    let mut data = ClientSession::load(session).await?;
    let recorder = state.recorder(&data);
    let (profile, secret) = state.current(&data, &recorder).await?;
    let tokens = data.tokens.clone().unwrap_or_default();
    let (field, chosen) = if request.replay_previous {
        ("replay_previous", tokens.previous_refresh_token.clone())
    } else {
        ("refresh_token", tokens.refresh_token.clone())
    };
    let refresh_token = chosen.ok_or(ClientError::NotReady {
        field,
        expected: if request.replay_previous {
            "a refresh token from before a rotation: refresh once first".into()
        } else {
            "a refresh token: ask for `offline_access` (or as the provider says) and redeem".into()
        },
    })?;

    // Step 2: send it.
    let client = token_client(
        &profile.endpoints.token_endpoint,
        &profile.client_id,
        secret.as_deref(),
        request.client_auth,
    )?;
    let token = RefreshToken::new(refresh_token);
    let mut exchange = client.exchange_refresh_token(&token);
    if let Some(audience) = request.audience.clone().filter(|audience| !audience.is_empty()) {
        exchange = exchange.add_extra_param("audience", audience);
    }
    for resource in &request.resources {
        exchange = exchange.add_extra_param("resource", resource.clone());
    }
    recorder.label(if request.replay_previous {
        "token request (refresh_token, replayed)"
    } else {
        "token request (refresh_token)"
    });
    let typed = exchange.request_async(&recorder).await.err().map(|e| e.to_string());
    refused(&recorder, TOKEN_ENDPOINT)?;

    // Step 3: keep the answer; a replay that works means no reuse detection.
    let scopes = tokens.scope.clone();
    let mut outcome = absorb(&mut data.tokens, &recorder, typed, Grant::Refresh, &scopes);
    if request.replay_previous && outcome.ok {
        outcome.summary.push_str(
            "; the provider accepted a replayed refresh token \
             (no reuse detection, RFC 9700 §4.14.2)",
        );
    }
    outcome.entries = data.record(with_deviations(&recorder, &mut outcome));
    data.save(session).await?;
    Ok(outcome)
}

/// RFC 6749 §4.4: a token for the client itself, no user involved. The answer is kept apart
/// from the delegated tokens, so the learner can compare both.
#[tracing::instrument(skip_all, fields(grant_type = "client_credentials"))]
pub async fn client_credentials(
    state: &ClientState,
    session: &Session,
    request: ClientCredentialsRequest,
) -> Result<Outcome, ClientError> {
    // Step 1: pick the client that runs the grant.
    let mut data = ClientSession::load(session).await?;
    let recorder = state.recorder(&data);
    let (profile, secret) = state.current(&data, &recorder).await?;
    let (client_id, secret) = grant_client(state, &data, &profile, secret, request.client)?;

    // Step 2: build the request with scope, audience and resources.
    let client = token_client(
        &profile.endpoints.token_endpoint,
        &client_id,
        secret.as_deref(),
        request.client_auth,
    )?;
    let mut exchange = client
        .exchange_client_credentials()
        .add_scopes(request.scopes.iter().filter(|s| !s.is_empty()).map(|s| Scope::new(s.clone())));
    if let Some(audience) = request.audience.clone().filter(|audience| !audience.is_empty()) {
        exchange = exchange.add_extra_param("audience", audience);
    }
    for resource in &request.resources {
        exchange = exchange.add_extra_param("resource", resource.clone());
    }

    // Step 3: send it and keep the token beside the delegated ones, which stay as they are.
    recorder.label("token request (client_credentials)");
    let typed = exchange.request_async(&recorder).await.err().map(|error| error.to_string());
    refused(&recorder, TOKEN_ENDPOINT)?;
    let mut outcome = absorb(
        &mut data.machine_tokens,
        &recorder,
        typed,
        Grant::ClientCredentials,
        &request.scopes,
    );
    if outcome.ok {
        data.machine_client_id = Some(client_id.clone());
        outcome.summary = format!("`{client_id}` got a token for itself");
    }
    outcome.entries = data.record(with_deviations(&recorder, &mut outcome));
    data.save(session).await?;
    Ok(outcome)
}

/// The id and secret of the client `choice` names: the profile's, or the lab's machine client,
/// which only the lab profile may use.
fn grant_client(
    state: &ClientState,
    data: &ClientSession,
    profile: &grantlab_shared::ProfileView,
    secret: Option<String>,
    choice: GrantClient,
) -> Result<(String, Option<String>), ClientError> {
    match choice {
        GrantClient::Profile => Ok((profile.client_id.clone(), secret)),
        GrantClient::LabMachine if data.profile.is_some() => Err(ClientError::InvalidField {
            field: "client",
            expected: format!(
                "`profile` (the session's own client): `lab_machine` runs only at the lab \
                 provider, and this session's profile is `{}`",
                profile.label
            ),
        }),
        GrantClient::LabMachine => {
            let machine = state.lab_machine.as_ref().ok_or(ClientError::InvalidField {
                field: "client",
                expected: format!(
                    "`profile`: the lab scenario registers no machine client \
                     `{}`",
                    super::LAB_MACHINE_CLIENT_ID
                ),
            })?;
            Ok((machine.client_id.clone(), Some(machine.client_secret.secret().clone())))
        }
    }
}

/// RFC 7009 §2.1: asks the provider to revoke one of the session's tokens.
#[tracing::instrument(skip_all, fields(endpoint = "revocation"))]
pub async fn revoke(
    state: &ClientState,
    session: &Session,
    request: TokenRequest,
) -> Result<Outcome, ClientError> {
    // Step 1: the endpoint and the token.
    let mut data = ClientSession::load(session).await?;
    let recorder = state.recorder(&data);
    let (profile, secret) = state.current(&data, &recorder).await?;
    let endpoint = profile.endpoints.revocation_endpoint.clone().ok_or(ClientError::NotReady {
        field: "profile.endpoints.revocation_endpoint",
        expected: "a revocation endpoint: this provider advertises none".into(),
    })?;
    let token = session_token(&data, request.token)?;

    // Step 2: send it; RFC 7009 §2.2 answers 200 whether or not the token was valid.
    // `oauth2` refuses a revocation URL that is not https, and the lab runs on http loopback,
    // so this request is built here, authenticated as the token requests are.
    super::profile::check_url("profile.endpoints.revocation_endpoint", &endpoint)?;
    let hint = match request.token {
        TokenKind::RefreshToken => "refresh_token",
        _ => "access_token",
    };
    let form = [("token", token.as_str()), ("token_type_hint", hint)];
    let outgoing = authenticated_form(
        &endpoint,
        &profile.client_id,
        secret.as_deref(),
        request.client_auth,
        &form,
    )?;
    recorder.label("revocation request (RFC 7009)");
    let result = recorder.send(outgoing).await.map(|_| ());
    refused(&recorder, "profile.endpoints.revocation_endpoint")?;

    let mut outcome = plain_outcome(&recorder, result.err().map(|error| error.to_string()));
    if outcome.ok {
        outcome.summary =
            "the provider accepted the revocation (200 also means the token was already invalid)"
                .into();
    }
    outcome.entries = data.record(with_deviations(&recorder, &mut outcome));
    data.save(session).await?;
    Ok(outcome)
}

/// RFC 7662 §2.1: asks the provider what it knows about one of the session's tokens.
#[tracing::instrument(skip_all, fields(endpoint = "introspection"))]
pub async fn introspect(
    state: &ClientState,
    session: &Session,
    request: TokenRequest,
) -> Result<Outcome, ClientError> {
    // Step 1: the endpoint and the token.
    let mut data = ClientSession::load(session).await?;
    let recorder = state.recorder(&data);
    let (profile, secret) = state.current(&data, &recorder).await?;
    let endpoint =
        profile.endpoints.introspection_endpoint.clone().ok_or(ClientError::NotReady {
            field: "profile.endpoints.introspection_endpoint",
            expected: "an introspection endpoint: this provider advertises none".into(),
        })?;
    let token = AccessToken::new(session_token(&data, request.token)?);
    let hint = match request.token {
        TokenKind::RefreshToken => "refresh_token",
        _ => "access_token",
    };

    // Step 2: send it and show every member of the answer (RFC 7662 §2.2).
    let url = IntrospectionUrl::new(endpoint).map_err(|error| ClientError::NotReady {
        field: "profile.endpoints.introspection_endpoint",
        expected: format!("an absolute URL ({error})"),
    })?;
    let client = token_client(
        &profile.endpoints.token_endpoint,
        &profile.client_id,
        secret.as_deref(),
        request.client_auth,
    )?
    .set_introspection_url(url);
    recorder.label("introspection request (RFC 7662)");
    let result = client.introspect(&token).set_token_type_hint(hint).request_async(&recorder).await;
    refused(&recorder, "profile.endpoints.introspection_endpoint")?;

    let mut outcome = plain_outcome(&recorder, result.err().map(|error| error.to_string()));
    if let Some(Value::Object(object)) =
        recorder.last_response().and_then(|(_, _, body)| serde_json::from_str(&body).ok())
    {
        let active = object.get("active").and_then(Value::as_bool);
        outcome.fields = object
            .iter()
            .map(|(name, value)| Param { name: name.clone(), value: value.to_string() })
            .collect();
        outcome.summary = match active {
            Some(true) => "the token is active".into(),
            Some(false) => "the token is not active (expired, revoked, or unknown)".into(),
            None => "the answer lacks `active`, which RFC 7662 §2.2 requires".into(),
        };
    }
    outcome.entries = data.record(with_deviations(&recorder, &mut outcome));
    data.save(session).await?;
    Ok(outcome)
}

/// A form POST authenticated as RFC 6749 §2.3.1 says: Basic with both parts form-encoded, or
/// the credentials as form fields.
fn authenticated_form(
    url: &str,
    client_id: &str,
    secret: Option<&str>,
    method: ClientAuthMethod,
    fields: &[(&str, &str)],
) -> Result<oauth2::HttpRequest, ClientError> {
    use base64::Engine;

    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.extend_pairs(fields);
    let mut builder = http::Request::post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json");
    match (method, secret) {
        (ClientAuthMethod::ClientSecretBasic, Some(secret)) => {
            let encode = |text: &str| {
                url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
            };
            let pair = format!("{}:{}", encode(client_id), encode(secret));
            let credentials = base64::engine::general_purpose::STANDARD.encode(pair);
            builder = builder.header("authorization", format!("Basic {credentials}"));
        }
        (ClientAuthMethod::ClientSecretPost, Some(secret)) => {
            form.append_pair("client_id", client_id);
            form.append_pair("client_secret", secret);
        }
        _ => {
            form.append_pair("client_id", client_id);
        }
    }
    Ok(builder.body(form.finish().into_bytes()).map_err(anyhow::Error::from)?)
}

/// The recorder's entries, the deviations shown on the last token request among them; what
/// the outcome shows is masked first.
fn with_deviations(
    recorder: &Recorder<'_>,
    outcome: &mut Outcome,
) -> Vec<grantlab_shared::TimelineEntry> {
    // Step 1: the outcome was read from the real bytes; mask echoes in what it shows.
    outcome.summary = recorder.redact(&outcome.summary);
    if let Some(error) = &mut outcome.error {
        error.error_description = error.error_description.as_deref().map(|d| recorder.redact(d));
        error.error_uri = error.error_uri.as_deref().map(|uri| recorder.redact(uri));
    }
    for deviation in &mut outcome.deviations {
        deviation.found = recorder.redact(&deviation.found);
    }
    for field in &mut outcome.fields {
        field.value = recorder.redact(&field.value);
    }

    // Step 2: the deviations go on the token request's entry.
    let mut entries = recorder.take();
    let token_request = entries.iter_mut().rev().find(|e| e.label.starts_with("token request"));
    if let Some(entry) = token_request {
        entry.deviations = outcome.deviations.clone();
    }
    entries
}

/// The raw value of one of the session's tokens.
pub fn session_token(data: &ClientSession, kind: TokenKind) -> Result<String, ClientError> {
    let tokens = data.tokens.as_ref();
    let (field, value) = match kind {
        TokenKind::AccessToken => ("token", tokens.and_then(|t| t.access_token.clone())),
        TokenKind::RefreshToken => ("token", tokens.and_then(|t| t.refresh_token.clone())),
        TokenKind::IdToken => ("token", tokens.and_then(|t| t.id_token.clone())),
    };
    value.ok_or(ClientError::NotReady {
        field,
        expected: format!(
            "the session holds no {}: get tokens first",
            match kind {
                TokenKind::AccessToken => "access token",
                TokenKind::RefreshToken => "refresh token",
                TokenKind::IdToken => "ID token",
            }
        ),
    })
}

/// The raw access token the machine client got from the client credentials grant (§4.4).
pub fn machine_token(data: &ClientSession) -> Result<String, ClientError> {
    data.machine_tokens.as_ref().and_then(|tokens| tokens.access_token.clone()).ok_or(
        ClientError::NotReady {
            field: "token_set",
            expected: "the session holds no machine token: run the client credentials grant as \
                       the lab's machine client first (step 9, Client credentials)"
                .into(),
        },
    )
}

/// Reads a token answer leniently from the recorder and keeps what it gives in `slot`.
fn absorb(
    slot: &mut Option<Tokens>,
    recorder: &Recorder<'_>,
    typed_error: Option<String>,
    grant: Grant,
    requested_scopes: &[String],
) -> Outcome {
    // Step 1: no response at all (refused, unreachable) ends here.
    let Some((status, content_type, body)) = recorder.last_response() else {
        return failed(typed_error.unwrap_or_else(|| "no response".into()), None);
    };

    // Step 2: a body cut at the cap cannot be read; say so rather than "not JSON".
    if recorder.last_truncated() {
        let summary = format!(
            "the token response exceeded the 1 MiB cap ({BODY_CAP} bytes); the rest was not read"
        );
        return failed(summary, None);
    }

    // Step 3: the lenient reading, with what bends the spec.
    let mut deviations = Vec::new();
    let fields = match lenient::token_response(status, &content_type, &body, &mut deviations) {
        Ok(fields) => fields,
        Err(unusable) => {
            let mut outcome = failed(unusable.summary, unusable.error);
            outcome.deviations = deviations;
            return outcome;
        }
    };

    // Step 4: replace the token set, keeping the refresh token when none came back.
    let previous = slot.take().unwrap_or_default();
    let rotated = fields.refresh_token.is_some();
    let refresh_token = fields
        .refresh_token
        .or_else(|| (grant == Grant::Refresh).then(|| previous.refresh_token.clone()).flatten());
    let tokens = Tokens {
        access_token: Some(fields.access_token),
        token_type: fields.token_type,
        expires_at: fields.expires_in.map(|seconds| unix_ms() / 1000 + seconds),
        expires_in: fields.expires_in,
        scope: fields.scope.unwrap_or_else(|| requested_scopes.to_vec()),
        refresh_token,
        previous_refresh_token: if grant == Grant::Refresh && rotated {
            previous.refresh_token.clone()
        } else {
            previous.previous_refresh_token.clone().filter(|_| grant == Grant::Refresh)
        },
        refresh_rotated: (grant == Grant::Refresh).then_some(rotated),
        id_token: fields
            .id_token
            .or_else(|| (grant == Grant::Refresh).then(|| previous.id_token.clone()).flatten()),
        id_token_checks: if grant == Grant::Refresh {
            previous.id_token_checks
        } else {
            Vec::new()
        },
        extra: fields.extra,
    };
    *slot = Some(tokens);

    // Step 5: say what happened, naming the strict parse failure when leniency saved it.
    let mut summary = match grant {
        Grant::Code => "the code was exchanged for tokens".to_owned(),
        Grant::Refresh if rotated => "refreshed; the refresh token was rotated".to_owned(),
        Grant::Refresh => {
            "refreshed; refresh token not rotated, the previous one is kept".to_owned()
        }
        Grant::ClientCredentials => "the client got a token for itself".to_owned(),
    };
    if let Some(error) = typed_error {
        summary.push_str(&format!(
            "; the strict reading failed ({error}), the lenient one kept what was usable"
        ));
    }
    Outcome { ok: true, summary, error: None, deviations, fields: Vec::new(), entries: Vec::new() }
}

/// A URL the client may not call is the learner's to fix: an error naming the field that
/// holds it, rather than an outcome that says only that the request failed.
fn refused(recorder: &Recorder<'_>, field: &'static str) -> Result<(), ClientError> {
    match recorder.refusal() {
        Some(reason) => Err(ClientError::Refused { field, reason }),
        None => Ok(()),
    }
}

/// The outcome of a call whose answer is not a token response.
fn plain_outcome(recorder: &Recorder<'_>, typed_error: Option<String>) -> Outcome {
    let Some((status, content_type, body)) = recorder.last_response() else {
        return failed(typed_error.unwrap_or_else(|| "no response".into()), None);
    };
    if (200..300).contains(&status) {
        return Outcome {
            ok: true,
            summary: format!("HTTP {status}"),
            error: None,
            deviations: Vec::new(),
            fields: Vec::new(),
            entries: Vec::new(),
        };
    }

    let error = match serde_json::from_str::<Value>(&body) {
        Ok(Value::Object(object)) => lenient::provider_error(&object),
        _ => None,
    };
    let summary = match &error {
        Some(error) => format!("HTTP {status}: the provider answered `{}`", error.error),
        None => format!("HTTP {status} ({content_type}): {}", lenient::excerpt(&body)),
    };
    failed(summary, error)
}

fn failed(summary: String, error: Option<ProviderError>) -> Outcome {
    Outcome {
        ok: false,
        summary,
        error,
        deviations: Vec::new(),
        fields: Vec::new(),
        entries: Vec::new(),
    }
}
