//! Shared helpers of the desktop app's tests.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use ttb_verifier::gui::VerifierApp;

/// Steps the UI until `done` holds, for `limit` at most (workers and loaders run on their own
/// threads), then two frames more so what changed is drawn.
pub fn step_until(
    harness: &mut Harness<'_, VerifierApp>,
    what: &str,
    limit: Duration,
    done: impl Fn(&Harness<'_, VerifierApp>) -> bool,
) {
    let deadline = Instant::now() + limit;
    while !done(harness) {
        assert!(Instant::now() < deadline, "still waiting after {} s for {what}", limit.as_secs());
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.run_steps(2);
}
