"""Mail goes out over SMTP when MAIL_SERVER is set; otherwise into the outbox folder."""

from __future__ import annotations

import email
import logging
import smtplib
import stat
from pathlib import Path
from typing import Any

import pytest

from ehealth.config import ConfigError, from_environment
from ehealth.services.mail import MailError, plain_line, send_mail

BODY = "Open this link: https://ehealth.example/password/reset/SECRET-TOKEN\n"


def _config(tmp_path: Path, **settings: Any) -> dict[str, Any]:
    config: dict[str, Any] = {"INSTANCE_DIR": tmp_path, "MAIL_SERVER": "", "MAIL_PORT": 587,
                              "MAIL_USE_TLS": True, "MAIL_USERNAME": "", "MAIL_PASSWORD": "",
                              "MAIL_FROM": "ehealth <noreply@zorg.example>",
                              "ENV_NAME": "testing"}
    config.update(settings)
    return config


def test_without_a_mail_server_mail_is_written_to_the_outbox(tmp_path: Path) -> None:
    path = send_mail(_config(tmp_path), "sam@example.org", "Hello", BODY)
    assert path is not None
    assert path.parent == tmp_path / "outbox"
    assert path.suffix == ".eml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    message = email.message_from_bytes(path.read_bytes())
    assert message["To"] == "sam@example.org"
    assert message["From"] == "ehealth <noreply@zorg.example>"
    assert message["Subject"] == "Hello"
    assert message["Message-ID"]
    assert message["Date"]
    assert message.get_payload(decode=True).decode() == BODY


def test_in_development_the_outbox_mail_is_echoed_to_the_console(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ehealth.services.mail"):
        path = send_mail(_config(tmp_path, ENV_NAME="development"), "sam@example.org", "Hi",
                         BODY)
    assert f"mail to sam@example.org written to {path}" in caplog.text
    assert "SECRET-TOKEN" in caplog.text


def test_outside_development_the_body_never_reaches_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        send_mail(_config(tmp_path), "sam@example.org", "Hi", BODY)
    assert "SECRET-TOKEN" not in caplog.text
    assert "sam@example.org" not in caplog.text


class FakeSMTP:
    """Stands in for smtplib.SMTP and remembers what happened."""

    sent: list[Any] = []
    calls: list[tuple[Any, ...]] = []
    fail = False

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.calls.append(("connect", host, port, timeout))

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *args: object) -> None:
        self.calls.append(("quit",))

    def starttls(self, context: object) -> None:
        self.calls.append(("starttls",))

    def login(self, user: str, password: str) -> None:
        self.calls.append(("login", user, password))

    def send_message(self, message: Any) -> None:
        if self.fail:
            raise smtplib.SMTPRecipientsRefused({})
        self.sent.append(message)


@pytest.fixture
def fake_smtp(monkeypatch: pytest.MonkeyPatch) -> type[FakeSMTP]:
    FakeSMTP.sent, FakeSMTP.calls, FakeSMTP.fail = [], [], False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


def test_with_a_mail_server_mail_goes_over_smtp_with_tls(
    tmp_path: Path, fake_smtp: type[FakeSMTP], caplog: pytest.LogCaptureFixture
) -> None:
    config = _config(tmp_path, MAIL_SERVER="smtp.zorg.example", MAIL_USERNAME="app",
                     MAIL_PASSWORD="smtp-secret")
    with caplog.at_level(logging.DEBUG):
        assert send_mail(config, "sam@example.org", "Hello", BODY) is None
    assert fake_smtp.calls == [("connect", "smtp.zorg.example", 587, 10), ("starttls",),
                               ("login", "app", "smtp-secret"), ("quit",)]
    [message] = fake_smtp.sent
    assert message["To"] == "sam@example.org"
    assert not (tmp_path / "outbox").exists()
    assert "SECRET-TOKEN" not in caplog.text
    assert "smtp-secret" not in caplog.text


def test_a_refused_mail_is_a_mail_error(tmp_path: Path, fake_smtp: type[FakeSMTP]) -> None:
    fake_smtp.fail = True
    with pytest.raises(MailError):
        send_mail(_config(tmp_path, MAIL_SERVER="smtp.zorg.example", MAIL_USE_TLS=False),
                  "sam@example.org", "Hello", BODY)
    assert ("starttls",) not in fake_smtp.calls


def test_mail_settings_come_from_the_environment() -> None:
    config = from_environment({"EHEALTH_ENV": "development", "MAIL_SERVER": "smtp.example",
                               "MAIL_PORT": "2525", "MAIL_USE_TLS": "no",
                               "BASE_URL": "https://zorg.example/"})
    assert config["MAIL_SERVER"] == "smtp.example"
    assert config["MAIL_PORT"] == 2525
    assert config["MAIL_USE_TLS"] is False
    assert config["BASE_URL"] == "https://zorg.example"
    defaults = from_environment({"EHEALTH_ENV": "development"})
    assert defaults["MAIL_SERVER"] == ""
    assert defaults["REDIS_URL"] == ""
    assert defaults["BASE_URL"] == "http://127.0.0.1:5000"
    with pytest.raises(ConfigError, match="MAIL_PORT"):
        from_environment({"EHEALTH_ENV": "development", "MAIL_PORT": "smtp"})


@pytest.mark.parametrize(("typed", "line"), [
    ("Fatima", "Fatima"),
    ("  Fatima \n\n El  Amrani ", "Fatima El Amrani"),
    ("Dr.\r\nClick https://evil.example", "Dr. Click https://evil.example"),
    ("Sam\u2028Jansen\u2029!", "Sam Jansen !"),
    ("tab\there\x00\x1b[31m", "tab here [31m"),
    ("\u202egnp.exe", "gnp.exe"),  # a right-to-left override would make it read backwards
    ("Zoë Ångström 🌷", "Zoë Ångström 🌷"),
    ("", ""),
    (None, ""),
])
def test_typed_names_enter_mails_as_one_line_of_plain_text(typed: str | None,
                                                           line: str) -> None:
    assert plain_line(typed) == line


def test_a_long_name_is_cut_at_100_characters() -> None:
    assert plain_line("a" * 99 + " " + "b" * 50) == "a" * 99
    assert plain_line("é" * 150) == "é" * 100
    assert len(plain_line("word " * 60)) <= 100
