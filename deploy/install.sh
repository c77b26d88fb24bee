#!/usr/bin/env bash
# Installs wafleet on a fresh Ubuntu/Debian host: system user, folders, Node.js check, npm ci and
# build (then production dependencies only), systemd unit(s), nginx site, generated keys in
# /etc/wafleet/wafleet.env (mode 0600). Idempotent: run it again after `git pull` to upgrade;
# existing keys and configuration are kept. See docs/operations.md.
#
#   sudo deploy/install.sh --domain wafleet.example.com            # one process, SQLite
#   sudo deploy/install.sh --domain … --instances 2                 # two processes (PostgreSQL in wafleet.env)
#   deploy/install.sh --dry-run                                     # print what it would do
#   deploy/install.sh --prefix /tmp/scratch --skip-npm              # lay the files out under a folder
#   sudo deploy/install.sh --uninstall [--purge]                    # remove (--purge: data and keys too)
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX=""
DRY_RUN=0
UNINSTALL=0
PURGE=0
SKIP_NPM=0
DOMAIN="wafleet.example.com"
INSTANCES=1
USER_NAME="wafleet"
NODE_MAJOR_MIN=22

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2:?--prefix needs a folder}"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --uninstall) UNINSTALL=1; shift ;;
    --purge) PURGE=1; shift ;;
    --skip-npm) SKIP_NPM=1; shift ;;
    --domain) DOMAIN="${2:?--domain needs a name}"; shift 2 ;;
    --instances) INSTANCES="${2:?--instances needs a number}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$INSTANCES" in ''|*[!0-9]*) echo "install.sh: --instances must be a whole number" >&2; exit 2 ;; esac
[ "$INSTANCES" -ge 1 ] || { echo "install.sh: --instances must be at least 1" >&2; exit 2; }

APP="$PREFIX/opt/wafleet"
DATA="$PREFIX/var/lib/wafleet"
ETC="$PREFIX/etc/wafleet"
ENV_FILE="$ETC/wafleet.env"
UNITS="$PREFIX/etc/systemd/system"
NGINX="$PREFIX/etc/nginx"
# Under --prefix nothing outside the folder is touched: no user, no systemctl, no nginx reload.
SYSTEM=1
[ -n "$PREFIX" ] && SYSTEM=0

say() { echo "install.sh: $*"; }
run() {
  if [ "$DRY_RUN" = 1 ]; then echo "+ $*"; else "$@"; fi
}
system() {
  if [ "$SYSTEM" = 0 ]; then echo "  (skipped under --prefix) $*"; else run "$@"; fi
}

# A file is (re)written only when its content changes, so reruns report what actually changed.
put_file() {
  local target="$1" mode="$2" content
  content="$(cat)"
  if [ -f "$target" ] && [ "$(cat "$target")" = "$content" ]; then
    say "unchanged $target"
    return
  fi
  if [ "$DRY_RUN" = 1 ]; then echo "+ write $target (mode $mode)"; return; fi
  mkdir -p "$(dirname "$target")"
  printf '%s\n' "$content" > "$target.tmp"
  chmod "$mode" "$target.tmp"
  mv "$target.tmp" "$target"
  say "wrote $target"
}

ports() {
  if [ "$INSTANCES" = 1 ]; then echo 3000; else seq 3001 $((3000 + INSTANCES)); fi
}

units() {
  if [ "$INSTANCES" = 1 ]; then echo wafleet.service; else for port in $(ports); do echo "wafleet@$port.service"; done; fi
}

uninstall() {
  say "uninstalling (data in $DATA and keys in $ETC are kept$( [ "$PURGE" = 1 ] && echo ', except with --purge: removed'))"
  if [ "$SYSTEM" = 1 ] && command -v systemctl >/dev/null; then
    for unit in $(systemctl list-units --all --plain --no-legend 'wafleet*' 2>/dev/null | awk '{print $1}'); do run systemctl disable --now "$unit" || true; done
  fi
  run rm -f "$UNITS/wafleet.service" "$UNITS/wafleet@.service" "$NGINX/sites-enabled/wafleet" "$NGINX/sites-available/wafleet" "$NGINX/snippets/wafleet-locations.conf"
  run rm -rf "$APP"
  if [ "$PURGE" = 1 ]; then run rm -rf "$DATA" "$ETC"; fi
  if [ "$SYSTEM" = 1 ]; then
    command -v systemctl >/dev/null && run systemctl daemon-reload
    command -v nginx >/dev/null && run nginx -t && run systemctl reload nginx || true
  fi
  say "done"
}

