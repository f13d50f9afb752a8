# Sourced by the scripts of bench/: serve NAME BINARY [PROFILES] starts a circmatch-server binary on a free
# loopback port with PROFILES loaded (default: the judged set's), in development mode with its own data directory
# under $work, and prints its address.
# The caller sets $work and removes it on exit, killing the servers whose pids are in $work/*.pid (serve runs in a
# command substitution, so each pid goes to a file for that cleanup to find).
serve() {
  local name=$1 binary=$2 profiles=${3:-eval/relevance/profiles.jsonl}
  mkdir -p "$work/$name"
  "$binary" --listen=127.0.0.1:0 --data_dir="$work/$name" --allow_unauthenticated --audit_log=- \
      --vocabulary_dir=engine/data --sample_data="$profiles" >"$work/$name.log" 2>&1 &
  echo $! >"$work/$name.pid"
  for _ in $(seq 1 300); do
    if grep -q "listening on " "$work/$name.log"; then
      sed -n 's/.*listening on \(.*\)$/\1/p' "$work/$name.log" | head -n 1
      return
    fi
    sleep 0.1
  done
  echo "$name did not start:" >&2; cat "$work/$name.log" >&2; exit 1
}
