"""The MongoDB client, through PyMongo's async API."""

from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.settings import ServiceSettings

Document = dict[str, Any]


def make_client(settings: ServiceSettings) -> AsyncMongoClient[Document]:
    """A client that fails within seconds when the server is away, instead of hanging."""
    return AsyncMongoClient(
        settings.mongo_url,
        serverSelectionTimeoutMS=5_000,
        connectTimeoutMS=5_000,
        tz_aware=True,
        appname="gridloop",
    )


def database(
    client: AsyncMongoClient[Document], settings: ServiceSettings
) -> AsyncDatabase[Document]:
    """The service's database."""
    return client[settings.mongo_db]
