//! The API role: the sample protected Expenses API under `/expenses-api` and the downstream
//! Reports service under `/reports-service`, two resource servers.
//!
//! Both validate access tokens like real resource servers ([`validate`]): the issuer's keys come
//! over HTTP from its JWKS. Every answer, success or refusal, carries the `checks` the API ran.
//! The Expenses API's summary calls the Reports service with its own client credentials token:
//! the trusted-subsystem lesson.

pub mod error;
pub mod validate;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use oauth2::ClientSecret;
use serde::Serialize;
use serde_json::{Value, json};

use self::error::ApiError;
use self::validate::{Check, ResourceServer};
use crate::Site;
use crate::provider::world::World;

/// The Expenses API's identifier (its `aud`).
pub const EXPENSES_API: &str = "https://expenses-api";
/// The Reports service's identifier.
pub const REPORTS_SERVICE: &str = "https://reports-service";

/// One expense, as Lab 2 has them.
#[derive(Debug, Clone, Serialize)]
pub struct Expense {
    /// Its id in the URL.
    pub id: u32,
    /// What it was for.
    pub description: String,
    /// Who spent it.
    pub employee: String,
    /// The amount, in cents.
    pub amount_cents: u64,
    /// The currency code.
    pub currency: &'static str,
    /// `pending` or `approved`.
    pub status: &'static str,
    /// Who approved it, by `sub`.
    pub approved_by: Option<String>,
}

/// The Expenses API's state.
pub struct ExpensesApi {
    server: ResourceServer,
    expenses: Arc<Mutex<Vec<Expense>>>,
    downstream: Option<Downstream>,
}

/// What the Expenses API needs to call the Reports service as itself.
struct Downstream {
    client_id: String,
    client_secret: ClientSecret,
    token_endpoint: String,
    summary_url: String,
    http: reqwest::Client,
    cached: tokio::sync::Mutex<Option<(String, u64)>>,
}

/// The Reports service's state.
pub struct ReportsService {
    server: ResourceServer,
    expenses: Arc<Mutex<Vec<Expense>>>,
}

/// How long the APIs wait for the provider (JWKS, token endpoint) before giving up.
const BACK_CHANNEL_TIMEOUT: Duration = Duration::from_secs(5);

/// The APIs' HTTP client for the provider's public endpoints (JWKS, token). It speaks https
/// (rustls, as a real deployment's public URL needs), never follows a redirect (a redirected
/// JWKS fetch could hand the API someone else's keys), and gives up after `timeout`, connect
/// included, so a stalled provider cannot hang an API request.
pub fn back_channel(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(crate::client::http::POOL_IDLE_TIMEOUT)
        .connect_timeout(timeout)
        .timeout(timeout)
        .build()
        .context("cannot build the API's HTTP client")
}

/// Builds both routers, sharing the expense list, for a server at `site.public_url`.
pub fn routers(site: &Site, world: &World) -> anyhow::Result<(Router, Router)> {
    // One back-channel client for both resource servers: no redirects, short timeouts.
    let http = back_channel(BACK_CHANNEL_TIMEOUT)?;
    let issuer = site.issuer();
    let expenses = Arc::new(Mutex::new(sample_expenses()));

    let downstream = world
        .api(EXPENSES_API)
        .and_then(|api| api.client_id.as_deref())
        .and_then(|id| world.client(id))
        .map(|client| Downstream {
            client_id: client.client_id.clone(),
            client_secret: client.client_secret.clone(),
            token_endpoint: format!("{issuer}/token"),
            summary_url: format!("{}/reports-service/summary", site.public_url),
            http: http.clone(),
            cached: tokio::sync::Mutex::new(None),
        });
    let api = Arc::new(ExpensesApi {
        server: ResourceServer::new(EXPENSES_API, &issuer, http.clone()),
        expenses: expenses.clone(),
        downstream,
    });
    let reports = Arc::new(ReportsService {
        server: ResourceServer::new(REPORTS_SERVICE, &issuer, http),
        expenses,
    });

    let expenses_router = Router::new()
        .route("/total", get(total))
        .route("/expenses", get(list))
        .route("/expenses/{id}/approve", post(approve))
        .route("/reports/summary", get(summary))
        .fallback(unknown_path)
        .with_state(api);
    let reports_router = Router::new()
        .route("/summary", get(reports_summary))
        .fallback(unknown_path)
        .with_state(reports);
    Ok((expenses_router, reports_router))
}

/// A mistyped API path gets a JSON 404, never the workbench's HTML.
async fn unknown_path() -> impl axum::response::IntoResponse {
    let body = serde_json::json!({
        "error": "not_found",
        "message": "this API has no such path",
    });
    (axum::http::StatusCode::NOT_FOUND, axum::Json(body))
}

fn sample_expenses() -> Vec<Expense> {
    let expense = |id, description: &str, employee: &str, amount_cents| Expense {
        id,
        description: description.to_owned(),
        employee: employee.to_owned(),
        amount_cents,
        currency: "EUR",
        status: "pending",
        approved_by: None,
    };
    vec![
        expense(1, "Train to the Lyon workshop", "alice", 8_950),
        expense(2, "Team lunch after the release", "carol", 14_320),
    ]
}

fn lock(expenses: &Mutex<Vec<Expense>>) -> std::sync::MutexGuard<'_, Vec<Expense>> {
    expenses.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `GET /expenses-api/total`: public, no token needed.
