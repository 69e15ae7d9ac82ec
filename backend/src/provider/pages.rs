//! The provider's HTML: login, consent, account, errors and the form-post response mode.
//!
//! Plain, accessible pages: a heading, labelled fields, one small inline stylesheet, no
//! external asset. Every value is escaped. Every page forbids framing, so the consent button
//! cannot be clickjacked.

use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, LOCATION, X_FRAME_OPTIONS};
use axum::response::{Html, IntoResponse, Response};
use url::Url;

use crate::csp;
use crate::web::NO_FAVICON;

use super::world::User;

/// How an authorization response travels back (OAuth 2.0 Multiple Response Types; Form Post).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    /// In the redirect URI's query.
    Query,
    /// In the redirect URI's fragment.
    Fragment,
    /// As an auto-submitted HTML form.
    FormPost,
}

impl ResponseMode {
    /// Parses a `response_mode` value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "query" => Some(Self::Query),
            "fragment" => Some(Self::Fragment),
            "form_post" => Some(Self::FormPost),
            _ => None,
        }
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;\
padding:0 1rem;line-height:1.5;color:#1d1d1f}label{display:block;margin-top:.8rem}\
input{font:inherit;padding:.3rem;width:100%;box-sizing:border-box}button{font:inherit;\
margin:1rem .5rem 0 0;padding:.4rem 1rem}.error{color:#a00000;font-weight:bold}\
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2rem .6rem;text-align:left}\
.withheld{color:#666}";

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Submits the page's one form as soon as it loads.
const AUTO_SUBMIT: &str = "document.forms[0].submit()";

/// A whole page, with its headers: no framing, no caching, no script.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    page_with_script(status, title, body, None)
}

/// A whole page whose policy runs `script`, the one inline script `body` holds, if any.
fn page_with_script(status: StatusCode, title: &str, body: &str, script: Option<&str>) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Grantlab lab provider</title>{NO_FAVICON}<style>{STYLE}</style>\
         </head><body><main>{body}</main></body></html>",
        title = escape(title),
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(csp::HEADER, csp::provider_policy(STYLE, script));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Why the provider answers an error itself, as a sentence citing the spec that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageReason {
    /// An authorization request it cannot trust to redirect back (RFC 6749 4.1.2.1).
    Authorization,
    /// A logout request whose client or `id_token_hint` is wrong (RP-Initiated Logout 1.0 2).
    LogoutRequest,
    /// A post-logout redirect URI it will not follow (RP-Initiated Logout 1.0 3).
    LogoutRedirect,
    /// The account page's own forms, where no application is involved.
    Account,
    /// A login or consent form whose request is gone, or not this browser's.
    Form,
}

impl PageReason {
    /// The paragraph shown under the error: markup, no user input.
    fn paragraph(self) -> &'static str {
        match self {
            Self::Authorization => {
                "The lab provider shows this here instead of redirecting, because it cannot \
                 trust the client or the redirect URI (RFC 6749 section 4.1.2.1)."
            }
            Self::LogoutRequest => {
                "A logout request names its application with <code>id_token_hint</code> (an ID \
                 token this provider issued) or <code>client_id</code>; the lab provider stays \
                 here because it cannot tell which application asked (OpenID Connect \
                 RP-Initiated Logout 1.0, section 2)."
            }
            Self::LogoutRedirect => {
                "After logout the lab provider sends the browser only to a \
                 <code>post_logout_redirect_uri</code> registered, exactly, for the application \
                 the request names; otherwise it stays here (OpenID Connect RP-Initiated Logout \
                 1.0, section 3)."
            }
            Self::Form => {
                "The lab provider answers a login or consent form only for the request it was \
                 shown for, in the same browser; without it there is no checked redirect URI \
                 to send an answer to. Start again from the application."
            }
            Self::Account => {
                "The account page acts on your session at the lab provider only: no application \
                 is involved, so there is nowhere else to show this."
            }
        }
    }
}

