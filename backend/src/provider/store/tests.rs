//! Unit tests of the store: expiry, the memory budget and its warning, record sizes.

use super::*;
use crate::provider::authorize::{AuthRequest, Prompt, ResponseType};
use crate::provider::claims::ClaimsRequest;
use crate::provider::pages::ResponseMode;
use crate::provider::world::World;

/// A budget small enough to fill in a test: 64 KiB.
const BUDGET: usize = 64 * 1024;

fn session(expires_at: u64) -> Session {
    let consents = Consents::default();
    Session {
        sub: "s".into(),
        auth_time: 0,
        sid: "x".into(),
        csrf: "c".into(),
        expires_at,
        consents,
    }
}

fn grant() -> Arc<Grant> {
    Arc::new(Grant {
        client_id: "c".into(),
        sub: "s".into(),
        scope: Scope::default(),
        api: None,
        auth_time: None,
        sid: None,
        machine: false,
        lab_lifetime: None,
        claims: Requested::default(),
    })
}

fn family(expires_at: u64) -> Family {
    Family { revoked: false, expires_at, grant: grant(), access: Vec::new() }
}

fn access_token(expires_at: u64, family: Option<FamilyId>) -> AccessToken {
    AccessToken { grant: grant(), jwt: false, issued_at: 0, expires_at, family, revoked: false }
}

#[test]
fn expired_entries_are_reclaimed_on_insert() {
    let store = Store::<()>::new(BUDGET);
    let mut inner = store.lock();
    inner.sessions.insert("old".into(), session(10));
    inner.sessions.insert("new".into(), session(100));
    inner.access.insert(token_key("old"), access_token(10, None));

    inner.make_room(50).unwrap();

    assert!(!inner.sessions.contains_key("old"));
    assert!(inner.sessions.contains_key("new"));
    assert!(inner.access.is_empty());
}

/// Fills the access token map at time 30 until `make_room` refuses; returns how many
/// went in.
fn fill_access(inner: &mut Inner<()>, expires_at: impl Fn(usize) -> u64) -> usize {
    for index in 0..10_000 {
        if inner.make_room(30).is_err() {
            return index;
        }
        inner.access.insert(token_key(&index.to_string()), access_token(expires_at(index), None));
    }
    panic!("a {BUDGET}-byte budget took 10,000 access tokens");
}

#[test]
fn store_at_its_budget_refuses_new_entries() {
    let store = Store::<()>::new(BUDGET);
    let mut inner = store.lock();

    let count = fill_access(&mut inner, |_| 100);

    let one = Expiring::cost(&token_key("0"), &access_token(100, None));
    assert!(count > 10, "only {count} fit");
    assert!(inner.access.bytes() >= inner.earned_budget());
    assert!(inner.access.bytes() < inner.earned_budget() + 2 * one);
    assert!(matches!(inner.make_room(31), Err(ProviderError::Busy)));
    assert_eq!(inner.access.len(), count);
}

#[test]
fn full_store_takes_new_entries_once_some_have_expired() {
    let store = Store::<()>::new(BUDGET);
    let mut inner = store.lock();
    let count = fill_access(&mut inner, |index| if index < 10 { 40 } else { 100 });

    // At 50 the first ten have expired: they are reclaimed and room is made.
    inner.make_room(50).unwrap();

    assert_eq!(inner.access.len(), count - 10);
    assert!(!inner.access.contains_key(&token_key("0")));
    assert!(inner.access.contains_key(&token_key("10")));
}

#[test]
fn budget_warning_names_the_map_its_count_and_the_setting_once_a_minute() {
    let store = Store::<()>::new(BUDGET);
    let mut inner = store.lock();
    let count = fill_access(&mut inner, |_| 1_000);
    assert_eq!(inner.warned_at, Some(30));

    // Within the minute every refusal stays silent; after it, one warning again.
    for now in [31, 60, 89] {
        assert!(inner.make_room(now).is_err());
        assert_eq!(inner.warned_at, Some(30));
    }
    let warning = inner.budget_warning(90).unwrap_or_default();

    assert!(warning.contains(&format!("{count} live access tokens")), "{warning}");
    assert!(warning.contains("`--store-budget-mib` (GRANTLAB_STORE_BUDGET_MIB)"), "{warning}");
    assert_eq!(inner.budget_warning(91), None);
}

#[test]
fn full_pending_map_drops_its_oldest_forms() {
    let store = Store::<()>::new(BUDGET);
    let mut inner = store.lock();
    let count = 1_000;
    for index in 0..count {
        let pending = Pending { request: (), expires_at: 1_000 + index as u64 };
        inner.pending.insert(index.to_string(), pending);
    }

    inner.make_room(50).unwrap();

    assert!(inner.pending.bytes() < BUDGET / OPEN_SHARE);
    assert!(!inner.pending.contains_key("0"));
    assert!(inner.pending.contains_key(&(count - 1).to_string()));
}

