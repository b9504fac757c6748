"""The library on disk: a chromadb collection and a SQLite registry kept in step."""
