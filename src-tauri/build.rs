// Every app command needs an explicit permission in a capability file: listing them here
// makes tauri-build generate `allow-<command>` permissions and refuse unlisted ones.
include!("src/commands/names.rs");

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {err:#}");
    }
}
