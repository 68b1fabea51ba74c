# Shared set-up for scripts/test and scripts/demo: idempotent, quiet when all is there.
# Installs Debian's MediaWiki, PHP and Chromium when missing (needs root, as on CI), uv, the locked venv,
# and the MediaWiki LTS versions asked for (wl_mediawiki): the one this Debian ships is its
# `mediawiki` package; the other is downloaded from the other Debian release's packages into
# var/mediawiki-VERSION/ once per checkout (devwiki/fetch.py; nothing installed into the system).
# Works on Debian 12 (PHP 8.2, Python 3.11) and Debian 13 (PHP 8.4, Python 3.13).

# chromium: the browser tests (tests/browser) drive it through Playwright; never a downloaded build.
WL_DEBIAN_PACKAGES="mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml php-curl php-apcu sqlite3 ca-certificates chromium"
# The MediaWiki LTS versions the project supports and tests (devwiki/versions.py).
WL_MEDIAWIKI_VERSIONS="1.39 1.43"

wl_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

wl_setup() {
  local missing=()
  local pkg
  for pkg in $WL_DEBIAN_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing Debian packages: ${missing[*]}"
    wl_sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive wl_sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  export PATH="$HOME/.local/bin:$PATH"
  if ! command -v uv >/dev/null 2>&1; then
    echo "== installing uv"
    wl_install_uv
  fi
  uv sync --locked --quiet
}

# uv from PyPI into the user's ~/.local. Debian's own Python refuses `pip install` outside a
# virtual environment (PEP 668) and may come without pip: then pip comes from Debian's package,
# and --break-system-packages only lets pip write to ~/.local, never to the system's Python.
wl_install_uv() {
  if ! python3 -m pip --version >/dev/null 2>&1; then
    wl_sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive wl_sudo apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  fi
  python3 -m pip install --quiet --user uv 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages uv
}

# Make each MediaWiki version given (default: WIKILEDGER_MEDIAWIKI, else this Debian's) runnable.
wl_mediawiki() {
  uv run --locked python -m devwiki mediawiki "$@" >/dev/null
}
