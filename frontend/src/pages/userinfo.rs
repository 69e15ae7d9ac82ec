//! Step 8: the userinfo endpoint (OIDC Core §5.3), beside the ID token's claims.

use yew::prelude::*;

use crate::api;
use crate::components::{ListErrors, OutcomeView, Panel, SubmitButton};
use crate::hooks::{use_request, use_workbench};
use grantlab_shared::{Outcome, Param};

/// One claim as userinfo and the ID token each state it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPair {
    /// The claim name.
    pub name: String,
    /// Its value at userinfo, as JSON text.
    pub userinfo: Option<String>,
    /// Its value in the ID token, as JSON text.
    pub id_token: Option<String>,
}

/// Every claim of either side, userinfo's order first, then the ID token's own.
pub fn pair_claims(userinfo: &[Param], id_token: &[Param]) -> Vec<ClaimPair> {
    let find = |params: &[Param], name: &str| {
        params.iter().find(|param| param.name == name).map(|param| param.value.clone())
    };
    let mut names: Vec<&str> = userinfo.iter().map(|param| param.name.as_str()).collect();
    for param in id_token {
        if !names.contains(&param.name.as_str()) {
            names.push(&param.name);
        }
    }

    names
        .into_iter()
        .map(|name| ClaimPair {
            name: name.to_owned(),
            userinfo: find(userinfo, name),
            id_token: find(id_token, name),
        })
        .collect()
}

/// Step 8: call userinfo with the access token and compare with the ID token.
#[component]
pub fn Userinfo() -> Html {
    // Hooks.
    let workbench = use_workbench();
    let userinfo = use_request::<Outcome>();

    // Callbacks.
    let onclick = {
        let userinfo = userinfo.clone();
        Callback::from(move |_| userinfo.run(api::userinfo()))
    };

    // Derived values.
    let id_claims = workbench
        .session
        .as_ref()
        .and_then(|session| session.tokens.as_ref())
        .and_then(|tokens| tokens.id_token.as_ref())
        .map(|token| token.claims.clone())
        .unwrap_or_default();
    let pairs = userinfo
        .data
        .as_ref()
        .filter(|outcome| outcome.ok)
        .map(|outcome| pair_claims(&outcome.fields, &id_claims))
        .unwrap_or_default();

    html! {
        <Panel step={8} title="Userinfo"
               lede="The userinfo endpoint answers claims about the user to whoever holds an \
                     access token with the openid scope. The sub must match the ID token's.">
            <div class="card">
                <ListErrors error={userinfo.error.clone()} />
                <SubmitButton id="userinfo" label="Call userinfo" busy={userinfo.busy}
                              busy_label="Calling the userinfo endpoint" class="primary"
                              {onclick} />
            </div>
            if let Some(outcome) = &userinfo.data {
                <OutcomeView outcome={(**outcome).clone()} />
            }
            if !pairs.is_empty() {
                <table class="compare">
                    <caption>{ "Userinfo beside the ID token" }</caption>
                    <thead><tr><th scope="col">{ "Claim" }</th><th scope="col">{ "Userinfo" }</th>
                        <th scope="col">{ "ID token" }</th></tr></thead>
                    <tbody>
                        { for pairs.iter().map(|pair| {
                            let differs = pair.userinfo.is_some() && pair.id_token.is_some()
                                && pair.userinfo != pair.id_token;
                            html! {
                                <tr class={classes!(differs.then_some("changed"))}>
                                    <th scope="row"><code>{ &pair.name }</code></th>
                                    <td><code>{ pair.userinfo.clone().unwrap_or_default() }</code></td>
                                    <td><code>{ pair.id_token.clone().unwrap_or_default() }</code></td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
        </Panel>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn param(name: &str, value: &str) -> Param {
        Param { name: name.into(), value: value.into() }
    }

    #[wasm_bindgen_test]
    fn pair_claims_lines_up_both_sides_by_name() {
        let userinfo = [param("sub", "\"alice\""), param("email", "\"a@lab\"")];
        let id_token = [param("iss", "\"http://h/idp\""), param("sub", "\"alice\"")];

        let pairs = pair_claims(&userinfo, &id_token);

        let names: Vec<&str> = pairs.iter().map(|pair| pair.name.as_str()).collect();
        assert_eq!(names, ["sub", "email", "iss"]);
        assert_eq!(pairs[0].userinfo, pairs[0].id_token);
        assert_eq!(pairs[2].userinfo, None);
    }
}
