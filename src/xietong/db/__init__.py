"""Database plumbing shared by every bounded context: metadata, engines, migrations."""
