"""The audit trail: who changed what and when in the back office, and which exports of personal data were made."""
