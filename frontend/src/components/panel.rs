//! The frame of a workbench step: its number, title and one line on what it teaches.

use yew::prelude::*;

/// Props of [`Panel`].
#[derive(Properties, PartialEq)]
pub struct PanelProps {
    /// The step's number in the lesson, 1 to 9; 0 for pages outside the flow.
    pub step: u8,
    /// The step's title.
    pub title: AttrValue,
    /// One or two sentences on what happens in this step.
    pub lede: AttrValue,
    /// The step's content.
    #[prop_or_default]
    pub children: Html,
}

/// A section headed by the step's title, which screen readers announce as its name.
#[component]
pub fn Panel(props: &PanelProps) -> Html {
    // Derived values.
    let id = format!("step-{}-title", props.step);

    html! {
        <section class="panel" aria-labelledby={id.clone()}>
            <header class="panel-head">
                if props.step > 0 {
                    <span class="step-badge" aria-hidden="true">{ props.step }</span>
                }
                <h2 {id}>
                    if props.step > 0 {
                        <span class="visually-hidden">{ format!("Step {}: ", props.step) }</span>
                    }
                    { &props.title }
                </h2>
            </header>
            <p class="lede">{ &props.lede }</p>
            { props.children.clone() }
        </section>
    }
}
