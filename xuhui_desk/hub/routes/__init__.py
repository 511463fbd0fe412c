"""The hub's HTTP routes, one ``APIRouter`` per concern; ``create_app`` includes them."""