/// An error shown at the provider, for requests that cannot be sent back to a client.
pub fn error_page(title: &str, message: &str, reason: PageReason) -> Response {
    let body = format!(
        "<h1>{title}</h1><p class=\"error\" role=\"alert\">{message}</p><p>{reason}</p>",
        title = escape(title),
        message = escape(message),
        reason = reason.paragraph(),
    );
    page(StatusCode::BAD_REQUEST, title, &body)
}

/// Refuses a form whose anti-forgery token is missing or wrong, saying what to do instead.
pub fn forged_page(message: &str) -> Response {
    let body = format!(
        "<h1>This form was refused</h1><p class=\"error\" role=\"alert\">{message}.</p>\
         <p>Every form of the lab provider carries an anti-forgery token tied to this \
         browser's session, so another site cannot submit it for you (RFC 6749 section \
         10.12 asks this of the authorization endpoint; the lab provider does it for every \
         form). Nothing was changed. Go back, reload the page and submit it again.</p>",
        message = escape(message),
    );
    page(StatusCode::FORBIDDEN, "Form refused", &body)
}

/// The login form. `request` is the pending authorization request's id, or empty for a
/// login to the account page; `csrf` the browser's anti-forgery token.
pub fn login_page(
    request: &str,
    csrf: &str,
    client_name: Option<&str>,
    users: &[User],
    login_hint: Option<&str>,
    error: Option<&str>,
) -> Response {
    let status = if error.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
    let intro = match client_name {
        Some(name) => format!("<p><strong>{}</strong> asks you to log in.</p>", escape(name)),
        None => "<p>Log in to see your account.</p>".to_owned(),
    };
    let error = error
        .map(|message| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(message)))
        .unwrap_or_default();
    let demo: String = users
        .iter()
        .map(|user| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&user.username),
                escape(&user.password),
                escape(&user.permissions.join(" ")),
            )
        })
        .collect();
    let body = format!(
        "<h1>Log in to the lab provider</h1>{intro}{error}\
         <form method=\"post\" action=\"login\">\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label for=\"username\">Username</label>\
         <input id=\"username\" name=\"username\" autocomplete=\"username\" required \
         value=\"{hint}\">\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" \
         autocomplete=\"current-password\" required>\
         <button id=\"login\" type=\"submit\">Log in</button></form>\
         <h2>Lab accounts</h2><p>This is a lab: the passwords are public.</p>\
         <table><thead><tr><th scope=\"col\">Username</th><th scope=\"col\">Password</th>\
         <th scope=\"col\">Permissions held</th></tr></thead><tbody>{demo}</tbody></table>",
        request = escape(request),
        csrf = escape(csrf),
        hint = escape(login_hint.unwrap_or_default()),
    );
    page(status, "Log in", &body)
}

/// One scope on the consent page.
pub struct ConsentLine {
    /// The scope as requested.
    pub scope: String,
    /// What it lets the client do, in words.
    pub meaning: String,
    /// Why it will not be granted, if it will not.
    pub withheld: Option<String>,
}

/// The scopes of one API (or of OpenID Connect) on the consent page.
pub struct ConsentGroup {
    /// The heading: the API's name.
    pub title: String,
    /// The scopes.
    pub lines: Vec<ConsentLine>,
}

