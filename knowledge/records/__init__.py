"""What an entry is: one declarative schema per kind (``schema``), the typed records read
from storage (``models``), event dates (``dates``) and the value checks (``validation``)."""
