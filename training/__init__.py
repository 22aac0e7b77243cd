"""Training of the project's own line recognizer (`ocr.recognizer`): `python -m training`."""
