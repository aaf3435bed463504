"""Who may do what (policy) and the record of who did what (audit): the one place for both."""
