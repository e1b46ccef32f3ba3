#!/bin/sh
# Runs once, when the postgres container initialises its data directory: applies the
# same bootstrap.sql as `make dev` and the tests, then sets each role's password.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f /bootstrap/bootstrap.sql
for svc in auth attendance reward notification; do
  var=$(echo "${svc}_DB_PASSWORD" | tr '[:lower:]' '[:upper:]')
  password=$(printenv "$var" || true)
  if [ -n "$password" ]; then
    echo "ALTER ROLE ${svc}_svc PASSWORD :'password';" |
      psql -v ON_ERROR_STOP=1 -v password="$password" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB"
  fi
done
