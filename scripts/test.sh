#!/usr/bin/env bash
# Runs the whole test suite on SQLite and PostgreSQL.
#
# It starts a throwaway PostgreSQL 15 server (the machine's initdb/pg_ctl) in a
# temporary folder on a loopback port, points the tests at it through
# MDNHUB_TEST_POSTGRES_DSN, and stops it at the end. Extra arguments go to
# `go test` (default: ./...).
set -euo pipefail
cd "$(dirname "$0")/.."

find_pg_bin() {
  for d in "${PG_BIN:-}" /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

start_postgres() {
  local bin port dir runas=()
  if ! bin=$(find_pg_bin); then
    if [ -n "${CI:-}" ]; then
      echo "PostgreSQL server binaries (initdb, pg_ctl) not found; installing postgresql from Debian" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      bin=$(find_pg_bin) || { echo "cannot find PostgreSQL after install" >&2; exit 1; }
    else
      echo "PostgreSQL binaries not found: the PostgreSQL half of the suite will be skipped" >&2
      return 0
    fi
  fi
  dir=$(mktemp -d /tmp/mdnhub-pg.XXXXXX)
  chmod 755 "$dir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    runas=(runuser -u postgres --)
  fi
  port=$(( 20000 + RANDOM % 20000 ))
  "${runas[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" start >/dev/null
  PG_STOP=("${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop)
  PG_DIR=$dir
  export MDNHUB_TEST_POSTGRES_DSN="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  echo "PostgreSQL started on 127.0.0.1:$port" >&2
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ]; then
    "${PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

if [ -z "${MDNHUB_TEST_POSTGRES_DSN:-}" ]; then
  start_postgres
  trap stop_postgres EXIT
fi

# Interoperability peers (an SMSC from npm, Net::SMPP from Debian, curl for
# the proxy front, Chromium for the web site's browser tests, Python's
# requests for the quick starts of docs/clients.md). In CI a failed install
# fails the run; locally the tests that need a missing peer skip and say so.
if [ -n "${CI:-}" ]; then
  ./scripts/install-peers.sh
else
  ./scripts/install-peers.sh || echo "some interoperability peers could not be installed; their tests will skip" >&2
fi

# The browser tests save screenshots of the main pages here (docs/web.md
# shows them).
export MDNHUB_SCREENSHOTS="${MDNHUB_SCREENSHOTS:-$PWD/docs/screenshots}"

if [ $# -eq 0 ]; then set -- ./...; fi
go vet ./...
go test -count=1 -timeout 15m "$@"

# The Go SDK and the mdn command-line client are a module of their own
# (client/), outside ./...; the whole suite runs its tests too.
if [ "$*" = "./..." ]; then
  (cd client && go vet ./... && go test -count=1 -timeout 5m ./...)
fi

# Fuzzing (docs/fuzzing.md): after the tests, every fuzz target runs for
# FUZZTIME (default 5s; FUZZTIME=0 skips the step). A finding fails the
# script and leaves its input in the package's testdata/fuzz/<FuzzName>/,
# to commit with the fix. Each package's instrumented test binary is built
# once and runs its targets from the package folder, where go test would.
FUZZ_TARGETS=(
  ./internal/api:FuzzAPICommand
  ./internal/cli:FuzzReadCSV
  ./internal/cli:FuzzNumbersCSV
  ./internal/cli:FuzzServicesCSV
  ./internal/gateway/httppush:FuzzPushBody
  ./internal/gateway/smpp:FuzzPDU
  ./internal/gateway/smpp:FuzzReassembly
  ./internal/gateway/smpp:FuzzDecodeText
  ./internal/gateway/smpp:FuzzEncodeText
  ./internal/proxy/front:FuzzSOCKS5Handshake
  ./internal/proxy/front:FuzzHTTPProxyHandshake
  ./internal/smsactivate:FuzzHandlerAPI
)

run_fuzz() {
  local fuzztime=${FUZZTIME:-5s} bins pkg name exe before log
  if [ "$fuzztime" = 0 ]; then return 0; fi
  # Binaries, logs, and the inputs found interesting during this run: a
  # short run starts from the committed seeds alone, so that it does not
  # spend its time replaying what earlier runs collected.
  bins=$(mktemp -d /tmp/mdnhub-fuzz.XXXXXX)
  for target in "${FUZZ_TARGETS[@]}"; do
    pkg=${target%%:*} name=${target##*:}
    exe=$bins/$(echo "${pkg#./}" | tr / _).test
    if [ ! -x "$exe" ]; then
      go test -c -fuzz . -o "$exe" "$pkg"
    fi
    echo "fuzzing $pkg $name for $fuzztime" >&2
    before=$(ls "$pkg/testdata/fuzz/$name" 2>/dev/null || true)
    log=$bins/$name.log
    # The minimization bound keeps targets whose coverage varies a little
    # between runs (a database, goroutines) from spending the whole time
    # minimizing; a finding is still written out whole.
    if (cd "$pkg" && "$exe" -test.run '^$' -test.fuzz "^$name\$" -test.fuzztime "$fuzztime" \
      -test.fuzzminimizetime "${FUZZMINIMIZETIME:-10x}" -test.fuzzcachedir "$bins/cache/$name") 2>&1 | tee "$log"; then
      continue
    fi
    # Go 1.26's fuzzing coordinator can fail a run that reached its
    # -fuzztime with a bare "context deadline exceeded" (go.dev/issue/75804,
    # fixed in Go 1.27): no input failed then, none was written, and no seed
    # failed either. Anything else is a finding.
    if [ "$(ls "$pkg/testdata/fuzz/$name" 2>/dev/null || true)" = "$before" ] &&
      grep -qx '    context deadline exceeded' "$log" && ! grep -q -- "--- FAIL: $name/" "$log"; then
      echo "fuzz target $name in $pkg stopped on Go's end-of-run race (go.dev/issue/75804), no failing input: not a finding" >&2
      continue
    fi
    rm -rf "$bins"
    echo "fuzz target $name in $pkg failed: on a committed seed, or on a new input it wrote to $pkg/testdata/fuzz/$name/" >&2
    return 1
  done
  rm -rf "$bins"
}
run_fuzz
