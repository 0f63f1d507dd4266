#!/usr/bin/env bash
# pg-cluster.sh: starts (printing its URL) or stops and removes a private PostgreSQL 15 test cluster.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DB_NAME=carecircle_test
MARKER=.pg-cluster

die() {
	echo "pg-cluster: $*" >&2
	exit 1
}

note() {
	echo "pg-cluster: $*" >&2
}

usage() {
	echo "usage: $0 start DIR | stop DIR | replica PRIMARY_DIR DIR" >&2
	exit 2
}

# Commands that touch the data directory run as the postgres OS user when we are root
# (initdb and postgres refuse to run as root).
as_pg=()
setup_user() {
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || die "the postgres OS user does not exist (is the postgresql package installed?)"
		as_pg=(runuser -u postgres --)
	fi
}

ensure_installed() {
	[ -x "$PG_BIN/initdb" ] && return 0
	[ "$(id -u)" -eq 0 ] || die "$PG_BIN/initdb is missing; install it with: apt-get install -y postgresql"
	command -v apt-get >/dev/null || die "$PG_BIN/initdb is missing and apt-get is not available"
	note "installing postgresql with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q postgresql >&2; then
		apt-get update -q >&2 || die "apt-get update failed"
		apt-get install -y -q postgresql >&2 || die "apt-get install postgresql failed"
	fi
	[ -x "$PG_BIN/initdb" ] || die "postgresql is installed but $PG_BIN/initdb is missing (not version 15?); set PG_BIN"
}

# Absolute path without requiring it to exist.
abs_path() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}

