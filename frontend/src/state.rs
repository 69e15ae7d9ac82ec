//! The workbench's shared state (the session as the backend last reported it, and the
//! timeline), and the authorization request draft with its reducer.

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use yew::prelude::*;

use crate::components::{TargetEdit, apply_target};
use crate::error::Error;
use grantlab_shared::{AuthorizationDraft, Param, ResponseMode, SessionView, Timeline};

/// What every page reads: the backend's view of the session, and the messages so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workbench {
    /// The last `GET /api/session`; `None` until it answered.
    pub session: Option<Rc<SessionView>>,
    /// The last `GET /api/timeline`.
    pub timeline: Rc<Timeline>,
    /// Bumped after every action that may change the session, to fetch both again.
    pub revision: u32,
    /// The `revision` the held session was fetched for: when it is behind `revision`, a fresh
    /// session is on its way and what the page shows may be stale.
    pub session_revision: u32,
    /// Why the last fetch of the session failed, if it did.
    pub error: Option<Error>,
}

/// What changes the [`Workbench`].
pub enum WorkbenchAction {
    /// The backend reported the session, as fetched for this revision.
    Session(Box<SessionView>, u32),
    /// The backend reported the timeline.
    Timeline(Timeline),
    /// An action ran: fetch the session and the timeline again.
    Changed,
    /// Fetching the session failed.
    Failed(Error),
}

impl Workbench {
    /// Whether the session shown is the latest: no action has run since it was fetched.
    pub fn is_fresh(&self) -> bool {
        self.session.is_some() && self.session_revision == self.revision
    }
}

impl Reducible for Workbench {
    type Action = WorkbenchAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let mut next = Workbench {
            session: self.session.clone(),
            timeline: self.timeline.clone(),
            revision: self.revision,
            session_revision: self.session_revision,
            error: self.error.clone(),
        };
        match action {
            WorkbenchAction::Session(view, revision) => {
                next.session = Some(Rc::new(*view));
                next.session_revision = next.session_revision.max(revision);
                next.error = None;
            }
            WorkbenchAction::Timeline(view) => next.timeline = Rc::new(view),
            WorkbenchAction::Changed => next.revision = self.revision.wrapping_add(1),
            WorkbenchAction::Failed(error) => next.error = Some(error),
        }
        Rc::new(next)
    }
}

/// The handle pages get with `use_context`.
pub type WorkbenchContext = UseReducerHandle<Workbench>;

/// An edit to the authorization request draft.
#[derive(Debug, Clone, PartialEq)]
pub enum DraftAction {
    /// Start over from this draft (the backend's fresh one).
    Replace(AuthorizationDraft),
    /// `response_type`.
    ResponseType(String),
    /// `response_mode`; `None` for the response type's default.
    ResponseMode(Option<ResponseMode>),
    /// Add the scope if absent, remove it if present.
    ToggleScope(String),
    /// `audience` or a `resource` row.
    Target(TargetEdit),
    /// `redirect_uri`.
    RedirectUri(String),
    /// `state`.
    State(String),
    /// `nonce`; empty leaves it out.
    Nonce(String),
    /// Whether to send a PKCE challenge.
    Pkce(bool),
    /// `prompt`; empty leaves it out.
    Prompt(String),
    /// `max_age` as typed; anything but a whole number leaves it out.
    MaxAge(String),
    /// `login_hint`; empty leaves it out.
    LoginHint(String),
    /// Add an empty extra parameter row.
    AddExtra,
    /// Change an extra parameter's name and value.
    Extra(usize, String, String),
    /// Remove an extra parameter.
    RemoveExtra(usize),
    /// Redeem the code as soon as it arrives.
    AutoRedeem(bool),
}

/// The draft being edited; `None` until the backend's fresh draft arrives.
#[derive(Debug, Default, PartialEq)]
pub struct DraftState {
    /// The draft.
    pub draft: Option<AuthorizationDraft>,
}

