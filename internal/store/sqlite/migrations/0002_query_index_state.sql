-- Data migration for AWS Config's advanced query index (package configservice,
-- queryindex_backfill.go). A store created by a version that maintains the index with every item
-- write needs no backfill: when no configuration item exists yet, mark the backfill done. A store
-- that already holds items (written before the index existed) is left without the mark, and the
-- server's backfill job indexes them.
INSERT INTO records (kind, scope, id, body)
SELECT 'config-qidx-state', '', 'backfill-v1', CAST('{"done":true}' AS BLOB)
WHERE NOT EXISTS (SELECT 1 FROM records WHERE kind = 'config-item')
ON CONFLICT (kind, scope, id) DO NOTHING;
