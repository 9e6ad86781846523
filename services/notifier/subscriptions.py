"""Reporters' and supporters' own channels, kept per report by whoever takes the report."""

from pymongo.asynchronous.database import AsyncDatabase

from services.notifier.rules import ChannelKind, Receiver
from shared.contracts import NotificationSubscription, event_id_for
from shared.mongo import Document


class SubscriptionStore:
    """The ``subscriptions`` collection: one document per report id."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["subscriptions"]

    async def put(
        self, report_id: str, case_ids: list[str], wants: list[NotificationSubscription]
    ) -> None:
        """Replace what a report's reporter subscribed to."""
        await self.collection.update_one(
            {"_id": report_id},
            {
                "$set": {
                    "case_ids": case_ids,
                    "receivers": [want.model_dump(mode="json") for want in wants],
                }
            },
            upsert=True,
        )

    async def receivers_for(self, report_id: str, case_id: str) -> list[Receiver]:
        """Everyone who asked to hear about this case: its reporter and supporters."""
        cursor = self.collection.find({"$or": [{"_id": report_id}, {"case_ids": case_id}]})
        found: list[Receiver] = []
        async for doc in cursor:
            for index, want in enumerate(doc.get("receivers", [])):
                key = event_id_for("subscriber", str(doc["_id"]), str(index)).hex
                found.append(
                    Receiver(
                        key=f"sub:{key}",
                        channel=ChannelKind(want["channel"]),
                        address=want["address"],
                        secret=want.get("secret"),
                        language=want.get("language", "zh"),
                        digest=False,
                    )
                )
        return found
