//! Queries on `login_attempts`: recording a failed attempt, summarising the failures of a source
//! on an account, of an account from everywhere and of an IP on every account, listing the
//! current throttles, clearing one, flushing old rows.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _, Func, SimpleExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::entities::login_attempts::{ActiveModel, Column, Entity};

/// How many attempts matched and when the latest was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub count: u64,
    pub latest: Option<DateTime<Utc>>,
}

/// One source's attempts on one account: the device cookie's id when the attempt came with one
/// naming the account (then the IP is kept for the IP-wide count only), else the client IP.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pair {
    /// `user:<id>` or `name:<identifier>`.
    pub account_key: String,
    /// The client IP (an IPv6 address as its /64), when known.
    pub ip_key: Option<String>,
    /// The device cookie's id, when the attempt came with a valid one for this account.
    pub device_key: Option<String>,
}

impl Pair {
    /// The rows of this pair: by device when there is one, else by IP among the device-less.
    fn filter(&self) -> SimpleExpr {
        let account = Column::AccountKey.eq(self.account_key.as_str());
        match (&self.device_key, &self.ip_key) {
            (Some(device), _) => account.and(Column::DeviceKey.eq(device.as_str())),
            (None, Some(ip)) => account
                .and(Column::DeviceKey.is_null())
                .and(Column::IpKey.eq(ip.as_str())),
            (None, None) => account
                .and(Column::DeviceKey.is_null())
                .and(Column::IpKey.is_null()),
        }
    }
}

/// Records a failed attempt of `pair`.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    pair: &Pair,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = ActiveModel {
        account_key: Set(pair.account_key.clone()),
        ip_key: Set(pair.ip_key.clone()),
        device_key: Set(pair.device_key.clone()),
        attempted_at: Set(at),
        ..Default::default()
    };
    Entity::insert(row)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

async fn summarize<C: ConnectionTrait>(
    db: &C,
    filter: SimpleExpr,
    since: DateTime<Utc>,
) -> Result<Summary, DbErr> {
    let row: Option<(i64, Option<DateTime<Utc>>)> = Entity::find()
        .select_only()
        .expr(Func::count(Expr::col(Column::Id)))
        .expr(Func::max(Expr::col(Column::AttemptedAt)))
        .filter(filter)
        .filter(Column::AttemptedAt.gte(since))
        .into_tuple()
        .one(db)
        .await?;
    let (count, latest) = row.unwrap_or_default();
    Ok(Summary {
        count: u64::try_from(count).unwrap_or_default(),
        latest,
    })
}

/// The failures of one source on one account since `since`.
pub async fn summarize_pair<C: ConnectionTrait>(
    db: &C,
    pair: &Pair,
    since: DateTime<Utc>,
) -> Result<Summary, DbErr> {
    summarize(db, pair.filter(), since).await
}

/// The failures on one account from every source since `since`.
pub async fn summarize_account<C: ConnectionTrait>(
    db: &C,
    account_key: &str,
    since: DateTime<Utc>,
) -> Result<Summary, DbErr> {
    summarize(db, Column::AccountKey.eq(account_key), since).await
}

/// The failures from one IP on every account since `since`.
pub async fn summarize_ip<C: ConnectionTrait>(
    db: &C,
    ip_key: &str,
    since: DateTime<Utc>,
) -> Result<Summary, DbErr> {
    summarize(db, Column::IpKey.eq(ip_key), since).await
}

/// A row of [`list_pairs`]' query: account, IP, device, count, latest.
type PairRow = (
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<DateTime<Utc>>,
);

/// Every pair with failures since `since`, the most recent first; at most `limit`.
pub async fn list_pairs<C: ConnectionTrait>(
    db: &C,
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<(Pair, Summary)>, DbErr> {
    let latest = Func::max(Expr::col(Column::AttemptedAt));
    let rows: Vec<PairRow> = Entity::find()
        .select_only()
        .columns([Column::AccountKey, Column::IpKey, Column::DeviceKey])
        .expr(Func::count(Expr::col(Column::Id)))
        .expr(latest.clone())
        .filter(Column::AttemptedAt.gte(since))
        .group_by(Column::AccountKey)
        .group_by(Column::IpKey)
        .group_by(Column::DeviceKey)
        .order_by(latest, Order::Desc)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(account_key, ip_key, device_key, count, latest)| {
            let pair = Pair {
                account_key,
                ip_key,
                device_key,
            };
            let count = u64::try_from(count).unwrap_or_default();
            (pair, Summary { count, latest })
        })
        .collect())
}

/// Forgets the failures of one source on one account (it logged in, or an admin cleared it);
/// answers how many.
pub async fn delete_pair<C: ConnectionTrait>(db: &C, pair: &Pair) -> Result<u64, DbErr> {
    let res = Entity::delete_many().filter(pair.filter()).exec(db).await?;
    Ok(res.rows_affected)
}

/// Deletes at most `batch` attempts older than `before`; answers how many.
pub async fn delete_older_than<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
    batch: u64,
) -> Result<u64, DbErr> {
    super::delete_batch::<Entity, _>(db, Column::Id, Column::AttemptedAt, before, batch).await
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::store::{test_db, test_now};

    fn pair(account: &str, ip: Option<&str>, device: Option<&str>) -> Pair {
        Pair {
            account_key: account.to_owned(),
            ip_key: ip.map(str::to_owned),
            device_key: device.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn summaries_count_by_pair_account_and_ip() {
        let (_dir, db) = test_db().await;
        let t = test_now();
        let from_ip = pair("user:1", Some("10.0.0.1"), None);
        let from_device = pair("user:1", Some("10.0.0.1"), Some("d1"));
        insert(&db, &from_ip, t - Duration::minutes(20))
            .await
            .unwrap();
        insert(&db, &from_ip, t - Duration::minutes(5))
            .await
            .unwrap();
        insert(&db, &from_device, t - Duration::minutes(2))
            .await
            .unwrap();
        insert(&db, &pair("name:bob", Some("10.0.0.1"), None), t)
            .await
            .unwrap();
        insert(&db, &pair("user:1", None, None), t - Duration::minutes(1))
            .await
            .unwrap();
        let hour_ago = t - Duration::hours(1);

        let ip_pair = summarize_pair(&db, &from_ip, hour_ago).await.unwrap();
        assert_eq!(
            ip_pair.count, 2,
            "the device's failure is not the address's"
        );
        let device_pair = summarize_pair(&db, &from_device, hour_ago).await.unwrap();
        assert_eq!(device_pair.count, 1);
        let account = summarize_account(&db, "user:1", hour_ago).await.unwrap();
        assert_eq!(account.count, 4);
        assert_eq!(account.latest, Some(t - Duration::minutes(1)));
        let ip = summarize_ip(&db, "10.0.0.1", t - Duration::minutes(10))
            .await
            .unwrap();
        assert_eq!(
            ip,
            Summary {
                count: 3,
                latest: Some(t)
            }
        );

        let pairs = list_pairs(&db, hour_ago, 10).await.unwrap();
        assert_eq!(pairs.len(), 4);
        assert_eq!(pairs[0].0, pair("name:bob", Some("10.0.0.1"), None));
        assert_eq!(list_pairs(&db, hour_ago, 1).await.unwrap().len(), 1);

        assert_eq!(delete_pair(&db, &from_ip).await.unwrap(), 2);
        assert_eq!(
            summarize_account(&db, "user:1", hour_ago)
                .await
                .unwrap()
                .count,
            2
        );
        assert_eq!(
            delete_older_than(&db, t + Duration::seconds(1), 10)
                .await
                .unwrap(),
            3
        );
    }
}
