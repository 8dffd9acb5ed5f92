"""Items API left to FastAPI's defaults: `{"detail": …}` bodies and 422."""

from typing import Optional

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel

app = FastAPI()

TOKEN = "Bearer sekret-token-123"


class Item(BaseModel):
    name: str


def require_credentials(authorization: Optional[str]) -> None:
    if authorization != TOKEN:
        raise HTTPException(status_code=401, detail="credentials are missing")


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
    raise HTTPException(status_code=404, detail="no such item")
