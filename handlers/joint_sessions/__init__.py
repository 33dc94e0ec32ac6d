"""Joint sessions: planning, moving and calling them off; their checklist, calendar invitation and impact."""
