"""lockbox: the domain core of the mail-in payment lockbox pipeline (config, money, models, ledger, loan book, CLI)."""

__version__ = "0.1.0"
