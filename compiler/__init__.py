"""PS3.15 Annex E profile compiler (maintainers only: needs the compiler extra)."""
