"""What the browser journeys check on every page they stop at."""

PHONE_WIDTH = 375


def fits_a_phone(page, width: int = PHONE_WIDTH) -> None:
    """The page, once loaded, is no wider than the phone: nothing scrolls sideways."""
    page.wait_for_load_state()
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"{page.url} is {scrolled} px wide"
