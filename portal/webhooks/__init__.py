"""Webhooks: endpoints registered by the vendor, events queued in the action's transaction,
signed deliveries posted by `flask send-webhooks` (see `delivery.py`)."""
