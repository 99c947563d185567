use kindred_db::{introspect, migrate, Db, DbSettings};

use crate::common::{database_url, Backend, TempDir};

fn migrated(backend: Backend, dir: &TempDir) -> Option<Db> {
    let url = database_url(backend, dir)?;
    let db = Db::connect(&DbSettings {
        url,
        max_connections: 2,
    })
    .unwrap();
    assert!(migrate::run_pending(&db).unwrap() > 0);
    // A second run has nothing to do.
    assert_eq!(migrate::run_pending(&db).unwrap(), 0);
    Some(db)
}

#[test]
fn both_migration_sets_produce_the_same_tables_and_columns() {
    let dir = TempDir::new("kindred-schema");
    let sqlite = migrated(Backend::Sqlite, &dir).unwrap();
    let Some(pg) = migrated(Backend::Postgres, &dir) else {
        return;
    };
    let a = introspect::tables_and_columns(&sqlite).unwrap();
    let b = introspect::tables_and_columns(&pg).unwrap();
    assert!(
        a.contains_key("accounts") && a.contains_key("users") && a.contains_key("oauth_tokens")
    );
    for (table, cols) in &a {
        assert_eq!(
            Some(cols),
            b.get(table),
            "table {table} differs between sqlite and postgres"
        );
    }
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    // the types we rely on
    let users = &a["users"];
    let email = users.iter().find(|c| c.name == "email_ciphertext").unwrap();
    assert_eq!((email.sql_type.as_str(), email.nullable), ("binary", true));
}

#[test]
fn no_column_is_named_for_a_legal_name_or_ip_address() {
    let dir = TempDir::new("kindred-schema");
    let db = migrated(Backend::Sqlite, &dir).unwrap();
    for (table, cols) in introspect::tables_and_columns(&db).unwrap() {
        for c in cols.into_iter().map(|c| c.name) {
            for banned in [
                "legal",
                "real_name",
                "first_name",
                "last_name",
                "ip",
                "remote_addr",
                "user_agent",
            ] {
                assert!(
                    !(c == banned
                        || c.starts_with(&format!("{banned}_"))
                        || c.ends_with(&format!("_{banned}"))),
                    "{table}.{c} looks like personal data we promised not to store"
                );
            }
        }
    }
}

#[test]
fn invalid_database_urls_are_refused() {
    for bad in ["mysql://x", "sqlite:", "sqlite://", "nonsense"] {
        assert!(
            Db::connect(&DbSettings {
                url: bad.into(),
                max_connections: 1
            })
            .is_err(),
            "{bad}"
        );
    }
}
