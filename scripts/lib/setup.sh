# Shared set-up for scripts/test and scripts/demo: idempotent, quiet when all is there.
# Installs Debian's MediaWiki, PHP and Chromium when missing (needs root, as on CI), uv, and the locked venv.

# chromium: the browser tests (tests/browser) drive it through Playwright; never a downloaded build.
WL_DEBIAN_PACKAGES="mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml php-curl php-apcu sqlite3 ca-certificates chromium"

wl_setup() {
  local missing=()
  local pkg
  for pkg in $WL_DEBIAN_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if ! command -v uv >/dev/null 2>&1; then
    echo "== installing uv"
    python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
    export PATH="$HOME/.local/bin:$PATH"
  fi
  uv sync --locked --quiet
}
