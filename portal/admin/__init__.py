"""Portal administration: organisations, users, invitations, the audit log."""
