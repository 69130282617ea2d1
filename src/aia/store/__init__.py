"""Everything that speaks SQL: tables, migrations, repositories and the search index."""
