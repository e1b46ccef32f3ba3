import io
import json
import logging

from checkin_shared.logs import JsonFormatter
from checkin_shared.request_id import request_id_var


def test_json_log_lines_carry_service_request_id_and_extras() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("probe"))
    logger = logging.getLogger("probe.json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    token = request_id_var.set("req-77")
    try:
        logger.info("claimed %s", "tier-1", extra={"user_id": "u-1"})
    finally:
        request_id_var.reset(token)
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["msg"] == "claimed tier-1"
    assert line["service"] == "probe"
    assert line["request_id"] == "req-77"
    assert line["user_id"] == "u-1"
    assert line["level"] == "info"
