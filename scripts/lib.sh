# Shared set-up for scripts/demo and scripts/test. Idempotent: every step checks before it
# installs, so a second run costs seconds. Needs root (or sudo) only for apt packages.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Version of tauri-driver the end-to-end tests were written against.
TAURI_DRIVER_VERSION="2.1.0"

BUILD_PACKAGES=(libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev
  libsoup-3.0-dev libxdo-dev libdbus-1-dev pkg-config build-essential file)
RUN_PACKAGES=(dbus gnome-keyring libsecret-tools xvfb xauth imagemagick fonts-dejavu-core)
TEST_PACKAGES=(webkit2gtk-driver keyutils)

# Keep builds lean on 2 cores: no debuginfo, one target dir for everything.
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_apt_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    step "Installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

check_toolchains() {
  command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 2; }
  command -v node >/dev/null || { echo "node not found: install Node.js 20 first" >&2; exit 2; }
  for tool in rustfmt clippy-driver; do
    command -v "$tool" >/dev/null || rustup component add rustfmt clippy
  done
}

# npm from the lockfile. Install scripts stay off: nothing here needs one, and some
# (browser-driver downloaders) would reach outside the package registry.
npm_install() {
  local dir="$1"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    step "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts)
  fi
}

build_ui() {
  npm_install ui
  step "Building the UI (ui/dist)"
  (cd ui && npm run --silent build)
}

install_tauri_driver() {
  if ! command -v tauri-driver >/dev/null || ! tauri-driver --version 2>/dev/null | grep -q "$TAURI_DRIVER_VERSION"; then
    step "Installing tauri-driver $TAURI_DRIVER_VERSION"
    cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION"
  fi
}

# Runs "$@" in a private D-Bus session with an unlocked GNOME Keyring (a real Secret
# Service), unless the caller already has a session bus.
with_keyring() {
  if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${STEWARD_PRIVATE_KEYRING:-}" ]; then
    "$@"
  else
    dbus-run-session -- bash -c '
      printf "%s" "${STEWARD_KEYRING_PASSWORD:-steward}" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
      exec "$@"' keyring "$@"
  fi
}
