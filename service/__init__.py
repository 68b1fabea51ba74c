"""The HTTP service, the background worker and the command line: where things are wired."""
