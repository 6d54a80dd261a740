//! SQL for the users database.

use sqlx::PgPool;

pub async fn count_users(pool: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar::<_, i64>("SELECT count(*) FROM users")
        .fetch_one(pool)
        .await
}
