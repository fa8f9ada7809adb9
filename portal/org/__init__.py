"""A partner's own organisation: profile, members, invitations of colleagues."""
