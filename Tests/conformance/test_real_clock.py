"""Signatures on the real clock (docs/authentication.md, "The signed time and the two clocks"): clients sign with the
real time, so after the emulator's clock moves, unpatched SDKs still authenticate; a time within 15 minutes of the
emulator's clock is accepted too; anything else is refused as before, and nonces stay used."""
import datetime
import json
import urllib.parse

import pytest
from alibabacloud_tea_openapi.utils import Utils

import signing
from test_lifecycle import SDKS, advance, call

EXPIRED = (400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
JOURNEYS = [("rds", "rm-uf6wjk5xxxxxxx", {}), ("dds", "dds-bpxxxxxxxx", {})]


def iso(instant):
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def emulator_now(server):
    text = server.control("GET", "/_emulator/clock")[1]["now"]
    return datetime.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)


@pytest.fixture
def a_month_on(emulator):
    """The shared emulator with its clock 30 days ahead of the real time."""
    advance(emulator, "30d")
    yield emulator
    emulator.control("POST", "/_emulator/clock", {"reset": True})


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize("product,instance,extra", JOURNEYS)
def test_unpatched_sdks_still_authenticate_after_the_clock_moves_30_days(sdk, product, instance, extra, a_month_on):
    created = call(sdk, a_month_on, product, "CreateBackup", DBInstanceId=instance, **extra)
    assert isinstance(created, dict) and created.get("BackupJobId"), created
    listed = call(sdk, a_month_on, product, "DescribeBackups", DBInstanceId=instance)
    assert isinstance(listed, dict), listed


@pytest.mark.parametrize("sdk", SDKS)
def test_unpatched_sdks_authenticate_with_the_clock_frozen_in_the_past(sdk, emulator):
    emulator.control("POST", "/_emulator/clock", {"set": "2024-06-01T10:00:00Z", "freeze": True})
    try:
        assert call(sdk, emulator, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx").get("BackupJobId")
    finally:
        emulator.control("POST", "/_emulator/clock", {"reset": True})


def signed_create(server, timestamp, nonce=None, instance="rm-uf6wjk5xxxxxxx"):
    query = [("Action", "CreateBackup"), ("Version", "2014-08-15"), ("DBInstanceId", instance), ("Format", "JSON")]
    signed = urllib.parse.urlencode(signing.sign_v1("GET", query, timestamp=timestamp, nonce=nonce))
    status, _, body = server.raw(signed, sign=None)
    reply = json.loads(body)
    return (status, reply.get("Code"), reply.get("Message")) if status != 200 else reply


def test_a_time_within_15_minutes_of_either_clock_is_accepted(a_month_on):
    real = datetime.datetime.now(datetime.timezone.utc)
    virtual = emulator_now(a_month_on)
    assert signed_create(a_month_on, iso(real - datetime.timedelta(minutes=5)), instance="rm-uf6wjk5xxxxxxx").get("BackupJobId")
    assert signed_create(a_month_on, iso(virtual + datetime.timedelta(minutes=5)), instance="rm-pg-local").get("BackupJobId")


@pytest.mark.parametrize("minutes", [-20, 20])
def test_a_time_20_minutes_off_both_clocks_is_refused(minutes, a_month_on):
    real = datetime.datetime.now(datetime.timezone.utc)
    virtual = emulator_now(a_month_on)
    for clock in (real, virtual):
        assert signed_create(a_month_on, iso(clock + datetime.timedelta(minutes=minutes))) == EXPIRED
    assert a_month_on.backups("rm-uf6wjk5xxxxxxx") == []


@pytest.mark.parametrize("sdk", ["new-sdk-v3", "new-sdk-v1"])
def test_an_sdk_signing_20_minutes_off_both_clocks_is_refused(sdk, a_month_on, monkeypatch):
    stale = iso(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20))
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(lambda: stale))
    assert call(sdk, a_month_on, "rds", "CreateBackup", DBInstanceId="rm-uf6wjk5xxxxxxx") == EXPIRED


def test_a_nonce_stays_used_when_the_clock_moves(emulator):
    timestamp = iso(datetime.datetime.now(datetime.timezone.utc))
    try:
        assert signed_create(emulator, timestamp, nonce="moving-clock").get("BackupJobId")
        for move in ({"advance": "30d"}, {"set": "2024-06-01T10:00:00Z", "freeze": True}):
            emulator.control("POST", "/_emulator/clock", move)
            assert signed_create(emulator, timestamp, nonce="moving-clock", instance="rm-pg-local") == \
                (400, "SignatureNonceUsed", "Specified signature nonce was used already.")
    finally:
        emulator.control("POST", "/_emulator/clock", {"reset": True})
