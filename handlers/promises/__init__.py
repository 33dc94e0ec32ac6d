"""Promises between schools: making, delivering, releasing and moving them; records, confirmation, thanks;
stepping away and asking for a hand."""