/// The consent form: the requested scopes grouped by API, each marked granted or withheld.
pub fn consent_page(
    request: &str,
    csrf: &str,
    client_name: &str,
    username: &str,
    groups: &[ConsentGroup],
) -> Response {
    let mut sections = String::new();
    for group in groups {
        sections.push_str(&format!("<h2>{}</h2><ul>", escape(&group.title)));
        for line in &group.lines {
            match &line.withheld {
                None => sections.push_str(&format!(
                    "<li><code>{}</code>: {}</li>",
                    escape(&line.scope),
                    escape(&line.meaning)
                )),
                Some(reason) => sections.push_str(&format!(
                    "<li class=\"withheld\"><code>{}</code>: {} <strong>Not granted:</strong> \
                     {}</li>",
                    escape(&line.scope),
                    escape(&line.meaning),
                    escape(reason)
                )),
            }
        }
        sections.push_str("</ul>");
    }
    let body = format!(
        "<h1>Allow access?</h1><p>You are logged in as <strong>{user}</strong>. \
         <strong>{client}</strong> asks for:</p>{sections}\
         <form method=\"post\" action=\"consent\">\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button id=\"approve\" type=\"submit\" name=\"decision\" value=\"approve\">Allow</button>\
         <button id=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>\
         <p>The lab provider remembers your answer until you log out here, so \
         your next flows with this application skip this page. A real provider remembers it \
         for your account, across logins; the lab keeps it per login so that every learner \
         who logs in as a shared lab user sees this page once.</p>",
        user = escape(username),
        client = escape(client_name),
        request = escape(request),
        csrf = escape(csrf),
    );
    page(StatusCode::OK, "Allow access?", &body)
}

/// Sends authorization response `params` to `redirect_uri` the way `mode` says.
pub fn deliver(redirect_uri: &str, mode: ResponseMode, params: &[(&str, String)]) -> Response {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().map(|(name, value)| (*name, value.as_str())))
        .finish();

    let location = match mode {
        ResponseMode::FormPost => return form_post(redirect_uri, params),
        // Nothing to add (a logout without `state`): back to the registered URI as it is, with
        // no empty `?` or `#` and no path the client did not register.
        _ if params.is_empty() => redirect_uri.to_owned(),
        ResponseMode::Fragment => format!("{redirect_uri}#{encoded}"),
        ResponseMode::Query => match Url::parse(redirect_uri) {
            // Keep the registered URI's own query parameters (RFC 6749 3.1.2).
            Ok(mut url) => {
                url.query_pairs_mut()
                    .extend_pairs(params.iter().map(|(name, value)| (*name, value.as_str())));
                url.to_string()
            }
            Err(_) => format!("{redirect_uri}?{encoded}"),
        },
    };

    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The form_post response mode: a form that submits itself to the client.
fn form_post(redirect_uri: &str, params: &[(&str, String)]) -> Response {
    let fields: String = params
        .iter()
        .map(|(name, value)| {
            format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(name), escape(value))
        })
        .collect();
    let body = format!(
        "<h1>Returning to the application</h1>\
         <form method=\"post\" action=\"{action}\">{fields}\
         <noscript><p>Scripts are off: press Continue.</p></noscript>\
         <button type=\"submit\">Continue</button></form>\
         <script>{AUTO_SUBMIT}</script>",
        action = escape(redirect_uri),
    );
    page_with_script(StatusCode::OK, "Returning to the application", &body, Some(AUTO_SUBMIT))
}

/// One remembered consent on the account page.
pub struct ConsentEntry {
    /// The client's id, posted back to revoke.
    pub client_id: String,
    /// The client's name.
    pub client_name: String,
    /// The consented scopes.
    pub scopes: Vec<String>,
}

