# shellcheck shell=bash
# A throwaway PostgreSQL for the journal, sourced by .ci/run (its postgres-tagged test) and by
# `./acqswitch bench` (the switch-pg variant). pg_start: a cluster of its own under /tmp on a free port
# (apt-get installs PostgreSQL first when missing and run as root, unless PG_NO_INSTALL=1); it exports
# JOURNAL_PG_URL, JOURNAL_PG_USER, JOURNAL_PG_PASSWORD (and JOURNAL_PG_START/STOP, the commands that
# start and stop it again). pg_stop: stops it and deletes its directory. Both return non-zero, having
# said why on stderr, when they cannot.
PG_DIR=""
PG_RUN=()
PG_BIN=""

pg_log() { echo "${PG_LOG_PREFIX:-ci}: postgres: $*" >&2; }

pg_find() { PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true); }

pg_install() {
  pg_find
  [[ -n "$PG_BIN" && -x "$PG_BIN/initdb" ]] && return 0
  if [[ "${PG_NO_INSTALL:-}" == 1 ]]; then
    pg_log "not installed"
    return 1
  fi
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    pg_log "not installed and cannot apt-get install it here"
    return 1
  fi
  pg_log "installing PostgreSQL (apt-get install postgresql) ..."
  timeout 300 apt-get update -qq >/dev/null 2>&1 || true
  if ! DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq --no-install-recommends postgresql >/dev/null 2>&1; then
    pg_log "apt-get install postgresql failed"
    return 1
  fi
  pg_find
  [[ -n "$PG_BIN" && -x "$PG_BIN/initdb" ]]
}

pg_free_port() {
  local p
  for p in $(seq 55432 55532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

# A cluster of its own in a temp dir, on a free port, as a non-root user (initdb refuses root).
pg_start() {
  pg_install || return 1
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres || return 1
    PG_RUN=(runuser -u postgres --)
  fi
  PG_DIR=$(mktemp -d /tmp/acqswitch-pg.XXXXXX)
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$PG_DIR"; fi
  local port; port=$(pg_free_port) || return 1
  "${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U journal --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1 || {
    pg_log "initdb failed: $(tail -3 "$PG_DIR/initdb.log")"; return 1; }
  local opts="-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off"
  local start="${PG_RUN[*]} $PG_BIN/pg_ctl -D $PG_DIR/data -o '$opts' -l $PG_DIR/server.log -w -t 60 start"
  bash -c "$start" >/dev/null || { pg_log "server did not start: $(tail -3 "$PG_DIR/server.log")"; return 1; }
  "${PG_RUN[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U journal journal || return 1
  export JOURNAL_PG_URL="jdbc:postgresql://127.0.0.1:$port/journal" JOURNAL_PG_USER=journal JOURNAL_PG_PASSWORD=""
  export JOURNAL_PG_START="$start"
  export JOURNAL_PG_STOP="${PG_RUN[*]} $PG_BIN/pg_ctl -D $PG_DIR/data -m fast -w stop"
  pg_log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (JOURNAL_PG_URL=$JOURNAL_PG_URL)"
}

pg_stop() {
  if [[ -n "$PG_DIR" && -d "$PG_DIR" ]]; then
    "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
