//! Which API a token is for: the `audience` field and the RFC 8707 `resource` rows, one set of
//! inputs for every form that may name an API (authorization request, client credentials,
//! refresh).

use serde::{Deserialize, Serialize};
use yew::prelude::*;

use super::{FieldError, TextField};
use crate::error::Error;

/// An edit to the API a form names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetEdit {
    /// `audience` as typed; blank leaves it out.
    Audience(String),
    /// Add an empty `resource` row.
    AddResource,
    /// Change the `resource` at an index.
    Resource(usize, String),
    /// Remove the `resource` at an index.
    RemoveResource(usize),
}

/// Applies one edit to an `audience` and its `resource` rows; an index past the rows changes
/// nothing.
pub fn apply_target(audience: &mut Option<String>, resources: &mut Vec<String>, edit: TargetEdit) {
    match edit {
        TargetEdit::Audience(value) => *audience = (!value.trim().is_empty()).then_some(value),
        TargetEdit::AddResource => resources.push(String::new()),
        TargetEdit::Resource(at, value) => {
            if let Some(resource) = resources.get_mut(at) {
                *resource = value;
            }
        }
        TargetEdit::RemoveResource(at) => {
            if at < resources.len() {
                resources.remove(at);
            }
        }
    }
}

/// The API named by a form that keeps no draft of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// `audience`; `None` leaves it out.
    #[serde(default)]
    pub audience: Option<String>,
    /// `resource` rows, blank ones included while the learner edits them.
    #[serde(default)]
    pub resources: Vec<String>,
}

impl Target {
    /// This target after one edit.
    pub fn edited(&self, edit: TargetEdit) -> Self {
        let mut next = self.clone();
        apply_target(&mut next.audience, &mut next.resources, edit);
        next
    }

    /// The `audience` to send: trimmed, and left out when blank.
    pub fn audience_to_send(&self) -> Option<String> {
        self.audience.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned)
    }

    /// The `resource` values to send: the rows not left blank, trimmed.
    pub fn resources_to_send(&self) -> Vec<String> {
        self.resources
            .iter()
            .map(|r| r.trim())
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// Props of [`TargetFields`].
#[derive(Properties, PartialEq)]
pub struct TargetFieldsProps {
    /// The `audience`, if any.
    pub audience: Option<String>,
    /// The `resource` rows.
    pub resources: Vec<String>,
    /// Called with each edit.
    pub onedit: Callback<TargetEdit>,
    /// The last failure, shown beside `audience` or `resources` when it names them.
    #[prop_or_default]
    pub error: Option<Error>,
    /// Why this form may name an API, in one line.
    #[prop_or_default]
    pub why: Option<AttrValue>,
}

/// A fieldset with `audience`, the `resource` rows and a button to add one.
#[component]
pub fn TargetFields(props: &TargetFieldsProps) -> Html {
    // Callbacks.
    let emit = |make: fn(String) -> TargetEdit| {
        let onedit = props.onedit.clone();
        Callback::from(move |value: String| onedit.emit(make(value)))
    };
    let add = {
        let onedit = props.onedit.clone();
        Callback::from(move |_: MouseEvent| onedit.emit(TargetEdit::AddResource))
    };

    let row = |at: usize, resource: &String| {
        let oninput = {
            let onedit = props.onedit.clone();
            Callback::from(move |value| onedit.emit(TargetEdit::Resource(at, value)))
        };
        let remove = {
            let onedit = props.onedit.clone();
            Callback::from(move |_: MouseEvent| onedit.emit(TargetEdit::RemoveResource(at)))
        };
        html! {
            <div class="row">
                <TextField field={format!("resources[{at}]")} label={format!("resource {}", at + 1)}
                           kind="url" value={resource.clone()}
                           placeholder="for example https://expenses-api" {oninput} />
                <button type="button" class="quiet" onclick={remove}
                        aria-label={format!("Remove resource {}", at + 1)}>{ "Remove" }</button>
            </div>
        }
    };

    html! {
        <fieldset class="target">
            <legend>{ "Which API the token is for" }</legend>
            if let Some(why) = &props.why {
                <p class="help why">{ why }</p>
            }
            <TextField field="audience" label="audience"
                       value={props.audience.clone().unwrap_or_default()}
                       placeholder="not sent (for example https://expenses-api)"
                       error={props.error.clone()}
                       help="A common extension (Auth0 and others); resource is the standard one."
                       oninput={emit(TargetEdit::Audience)} />
            <div class="rows">
                { for props.resources.iter().enumerate().map(|(at, resource)| row(at, resource)) }
                <FieldError field="resources" error={props.error.clone()} />
                <button type="button" class="quiet add-resource" onclick={add}>
                    { "Add a resource (RFC 8707)" }</button>
            </div>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn resources_are_added_edited_and_removed_by_index() {
        let mut target = Target::default().edited(TargetEdit::AddResource);
        target = target.edited(TargetEdit::Resource(0, "https://expenses-api".into()));
        target = target.edited(TargetEdit::AddResource);
        assert_eq!(target.resources, ["https://expenses-api", ""]);

        let removed = target.edited(TargetEdit::RemoveResource(1));
        assert_eq!(removed.resources, ["https://expenses-api"]);
        assert_eq!(removed.edited(TargetEdit::RemoveResource(7)), removed);
    }

    #[wasm_bindgen_test]
    fn a_blank_audience_is_left_out() {
        let named = Target::default().edited(TargetEdit::Audience("https://expenses-api".into()));
        assert_eq!(named.audience.as_deref(), Some("https://expenses-api"));

        assert_eq!(named.edited(TargetEdit::Audience("  ".into())).audience, None);
    }

    #[wasm_bindgen_test]
    fn only_filled_rows_are_sent_trimmed() {
        let target = Target {
            audience: Some(" https://expenses-api ".into()),
            resources: vec!["".into(), " https://expenses-api".into(), "  ".into()],
        };

        assert_eq!(target.audience_to_send().as_deref(), Some("https://expenses-api"));
        assert_eq!(target.resources_to_send(), ["https://expenses-api"]);
    }
}