#[test]
fn full_browser_map_drops_its_oldest_login_form_sessions() {
    let store = Store::<()>::new(BUDGET);
    let mut inner = store.lock();
    let count = 1_000;
    for index in 0..count {
        let browser = Browser { csrf: "c".into(), expires_at: 1_000 + index as u64 };
        inner.browsers.insert(index.to_string(), browser);
    }

    inner.make_room(50).unwrap();

    assert!(inner.browsers.bytes() < BUDGET / OPEN_SHARE);
    assert!(!inner.browsers.contains_key("0"));
    assert!(inner.browsers.contains_key(&(count - 1).to_string()));
}

#[test]
fn revoked_family_stays_revoked_until_its_absolute_lifetime() {
    let store = Store::<()>::new(BUDGET);
    let mut inner = store.lock();
    let id = inner.add_family(family(1_000));
    inner.access.insert(token_key("t"), access_token(500, Some(id)));
    inner.add_to_family(id, token_key("t"));
    inner.revoke_family(id);

    // Its access token expires and is reclaimed; the family is not.
    inner.make_room(600).unwrap();

    assert!(inner.access.is_empty());
    assert!(inner.families.get(&id).is_some_and(|family| family.revoked));
}

#[test]
fn revoking_a_family_revokes_its_access_tokens_and_no_others() {
    let store = Store::<()>::new(BUDGET);
    let mut inner = store.lock();
    let id = inner.add_family(family(1_000));
    for (key, family) in [("mine", Some(id)), ("other", None)] {
        inner.access.insert(token_key(key), access_token(500, family));
        if let Some(family) = family {
            inner.add_to_family(family, token_key(key));
        }
    }

    inner.revoke_family(id);

    assert!(inner.access.get(&token_key("mine")).is_some_and(|token| token.revoked));
    assert!(inner.access.get(&token_key("other")).is_some_and(|token| !token.revoked));
}

#[test]
fn stored_keys_are_digests_not_values() {
    assert_ne!(digest("secret-code"), "secret-code");
    assert_eq!(digest("secret-code"), digest("secret-code"));
}

/// Learners in the hall of issue 7, each doing one full flow a minute.
const LEARNERS: u64 = 1_000;

/// A value the length of [`random_value`]'s, distinct for each `index`.
fn value(index: u64) -> String {
    digest(&index.to_string())
}

/// A grant as a hall learner's code flow makes it: the sandbox client, a scenario user, the
/// sandbox's scopes and the expenses API.
fn hall_grant() -> Arc<Grant> {
    let scope = ["openid", "profile", "email", "offline_access", "read:reports"];
    Arc::new(Grant {
        client_id: crate::SANDBOX_CLIENT_ID.to_owned(),
        sub: "lab|alice-5b8c1e".to_owned(),
        scope: scope.into_iter().collect(),
        api: Some("https://expenses-api".to_owned()),
        auth_time: Some(0),
        sid: Some(value(0)),
        machine: false,
        lab_lifetime: None,
        claims: Requested::default(),
    })
}

/// A pending request as the sandbox sends it: PKCE, state, nonce, the expenses API.
/// What a hall learner's login consented: the grant's scopes, for its client.
fn hall_consents(grant: &Grant) -> Consents {
    let mut consents = Consents::default();
    let key = |scope: &str| match (&grant.api, scope) {
        (_, "openid" | "profile" | "email" | "offline_access") | (None, _) => scope.to_owned(),
        (Some(api), permission) => format!("{api}#{permission}"),
    };
    let keys: Vec<String> = grant.scope.iter().map(key).collect();
    consents.add(&grant.client_id, &keys);
    consents
}

fn hall_request() -> AuthRequest {
    let grant = hall_grant();
    AuthRequest {
        client_id: grant.client_id.clone(),
        redirect_uri: "http://127.0.0.1:8080/callback".to_owned(),
        response_type: ResponseType::Code,
        response_mode: ResponseMode::Query,
        scope: grant.scope.iter().map(str::to_owned).collect(),
        api: grant.api.clone(),
        state: Some(value(1)),
        nonce: Some(value(2)),
        code_challenge: Some(value(3)),
        prompt: Prompt::default(),
        max_age: None,
        login_hint: None,
        claims: ClaimsRequest::default(),
        lab_lifetime: None,
        fresh_login: false,
        consent_given: false,
        browser: None,
    }
}

/// One record of each kind, shaped as a hall learner's flow makes them, with its store key.
struct HallRecords {
    session: Session,
    browser: Browser,
    pending: Pending<AuthRequest>,
    code: Code,
    access: AccessToken,
    refresh: RefreshToken,
    family: Family,
}

