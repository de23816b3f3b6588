"""Domain errors that carry their HTTP status; one handler in ``api`` renders them."""

from __future__ import annotations


class HubError(Exception):
    """Base of every error the hub reports to a caller."""

    status_code: int = 400
    title: str = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, object]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    def headers(self) -> dict[str, str]:
        """Response headers that go with this error (none by default)."""
        return {}


class BadRequest(HubError):
    status_code = 400
    title = "Bad request"


class Unauthorized(HubError):
    status_code = 401
    title = "Unauthorized"


class Forbidden(HubError):
    status_code = 403
    title = "Forbidden"


class NotFound(HubError):
    status_code = 404
    title = "Not found"


class NotAcceptable(HubError):
    status_code = 406
    title = "Not acceptable"


class Conflict(HubError):
    status_code = 409
    title = "Conflict"


class PayloadTooLarge(HubError):
    status_code = 413
    title = "Payload too large"


class TooManyRequests(HubError):
    status_code = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class UnsupportedMediaType(HubError):
    status_code = 415
    title = "Unsupported media type"


class Unprocessable(HubError):
    status_code = 422
    title = "Unprocessable content"


class ConfigurationError(Exception):
    """A setting that makes the hub unsafe or unable to start."""
