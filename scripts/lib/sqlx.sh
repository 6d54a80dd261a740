# Refreshes a service's compile-time query data (`services/<service>/.sqlx/`), which lets the
# `sqlx::query!` macros check SQL at build time without a database. Run after changing a query
# or a migration: `./shop prepare-queries <service>`. No sqlx-cli needed: the macros write their
# data themselves when given a live database and SQLX_OFFLINE_DIR.
prepare_queries() {
  local service=$1 db=${1}_sqlx_prepare
  [[ -d $REPO_ROOT/migrations/$service ]] || die "no migrations for $service"
  local sock; sock=$(readlink -f "$SHOP_RUN/postgres")
  local admin=(as_postgres psql -q -h "$sock" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1)
  # A scratch database with exactly the migrations, so the live data is never touched.
  "${admin[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db OWNER $service" >/dev/null
  local migration
  for migration in "$REPO_ROOT"/migrations/"$service"/*.sql; do
    PGPASSWORD=$(secret "postgres-$service-password") psql -q -h 127.0.0.1 -p "$PG_PORT" -U "$service" -d "$db" \
      -v ON_ERROR_STOP=1 -f "$migration" >/dev/null || die "applying $migration failed"
  done
  local out=$REPO_ROOT/services/$service/.sqlx
  rm -rf "$out" && mkdir -p "$out"
  # Make cargo expand the macros again, wherever the service keeps its queries.
  local root; for root in main lib; do
    [[ -f $REPO_ROOT/services/$service/src/$root.rs ]] && touch "$REPO_ROOT/services/$service/src/$root.rs"
  done
  (cd "$REPO_ROOT" && DATABASE_URL="postgres://$service:$(secret "postgres-$service-password")@127.0.0.1:$PG_PORT/$db" \
    SQLX_OFFLINE_DIR=$out cargo check -q --manifest-path "services/$service/Cargo.toml" --all-targets) || die "checking $service's queries failed"
  "${admin[@]}" -d postgres -c "DROP DATABASE $db" >/dev/null
  log "query data for $service: $(ls "$out" | wc -l) queries in services/$service/.sqlx"
}
