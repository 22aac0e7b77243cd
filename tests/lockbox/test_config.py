"""Settings from the environment: a value that cannot be used stops before any work, naming it."""

from __future__ import annotations

import pytest

from lockbox.config import ConfigError, load_settings


def test_the_overpayment_setting_is_one_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCKBOX_OVERPAYMENT", raising=False)
    assert load_settings().overpayment == "pay_ahead"
    monkeypatch.setenv("LOCKBOX_OVERPAYMENT", "Principal")
    assert load_settings().overpayment == "principal"
    monkeypatch.setenv("LOCKBOX_OVERPAYMENT", "curtail")
    with pytest.raises(ConfigError, match="LOCKBOX_OVERPAYMENT"):
        load_settings()
