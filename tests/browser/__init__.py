"""Browser tests: a member in VisualEditor and the source editor, against the live wiki."""