check_node() {
  local version
  version="$(node --version 2>/dev/null || true)"
  if [ -z "$version" ]; then
    echo "install.sh: Node.js $NODE_MAJOR_MIN or newer is needed (https://nodejs.org, or your distribution's nodejs package)" >&2
    exit 1
  fi
  if [ "${version#v}" != "$version" ] && [ "$(echo "${version#v}" | cut -d. -f1)" -lt "$NODE_MAJOR_MIN" ]; then
    echo "install.sh: Node.js $version is too old: wafleet needs $NODE_MAJOR_MIN or newer" >&2
    exit 1
  fi
  say "Node.js $version"
}

install_app() {
  run mkdir -p "$APP"
  # The sources the build needs, and the deploy files and docs an operator reads; data never.
  # Replaced whole on every run, so an upgrade leaves no file of the old version behind.
  for item in package.json package-lock.json tsconfig.json tsconfig.build.json src dashboard bin deploy docs README.md; do
    run rm -rf "${APP:?}/$item"
    run cp -a "$SOURCE/$item" "$APP/"
  done
  if [ "$SKIP_NPM" = 1 ]; then
    say "--skip-npm: leaving $APP/node_modules and $APP/dist as they are"
  else
    run npm --prefix "$APP" ci --no-audit --no-fund
    run npm --prefix "$APP" run -s build
    run npm --prefix "$APP" prune --omit=dev --no-audit --no-fund
  fi
  system chown -R root:root "$APP"
}

env_file() {
  if [ -f "$ENV_FILE" ]; then
    say "kept $ENV_FILE (keys unchanged)"
    return
  fi
  local master admin
  master="$(node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64'))")"
  admin="wfk_$(node -e "process.stdout.write(require('crypto').randomBytes(24).toString('base64url'))")"
  put_file "$ENV_FILE" 600 <<ENV
# wafleet configuration (every variable: $APP/deploy/compose/.env.example). Mode 0600: it holds keys.
# Back up WAFLEET_MASTER_KEY apart from the database: without it no session can be read.
WAFLEET_MASTER_KEY=$master
WAFLEET_ADMIN_KEY=$admin
WAFLEET_HOST=127.0.0.1
WAFLEET_PORT=3000
WAFLEET_DATA_DIR=$DATA
# nginx on this host is the only proxy whose X-Forwarded-For is believed.
WAFLEET_TRUST_PROXY=127.0.0.1
WAFLEET_LOG_LEVEL=info
# Several instances (--instances N) need PostgreSQL:
# DATABASE_URL=postgres://wafleet:password@127.0.0.1:5432/wafleet
ENV
  [ "$DRY_RUN" = 1 ] || say "admin API key (shown once, also in $ENV_FILE): $admin"
}

install_units() {
  put_file "$UNITS/wafleet.service" 644 < "$SOURCE/deploy/systemd/wafleet.service"
  put_file "$UNITS/wafleet@.service" 644 < "$SOURCE/deploy/systemd/wafleet@.service"
  if [ "$INSTANCES" -gt 1 ] && ! grep -q '^DATABASE_URL=postgres' "$ENV_FILE" 2>/dev/null; then
    say "note: $INSTANCES instances share one store: set DATABASE_URL (PostgreSQL) in $ENV_FILE first"
  fi
  if [ "$SYSTEM" = 1 ] && command -v systemctl >/dev/null; then
    run systemctl daemon-reload
    # shellcheck disable=SC2046
    run systemctl enable --now $(units)
    # `restart` rather than a no-op when already running: an upgrade must load the new build.
    # shellcheck disable=SC2046
    run systemctl restart $(units)
  else
    system systemctl enable --now $(units)
  fi
}

install_nginx() {
  local upstream
  upstream="$(for port in $(ports); do printf '    server 127.0.0.1:%s max_fails=1 fail_timeout=10s;\\n' "$port"; done)"
  put_file "$NGINX/snippets/wafleet-locations.conf" 644 < "$SOURCE/deploy/nginx/wafleet-locations.conf"
  sed -e "s/wafleet\.example\.com/$DOMAIN/g" \
      -e "/^    server 127\.0\.0\.1:300[0-9] max_fails/d" \
      -e "s|^    keepalive 32;|${upstream}    keepalive 32;|" \
      "$SOURCE/deploy/nginx/wafleet.conf" | put_file "$NGINX/sites-available/wafleet" 644
  if [ ! -e "$PREFIX/etc/letsencrypt/live/$DOMAIN/fullchain.pem" ]; then
    say "no TLS certificate for $DOMAIN yet: get one (certbot certonly --standalone -d $DOMAIN, with port 80 free), then run install.sh again to enable the site"
    return
  fi
  if [ ! -L "$NGINX/sites-enabled/wafleet" ]; then run mkdir -p "$NGINX/sites-enabled"; run ln -s ../sites-available/wafleet "$NGINX/sites-enabled/wafleet"; fi
  system nginx -t
  system systemctl reload nginx
}

if [ "$UNINSTALL" = 1 ]; then uninstall; exit 0; fi
if [ "$SYSTEM" = 1 ] && [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root (sudo), or use --prefix DIR / --dry-run" >&2
  exit 1
fi
[ "$DRY_RUN" = 1 ] && say "dry run: nothing is changed"
check_node
if id "$USER_NAME" >/dev/null 2>&1; then say "user $USER_NAME exists"; else system useradd --system --home-dir /var/lib/wafleet --shell /usr/sbin/nologin "$USER_NAME"; fi
run mkdir -p "$DATA" "$ETC"
run chmod 700 "$DATA"
run chmod 750 "$ETC"
system chown "$USER_NAME:$USER_NAME" "$DATA"
install_app
env_file
install_units
install_nginx
say "done: $(units | tr '\n' ' ')behind nginx for $DOMAIN; configuration in $ENV_FILE"
