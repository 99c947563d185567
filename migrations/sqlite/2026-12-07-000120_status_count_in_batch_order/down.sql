-- Nothing changes on SQLite: its status insert trigger went in 2026-11-26-000022.
-- Kept so that both backends' migrations carry the same names (the PostgreSQL
-- migration of the same name says why its trigger went).
SELECT 1;
