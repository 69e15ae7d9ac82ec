//! The one place where the sandbox misbehaves on purpose: the [`Mischief`] switches of the
//! learner's session, which the broken scenarios turn on.
//!
//! Every switch is off by default and per learner session: one learner's scenario never
//! changes another's flow. Turning any on logs a warning. The client role and the lab
//! provider read the switches only through [`current`], at the few hooks marked `MISCHIEF`.

use grantlab_shared::Mischief;
use tower_sessions::Session;

/// The session key the switches live under.
const KEY: &str = "grantlab.mischief";

/// The secret the client presents when `wrong_client_secret` is on.
pub const WRONG_CLIENT_SECRET: &str = "not-the-sandbox-secret";

/// The suffix that makes the expected `state` or `nonce` differ from the one sent.
pub const TAMPERED: &str = "-tampered-by-mischief";

/// The learner session's switches; all off when none were set or the session cannot be read.
pub async fn current(session: &Session) -> Mischief {
    match session.get::<Mischief>(KEY).await {
        Ok(found) => found.unwrap_or_default(),
        Err(error) => {
            tracing::warn!(%error, "cannot read the mischief switches; all are off");
            Mischief::default()
        }
    }
}

/// Sets the learner session's switches, warning when any is on.
pub async fn set(
    session: &Session,
    mischief: Mischief,
) -> Result<(), tower_sessions::session::Error> {
    if mischief.any() {
        tracing::warn!(
            ?mischief,
            "mischief on for this learner session: the sandbox will misbehave on purpose"
        );
    }

    session.insert(KEY, mischief).await
}

/// The ID token check's "now", moved back by `clock_behind_seconds`.
pub fn skewed_now(mischief: &Mischief, now: u64) -> u64 {
    now.saturating_sub(u64::from(mischief.clock_behind_seconds))
}

/// The value the client expects back, changed when `tamper` is on.
pub fn expected(value: &str, tamper: bool) -> String {
    match tamper {
        true => format!("{value}{TAMPERED}"),
        false => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tower_sessions::MemoryStore;

    use crate::telemetry::Captured;

    use super::*;

    fn session() -> Session {
        Session::new(None, Arc::new(MemoryStore::default()), None)
    }

    #[tokio::test]
    async fn switches_are_off_in_a_fresh_session() {
        let mischief = current(&session()).await;

        assert_eq!(mischief, Mischief::default());
        assert!(!mischief.any());
    }

    #[tokio::test]
    async fn switches_set_in_one_session_stay_in_it() {
        let learner = session();
        let other = session();

        set(&learner, Mischief { tamper_state: true, ..Mischief::default() }).await.unwrap();

        assert!(current(&learner).await.tamper_state);
        assert!(!current(&other).await.any());
    }

    #[tokio::test]
    async fn turning_a_switch_on_warns_and_turning_all_off_does_not() {
        let log = Captured::default();
        let sink = log.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(move || sink.clone()).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let learner = session();

        set(&learner, Mischief::default()).await.unwrap();
        let calm = log.text();
        set(&learner, Mischief { wrong_pkce_verifier: true, ..Mischief::default() }).await.unwrap();
        let loud = log.text();

        assert!(!calm.contains("WARN"), "{calm}");
        assert!(loud.contains("WARN") && loud.contains("wrong_pkce_verifier: true"), "{loud}");
    }

    #[test]
    fn expected_value_differs_only_when_tampered() {
        assert_eq!(expected("abc", false), "abc");
        assert_ne!(expected("abc", true), "abc");
    }

    #[test]
    fn skewed_clock_runs_behind_by_the_switch() {
        let mischief = Mischief { clock_behind_seconds: 300, ..Mischief::default() };

        assert_eq!(skewed_now(&mischief, 1_000), 700);
        assert_eq!(skewed_now(&Mischief::default(), 1_000), 1_000);
    }
}
