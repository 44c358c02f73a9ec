"""The OpenAPI document and the human docs page describe every parameter, state and rule."""

import httpx

from photos.models import Order
from photos.params import BY_NAME, CLOTHES_IDS, PARAMS

TASKS = "/api/tasks/visual/external/idphoto"


def test_openapi_document_lists_every_parameter_with_its_range(live_server):
    response = httpx.get(live_server.url + "/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"][0]["url"] == live_server.url
    assert doc["components"]["securitySchemes"]["ApiKeyAuth"]["name"] == "X-API-KEY"
    create = doc["paths"][TASKS]["post"]
    forms = create["requestBody"]["content"]
    multipart = forms["multipart/form-data"]["schema"]["properties"]
    urlencoded = forms["application/x-www-form-urlencoded"]["schema"]["properties"]
    for param in PARAMS:
        assert param.name in multipart and param.name in urlencoded
    assert multipart["image_file"]["format"] == "binary" and "image_file" not in urlencoded
    assert multipart["dpi"]["minimum"] == 10 and multipart["dpi"]["maximum"] == 1000
    assert multipart["px_width"]["exclusiveMaximum"] == 1800
    assert multipart["smooth_factor"] == {
        "description": multipart["smooth_factor"]["description"],
        "type": "number",
        "minimum": 0,
        "maximum": 1,
        "default": 0.5,
    }
    assert multipart["clothes_id"]["enum"] == list(CLOTHES_IDS)
    assert multipart["layout_size"]["enum"] == ["5inch", "6inch"]
    assert set(create["responses"]) == {"200", "400", "401", "402", "413", "429"}
    states = doc["components"]["schemas"]["Task"]["properties"]["state"]["enum"]
    assert sorted(states) == sorted(s.value for s in Order.State)
    assert "layout_image" in doc["components"]["schemas"]["Task"]["properties"]


def test_docs_page_lists_parameters_states_credits_and_signature(live_server, specs):
    response = httpx.get(live_server.url + "/api/docs/")
    assert response.status_code == 200
    page = response.text
    for param in PARAMS:
        assert f"<code>{param.name}</code>" in page
    assert BY_NAME["dpi"].range_text() in page
    for state in Order.State:
        assert f"<code>{state.value}</code>" in page
    assert "X-Idphoto-Signature" in page and "HMAC-SHA256" in page
    assert "402" in page and "layout_image" in page
    assert "woman_20" in page and "child_10" in page
    assert "1102" in page  # the spec catalogue
    for words in ("Standard ID photo", "preview=1"):
        assert words in page
