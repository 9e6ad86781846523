"""A cluster's comma-separated bootstrap list reaches FastStream as separate addresses."""

from shared.kafka import bootstrap_servers, make_broker
from shared.settings import ServiceSettings


def test_one_address_stays_one() -> None:
    assert bootstrap_servers("127.0.0.1:9092") == ["127.0.0.1:9092"]


def test_a_list_is_split_and_trimmed() -> None:
    assert bootstrap_servers(" 127.0.0.1:19092, 127.0.0.1:19093 ,127.0.0.1:19094,") == [
        "127.0.0.1:19092",
        "127.0.0.1:19093",
        "127.0.0.1:19094",
    ]


def test_the_broker_is_given_every_address() -> None:
    settings = ServiceSettings(kafka_bootstrap="127.0.0.1:19092,127.0.0.1:19093")

    broker = make_broker(settings, "probe")

    assert broker.specification.url == [
        "127.0.0.1:19092",
        "127.0.0.1:19093",
    ]
