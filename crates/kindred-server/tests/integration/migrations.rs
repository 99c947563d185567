//! Every migration can be rolled back and applied again: an operator who must go back
//! a release runs the `down`s, and the next upgrade runs the `up`s once more.

use kindred_db::{introspect, migrate};
use serde_json::json;

use crate::common::{both_backends, spawn_app, Backend};

both_backends!(every_migration_goes_down_and_up_again);

async fn every_migration_goes_down_and_up_again(backend: Backend) {
    let Some(mut app) = spawn_app(backend).await else {
        return;
    };
    // A few rows, so a `down` that rebuilds a table copies real data.
    let (token, _) = app.member("alice").await;
    app.post_status(&token, json!({"status": "before the rollback"}))
        .await;
    let (_, bob_id) = app.member("bob").await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/follow"),
            &token,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    app.stop_server().await;

    let db = app.state.db.clone();
    let schema = introspect::tables_and_columns(&db).unwrap();
    assert!(schema.contains_key("statuses") && schema.contains_key("follows"));

    let migrations = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/sqlite"
    ))
    .unwrap()
    .count();
    assert_eq!(migrate::revert_all(&db).unwrap(), migrations);
    let left = introspect::tables_and_columns(&db).unwrap();
    assert!(left.is_empty(), "tables left after every down: {left:?}");

    assert_eq!(migrate::run_pending(&db).unwrap(), migrations);
    assert_eq!(introspect::tables_and_columns(&db).unwrap(), schema);

    // The server starts on the rebuilt schema and stores again.
    let app = app.restart().await;
    let (token, _) = app.member("carol").await;
    app.post_status(&token, json!({"status": "after the rollback"}))
        .await;
}
