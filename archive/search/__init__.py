"""Full-text search: one interface (`SearchIndex`), an engine per database.

`text` folds and stems words the same way at indexing and at query time; `query` reads what people type
into a small tree that each engine renders in its own syntax (user text never reaches an engine raw);
`sqlite` (FTS5) and `postgres` (tsvector + GIN) are the engines, `memory` a fake for unit tests;
`snippets` marks matched words in escaped text.
"""
