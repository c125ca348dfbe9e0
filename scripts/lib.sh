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
# python3-venv: the Tryton test installs a real open-source CRM into a venv.
TEST_PACKAGES=(webkit2gtk-driver keyutils postgresql python3-venv)

# Keep builds lean on 2 cores: no debuginfo, one target dir for everything.
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

# Each step prints the time spent so far, so a slow step shows in CI's log.
step() { printf '\n==> [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" >&2; }

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
  # rustup installs proxies even for missing components: ask the tools themselves.
  cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
  cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
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
  if ! cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
    step "Installing tauri-driver $TAURI_DRIVER_VERSION"
    cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION"
  fi
}

# Starts a throwaway PostgreSQL server on loopback for the tests that load SQL into a real
# one, exports STEWARD_TEST_POSTGRES, and stops it (and deletes its files) when the script
# ends. PostgreSQL refuses to run as root, so as root it runs as the postgres user.
start_test_postgres() {
  local bin dir port
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  dir="$(mktemp -d)"
  # A free loopback port, so a server already running here is never in the way.
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    as=(runuser -u postgres --)
  fi
  # Armed before the server starts, so a failed start leaves nothing behind either.
  # shellcheck disable=SC2064
  trap "${as[*]} $bin/pg_ctl -D $dir/data -m fast stop >/dev/null 2>&1; rm -rf $dir" EXIT
  "${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U steward >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
  export STEWARD_TEST_POSTGRES="postgresql://steward@127.0.0.1:$port/postgres"
}

# Runs "$@" in a private D-Bus session with its own unlocked GNOME Keyring (a real Secret
# Service), unless the caller already has a session bus and did not ask for a private one.
# The keyring lives in $STEWARD_KEYRING_DIR (default: a fresh temporary folder), never in the
# user's own login keyring.
with_keyring() {
  if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${STEWARD_PRIVATE_KEYRING:-}" ]; then
    "$@"
    return
  fi
  local keyring_dir="${STEWARD_KEYRING_DIR:-}" temporary=""
  if [ -z "$keyring_dir" ]; then
    keyring_dir="$(mktemp -d)"
    temporary=1
  fi
  mkdir -p "$keyring_dir"
  local status=0
  XDG_DATA_HOME="$keyring_dir" dbus-run-session -- bash -c '
    printf "%s" "${STEWARD_KEYRING_PASSWORD:-steward}" \
      | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 \
      || { echo "could not start and unlock gnome-keyring in $XDG_DATA_HOME" >&2; exit 1; }
    exec "$@"' keyring "$@" || status=$?
  [ -z "$temporary" ] || rm -rf "$keyring_dir"
  return "$status"
}
