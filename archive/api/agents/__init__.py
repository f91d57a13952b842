"""People and organisations, and what each is credited with."""
