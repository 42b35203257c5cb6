#!/bin/sh
# Entrypoint of deploy/postgres/Dockerfile. On the first start (empty $PGDATA) creates the
# cluster, the role and the database, with a server reachable only through its Unix socket
# while it does; then replaces itself with `postgres`, listening on all addresses with
# password (SCRAM) authentication for network clients.
set -eu

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set on the first start}"
    case "$POSTGRES_USER$POSTGRES_DB" in
        *[!A-Za-z0-9_]*) echo "postgres-entrypoint: POSTGRES_USER and POSTGRES_DB: letters, digits and _ only" >&2; exit 2 ;;
    esac
    # The superuser `postgres` exists already (local socket only, see below).
    if [ "$POSTGRES_USER" = postgres ] || [ "$POSTGRES_DB" = postgres ]; then
        echo "postgres-entrypoint: POSTGRES_USER and POSTGRES_DB must not be 'postgres'" >&2
        exit 2
    fi
    # The superuser gets no password: over the network only POSTGRES_USER can log in.
    initdb --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    echo "host all all 0.0.0.0/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
    echo "host all all ::/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"

    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    # The password is passed as a psql variable, so quoting is psql's job (:'pw').
    psql -v ON_ERROR_STOP=1 -q -U postgres -d postgres -v pw="$POSTGRES_PASSWORD" <<SQL
CREATE ROLE $POSTGRES_USER LOGIN PASSWORD :'pw';
CREATE DATABASE $POSTGRES_DB OWNER $POSTGRES_USER;
SQL
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "postgres-entrypoint: created role $POSTGRES_USER and database $POSTGRES_DB" >&2
fi

exec postgres -D "$PGDATA"