impl HallRecords {
    fn new(expires_at: u64) -> Self {
        let grant = hall_grant();
        let session = Session {
            sub: grant.sub.clone(),
            auth_time: 0,
            sid: value(4),
            csrf: value(5),
            expires_at,
            consents: hall_consents(&grant),
        };
        let code = Code {
            grant: Arc::clone(&grant),
            redirect_uri: "http://127.0.0.1:8080/callback".to_owned(),
            code_challenge: Some(value(3)),
            nonce: Some(value(2)),
            expires_at,
            used: true,
            issued: vec![token_key("6")],
            family: Some(0),
        };
        let access = AccessToken {
            grant: Arc::clone(&grant),
            jwt: true,
            issued_at: 0,
            expires_at,
            family: Some(0),
            revoked: false,
        };
        let refresh = RefreshToken {
            grant: Arc::clone(&grant),
            family: 0,
            used: false,
            idle_expires_at: expires_at,
            issued_at: 0,
        };
        let family = Family {
            revoked: false,
            expires_at,
            grant,
            access: vec![token_key("6"), token_key("7")],
        };
        Self {
            session,
            browser: Browser { csrf: value(8), expires_at },
            pending: Pending { request: hall_request(), expires_at },
            code,
            access,
            refresh,
            family,
        }
    }
}

/// The live counts of each map a hall reaches after `seconds` at the built-in lifetimes.
#[derive(Debug)]
struct HallCounts {
    sessions: u64,
    browsers: u64,
    pending: u64,
    codes: u64,
    access: u64,
    refresh: u64,
    families: u64,
}

impl HallCounts {
    /// Each flow, in the worst case: a new login (session and browser), a pending request, a
    /// code, three access tokens (redeem, refresh, client credentials), two refresh tokens
    /// (redeem and rotation; the rotated one is kept for reuse detection) and a family.
    fn after(seconds: u64) -> Self {
        let site = crate::Site::new(crate::Config::with_defaults(), "http://127.0.0.1:8080".into());
        let world = World::load(&site).unwrap();
        let sandbox = world.client(crate::SANDBOX_CLIENT_ID).unwrap();
        let access_lifetime = world.apis.iter().map(|api| api.access_token_lifetime).max();
        let access_lifetime =
            access_lifetime.unwrap_or_default().max(sandbox.opaque_token_lifetime);

        // A kind made `per_flow` times a flow and living `lifetime` seconds.
        let live = |per_flow: u64, lifetime: u64| per_flow * LEARNERS * lifetime.min(seconds) / 60;
        Self {
            sessions: live(1, world.provider.session_lifetime),
            browsers: live(1, crate::provider::session::BROWSER_LIFETIME),
            pending: live(1, crate::provider::authorize::PENDING_LIFETIME),
            codes: live(1, world.provider.code_lifetime),
            access: live(3, access_lifetime),
            refresh: live(2, sandbox.refresh_idle_lifetime),
            families: live(1, sandbox.refresh_absolute_lifetime),
        }
    }
}

impl HallRecords {
    /// What the maps that refuse at the budget are charged for `counts` of these records.
    fn charged(&self, counts: &HallCounts) -> u64 {
        let key = value(9);
        let token = token_key(&key);
        let each = [
            (counts.sessions, Expiring::<String, Session>::cost(&key, &self.session)),
            (counts.codes, Expiring::<TokenKey, Code>::cost(&token, &self.code)),
            (counts.access, Expiring::<TokenKey, AccessToken>::cost(&token, &self.access)),
            (counts.refresh, Expiring::<TokenKey, RefreshToken>::cost(&token, &self.refresh)),
            (counts.families, Expiring::<FamilyId, Family>::cost(&0, &self.family)),
        ];
        each.iter().map(|&(count, bytes)| count * bytes as u64).sum()
    }
}

#[test]
fn record_sizes_are_measured_per_kind() {
    let records = HallRecords::new(100);
    let key = value(9);
    let token = token_key(&key);
    let sizes = [
        ("session", Expiring::<String, Session>::cost(&key, &records.session)),
        ("browser", Expiring::<String, Browser>::cost(&key, &records.browser)),
        ("pending", Expiring::<String, Pending<AuthRequest>>::cost(&key, &records.pending)),
        ("code", Expiring::<TokenKey, Code>::cost(&token, &records.code)),
        ("access token", Expiring::<TokenKey, AccessToken>::cost(&token, &records.access)),
        ("refresh token", Expiring::<TokenKey, RefreshToken>::cost(&token, &records.refresh)),
        ("family", Expiring::<FamilyId, Family>::cost(&0, &records.family)),
    ];
    // The grant, shared by every record of a flow, is charged in full to each of them.
    let grant_bytes = hall_grant().heap_bytes();
    let holds_grant = ["code", "access token", "refresh token", "family"];
    for (kind, bytes) in sizes {
        let own = if holds_grant.contains(&kind) { bytes - grant_bytes } else { bytes };
        println!("{kind}: {bytes} bytes charged per entry, {own} without the shared grant");
    }
    println!("grant: {grant_bytes} bytes, charged to each holder");
    assert!(sizes.iter().all(|(_, bytes)| (100..2_000).contains(bytes)), "{sizes:?}");
}

