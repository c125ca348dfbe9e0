//! IPC commands, one module per screen. `async` runs them off the UI thread: keychain and
//! disk calls must not freeze the window.

pub mod activity;
pub mod audit;
pub mod deprecation;
pub mod drift;
pub mod duplicates;
pub mod erasure;
pub mod governance;
pub mod inventory;
pub mod job;
pub mod merge;
pub mod probes;
pub mod rules;
pub mod systems;
pub mod workspace;

#[cfg(test)]
include!("names.rs");

#[cfg(test)]
mod tests {
    use super::COMMANDS;

    /// A command without a permission fails at runtime in the window; catch it here.
    #[test]
    fn the_capability_file_grants_every_command_and_nothing_else() {
        let text = include_str!("../../capabilities/default.json");
        let capability: serde_json::Value = serde_json::from_str(text).unwrap();
        let granted: Vec<&str> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| p.starts_with("allow-"))
            .collect();
        let expected: Vec<String> = COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        assert_eq!(granted, expected);
    }
}