async fn total(State(api): State<Arc<ExpensesApi>>) -> Json<Value> {
    let total: u64 = lock(&api.expenses).iter().map(|expense| expense.amount_cents).sum();
    let check = Check {
        name: "public endpoint".to_owned(),
        passed: true,
        expected: "no token needed".to_owned(),
        found: "no token checked".to_owned(),
    };
    Json(json!({ "checks": [check], "total_cents": total, "currency": "EUR" }))
}

/// `GET /expenses-api/expenses` (RFC 6750): needs `read:reports`.
async fn list(
    State(api): State<Arc<ExpensesApi>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let accepted = api.server.validate(&headers, "read:reports").await?;
    let expenses = lock(&api.expenses).clone();
    Ok(Json(json!({ "checks": accepted.checks, "expenses": expenses })))
}

/// `POST /expenses-api/expenses/{id}/approve` (RFC 6750): needs `approve:reports`.
async fn approve(
    State(api): State<Arc<ExpensesApi>>,
    Path(id): Path<u32>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let accepted = api.server.validate(&headers, "approve:reports").await?;
    let approver = accepted.claims["sub"].as_str().unwrap_or_default().to_owned();

    let mut expenses = lock(&api.expenses);
    let expense =
        expenses.iter_mut().find(|expense| expense.id == id).ok_or(ApiError::NoSuchExpense(id))?;
    expense.status = "approved";
    expense.approved_by = Some(approver);
    let expense = expense.clone();
    drop(expenses);

    Ok(Json(json!({ "checks": accepted.checks, "expense": expense })))
}

/// `GET /expenses-api/reports/summary`: needs `read:reports`, then calls the Reports service
/// with the API's own client credentials token (the trusted subsystem).
async fn summary(
    State(api): State<Arc<ExpensesApi>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let accepted = api.server.validate(&headers, "read:reports").await?;
    let mut checks = accepted.checks;
    let Some(downstream) = &api.downstream else {
        return Err(ApiError::Upstream {
            checks,
            what: format!("the scenario gives {EXPENSES_API} no client of its own (`client_id`)"),
        });
    };

    // 1. The API's own token for the Reports service, cached until it expires.
    let (token, reused) = match downstream.token().await {
        Ok(token) => token,
        Err(error) => {
            let what = format!("cannot get the API's own token: {error:#}");
            return Err(ApiError::Upstream { checks, what });
        }
    };
    checks.push(Check {
        name: "own token for the Reports service".to_owned(),
        passed: true,
        expected: format!(
            "a client credentials token of `{}` for {REPORTS_SERVICE}",
            downstream.client_id
        ),
        found: if reused { "reused from the cache" } else { "newly issued" }.to_owned(),
    });

    // 2. The call, with the API's token, not the user's.
    let response = downstream.http.get(&downstream.summary_url).bearer_auth(&token).send().await;
    let (status, body) = match response {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }
        Err(error) => {
            return Err(ApiError::Upstream {
                checks,
                what: format!("cannot reach the Reports service: {error}"),
            });
        }
    };
    checks.push(Check {
        name: "Reports service accepted the API's token".to_owned(),
        passed: status == 200,
        expected: "200".to_owned(),
        found: status.to_string(),
    });

    Ok(Json(json!({
        "checks": checks,
        "trusted_subsystem": format!(
            "The Expenses API checked your token, then called the Reports service with its own \
             token (client `{}`, audience {REPORTS_SERVICE}). The Reports service trusts the \
             Expenses API and never sees your token.",
            downstream.client_id
        ),
        "for_user": accepted.claims["sub"],
        "own_token_reused": reused,
        "reports_service": body,
    })))
}

impl Downstream {
    /// A client credentials token for the Reports service, reused until 5 s before it expires;
    /// `true` with it when it came from the cache.
    async fn token(&self) -> anyhow::Result<(String, bool)> {
        let mut cached = self.cached.lock().await;
        let now = jsonwebtoken::get_current_timestamp();
        if let Some((token, expires_at)) = cached.as_ref()
            && *expires_at > now + 5
        {
            return Ok((token.clone(), true));
        }

        let response = self
            .http
            .post(&self.token_endpoint)
            .basic_auth(&self.client_id, Some(self.client_secret.secret()))
            .form(&[("grant_type", "client_credentials"), ("audience", REPORTS_SERVICE)])
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await.context("the token endpoint's answer")?;
        if !status.is_success() {
            anyhow::bail!("the token endpoint said {status}: {}", body["error_description"]);
        }
        let token = body["access_token"].as_str().context("no access_token")?.to_owned();
        let expires_in = body["expires_in"].as_u64().unwrap_or_default();
        *cached = Some((token.clone(), now + expires_in));
        tracing::info!(client_id = %self.client_id, "the Expenses API got its own token");
        Ok((token, false))
    }
}

/// `GET /reports-service/summary` (RFC 6750): needs `summarize:reports`, for its own audience.
async fn reports_summary(
    State(service): State<Arc<ReportsService>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let accepted = service.server.validate(&headers, "summarize:reports").await?;
    let expenses = lock(&service.expenses).clone();
    let total: u64 = expenses.iter().map(|expense| expense.amount_cents).sum();
    let approved = expenses.iter().filter(|expense| expense.status == "approved").count();

    Ok(Json(json!({
        "checks": accepted.checks,
        "caller": accepted.claims["client_id"],
        "summary": {
            "count": expenses.len(),
            "approved": approved,
            "pending": expenses.len() - approved,
            "total_cents": total,
            "currency": "EUR",
        },
    })))
}
