"""Prefect flows: thin orchestration over ocr, reconciliation and lockbox."""