port_busy() {
	# Something answers on 127.0.0.1:$1.
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

write_conf() {
	local dir=$1 port=$2 sockdir=$3
	cat >"$dir/data/carecircle.conf" <<EOF
# Written by scripts/pg-cluster.sh.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockdir'
shared_buffers = 64MB
max_connections = 200
fsync = on
EOF
	[ ${#as_pg[@]} -eq 0 ] || chown postgres: "$dir/data/carecircle.conf"
}

dump_log() {
	local log=$1
	if [ -f "$log" ]; then
		echo "pg-cluster: last lines of $log:" >&2
		tail -n 20 "$log" >&2 || true
	fi
}

# Starts the cluster in $1/data on a free port (socket dir $2); prints the port.
launch() {
	local dir=$1 sockdir=$2
	local log="$dir/server.log"
	local port="" attempt candidate
	for attempt in 1 2 3 4 5 6 7 8 9 10; do
		candidate=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		port_busy "$candidate" && continue
		write_conf "$dir" "$candidate" "$sockdir"
		: >"$log"
		[ ${#as_pg[@]} -eq 0 ] || chown postgres: "$log"
		if "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$log" -w -t 60 start >&2; then
			port=$candidate
			break
		fi
		if grep -q "Address already in use" "$log"; then
			note "port $candidate was taken (attempt $attempt); trying another"
			continue
		fi
		dump_log "$log"
		die "the server did not start; see $log"
	done
	[ -n "$port" ] || die "found no free port after 10 attempts"

	local i
	for i in $(seq 1 60); do
		"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 && break
		if [ "$i" -eq 60 ]; then
			dump_log "$log"
			"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
			die "the server on port $port does not accept connections; see $log"
		fi
		sleep 0.5
	done

	echo "$port"
}

start() {
	local dir
	dir=$(abs_path "$1")
	case $dir in
	*[\'\"$'\n']*) die "DIR must not contain quotes or newlines: $dir" ;;
	esac
	if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
		die "$dir exists and is not empty"
	fi
	ensure_installed
	setup_user

	local created=0
	[ -e "$dir" ] || created=1
	mkdir -p "$dir"
	touch "$dir/$MARKER"
	mkdir -p "$dir/sock"
	chmod 700 "$dir"
	if [ ${#as_pg[@]} -gt 0 ]; then
		chown -R postgres: "$dir"
		if ! "${as_pg[@]}" test -w "$dir"; then
			if [ "$created" -eq 1 ]; then
				rm -rf -- "$dir"
			else
				rm -rf -- "${dir:?}/$MARKER" "${dir:?}/sock"
			fi
			die "the postgres user cannot reach $dir; make its parent directories searchable (chmod o+x)"
		fi
	fi

	# A socket path is limited to 107 bytes; fall back to TCP only when DIR is too long.
	local sockdir="$dir/sock"
	if [ $((${#sockdir} + 18)) -gt 107 ]; then
		note "$dir is too long for a unix socket; listening on TCP only"
		sockdir=""
	fi

	local log="$dir/server.log"
	if ! "${as_pg[@]}" "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
		--no-locale --no-instructions >"$dir/initdb.log" 2>&1; then
		dump_log "$dir/initdb.log"
		die "initdb failed in $dir/data"
	fi
	# Trust, but only over the private socket and 127.0.0.1.
	cat >"$dir/data/pg_hba.conf" <<EOF
# Written by scripts/pg-cluster.sh.
local all all trust
host all all 127.0.0.1/32 trust
local replication all trust
host replication all 127.0.0.1/32 trust
EOF
	echo "include 'carecircle.conf'" >>"$dir/data/postgresql.conf"
	[ ${#as_pg[@]} -eq 0 ] || chown postgres: "$dir/data/pg_hba.conf"

	local port
	port=$(launch "$dir" "$sockdir")

	if ! "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME" >&2; then
		"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
		die "createdb $DB_NAME failed"
	fi
	echo "$port" >"$dir/port"
	echo "postgres://postgres@127.0.0.1:$port/$DB_NAME"
}

stop() {
	local dir
	dir=$(abs_path "$1")
	if [ ! -e "$dir" ]; then
		note "$dir does not exist; nothing to stop"
		return 0
	fi
	[ -f "$dir/$MARKER" ] || die "$dir was not made by pg-cluster.sh; refusing to remove it"
	setup_user
	if [ -f "$dir/data/postmaster.pid" ]; then
		[ -x "$PG_BIN/pg_ctl" ] || die "$PG_BIN/pg_ctl is missing; cannot stop the server in $dir"
		if ! "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2; then
			# A stale pid file after a crash is fine; a server still running is not.
			if "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
				die "could not stop the server in $dir; see $dir/server.log"
			fi
		fi
	fi
	rm -rf -- "$dir"
}

# Makes DIR a streaming hot standby of the cluster in PRIMARY_DIR; prints its URL.
replica() {
	local primary dir
	primary=$(abs_path "$1")
	dir=$(abs_path "$2")
	if [ ! -f "$primary/$MARKER" ] || [ ! -f "$primary/port" ]; then
		die "$primary is not a running pg-cluster.sh cluster"
	fi
	if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
		die "$dir exists and is not empty"
	fi
	setup_user
	mkdir -p "$dir/sock"
	touch "$dir/$MARKER"
	chmod 700 "$dir"
	[ ${#as_pg[@]} -eq 0 ] || chown -R postgres: "$dir"
	local pport
	pport=$(cat "$primary/port")
	if ! "${as_pg[@]}" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$pport" -U postgres -D "$dir/data" \
		-R -X stream -c fast >"$dir/basebackup.log" 2>&1; then
		dump_log "$dir/basebackup.log"
		die "pg_basebackup from $primary failed"
	fi
	local sockdir="$dir/sock"
	[ $((${#sockdir} + 18)) -le 107 ] || sockdir=""
	local port
	port=$(launch "$dir" "$sockdir")
	echo "$port" >"$dir/port"
	echo "postgres://postgres@127.0.0.1:$port/$DB_NAME"
}

case ${1:-} in
start)
	if [ $# -ne 2 ] || [ -z "$2" ]; then usage; fi
	start "$2"
	;;
stop)
	if [ $# -ne 2 ] || [ -z "$2" ]; then usage; fi
	stop "$2"
	;;
replica)
	if [ $# -ne 3 ] || [ -z "$3" ]; then usage; fi
	replica "$2" "$3"
	;;
*) usage ;;
esac
