"""`POST /webhook`: verify a signed event from the wiki, queue it durably, answer 202 at once."""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.deps import RuntimeDep
from service.webhook import MAX_BODY_BYTES, WebhookError, verify_webhook

log = logging.getLogger(__name__)
router = APIRouter()


@router.post("/webhook", status_code=202)
async def receive_webhook(request: Request, runtime: RuntimeDep) -> JSONResponse:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            break  # verify_webhook answers 413; no need to read the rest
    try:
        event = verify_webhook(
            runtime.webhook_secret,
            request.headers,
            body,
            now=time.time(),
            seen=lambda msg_id: not runtime.queue.record_webhook_id(msg_id),
        )
    except WebhookError as err:
        runtime.worker.metrics.webhooks_refused += 1
        log.info("webhook refused: %s %s", err.status_code, err.reason)
        return JSONResponse({"error": err.reason}, status_code=err.status_code)
    job_id = runtime.queue.enqueue(event)  # committed before the answer
    runtime.worker.metrics.webhooks_accepted += 1
    runtime.worker.notify()
    return JSONResponse({"queued": job_id}, status_code=202)
