"""Delivering an event to one of the shop's webhooks: the JSON body signed like the order
webhook the shop posts to us (`X-Checkin-Timestamp`, `X-Checkin-Signature`), the event's
id in the body and in `X-Checkin-Event-Id`. A 2xx is delivered; a 408, 429, 5xx or an
unreachable server is tried again later; any other answer is final."""

import json
import time

import httpx
from checkin_shared.errors import ProblemError
from checkin_shared.outbound_urls import check_outbound_url
from checkin_shared.webhook_signature import signed_headers
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notification_service.delivery.channels import DeliveryFailed
from notification_service.log.models import Notification
from notification_service.shop_webhooks.models import ShopWebhook

RETRIED_STATUSES = {408, 429}


class ShopWebhookChannel:
    def __init__(
        self,
        client: httpx.AsyncClient,
        factory: async_sessionmaker[AsyncSession],
        *,
        allow_loopback: bool,
    ) -> None:
        self.client = client
        self.factory = factory
        self.allow_loopback = allow_loopback

    async def send(self, notification: Notification) -> int:
        async with self.factory() as session:
            hook = await session.get(ShopWebhook, notification.webhook_id)
        if hook is None or hook.deleted_at is not None:
            raise DeliveryFailed("webhook deleted", permanent=True)
        try:
            await check_outbound_url(hook.url, allow_loopback=self.allow_loopback)
        except ProblemError as refused:
            raise DeliveryFailed(refused.detail or "url not allowed", permanent=True) from None
        body = json.dumps(notification.payload, separators=(",", ":")).encode()
        headers = {
            **signed_headers(hook.secret, body, now=time.time()),
            "Content-Type": "application/json",
            "X-Checkin-Event-Id": str(notification.event_id),
        }
        try:
            response = await self.client.post(hook.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"unreachable: {exc!r}", permanent=False) from exc
        status = response.status_code
        if 200 <= status < 300:
            return status
        retried = status >= 500 or status in RETRIED_STATUSES
        raise DeliveryFailed(f"answered {status}", permanent=not retried, response_status=status)
