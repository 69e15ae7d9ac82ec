//! A validation checklist: each check the backend or the API ran, passed or failed, with the
//! expected and the found values.

use yew::prelude::*;

/// One check, as the backend reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckItem {
    /// A stable id, such as `id_token.nonce`.
    pub id: String,
    /// The rule, with its section: "OIDC Core §3.1.3.7 step 11".
    pub spec: String,
    /// Whether it held.
    pub passed: bool,
    /// What was expected, when the check says.
    pub expected: Option<String>,
    /// What was found, when the check says.
    pub found: Option<String>,
    /// An explanation in words, when the check gives one instead.
    pub detail: Option<String>,
}

impl From<&grantlab_shared::Check> for CheckItem {
    fn from(check: &grantlab_shared::Check) -> Self {
        Self {
            id: check.id.clone(),
            spec: check.spec.clone(),
            passed: check.passed,
            expected: Some(check.expected.clone()),
            found: Some(check.found.clone()),
            detail: None,
        }
    }
}

impl From<&grantlab_shared::ApiCheck> for CheckItem {
    fn from(check: &grantlab_shared::ApiCheck) -> Self {
        Self {
            id: check.name.clone(),
            spec: String::new(),
            passed: check.passed,
            expected: None,
            found: None,
            detail: Some(check.detail.clone()),
        }
    }
}

/// Props of [`Checklist`].
#[derive(Properties, PartialEq)]
pub struct ChecklistProps {
    /// The list's heading, such as "ID token validation".
    pub title: AttrValue,
    /// The checks, in the order they ran.
    pub checks: Vec<CheckItem>,
}

/// The checks as a list; a failed one shows what was expected and what was found.
#[component]
pub fn Checklist(props: &ChecklistProps) -> Html {
    // Derived values.
    let failed = props.checks.iter().filter(|check| !check.passed).count();
    let summary = match (failed, props.checks.len()) {
        (0, 1) => "passed".to_owned(),
        (0, all) => format!("all {all} checks passed"),
        (1, _) => "1 check failed".to_owned(),
        (n, _) => format!("{n} checks failed"),
    };

    html! {
        <section class="checklist" aria-label={props.title.clone()}>
            <h3>{ &props.title }<span class={classes!("tally", (failed > 0).then_some("bad"))}>
                { summary }</span></h3>
            <ul>
                { for props.checks.iter().map(check_row) }
            </ul>
        </section>
    }
}

fn check_row(check: &CheckItem) -> Html {
    let (mark, verdict, class) =
        if check.passed { ("✓", "passed", "pass") } else { ("✗", "failed", "fail") };

    html! {
        <li class={class} key={check.id.clone()}>
            <span class="mark" aria-hidden="true">{ mark }</span>
            <span class="check-id"><code>{ &check.id }</code>
                <span class="visually-hidden">{ format!(" {verdict}") }</span></span>
            <span class="spec">{ &check.spec }</span>
            if let Some(detail) = &check.detail {
                <span class="detail">{ super::prose(detail) }</span>
            }
            if check.expected.is_some() || check.found.is_some() {
                <dl class="values">
                    if let Some(expected) = &check.expected {
                        <dt>{ "expected" }</dt><dd><code>{ expected }</code></dd>
                    }
                    if let Some(found) = &check.found {
                        <dt>{ "found" }</dt><dd><code>{ found }</code></dd>
                    }
                </dl>
            }
        </li>
    }
}
