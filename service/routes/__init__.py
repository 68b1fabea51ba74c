"""One router per resource: webhook, API, operations (health, metrics), HTML status pages."""