impl Reducible for DraftState {
    type Action = DraftAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let draft = match (&self.draft, action) {
            (_, DraftAction::Replace(fresh)) => Some(fresh),
            (Some(draft), action) => Some(apply(draft.clone(), action)),
            (None, _) => None,
        };
        Rc::new(DraftState { draft })
    }
}

/// Applies one edit to the draft.
pub fn apply(mut draft: AuthorizationDraft, action: DraftAction) -> AuthorizationDraft {
    let optional = |text: String| (!text.trim().is_empty()).then_some(text);
    match action {
        DraftAction::Replace(fresh) => return fresh,
        DraftAction::ResponseType(value) => draft.response_type = value,
        DraftAction::ResponseMode(mode) => draft.response_mode = mode,
        DraftAction::ToggleScope(scope) => {
            if let Some(at) = draft.scopes.iter().position(|held| *held == scope) {
                draft.scopes.remove(at);
            } else {
                draft.scopes.push(scope);
            }
        }
        DraftAction::Target(edit) => {
            apply_target(&mut draft.audience, &mut draft.resources, edit);
        }
        DraftAction::RedirectUri(value) => draft.redirect_uri = value,
        DraftAction::State(value) => draft.state = value,
        DraftAction::Nonce(value) => draft.nonce = optional(value),
        DraftAction::Pkce(on) => draft.pkce = on,
        DraftAction::Prompt(value) => draft.prompt = optional(value),
        DraftAction::MaxAge(value) => draft.max_age = value.trim().parse().ok(),
        DraftAction::LoginHint(value) => draft.login_hint = optional(value),
        DraftAction::AddExtra => {
            draft.extra.push(Param { name: String::new(), value: String::new() });
        }
        DraftAction::Extra(at, name, value) => {
            if let Some(param) = draft.extra.get_mut(at) {
                *param = Param { name, value };
            }
        }
        DraftAction::RemoveExtra(at) => {
            if at < draft.extra.len() {
                draft.extra.remove(at);
            }
        }
        DraftAction::AutoRedeem(on) => draft.auto_redeem = on,
    }
    draft
}

/// The learner's choices in a draft, as kept in `localStorage`: no `state`, no `nonce` (they
/// belong to one flow and the backend makes fresh ones), and nothing secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredDraft {
    response_type: String,
    response_mode: Option<ResponseMode>,
    scopes: Vec<String>,
    audience: Option<String>,
    resources: Vec<String>,
    pkce: bool,
    prompt: Option<String>,
    max_age: Option<u64>,
    login_hint: Option<String>,
    extra: Vec<Param>,
    auto_redeem: bool,
}

impl StoredDraft {
    /// The `localStorage` key.
    pub const KEY: &'static str = "grantlab.authorization-draft";

    /// Keeps the learner's choices from `draft`.
    pub fn keep(draft: &AuthorizationDraft) -> Self {
        Self {
            response_type: draft.response_type.clone(),
            response_mode: draft.response_mode,
            scopes: draft.scopes.clone(),
            audience: draft.audience.clone(),
            resources: draft.resources.clone(),
            pkce: draft.pkce,
            prompt: draft.prompt.clone(),
            max_age: draft.max_age,
            login_hint: draft.login_hint.clone(),
            extra: draft.extra.clone(),
            auto_redeem: draft.auto_redeem,
        }
    }

    /// The learner's choices over a `fresh` draft, whose `state`, `nonce` and `redirect_uri`
    /// are kept.
    pub fn restore(self, fresh: AuthorizationDraft) -> AuthorizationDraft {
        AuthorizationDraft {
            response_type: self.response_type,
            response_mode: self.response_mode,
            scopes: self.scopes,
            audience: self.audience,
            resources: self.resources,
            pkce: self.pkce,
            prompt: self.prompt,
            max_age: self.max_age,
            login_hint: self.login_hint,
            extra: self.extra,
            auto_redeem: self.auto_redeem,
            ..fresh
        }
    }
}

#[cfg(test)]
mod tests;