/// The account page: who is logged in, the remembered consents, revoke and log out buttons.
pub fn account_page(user: &User, consents: &[ConsentEntry], csrf: &str) -> Response {
    let rows: String = consents
        .iter()
        .map(|entry| {
            format!(
                "<tr><td>{name}</td><td>{scopes}</td><td><form method=\"post\" \
                 action=\"account/revoke\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                 <input type=\"hidden\" name=\"client_id\" value=\"{id}\">\
                 <button type=\"submit\">Revoke</button></form></td></tr>",
                name = escape(&entry.client_name),
                scopes = escape(&entry.scopes.join(", ")),
                csrf = escape(csrf),
                id = escape(&entry.client_id),
            )
        })
        .collect();
    let list = if consents.is_empty() {
        "<p>You have not allowed any application yet.</p>".to_owned()
    } else {
        format!(
            "<table><thead><tr><th scope=\"col\">Application</th><th scope=\"col\">Scopes</th>\
             <th scope=\"col\">Action</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    };
    let body = format!(
        "<h1>Your lab account</h1><p>Logged in as <strong>{name}</strong> ({username}, \
         <code>{sub}</code>).</p><h2>Applications you allowed</h2>{list}\
         <form method=\"post\" action=\"logout/confirm\"><input type=\"hidden\" name=\"csrf\" \
         value=\"{csrf}\"><button id=\"logout\" type=\"submit\">Log out</button></form>",
        name = escape(&user.name),
        username = escape(&user.username),
        sub = escape(&user.sub),
        csrf = escape(csrf),
    );
    page(StatusCode::OK, "Your account", &body)
}

/// What the logout confirmation form carries back to `/idp/logout/confirm`.
pub struct LogoutQuestion<'a> {
    /// The session's anti-forgery token.
    pub csrf: &'a str,
    /// The client asking, by name, when known.
    pub client_name: Option<&'a str>,
    /// The checked client id, when known.
    pub client_id: Option<&'a str>,
    /// The checked post-logout redirect URI.
    pub post_logout_redirect_uri: Option<&'a str>,
    /// The client's `state`, echoed.
    pub state: Option<&'a str>,
}

/// Asks the user before ending their IdP session (RP-Initiated Logout 1.0 section 2).
pub fn logout_confirm_page(username: &str, question: &LogoutQuestion<'_>) -> Response {
    let hidden = |name: &str, value: Option<&str>| {
        value
            .map(|value| {
                format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(value))
            })
            .unwrap_or_default()
    };
    let asker = match question.client_name {
        Some(name) => format!("<strong>{}</strong> asks to log you out", escape(name)),
        None => "A page asks to log you out".to_owned(),
    };
    let body = format!(
        "<h1>Log out of the lab provider?</h1><p>{asker} of the lab provider, where you are \
         logged in as <strong>{user}</strong>.</p><p>The request did not prove it comes from \
         an application you use (no matching <code>id_token_hint</code>), so the lab provider \
         asks you first.</p>\
         <form method=\"post\" action=\"logout/confirm\">{csrf}{client}{uri}{state}\
         <button id=\"confirm-logout\" type=\"submit\">Log out</button></form>\
         <p><a href=\"account\">Stay logged in</a></p>",
        user = escape(username),
        csrf = hidden("csrf", Some(question.csrf)),
        client = hidden("client_id", question.client_id),
        uri = hidden("post_logout_redirect_uri", question.post_logout_redirect_uri),
        state = hidden("state", question.state),
    );
    page(StatusCode::OK, "Log out?", &body)
}

/// Shown after a logout with no way back to a client.
pub fn logged_out_page() -> Response {
    let body = "<h1>You are logged out</h1><p>Your session at the lab provider has ended.</p>\
                <p><a href=\"account\">Log in again</a></p>";
    page(StatusCode::OK, "Logged out", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn query_mode_keeps_the_registered_query() {
        let response =
            deliver("https://app.test/cb?lang=fr", ResponseMode::Query, &[("code", "c 1".into())]);

        assert_eq!(response.headers()[LOCATION], "https://app.test/cb?lang=fr&code=c+1");
    }

    #[test]
    fn redirect_with_no_parameters_is_the_registered_uri_unchanged() {
        for mode in [ResponseMode::Query, ResponseMode::Fragment] {
            let response = deliver("http://localhost:3000", mode, &[]);

            assert_eq!(response.headers()[LOCATION], "http://localhost:3000");
        }
    }

    #[test]
    fn fragment_mode_puts_the_parameters_after_the_hash() {
        let response =
            deliver("https://app.test/cb", ResponseMode::Fragment, &[("code", "c".into())]);

        assert_eq!(response.headers()[LOCATION], "https://app.test/cb#code=c");
    }
}
