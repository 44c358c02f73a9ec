"""Credit prices, from "Credit Consumption Rules" in shared/reference/idphoto-api.txt."""

STANDARD = 6
WITH_OUTFIT = 15
BEAUTY_EXTRA = 8
LAYOUT_EXTRA = 5
BEAUTY_SWITCHES = ("auto_bright", "auto_smooth", "auto_thin_face", "auto_sharp")


def task_price(params: dict) -> int:
    """Credits one task costs: previews are free; outfit 15 or standard 6, plus extras."""
    if params.get("preview"):
        return 0
    price = WITH_OUTFIT if params.get("clothes_id") else STANDARD
    if any(params.get(name) for name in BEAUTY_SWITCHES):
        price += BEAUTY_EXTRA
    if params.get("layout"):
        price += LAYOUT_EXTRA
    return price
