"""From parsed records to the summary pages: compute, plan, render (pure, no wiki access)."""
