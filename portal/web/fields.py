"""Form fields shared by every feature: `DecimalNumberField`, the one way a form reads a decimal."""

import re
from decimal import Decimal

from wtforms import DecimalField
from wtforms.validators import StopValidation

# Digits with an optional decimal point, ASCII only: Decimal() would also take NaN, sNaN,
# Infinity, exponents (1e999), underscores and other scripts' digits, which no form means.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
MAX_WHOLE_DIGITS = 16  # the money columns hold 16 digits before the point


class DecimalNumberField(DecimalField):
    """A decimal typed as digits and a point, with at most `places` decimals and
    `MAX_WHOLE_DIGITS` before the point; anything else is a field error, never an exception.
    The field's NumberRange validator then says which values fit."""

    def process_formdata(self, valuelist: list) -> None:
        if not valuelist:
            return
        self.data = None
        text = str(valuelist[0]).strip()
        if not text:
            return  # Optional() or InputRequired() says whether that is fine
        if _NUMBER.fullmatch(text) is None:
            raise ValueError("Enter a number in digits, like 1234.50.")
        whole, _, decimals = text.lstrip("+-").partition(".")
        if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
            raise ValueError(f"Enter a number with at most {MAX_WHOLE_DIGITS} digits.")
        places = self.places if isinstance(self.places, int) else 2
        if len(decimals.rstrip("0")) > places:
            raise ValueError(f"Enter at most {places} decimal places.")
        self.data = Decimal(text)

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()  # "not a number" says it all; no range check on nothing
