//! A rotation group on PostgreSQL in one statement: the conditional UPDATE of the presented
//! tokens and the INSERT of the winners' successors, as data-modifying CTEs.
//!
//! Why: as BEGIN, UPDATE, INSERT and COMMIT a group was four round trips and a transaction, and
//! PostgreSQL spent about as much CPU on a refresh as Sesame's whole request path besides the
//! signature. One statement is one round trip and commits on its own. The winner is decided as
//! before: under READ COMMITTED an UPDATE that meets a row another transaction changed re-checks
//! its condition on the new row, so of two presentations of one token exactly one marks it.
//! SQLite has no data-modifying CTEs; it keeps the transaction (`super::write_group`).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};

use super::super::refresh_tokens::NewRefreshToken;

/// The columns a successor carries, in the order of the `presented` rows after the presented jti.
const SUCCESSOR_COLUMNS: &str =
    "jti, family_id, parent_jti, user_id, client_id, scope, auth_time, issued_at, expires_at";

/// Marks each presented `jti` used (unless it is used or revoked already) and records the
/// successor of each one it marked, in one statement; answers the successors' `jti`s that were
/// recorded (so the presentations that won). `group` pairs each presented `jti` with its
/// successor; a `jti` must appear once.
///
/// # Errors
/// The database's; nothing is written then (a foreign-key violation for a user deleted meanwhile
/// fails the whole statement, as it failed the whole transaction before).
pub async fn rotate_group<C: ConnectionTrait>(
    db: &C,
    group: &[(&str, &NewRefreshToken)],
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    if group.is_empty() {
        return Ok(Vec::new());
    }
    let statement = rotate_group_statement(group, now);
    let rows = db.query_all_raw(statement).await?;
    rows.iter()
        .map(|row| row.try_get::<String>("", "jti"))
        .collect()
}

/// [`rotate_group`]'s statement.
pub(in crate::store) fn rotate_group_statement(
    group: &[(&str, &NewRefreshToken)],
    now: DateTime<Utc>,
) -> Statement {
    const PER_ROW: usize = 10;
    let mut values: Vec<Value> = Vec::with_capacity(group.len() * PER_ROW + 1);
    let mut rows = Vec::with_capacity(group.len());
    for (presented, successor) in group {
        let first = values.len() + 1;
        let placeholders: Vec<String> = (first..first + PER_ROW).map(|n| format!("${n}")).collect();
        rows.push(format!("({})", placeholders.join(", ")));
        values.extend([
            Value::from(presented.to_string()),
            Value::from(successor.jti.clone()),
            Value::from(successor.family_id.clone()),
            Value::from(successor.parent_jti.clone()),
            Value::from(successor.user_id),
            Value::from(successor.client_id.clone()),
            Value::from(successor.scope.clone()),
            Value::from(successor.auth_time),
            Value::from(successor.issued_at),
            Value::from(successor.expires_at),
        ]);
    }
    values.push(Value::from(now));
    let now_placeholder = values.len();
    // "Neither used nor revoked" as COALESCE, as in `refresh_tokens::mark_used_statement`: the
    // two IS NULLs are the partial index's condition, and the planner would scan that index.
    let sql = format!(
        "WITH presented (presented_jti, {SUCCESSOR_COLUMNS}) AS (VALUES {rows}), \
         used AS (UPDATE refresh_tokens SET used_at = ${now_placeholder} \
           WHERE jti IN (SELECT presented_jti FROM presented) \
           AND COALESCE(used_at, revoked_at) IS NULL RETURNING jti) \
         INSERT INTO refresh_tokens ({SUCCESSOR_COLUMNS}) \
         SELECT {selected} FROM presented JOIN used ON used.jti = presented.presented_jti \
         RETURNING jti",
        rows = rows.join(", "),
        selected = SUCCESSOR_COLUMNS
            .split(", ")
            .map(|column| format!("presented.{column}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    Statement::from_sql_and_values(DatabaseBackend::Postgres, sql, values)
}
