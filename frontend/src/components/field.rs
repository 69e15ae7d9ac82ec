//! A labelled text input that shows the backend's error for it beside it.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::error::Error;

/// Props of [`FieldError`].
#[derive(Properties, PartialEq)]
pub struct FieldErrorProps {
    /// The request field this message is for, as the backend names it.
    pub field: AttrValue,
    /// The last failure, if any.
    pub error: Option<Error>,
}

/// The backend's message for one field, with id `{dom_id(field)}-error` for
/// `aria-describedby`.
#[component]
pub fn FieldError(props: &FieldErrorProps) -> Html {
    let message = props.error.as_ref().and_then(|error| error.for_field(&props.field));

    html! {
        if let Some(message) = message {
            <p class="field-error" id={format!("{}-error", dom_id(&props.field))}>
                { super::prose(message) }</p>
        }
    }
}

/// An element id for a backend field name: `source.issuer` becomes `source-issuer`, so it can
/// be used in CSS selectors too.
pub fn dom_id(field: &str) -> String {
    field.replace(['.', '[', ']'], "-")
}

/// Props of [`TextField`].
#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    /// The backend's name for this field, as its errors name it (`source.issuer`); the input's
    /// `name`, and its `id` through [`dom_id`].
    pub field: AttrValue,
    /// The visible label.
    pub label: AttrValue,
    /// The current value.
    pub value: AttrValue,
    /// Called with the new value on every keystroke.
    pub oninput: Callback<String>,
    /// The last failure, shown here when it names this field.
    #[prop_or_default]
    pub error: Option<Error>,
    /// A line of help under the input.
    #[prop_or_default]
    pub help: Option<AttrValue>,
    /// The input type: `text` unless set (`password`, `url`, `number`).
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    /// A hint for the browser's autofill; `off` unless set.
    #[prop_or(AttrValue::Static("off"))]
    pub autocomplete: AttrValue,
    /// A placeholder.
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
}

/// A label, an input and, when the backend blamed this field, its message.
#[component]
pub fn TextField(props: &TextFieldProps) -> Html {
    // Callbacks.
    let oninput = {
        let oninput = props.oninput.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            oninput.emit(input.value());
        })
    };

    // Derived values.
    let invalid = props.error.as_ref().is_some_and(|error| error.for_field(&props.field).is_some());
    let id = dom_id(&props.field);
    let help_id = format!("{id}-help");
    let mut described = Vec::new();
    if props.help.is_some() {
        described.push(help_id.clone());
    }
    if invalid {
        described.push(format!("{id}-error"));
    }
    let described = (!described.is_empty()).then(|| described.join(" "));

    html! {
        <div class={classes!("field", invalid.then_some("invalid"))}>
            <label for={id.clone()}>{ &props.label }</label>
            <input id={id.clone()} name={props.field.clone()} type={props.kind.clone()}
                   value={props.value.clone()} {oninput} autocomplete={props.autocomplete.clone()}
                   placeholder={props.placeholder.clone()} aria-invalid={invalid.to_string()}
                   aria-describedby={described} />
            if let Some(help) = &props.help {
                <p class="help" id={help_id}>{ help }</p>
            }
            <FieldError field={props.field.clone()} error={props.error.clone()} />
        </div>
    }
}

/// The value of the `<input>` or `<textarea>` an input event came from.
pub fn input_text(event: &InputEvent) -> String {
    let target: web_sys::EventTarget = event.target_unchecked_into();
    if let Some(area) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlTextAreaElement>(&target) {
        return area.value();
    }
    event.target_unchecked_into::<HtmlInputElement>().value()
}

/// The value of the `<select>` a change event came from.
pub fn select_value(event: &Event) -> String {
    event.target_unchecked_into::<web_sys::HtmlSelectElement>().value()
}

/// Whether the checkbox a change event came from is now checked.
pub fn is_checked(event: &Event) -> bool {
    event.target_unchecked_into::<HtmlInputElement>().checked()
}

/// A labelled checkbox.
pub fn checkbox(id: &'static str, label: &'static str, checked: bool, on: Callback<bool>) -> Html {
    let onchange = Callback::from(move |event: Event| on.emit(is_checked(&event)));
    html! {
        <label class="choice" for={id}>
            <input type="checkbox" {id} name={id} {checked} {onchange} />
            <span>{ label }</span>
        </label>
    }
}

/// A labelled `<select>`.
pub fn select(
    id: &'static str,
    label: &'static str,
    value: &str,
    options: &[(&'static str, &'static str)],
    on: Callback<String>,
) -> Html {
    let onchange = Callback::from(move |event: Event| on.emit(select_value(&event)));
    html! {
        <div class="field">
            <label for={id}>{ label }</label>
            <select {id} name={id} {onchange}>
                { for options.iter().map(|(option, text)| html! {
                    <option value={*option} selected={*option == value}>{ *text }</option>
                }) }
            </select>
        </div>
    }
}
