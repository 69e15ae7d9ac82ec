//! A fluent driver for the sandbox's flows through its JSON API, playing the browser: one
//! cookie jar, redirects followed by hand, provider pages filled in. It keeps every response
//! the sandbox sent the browser, so a test can search them for the client secret.

use anyhow::{Context, bail};
use grantlab_shared::{AuthorizationDraft, ComposedRequest, Outcome, SessionView, Timeline};
use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

/// One learner's browser against one sandbox.
pub struct Flow {
    server: String,
    http: reqwest::Client,
    /// Every response the sandbox sent this browser: status, headers and body as text.
    pub seen: Vec<String>,
    /// The login to use on provider pages.
    pub username: String,
}

impl Flow {
    /// A fresh browser for the sandbox at `server`.
    pub fn start(server: &str) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { server: server.to_owned(), http, seen: Vec::new(), username: "alice".into() }
    }

    /// Logs in as `username` on the provider's pages.
    pub fn as_user(mut self, username: &str) -> Self {
        self.username = username.to_owned();
        self
    }

    /// This browser's HTTP client, its cookie jar shared, for requests sent side by side.
    pub fn http(&self) -> reqwest::Client {
        self.http.clone()
    }

    /// The URL of `path` on the sandbox.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server)
    }

    /// `GET` on the sandbox API, answer as `T`.
    pub async fn get<T: DeserializeOwned>(&mut self, path: &str) -> anyhow::Result<T> {
        let response = self.http.get(format!("{}{path}", self.server)).send().await?;
        self.read(response).await
    }

    /// `POST` (or `PUT`) JSON on the sandbox API; any status, answer as JSON.
    pub async fn send(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: &impl Serialize,
    ) -> anyhow::Result<(StatusCode, serde_json::Value)> {
        let url = format!("{}{path}", self.server);
        let response = self.http.request(method, url).json(body).send().await?;
        let status = response.status();
        let value = self.read(response).await?;
        Ok((status, value))
    }

    /// `POST` JSON that must succeed, answer as `T`.
    pub async fn post<T: DeserializeOwned>(
        &mut self,
        path: &str,
        body: &impl Serialize,
    ) -> anyhow::Result<T> {
        let (status, value) = self.send(reqwest::Method::POST, path, body).await?;
        if !status.is_success() {
            bail!("POST {path} answered {status}: {value}");
        }
        Ok(serde_json::from_value(value)?)
    }

    /// A fresh draft from the sandbox.
    pub async fn draft(&mut self) -> anyhow::Result<AuthorizationDraft> {
        self.get("/api/authorize/draft").await
    }

    /// Composes `draft`; answers the URL to go to.
    pub async fn authorize(
        &mut self,
        draft: &AuthorizationDraft,
    ) -> anyhow::Result<ComposedRequest> {
        self.post("/api/authorize", draft).await
    }

    /// Goes to `url` and through the provider's pages (login, consent, form_post) until the
    /// sandbox's callback answers; `decision` is the consent button to press.
    pub async fn login(&mut self, url: &str, decision: &str) -> anyhow::Result<()> {
        let callback = format!("{}/callback", self.server);
        let mut next = self.http.get(url);
        for _ in 0..16 {
            let response = next.send().await?;
            let here = response.url().clone();
            let location =
                response.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_owned);
            let status = response.status();
            let body = response.text().await?;
            if here.as_str().starts_with(&callback) {
                self.seen.push(format!("{status} {location:?} {body}"));
                return Ok(());
            }

            if let Some(location) = location {
                let target = here.join(&location)?;
                if target.as_str().starts_with(&callback) && target.fragment().is_some() {
                    return self.fragment_callback(&target).await;
                }
                next = self.http.get(target);
                continue;
            }
            if status != StatusCode::OK {
                bail!("{here} answered {status}: {}", &body[..body.len().min(300)]);
            }
            let (action, mut fields) = form(&body).with_context(|| format!("no form on {here}"))?;
            if body.contains("name=\"username\"") {
                fields.push(("username".into(), self.username.clone()));
                fields.push(("password".into(), format!("{}-pass", self.username)));
            } else if body.contains("name=\"login\"") {
                fields.push(("login".into(), self.username.clone()));
                fields.push(("password".into(), "any".into()));
            }
            if body.contains("name=\"decision\"") {
                fields.push(("decision".into(), decision.into()));
            }
            let target = match action {
                Some(action) => here.join(&action)?,
                None => here,
            };
            next = self.http.post(target).form(&fields);
        }
        bail!("no callback after 16 steps")
    }

    /// The fragment page: get it, then post the fragment as its script would.
    async fn fragment_callback(&mut self, target: &Url) -> anyhow::Result<()> {
        let mut page_url = target.clone();
        page_url.set_fragment(None);
        let page = self.http.get(page_url).send().await?.text().await?;
        self.seen.push(page);
        let body = serde_json::json!({ "fragment": target.fragment().unwrap_or_default() });
        let _: SessionView = self.post("/api/callback", &body).await?;
        Ok(())
    }

    /// Delivers a crafted authorization response to the callback, as an attacker might.
    pub async fn forge_callback(&mut self, query: &str) -> anyhow::Result<()> {
        let response = self.http.get(format!("{}/callback?{query}", self.server)).send().await?;
        let text = format!("{} {:?}", response.status(), response.headers());
        self.seen.push(text);
        Ok(())
    }

    /// Posts a form to the sandbox, as a provider's form_post page would; answers the status
    /// and the body.
    pub async fn post_form(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<(StatusCode, String)> {
        let url = format!("{}{path}", self.server);
        let response = self.http.post(url).form(fields).send().await?;
        let status = response.status();
        let body = response.text().await?;
        self.seen.push(format!("{status} {body}"));
        Ok((status, body))
    }

    /// Redeems the code with the default client authentication.
    pub async fn redeem(&mut self) -> anyhow::Result<Outcome> {
        self.post("/api/redeem", &serde_json::json!({})).await
    }

    /// The session view.
    pub async fn session(&mut self) -> anyhow::Result<SessionView> {
        self.get("/api/session").await
    }

    /// The timeline.
    pub async fn timeline(&mut self) -> anyhow::Result<Timeline> {
        self.get("/api/timeline").await
    }

    async fn read<T: DeserializeOwned>(
        &mut self,
        response: reqwest::Response,
    ) -> anyhow::Result<T> {
        let status = response.status();
        let headers = format!("{:?}", response.headers());
        let body = response.text().await?;
        self.seen.push(format!("{status} {headers} {body}"));
        serde_json::from_str(&body)
            .with_context(|| format!("{status}: not the JSON expected: {body}"))
    }
}

/// A form's fields as name and value pairs.
type Fields = Vec<(String, String)>;

/// The first form of a page: its action and hidden inputs.
fn form(page: &str) -> Option<(Option<String>, Fields)> {
    let start = page.find("<form")?;
    let page = &page[start..];
    let tag_end = page.find('>')?;
    let action = attribute(&page[..tag_end], "action").map(|a| a.replace("&amp;", "&"));

    let mut fields = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find("<input") {
        rest = &rest[at..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        let hidden = tag.contains("type=\"hidden\"");
        if let (true, Some(name), Some(value)) =
            (hidden, attribute(tag, "name"), attribute(tag, "value"))
        {
            fields.push((name, unescape(&value)));
        }
        rest = &rest[end..];
    }
    Some((action, fields))
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')?;
    Some(tag[start..start + end].to_owned())
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
