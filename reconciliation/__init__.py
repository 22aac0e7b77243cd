"""Matching payments to loans, must-review rules, review decisions, reconciliation and reports."""
