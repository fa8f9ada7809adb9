"""The editor's inbox: partners' e-mails imported, triaged into board content on their behalf."""