#[test]
fn default_budget_holds_a_hall_of_learners_for_an_hour() {
    let budget = crate::Config::with_defaults().store_budget();
    let store = Store::<AuthRequest>::new(budget);
    let mut inner = store.lock();
    let counts = HallCounts::after(3_600);
    let records = HallRecords::new(1_000_000);
    println!("{counts:?}");

    // Every live entry of the hour, each behind a `make_room` that must not refuse.
    let mut index = 0;
    let mut next = || {
        index += 1;
        value(index)
    };
    for _ in 0..counts.sessions {
        inner.make_room(0).unwrap();
        inner.sessions.insert(next(), records.session.clone());
    }
    for _ in 0..counts.codes {
        inner.make_room(0).unwrap();
        inner.codes.insert(token_key(&next()), records.code.clone());
    }
    for _ in 0..counts.access {
        inner.make_room(0).unwrap();
        inner.access.insert(token_key(&next()), records.access.clone());
    }
    for _ in 0..counts.refresh {
        inner.make_room(0).unwrap();
        inner.refresh.insert(token_key(&next()), records.refresh.clone());
    }
    for _ in 0..counts.families {
        inner.make_room(0).unwrap();
        inner.add_family(records.family.clone());
    }
    for _ in 0..counts.pending {
        inner.pending.insert(next(), records.pending.clone());
    }
    for _ in 0..counts.browsers {
        inner.browsers.insert(next(), records.browser.clone());
    }
    inner.make_room(0).unwrap();

    // Nothing was evicted, the charge is what the records' sizes say, and the hall takes under
    // half of what the budget allows.
    let earned: usize = inner.earned().iter().map(|(_, _, bytes)| bytes).sum();
    assert_eq!(earned as u64, records.charged(&counts));
    println!("earned: {} MiB of {} MiB", earned >> 20, inner.earned_budget() >> 20);
    println!(
        "pending {} MiB, browsers {} MiB",
        inner.pending.bytes() >> 20,
        inner.browsers.bytes() >> 20
    );
    assert_eq!(inner.pending.len() as u64, counts.pending);
    assert_eq!(inner.browsers.len() as u64, counts.browsers);
    assert!(earned < inner.earned_budget() / 2, "{earned} of {}", inner.earned_budget());
}

#[test]
fn scope_keeps_the_granted_scopes_in_order_in_one_string() {
    let scope: Scope = ["openid", "read:reports"].into_iter().collect();

    assert_eq!(scope.as_str(), "openid read:reports");
    assert_eq!(scope.iter().collect::<Vec<_>>(), ["openid", "read:reports"]);
    assert!(scope.contains("read:reports") && !scope.contains("read"));
    assert_eq!(Scope::default().iter().count(), 0);
}

#[test]
fn expiry_frees_the_bytes_of_a_full_store() {
    let store = Store::<()>::new(BUDGET);
    let mut inner = store.lock();
    fill_access(&mut inner, |_| 40);
    assert!(inner.make_room(39).is_err());

    inner.make_room(40).unwrap();

    assert!(inner.access.is_empty());
    assert_eq!(inner.access.bytes(), 0);
}

#[test]
fn default_budget_holds_a_hall_for_a_working_day_with_room_to_spare() {
    let budget = crate::Config::with_defaults().store_budget();
    let earned_budget = Store::<()>::new(budget).lock().earned_budget() as u64;
    let counts = HallCounts::after(8 * 3_600);

    let charged = HallRecords::new(0).charged(&counts);

    println!("{counts:?}: {} MiB of {} MiB", charged >> 20, earned_budget >> 20);
    assert!(charged < earned_budget / 2, "{charged} of {earned_budget}");
}

#[test]
fn default_budget_holds_a_hall_for_a_whole_day_even_with_a_login_per_flow() {
    let budget = crate::Config::with_defaults().store_budget();
    let earned_budget = Store::<()>::new(budget).lock().earned_budget() as u64;
    let counts = HallCounts::after(24 * 3_600);

    let charged = HallRecords::new(0).charged(&counts);

    println!("{counts:?}: {} MiB of {} MiB", charged >> 20, earned_budget >> 20);
    assert!(charged < earned_budget, "{charged} of {earned_budget}");
}
