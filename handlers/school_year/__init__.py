"""The school year as Kept's calendar: reading term dates, and the verbs a lead keeps them with."""
