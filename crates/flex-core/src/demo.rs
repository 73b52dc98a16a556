//! The built-in demo: Flex's simulator with its seeded sample account, on a free loopback port,
//! in test mode. The app's host serves it to assistants when no key is configured for test mode
//! (so "Try the demo first" and a connected assistant show the same sample data), and the window
//! reads its payments from the same one. Nothing here reaches Flex; no real money exists in it.

/// A running demo (it stops when dropped).
pub struct Demo {
    sim: flex_sim::SimHandle,
}

/// The key the demo accepts (a test key; it is the simulator's, not a secret).
pub const DEMO_KEY: &str = flex_sim::DEMO_TEST_KEY;

impl Demo {
    /// Start the seeded simulator on 127.0.0.1, on a port the system picks.
    pub async fn start() -> std::io::Result<Demo> {
        let sim = flex_sim::start(flex_sim::SimConfig {
            port: 0,
            seed: Some(flex_sim::Seed::Demo),
            ..flex_sim::SimConfig::default()
        })
        .await?;
        tracing::info!(base_url = %sim.base_url(), "built-in demo running");
        Ok(Demo { sim })
    }

    /// Where it answers (`http://127.0.0.1:<port>`).
    pub fn base_url(&self) -> String {
        self.sim.base_url()
    }
}
