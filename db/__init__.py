"""Storage: SQLModel tables, the engine factory and query functions."""
