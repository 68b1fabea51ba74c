"""The HTTP service, the background worker and the command-line interface: where things are wired."""
