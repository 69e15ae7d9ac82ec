//! Discovery (OpenID Connect Discovery 1.0 section 3, RFC 8414) and the JWKS (RFC 7517).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::Provider;
use super::claims::USER_CLAIMS;
use super::world::OIDC_SCOPES;

/// The ID token's own claims (OIDC Core 2, 3.3.2.11), besides the user's.
const PROTOCOL_CLAIMS: [&str; 11] =
    ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp", "at_hash", "c_hash", "sid"];

/// `GET /idp/.well-known/openid-configuration` (OIDC Discovery 3): every endpoint served and
/// every option supported.
pub async fn configuration(State(provider): State<Arc<Provider>>) -> Json<Value> {
    let mut scopes: Vec<&str> = OIDC_SCOPES.to_vec();
    for api in &provider.world.apis {
        scopes.extend(api.permissions.iter().map(String::as_str));
    }
    let claims: Vec<&str> = PROTOCOL_CLAIMS.iter().chain(&USER_CLAIMS).copied().collect();

    Json(json!({
        "issuer": provider.issuer,
        "authorization_endpoint": provider.endpoint("/authorize"),
        "token_endpoint": provider.endpoint("/token"),
        "userinfo_endpoint": provider.endpoint("/userinfo"),
        "jwks_uri": provider.endpoint("/jwks"),
        "revocation_endpoint": provider.endpoint("/revoke"),
        "introspection_endpoint": provider.endpoint("/introspect"),
        "end_session_endpoint": provider.endpoint("/logout"),
        "scopes_supported": scopes,
        "response_types_supported": ["code", "code id_token"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": claims,
        "prompt_values_supported": ["none", "login", "consent"],
        "claims_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
    }))
}

/// `GET /idp/jwks` (RFC 7517 5): the public signing keys, with their `kid`.
pub async fn jwks(State(provider): State<Arc<Provider>>) -> Json<Value> {
    Json(json!(provider.keys.jwks()))
}
