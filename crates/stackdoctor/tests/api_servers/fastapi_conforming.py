"""Items API that answers every error in the contract's envelope."""

from typing import Optional

from fastapi import FastAPI, Header
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

app = FastAPI()

TOKEN = "Bearer sekret-token-123"
CODES = {401: "UNAUTHORIZED", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


class Item(BaseModel):
    name: str


def envelope(status: int, code: str, message: str, retryable: bool) -> JSONResponse:
    body = {"success": False, "error": {"code": code, "message": message, "retryable": retryable}}
    return JSONResponse(status_code=status, content=body)


@app.exception_handler(RequestValidationError)
async def invalid_request(request, exc):
    return envelope(400, "VALIDATION_ERROR", "the request is invalid", False)


@app.exception_handler(StarletteHTTPException)
async def http_error(request, exc):
    code = CODES.get(exc.status_code, "INTERNAL_ERROR")
    return envelope(exc.status_code, code, str(exc.detail), exc.status_code >= 500)


def require_credentials(authorization: Optional[str]) -> None:
    if authorization != TOKEN:
        raise StarletteHTTPException(status_code=401, detail="credentials are missing")


@app.get("/api/items")
def list_items(authorization: Optional[str] = Header(default=None)):
    require_credentials(authorization)
    return []


@app.post("/api/items")
def create_item(item: Item, authorization: Optional[str] = Header(default=None)):
    require_credentials(authorization)
    return {"name": item.name}


@app.get("/api/items/{item_id}")
def read_item(item_id: str, authorization: Optional[str] = Header(default=None)):
    require_credentials(authorization)
    raise StarletteHTTPException(status_code=404, detail="no such item")
