"""The OpenAPI 3.1 document, generated from ``photos.params.PARAMS`` so it cannot drift."""

import json
from functools import lru_cache

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from photos import pricing
from photos.api.callbacks import SIGNATURE_HEADER, TIMESTAMP_HEADER
from photos.models import Order
from photos.params import HEX_COLOR, PARAMS, Param

TASKS_PATH = "/api/tasks/visual/external/idphoto"

STATES_TEXT = "; ".join(f"{state.value} {state.label}" for state in Order.State)


def _param_schema(param: Param) -> dict:
    schema: dict = {"description": f"{param.description} Allowed: {param.range_text()}."}
    if param.kind == "flag":
        schema.update(type="integer", enum=[0, 1])
    elif param.kind in ("int", "float"):
        schema["type"] = "integer" if param.kind == "int" else "number"
        if param.minimum is not None:
            schema["minimum"] = param.minimum
        if param.maximum is not None:
            schema["exclusiveMaximum" if param.exclusive_max else "maximum"] = param.maximum
    elif param.kind == "hex":
        schema.update(type="string", pattern=HEX_COLOR.pattern)
    elif param.kind == "choice":
        is_int = all(isinstance(c, int) for c in param.choices)
        schema.update(type="integer" if is_int else "string", enum=list(param.choices))
    else:
        schema["type"] = "string"
        if param.max_length:
            schema["maxLength"] = param.max_length
    if param.default not in (None, ""):
        schema["default"] = param.default
    return schema


def _form_schema(*, with_file: bool) -> dict:
    properties: dict = {}
    if with_file:
        properties["image_file"] = {
            "type": "string",
            "format": "binary",
            "description": "The photo (jpg, png, bmp, webp, tiff; under 15 MB, up to 4096×4096). "
            "Wins over image_url and last_id.",
        }
    properties["image_url"] = {
        "type": "string",
        "maxLength": 512,
        "description": "http(s) URL of the photo, downloaded by the worker (10 s, 15 MB). "
        "Private, loopback and reserved addresses are refused.",
    }
    properties["callback_url"] = {
        "type": "string",
        "maxLength": 512,
        "description": "http(s) URL that receives the finished task as a signed POST.",
    }
    for param in PARAMS:
        properties[param.name] = _param_schema(param)
    return {"type": "object", "properties": properties}


def _envelope(data_ref: str | None = None) -> dict:
    schema = {
        "type": "object",
        "required": ["status", "message"],
        "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
    }
    if data_ref:
        schema["properties"]["data"] = {"$ref": f"#/components/schemas/{data_ref}"}
    return schema


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json({"$ref": "#/components/schemas/Error"}, description)


ERRORS = {
    "400": "A parameter is invalid (the message names it and its range), no image was "
    "given, the spec_id or last_id is unknown, or an URL is unsafe.",
    "401": 'Missing or invalid X-API-KEY: {"status": 401, "message": "Invalid API key"}.',
    "402": "Insufficient credits; nothing was charged and no work was done.",
    "404": "No task with this id in your account.",
    "413": "image_file is larger than 15 MB.",
    "429": "More requests per second than the per-key limit; retry after a second.",
}


def _errors(*codes: str) -> dict:
    return {code: _error(ERRORS[code]) for code in codes}


def _task_schema() -> dict:
    return {
        "type": "object",
        "required": ["task_id", "state", "progress"],
        "properties": {
            "task_id": {"type": "string"},
            "state": {
                "type": "integer",
                "enum": [state.value for state in Order.State],
                "description": STATES_TEXT,
            },
            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
            "state_detail": {"type": "string"},
            "image": {
                "type": "string",
                "description": "When state is 1: an absolute URL valid for one hour without "
                "the key, or base64 JPEG data when the task had return_type=2.",
            },
            "layout_image": {
                "type": "string",
                "description": "When state is 1 and the task had layout=1: the print sheet "
                "(URL or base64, like image).",
            },
            "image_id": {
                "type": "string",
                "description": "The source photo's id; send it as last_id to reuse the photo.",
            },
            "return_type": {"type": "integer", "enum": [1, 2]},
            "created_at": {"type": "integer", "description": "Unix time"},
            "processed_at": {"type": "integer", "description": "Unix time processing started"},
            "completed_at": {"type": "integer", "description": "Unix time the task ended"},
            "time_elapsed": {"type": "string", "description": "Seconds from creation to end"},
        },
    }


