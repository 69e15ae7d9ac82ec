//! The busy indicator shown while a network action runs, and the button that carries it.

use yew::prelude::*;

/// Props of [`Busy`].
#[derive(Properties, PartialEq)]
pub struct BusyProps {
    /// What is going on, read out by screen readers: "Redeeming the code".
    pub label: AttrValue,
}

/// A small spinner with a live label, so a screen reader hears that work started.
#[component]
pub fn Busy(props: &BusyProps) -> Html {
    html! {
        <span class="busy" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            { &props.label }
        </span>
    }
}

/// Props of [`SubmitButton`].
#[derive(Properties, PartialEq)]
pub struct SubmitButtonProps {
    /// The button's text.
    pub label: AttrValue,
    /// Whether the action runs; the button is then disabled and shows [`Busy`].
    pub busy: bool,
    /// The text of the busy indicator.
    pub busy_label: AttrValue,
    /// An id, for tests and for labels.
    #[prop_or_default]
    pub id: Option<AttrValue>,
    /// Clicked; a button inside a form submits it instead when this is unset.
    #[prop_or_default]
    pub onclick: Option<Callback<MouseEvent>>,
    /// `primary` for the step's main action.
    #[prop_or_default]
    pub class: Classes,
}

/// A button for a network action, disabled and marked `aria-busy` while it runs.
#[component]
pub fn SubmitButton(props: &SubmitButtonProps) -> Html {
    // Derived values.
    let kind = if props.onclick.is_some() { "button" } else { "submit" };

    html! {
        <span class="action">
            <button type={kind} id={props.id.clone()} class={props.class.clone()}
                    disabled={props.busy} aria-busy={props.busy.to_string()}
                    onclick={props.onclick.clone()}>
                { &props.label }
            </button>
            if props.busy {
                <Busy label={props.busy_label.clone()} />
            }
        </span>
    }
}
