from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

app = FastAPI()

ITEMS: dict[int, str] = {}


class Item(BaseModel):
    name: str
    stock: int


def error(code: str, message: str, status: int, retryable: bool) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"success": False, "error": {"code": code, "message": message, "retryable": retryable}},
    )


@app.exception_handler(RequestValidationError)
async def invalid_request(request: Request, exc: RequestValidationError):
    return error("VALIDATION_ERROR", "入力が不正です", 400, False)


@app.get("/items/{item_id}")
def read_item(item_id: int):
    if item_id not in ITEMS:
        return error("ITEM_NOT_FOUND", "商品が見つかりません", 404, False)
    return {"id": item_id, "name": ITEMS[item_id]}


@app.post("/items")
def create_item(item: Item):
    if len(ITEMS) > 10_000:
        return error("DATABASE_ERROR", "データベースに接続できません", 503, True)
    ITEMS[len(ITEMS) + 1] = item.name
    return {"id": len(ITEMS)}