def openapi_document(base_url: str = "") -> dict:
    price_text = (
        f"Credits: standard {pricing.STANDARD}, with clothes_id {pricing.WITH_OUTFIT}; "
        f"+{pricing.BEAUTY_EXTRA} when any of auto_bright, auto_smooth, auto_thin_face, "
        f"auto_sharp is on; +{pricing.LAYOUT_EXTRA} for layout=1; preview=1 is free. Charged "
        "when the task is accepted, refunded when it fails."
    )
    create = {
        "operationId": "createTask",
        "summary": "Create an ID-photo task",
        "description": "sync=0 answers with data.task_id at once; sync=1 answers with the "
        "finished task (at most 30 s of processing, else state -8); callback_url gets the "
        f"finished task as a POST signed with {SIGNATURE_HEADER}. {price_text}",
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": _form_schema(with_file=True)},
                "application/x-www-form-urlencoded": {"schema": _form_schema(with_file=False)},
            },
        },
        "responses": {
            "200": _json(
                {
                    "anyOf": [
                        {"$ref": "#/components/schemas/TaskCreatedResponse"},
                        {"$ref": "#/components/schemas/TaskResponse"},
                    ]
                },
                "Accepted (sync=0: data.task_id) or finished (sync=1: the task).",
            ),
            **_errors("400", "401", "402", "413", "429"),
        },
        "callbacks": {
            "taskFinished": {
                "{$request.body#/callback_url}": {
                    "post": {
                        "description": f"{SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of the raw "
                        f"body with the key's callback secret>; {TIMESTAMP_HEADER}: unix time "
                        "of the attempt. Answer 2xx; other answers are retried after 30 s, "
                        "2 min, 10 min and 30 min.",
                        "requestBody": {
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/TaskResponse"}
                                }
                            }
                        },
                        "responses": {"200": {"description": "Received"}},
                    }
                }
            }
        },
    }
    poll = {
        "operationId": "getTask",
        "summary": "Get a task's state and result",
        "parameters": [
            {
                "name": "task_id",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
                "description": "data.task_id from the create call",
            }
        ],
        "responses": {
            "200": _json({"$ref": "#/components/schemas/TaskResponse"}, "The task"),
            **_errors("401", "404", "429"),
        },
    }
    result = {
        "operationId": "getResult",
        "summary": "Download a result (the link in data.image); no key needed",
        "security": [],
        "parameters": [
            {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {
            "200": {
                "description": "The JPEG",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            },
            "403": _error("The link is not valid."),
            "404": _error("No such result."),
            "410": _error("The link expired (after one hour), or the files were deleted."),
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "idphoto ID-photo API",
            "version": "1.0",
            "description": "Compatible with the upstream ID-photo API: same paths, form "
            "fields, states and credit rules. Human documentation: /api/docs/.",
        },
        "servers": [{"url": base_url or "/"}],
        "security": [{"ApiKeyAuth": []}],
        "paths": {
            TASKS_PATH: {"post": create},
            TASKS_PATH + "/{task_id}": {"get": poll},
            "/api/results/{token}.jpg": {"get": result},
        },
        "components": {
            "securitySchemes": {
                "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-KEY"}
            },
            "schemas": {
                "Error": _envelope(),
                "Task": _task_schema(),
                "TaskCreated": {
                    "type": "object",
                    "required": ["task_id"],
                    "properties": {"task_id": {"type": "string"}},
                },
                "TaskCreatedResponse": _envelope("TaskCreated"),
                "TaskResponse": _envelope("Task"),
            },
        },
    }


@lru_cache(maxsize=8)
def _rendered(base_url: str) -> bytes:
    return json.dumps(openapi_document(base_url), ensure_ascii=False, indent=1).encode()


@require_safe
def openapi_json(request):
    from photos.api.responses import base_url_for

    response = HttpResponse(_rendered(base_url_for(request)), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
